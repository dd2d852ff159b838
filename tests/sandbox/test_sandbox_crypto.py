"""The sandbox's callback cipher against Tencent's own vectors and against wechatpy."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from wechatpy.enterprise import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException

from bot.sandbox.crypto import CallbackCipher, CipherError, envelope, sign

TOKEN = "SandboxCallbackToken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CORP_ID = "wwsandbox000000001"


def sealed_text(vector: dict[str, Any]) -> str:
    """What the signature covers: the echostr of a GET, the Encrypt element of a POST."""
    if vector["method"] == "GET":
        echostr: str = vector["query"]["echostr"]
        return echostr
    found = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", vector["body"])
    assert found is not None
    return found.group(1)


def named(vectors: dict[str, Any], name: str) -> dict[str, Any]:
    vector: dict[str, Any] = next(v for v in vectors["vectors"] if v["name"] == name)
    return vector


def test_decrypts_and_signs_every_accepted_vector(vectors: dict[str, Any]) -> None:
    cipher = CallbackCipher(vectors["encoding_aes_key"], vectors["corp_id"])
    accepted = [v for v in vectors["vectors"] if v["expect"] == "accept"]
    assert len(accepted) >= 5

    for vector in accepted:
        query, sealed = vector["query"], sealed_text(vector)
        assert cipher.decrypt(sealed) == (vector["plaintext"], vectors["corp_id"]), vector["name"]
        signature = sign(vectors["token"], query["timestamp"], query["nonce"], sealed)
        assert signature == query["msg_signature"], vector["name"]


def test_each_refused_vector_shows_its_flaw(vectors: dict[str, Any]) -> None:
    cipher = CallbackCipher(vectors["encoding_aes_key"], vectors["corp_id"])

    for name in ("url_verification_bad_signature", "tampered_ciphertext"):
        vector = named(vectors, name)
        query = vector["query"]
        signature = sign(vectors["token"], query["timestamp"], query["nonce"], sealed_text(vector))
        assert signature != query["msg_signature"], name

    _, corp_id = cipher.decrypt(sealed_text(named(vectors, "wrong_corp_id")))
    assert corp_id != vectors["corp_id"]


@pytest.mark.parametrize(
    "plaintext",
    [
        "<xml><Content><![CDATA[汇报]]></Content></xml>",
        "本月完成了学校思想政治工作会议的筹备与召开，" * 40,
        "x" * (64 - 16 - 4 - len(CORP_ID)),  # fills whole blocks, so padding adds one more
        "",
    ],
)
def test_wechatpy_decrypts_what_the_sandbox_encrypts(plaintext: str) -> None:
    encrypted = CallbackCipher(AES_KEY, CORP_ID).encrypt(plaintext)
    signature = sign(TOKEN, "1764720000", "12345", encrypted)
    body = envelope(CORP_ID, 1000002, encrypted)

    decrypted = WeChatCrypto(TOKEN, AES_KEY, CORP_ID).decrypt_message(
        body, signature, "1764720000", "12345"
    )

    assert decrypted == plaintext
    assert len(base64.b64decode(encrypted)) % 32 == 0


def test_wechatpy_checks_a_url_verification_the_sandbox_made() -> None:
    echostr = CallbackCipher(AES_KEY, CORP_ID).encrypt("6278937462091384756")
    signature = sign(TOKEN, "1764720000", "12345", echostr)

    answer = WeChatCrypto(TOKEN, AES_KEY, CORP_ID).check_signature(
        signature, "1764720000", "12345", echostr
    )

    assert answer == "6278937462091384756"


def test_wechatpy_refuses_a_message_sealed_for_another_corp() -> None:
    encrypted = CallbackCipher(AES_KEY, "wwanothercorp00001").encrypt("<xml></xml>")
    signature = sign(TOKEN, "1764720000", "12345", encrypted)

    with pytest.raises(InvalidCorpIdException):
        WeChatCrypto(TOKEN, AES_KEY, CORP_ID).decrypt_message(
            envelope(CORP_ID, 1000002, encrypted), signature, "1764720000", "12345"
        )


def test_the_sandbox_decrypts_what_wechatpy_encrypts() -> None:
    reply = WeChatCrypto(TOKEN, AES_KEY, CORP_ID).encrypt_message(
        "<xml><Content>好</Content></xml>", "12345", "1764720000"
    )
    found = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", reply)
    assert found is not None

    assert CallbackCipher(AES_KEY, CORP_ID).decrypt(found.group(1)) == (
        "<xml><Content>好</Content></xml>",
        CORP_ID,
    )


@pytest.mark.parametrize(
    "garbage",
    ["not base64!", base64.b64encode(b"short").decode(), base64.b64encode(bytes(64)).decode()],
)
def test_decrypt_refuses_garbage(garbage: str) -> None:
    with pytest.raises(CipherError):
        CallbackCipher(AES_KEY, CORP_ID).decrypt(garbage)


def test_a_key_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        CallbackCipher("tooshort", CORP_ID)
