"""The sandbox's `/cgi-bin/` API: the WeCom calls the bot makes, answered with WeCom's JSON
shapes, errcodes and limits from a `SandboxState`.

Where WeCom documents no errcode for a case, the sandbox answers 40058 (invalid parameter):
a template card that is not `button_interaction`, a task_id that is missing, outside
`[0-9A-Za-z_\\-@]`, over 128 bytes or already used by the app, a card without a title, more
than 6 buttons or 6 horizontal_content items, a button without text or key or with a style
outside 1-4; an update_template_card without userids or atall, or with neither
button.replace_name nor template_card; also toparty/totag/partyids/tagids (not played here)
and more than 1000 recipients. Other choices: 40008 unknown msgtype, 40056 missing agentid,
47001 a body that is not JSON, 60111 unknown userid, 60123 unknown department, and 81013 for
an update whose userids hold none of the card's receivers.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from bot.sandbox.state import Department, SandboxError, SandboxState, User

MAX_CONTENT_BYTES = 2048
MAX_RECIPIENTS = 1000
MAX_BUTTONS = 6
MAX_HORIZONTAL_ITEMS = 6
MAX_TASK_ID_BYTES = 128
TASK_ID = re.compile(r"[0-9A-Za-z_\-@]+")
INJECTED_ERRMSG = {
    -1: "system busy",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
}

router = APIRouter(prefix="/cgi-bin")


def create_app(state: SandboxState) -> FastAPI:
    """A WeCom stand-in serving `state`; tests keep `state` to inspect and steer it."""
    app = FastAPI(title="WeCom sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = state
    app.middleware("http")(_faults)
    app.add_exception_handler(SandboxError, _wecom_error)
    app.include_router(router)
    return app


def _sandbox(request: Request) -> SandboxState:
    sandbox: SandboxState = request.app.state.sandbox
    return sandbox


def _authorised(
    sandbox: Annotated[SandboxState, Depends(_sandbox)], access_token: str | None = None
) -> SandboxState:
    sandbox.check_token(access_token)
    return sandbox


Sandbox = Annotated[SandboxState, Depends(_sandbox)]
AppSandbox = Annotated[SandboxState, Depends(_authorised)]


@router.get("/gettoken")
def get_token(sandbox: Sandbox, corpid: str = "", corpsecret: str = "") -> dict[str, Any]:
    token, expires_in = sandbox.issue_token(corpid, corpsecret)
    return _ok(access_token=token, expires_in=expires_in)


@router.post("/message/send")
async def send_message(request: Request, sandbox: AppSandbox) -> dict[str, Any]:
    payload = await _json_body(request)
    _check_agent(sandbox, payload)

    msgtype = payload.get("msgtype")
    if msgtype in ("text", "markdown"):
        payload = _cut_content(payload, msgtype)
    elif msgtype == "template_card":
        _check_card(payload.get("template_card"), require_task_id=True)
    else:
        raise SandboxError(40008, "invalid message type")

    userids, invalid = _recipients(sandbox, payload)
    msgid, response_code = sandbox.deliver(userids, payload)

    result = _ok(invaliduser="|".join(invalid), msgid=msgid)
    if response_code is not None:
        result["response_code"] = response_code
    return result


@router.post("/message/update_template_card")
async def update_template_card(request: Request, sandbox: AppSandbox) -> dict[str, Any]:
    payload = await _json_body(request)
    _check_agent(sandbox, payload)

    button = payload.get("button")
    replace_name = button.get("replace_name") if isinstance(button, dict) else None
    template_card = payload.get("template_card")
    if template_card is not None:
        _check_card(template_card, require_task_id=False)
    elif not isinstance(replace_name, str) or not replace_name:
        raise SandboxError(40058, "button.replace_name or template_card is required")

    invalid = sandbox.update_cards(
        str(payload.get("response_code", "")),
        userids=_update_scope(payload),
        replace_name=replace_name,
        template_card=template_card,
    )
    return _ok(invaliduser=invalid)


@router.get("/user/get")
def get_user(sandbox: AppSandbox, userid: str = "") -> dict[str, Any]:
    user = sandbox.find_user(userid)
    if user is None:
        raise SandboxError(60111, "userid not found")
    return _ok(**_user_json(user))


@router.get("/user/list")
def list_users(sandbox: AppSandbox, department_id: str = "") -> dict[str, Any]:
    users = sandbox.users_in(_department_id(department_id))
    if users is None:
        raise SandboxError(60123, "invalid party id")
    return _ok(userlist=[_user_json(user) for user in users])


@router.get("/department/list")
def list_departments(sandbox: AppSandbox, id: str = "") -> dict[str, Any]:
    departments = sandbox.department_subtree(_department_id(id) if id else None)
    if departments is None:
        raise SandboxError(60123, "invalid party id")
    return _ok(department=[_department_json(d) for d in departments])


async def _faults(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    sandbox, path = _sandbox(request), request.url.path.removeprefix("/cgi-bin/")
    sandbox.record_call(path)
    if sandbox.down:
        return PlainTextResponse("service unavailable", status_code=503)
    if sandbox.delay:
        await asyncio.sleep(sandbox.delay)

    errcode = sandbox.take_failure(path)
    if errcode is not None:
        errmsg = INJECTED_ERRMSG.get(errcode, "injected failure")
        return JSONResponse({"errcode": errcode, "errmsg": errmsg})
    return await call_next(request)


async def _wecom_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SandboxError)
    return JSONResponse({"errcode": exc.errcode, "errmsg": exc.errmsg, **exc.extra})


def _ok(**fields: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **fields}


async def _json_body(request: Request) -> dict[str, Any]:
    # wechatpy posts JSON without a Content-Type, so FastAPI's body parsing cannot be used.
    try:
        payload = json.loads(await request.body())
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise SandboxError(47001, "data format error")
    return payload


def _check_agent(sandbox: SandboxState, payload: dict[str, Any]) -> None:
    try:
        agent_id = int(payload["agentid"])
    except (KeyError, TypeError, ValueError):
        raise SandboxError(40056, "invalid agentid") from None
    if agent_id != sandbox.agent_id:
        raise SandboxError(301002, "not allow operate another agent with this accesstoken")


def _cut_content(payload: dict[str, Any], msgtype: str) -> dict[str, Any]:
    """WeCom cuts text and markdown past 2048 UTF-8 bytes instead of refusing them."""
    body = payload.get(msgtype)
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(content, str) or not content:
        raise SandboxError(44004, "empty content")

    cut = content.encode()[:MAX_CONTENT_BYTES].decode("utf-8", "ignore")
    return payload | {msgtype: {**body, "content": cut}}


def _check_card(card: Any, *, require_task_id: bool) -> None:
    if not isinstance(card, dict) or card.get("card_type") != "button_interaction":
        raise SandboxError(40058, "the sandbox plays button_interaction cards only")
    if require_task_id or "task_id" in card:
        _check_task_id(card.get("task_id"))

    main_title = card.get("main_title")
    title = main_title.get("title") if isinstance(main_title, dict) else None
    if not title and not card.get("sub_title_text"):
        raise SandboxError(40058, "main_title.title or sub_title_text is required")

    items = card.get("horizontal_content_list", [])
    if not isinstance(items, list) or len(items) > MAX_HORIZONTAL_ITEMS:
        raise SandboxError(40058, "horizontal_content_list takes at most 6 items")
    _check_buttons(card.get("button_list"))


def _check_task_id(task_id: Any) -> None:
    if not isinstance(task_id, str) or not TASK_ID.fullmatch(task_id):
        raise SandboxError(40058, "invalid task_id")
    if len(task_id.encode()) > MAX_TASK_ID_BYTES:
        raise SandboxError(40058, "task_id exceeds 128 bytes")


def _check_buttons(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise SandboxError(40058, "button_list takes 1 to 6 buttons")
    for button in buttons:
        if not isinstance(button, dict) or not button.get("text") or not button.get("key"):
            raise SandboxError(40058, "a button needs text and key")
        if button.get("style", 1) not in (1, 2, 3, 4):
            raise SandboxError(40058, "button style must be 1 to 4")


def _recipients(sandbox: SandboxState, payload: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Known members to deliver to, and the unknown ids lowercased as WeCom reports them."""
    if payload.get("toparty") or payload.get("totag"):
        raise SandboxError(40058, "the sandbox plays touser only, not toparty or totag")
    wanted = [userid for userid in str(payload.get("touser", "")).split("|") if userid]
    if wanted == ["@all"]:
        return [user.userid for user in sandbox.users()], []
    if len(wanted) > MAX_RECIPIENTS:
        raise SandboxError(40058, "touser takes at most 1000 members")

    known: dict[str, None] = {}
    invalid: list[str] = []
    for userid in wanted:
        user = sandbox.find_user(userid)
        if user is None:
            invalid.append(userid.lower())
        else:
            known[user.userid] = None
    if not known:
        raise SandboxError(81013, "user & party & tag all invalid", invaliduser="|".join(invalid))
    return list(known), invalid


def _update_scope(payload: dict[str, Any]) -> list[str] | None:
    """The members whose card changes: listed ones, or every receiver (None) with atall."""
    if payload.get("partyids") or payload.get("tagids"):
        raise SandboxError(40058, "the sandbox plays userids and atall only")
    if payload.get("atall") in (1, "1", True):
        return None
    userids = payload.get("userids")
    if not isinstance(userids, list) or not userids:
        raise SandboxError(40058, "userids or atall is required")
    return [str(userid) for userid in userids]


def _department_id(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise SandboxError(60123, "invalid party id") from None


def _user_json(user: User) -> dict[str, Any]:
    # Apps created after 2022-06-20 get no mobile, email or avatar, so none are given.
    return {
        "userid": user.userid,
        "name": user.name,
        "department": list(user.department),
        "main_department": user.department[0] if user.department else 0,
        "status": 1,
    }


def _department_json(department: Department) -> dict[str, Any]:
    return {
        "id": department.id,
        "name": department.name,
        "parentid": department.parentid,
        "order": department.order,
    }
