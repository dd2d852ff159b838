"""The callback route: verify, decrypt, parse, store, answer; the work happens afterwards."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from bot.runtime import Runtime
from bot.wecom.crypto import RejectedCallback
from bot.wecom.events import parse_inbound

logger = logging.getLogger(__name__)

router = APIRouter()

STORE_WAIT_SECONDS = 4.0


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("/wecom/callback")
def verify_url(
    request: Request,
    msg_signature: str = "",
    timestamp: str = "",
    nonce: str = "",
    echostr: str = "",
) -> Response:
    """WeCom's URL check: the decrypted echostr as bare text (no quotes, no newline)."""
    try:
        plain = _runtime(request).verifier.verify_url(
            signature=msg_signature, timestamp=timestamp, nonce=nonce, echostr=echostr
        )
    except RejectedCallback as rejected:
        logger.warning("URL check refused: %s", rejected.reason)
        return Response(status_code=rejected.status)
    return PlainTextResponse(plain)


@router.post("/wecom/callback")
async def receive(
    request: Request, msg_signature: str = "", timestamp: str = "", nonce: str = ""
) -> Response:
    """Acknowledge with an empty 200 as soon as the event is safely stored."""
    runtime = _runtime(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > runtime.settings.callback_max_bytes:
        logger.warning("callback refused: declared body of %s bytes", declared)
        return Response(status_code=413)
    body = await request.body()
    try:
        xml = runtime.verifier.decrypt(
            body, signature=msg_signature, timestamp=timestamp, nonce=nonce
        )
        event = parse_inbound(xml)
    except RejectedCallback as rejected:
        logger.warning("callback refused: %s", rejected.reason)
        return Response(status_code=rejected.status)
    except Exception:
        logger.warning("callback refused: decrypted payload is not a WeCom message")
        return Response(status_code=400)
    stored = asyncio.wrap_future(runtime.accept(event))
    try:
        # WeCom waits 5 s; past STORE_WAIT_SECONDS an error lets it retry. If the write
        # lands after all, the retry is a duplicate; if it fails, the dedupe forgets it.
        await asyncio.wait_for(asyncio.shield(stored), STORE_WAIT_SECONDS)
    except TimeoutError:
        logger.warning("callback not stored within %.1f s; WeCom will retry", STORE_WAIT_SECONDS)
        return Response(status_code=503)
    except Exception:
        logger.warning("callback could not be stored; WeCom will retry")
        return Response(status_code=503)
    return Response(status_code=200)
