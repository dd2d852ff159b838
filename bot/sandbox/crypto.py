"""WeCom's side of the callback cipher, written from the protocol rather than with wechatpy.

The bot's receiver uses wechatpy; building the sender independently means a shared
misreading of the protocol cannot hide in both ends.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_SIZE = 32  # WeCom pads to 32 bytes, not to the AES block size of 16
RANDOM_PREFIX = 16


class CipherError(ValueError):
    """A ciphertext that does not decrypt to a well-formed WeCom plaintext."""


class CallbackCipher:
    """AES-256-CBC with IV = key[:16], as WeCom encrypts callbacks for one corp."""

    def __init__(self, encoding_aes_key: str, corp_id: str) -> None:
        self._key = base64.b64decode(encoding_aes_key + "=")
        if len(self._key) != 32:
            raise ValueError("an EncodingAESKey must decode to 32 bytes")
        self.corp_id = corp_id

    def encrypt(self, plaintext: str) -> str:
        """Encrypt a message the way WeCom does, with fresh random bytes in front."""
        message = plaintext.encode()
        raw = os.urandom(RANDOM_PREFIX) + struct.pack(">I", len(message))
        raw += message + self.corp_id.encode()

        encryptor = self._cipher().encryptor()
        sealed = encryptor.update(_pad(raw)) + encryptor.finalize()
        return base64.b64encode(sealed).decode()

    def decrypt(self, encrypted: str) -> tuple[str, str]:
        """Return the message and the CorpID it was sealed for; the caller judges the latter."""
        try:
            sealed = base64.b64decode(encrypted, validate=True)
        except ValueError as exc:
            raise CipherError("ciphertext is not base64") from exc
        if not sealed or len(sealed) % BLOCK_SIZE:
            raise CipherError("ciphertext is not a whole number of blocks")

        decryptor = self._cipher().decryptor()
        raw = _unpad(decryptor.update(sealed) + decryptor.finalize())

        body = raw[RANDOM_PREFIX:]
        if len(body) < 4:
            raise CipherError("plaintext is too short")
        (length,) = struct.unpack(">I", body[:4])
        if length > len(body) - 4:
            raise CipherError("message length exceeds the plaintext")
        try:
            return body[4 : 4 + length].decode(), body[4 + length :].decode()
        except UnicodeDecodeError as exc:
            raise CipherError("plaintext is not UTF-8") from exc

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))


def sign(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """The msg_signature of a callback: SHA1 over the four values sorted and joined."""
    joined = "".join(sorted([token, timestamp, nonce, encrypted]))
    return hashlib.sha1(joined.encode()).hexdigest()


def envelope(corp_id: str, agent_id: int | str, encrypted: str) -> str:
    """The XML body WeCom POSTs, carrying the ciphertext."""
    return (
        f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName>"
        f"<AgentID><![CDATA[{agent_id}]]></AgentID>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )


def _pad(raw: bytes) -> bytes:
    amount = BLOCK_SIZE - len(raw) % BLOCK_SIZE
    return raw + bytes([amount]) * amount


def _unpad(raw: bytes) -> bytes:
    amount = raw[-1]
    if not 1 <= amount <= BLOCK_SIZE or raw[-amount:] != bytes([amount]) * amount:
        raise CipherError("bad padding")
    return raw[:-amount]
