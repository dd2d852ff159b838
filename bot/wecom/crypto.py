"""Verification and decryption of WeCom callbacks, in one place, before anything is parsed."""

from __future__ import annotations

from typing import Any

import xmltodict
from wechatpy.enterprise import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException


class RejectedCallback(Exception):
    """A callback we refuse: bad signature, another CorpID, malformed envelope, too big."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class CallbackVerifier:
    """Checks signatures and decrypts with wechatpy.enterprise (the WeCom flavour)."""

    def __init__(self, *, token: str, aes_key: str, corp_id: str, max_bytes: int) -> None:
        self._crypto = WeChatCrypto(token, aes_key, corp_id)
        self._corp_id = corp_id
        self._max_bytes = max_bytes

    def verify_url(self, *, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The URL check: the decrypted echostr, to be answered as plain text."""
        try:
            return str(self._crypto.check_signature(signature, timestamp, nonce, echostr))
        except (InvalidSignatureException, InvalidCorpIdException) as error:
            raise RejectedCallback(type(error).__name__, 403) from None
        except Exception:
            raise RejectedCallback("undecryptable echostr") from None

    def decrypt(self, body: bytes, *, signature: str, timestamp: str, nonce: str) -> str:
        """The decrypted message XML of a POST; raises RejectedCallback for anything off."""
        if len(body) > self._max_bytes:
            raise RejectedCallback("body too large", 413)
        envelope = self._envelope(body)
        try:
            return str(self._crypto.decrypt_message(envelope, signature, timestamp, nonce))
        except (InvalidSignatureException, InvalidCorpIdException) as error:
            raise RejectedCallback(type(error).__name__, 403) from None
        except Exception:
            raise RejectedCallback("undecryptable payload") from None

    def _envelope(self, body: bytes) -> dict[str, Any]:
        """The outer <xml> with ToUserName, AgentID and Encrypt; entities stay disabled."""
        try:
            parsed = xmltodict.parse(body.decode("utf-8"), disable_entities=True)
        except Exception:
            raise RejectedCallback("body is not XML") from None
        envelope = parsed.get("xml") if isinstance(parsed, dict) else None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("Encrypt"), str):
            raise RejectedCallback("body is not a WeCom envelope")
        to_user = envelope.get("ToUserName")
        if to_user is not None and to_user != self._corp_id:
            raise RejectedCallback("envelope addressed to another CorpID", 403)
        return envelope
