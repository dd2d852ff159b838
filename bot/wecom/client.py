"""The bot's outbound WeCom client: wechatpy with a timeout on every call, one access token
shared by all processes, and failures sorted into retry-later and give-up."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Protocol

import redis
import requests
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.config import DEFAULT_API_BASE, Settings

logger = logging.getLogger(__name__)

TOKEN_ERRCODES = frozenset({40014, 42001})
TRANSIENT_ERRCODES = frozenset({-1, 45009, 45033})
MAX_CONTENT_BYTES = 2048
CREDENTIAL_IN_URL = re.compile(r"((?:access_token|corpsecret)=)[^&\s\"']+")


class WeComError(Exception):
    """A failed WeCom call; `errcode` is None when WeCom never answered with one."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(f"WeCom errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class TransientWeComError(WeComError):
    """Worth retrying later: WeCom busy or rate-limited, the network, HTTP 5xx."""


class PermanentWeComError(WeComError):
    """Retrying cannot help: configuration, recipients or the request itself are wrong."""


class TokenCacheError(Exception):
    """The shared token store could not be reached."""


class TokenCache(Protocol):
    """Where the access token lives, so that every process uses the same one."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, token: str, ttl_seconds: int) -> None: ...


class InMemoryTokenCache:
    """A token cache for one process: tests, the demo, a single worker."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def get(self, key: str) -> str | None:
        with self._lock:
            token, expires_at = self._tokens.get(key, ("", 0.0))
            return token if token and expires_at > self._clock() else None

    def set(self, key: str, token: str, ttl_seconds: int) -> None:
        with self._lock:
            self._tokens[key] = (token, self._clock() + ttl_seconds)


class RedisTokenCache:
    """A token cache in Redis, under a key prefix, expiring with the token."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._redis = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str, *, timeout: float = 5.0) -> RedisTokenCache:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        return cls(client, prefix)

    def get(self, key: str) -> str | None:
        try:
            value = self._redis.get(self._prefix + key)
        except redis.RedisError as exc:
            raise TokenCacheError(type(exc).__name__) from None
        return value.decode() if isinstance(value, bytes) else value

    def set(self, key: str, token: str, ttl_seconds: int) -> None:
        try:
            self._redis.set(self._prefix + key, token, ex=ttl_seconds)
        except redis.RedisError as exc:
            raise TokenCacheError(type(exc).__name__) from None

    def close(self) -> None:
        self._redis.close()


class _WeChatClient(WeChatClient):
    """wechatpy's client aimed at our API base, with a timed token fetch and a shared token.

    wechatpy fetches tokens from a fixed URL without a timeout and keeps their expiry in
    process memory; both are replaced here. Its unbounded retry on token errors is turned off
    (auto_retry=False) because WeComClient retries once itself.
    """

    def __init__(
        self,
        corp_id: str,
        secret: str,
        *,
        api_base: str,
        timeout: float,
        token_cache: TokenCache,
        cache_key: str,
    ) -> None:
        super().__init__(corp_id, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base
        self._token_cache = token_cache
        self._cache_key = cache_key

    @property
    def access_token(self) -> str:
        # wechatpy's __new__ reads every attribute before __init__ runs; the AttributeError
        # from the missing _token_cache is what makes it skip this property then.
        token = self._token_cache.get(self._cache_key)
        return token if token else self.fetch_access_token()["access_token"]

    def fetch_access_token(self) -> dict[str, Any]:
        response = self._http.get(
            self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            raise _http_error(response.status_code)
        result = self._handle_result(response)
        if "access_token" not in result:
            raise PermanentWeComError(None, "gettoken answered without an access_token")

        expires_in = int(result.get("expires_in", 7200))
        # Expire the cached copy a little early so that no call starts with a dying token.
        ttl = max(expires_in - min(300, expires_in // 10), 1)
        self._token_cache.set(self._cache_key, result["access_token"], ttl)
        logger.info("Fetched a WeCom access token, valid for %d s", expires_in)
        return result

    def _decode_result(self, res: requests.Response) -> Any:
        # wechatpy hands back the raw response when it is not JSON; callers expect a dict.
        result = super()._decode_result(res)
        if not isinstance(result, dict):
            raise PermanentWeComError(None, "WeCom answered with something other than JSON")
        return result

    def close(self) -> None:
        self._http.close()


class WeComClient:
    """Sends messages and cards and reads the address book for one self-built app."""

    def __init__(
        self,
        *,
        corp_id: str,
        secret: str,
        agent_id: int,
        api_base: str = DEFAULT_API_BASE,
        timeout: float = 5.0,
        token_cache: TokenCache | None = None,
    ) -> None:
        self.agent_id = agent_id
        self._own_cache: RedisTokenCache | None = None  # a cache this client must close
        _redact_urllib3_logs()
        self._api = _WeChatClient(
            corp_id,
            secret,
            api_base=api_base if api_base.endswith("/") else api_base + "/",
            timeout=timeout,
            token_cache=token_cache if token_cache is not None else InMemoryTokenCache(),
            cache_key=f"access_token:{corp_id}:{agent_id}",
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, token_cache: TokenCache | None = None
    ) -> WeComClient:
        """A client for the configured app; the token goes to Redis when Redis is configured."""
        own_cache = None
        if token_cache is None and settings.redis_url:
            token_cache = own_cache = RedisTokenCache.from_url(
                settings.redis_url,
                f"{settings.redis_prefix}:wecom:",
                timeout=settings.wecom_timeout_seconds,
            )
        elif token_cache is None and settings.environment == "production":
            logger.warning("REDIS_URL is not set: each process will fetch its own access token")

        client = cls(
            corp_id=settings.wecom_corp_id,
            secret=settings.wecom_secret,
            agent_id=settings.wecom_agent_id,
            api_base=settings.wecom_api_base,
            timeout=settings.wecom_timeout_seconds,
            token_cache=token_cache,
        )
        client._own_cache = own_cache
        return client

    def send_text(self, users: Sequence[str], content: str) -> dict[str, Any]:
        _warn_if_long(content)
        return self._send(users, {"msgtype": "text", "text": {"content": content}})

    def send_markdown(self, users: Sequence[str], content: str) -> dict[str, Any]:
        _warn_if_long(content)
        return self._send(users, {"msgtype": "markdown", "markdown": {"content": content}})

    def send_template_card(self, users: Sequence[str], card: dict[str, Any]) -> dict[str, Any]:
        """Send an interactive card; the result's `response_code` can update it once."""
        return self._send(users, {"msgtype": "template_card", "template_card": card})

    def update_template_card(
        self,
        response_code: str,
        *,
        userids: Sequence[str] | None = None,
        replace_name: str | None = None,
        card: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Grey the buttons out under `replace_name`, or put `card` in the old one's place, for
        `userids` or, when None, for everyone who received it."""
        if (replace_name is None) == (card is None):
            raise ValueError("give exactly one of replace_name and card")
        data: dict[str, Any] = {"agentid": self.agent_id, "response_code": response_code}
        if userids is None:
            data["atall"] = 1
        else:
            data["userids"] = list(userids)
        if card is not None:
            data["template_card"] = card
        else:
            data["button"] = {"replace_name": replace_name}
        return self._call(lambda: self._api.post("message/update_template_card", data=data))

    def get_user(self, userid: str) -> dict[str, Any]:
        return self._call(lambda: self._api.user.get(userid))

    def list_departments(self, department_id: int | None = None) -> list[dict[str, Any]]:
        """The department and all below it, or every visible department."""
        return self._call(lambda: self._api.department.get(department_id))

    def list_users(self, department_id: int) -> list[dict[str, Any]]:
        """Members directly in the department; walk sub-departments for the rest."""
        return self._call(lambda: self._api.user.list(department_id))

    def close(self) -> None:
        self._api.close()
        if self._own_cache is not None:
            self._own_cache.close()

    def __enter__(self) -> WeComClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, users: Sequence[str], msg: dict[str, Any]) -> dict[str, Any]:
        if isinstance(users, str):
            raise TypeError("pass the recipients as a list of userids")
        result = self._call(lambda: self._api.message.send(self.agent_id, list(users), msg=msg))
        if result.get("invaliduser"):
            logger.warning("WeCom refused some recipients: %s", result["invaliduser"])
        return result

    def _call(self, operation: Callable[[], Any]) -> Any:
        """Run one call; on a rejected token, fetch a new one and run it once more."""
        try:
            return _classified(operation)
        except _TokenRejected as rejected:
            logger.warning(
                "WeCom rejected the access token (errcode %d); refetching", rejected.errcode
            )

        _classified(self._api.fetch_access_token)
        try:
            return _classified(operation)
        except _TokenRejected as rejected:
            raise TransientWeComError(rejected.errcode, "access token rejected twice") from None


class _TokenRejected(Exception):
    """The access token was refused."""

    def __init__(self, errcode: int) -> None:
        super().__init__(errcode)
        self.errcode = errcode


def _classified(operation: Callable[[], Any]) -> Any:
    """Run `operation`, turning every failure into one of our exception classes.

    Errors are re-raised `from None` because requests' messages carry the URL, and with it
    the access token or the secret.
    """
    try:
        return operation()
    except WeChatClientException as exc:
        raise _from_wechatpy(exc) from None
    except requests.RequestException as exc:
        raise TransientWeComError(None, type(exc).__name__) from None
    except TokenCacheError as exc:
        raise TransientWeComError(None, f"token cache unavailable: {exc}") from None


def _from_wechatpy(exc: WeChatClientException) -> Exception:
    if exc.errcode is None:
        return _http_error(exc.response.status_code if exc.response is not None else 0)

    errcode = int(exc.errcode)
    if errcode in TOKEN_ERRCODES:
        return _TokenRejected(errcode)
    error_class = TransientWeComError if errcode in TRANSIENT_ERRCODES else PermanentWeComError
    return error_class(errcode, str(exc.errmsg))


def _http_error(status: int) -> WeComError:
    if status >= 500 or status == 429:
        return TransientWeComError(None, f"HTTP {status}")
    return PermanentWeComError(None, f"HTTP {status}")


class _RedactCredentials(logging.Filter):
    """Blanks the token and the secret out of the request URLs urllib3 logs at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                CREDENTIAL_IN_URL.sub(r"\1***", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def _redact_urllib3_logs() -> None:
    # Our URLs carry credentials in the query string, and an entry point that turns DEBUG
    # logging on would otherwise write them out through urllib3.
    urllib3_logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _RedactCredentials) for f in urllib3_logger.filters):
        urllib3_logger.addFilter(_RedactCredentials())


def _warn_if_long(content: str) -> None:
    size = len(content.encode())
    if size > MAX_CONTENT_BYTES:
        logger.warning("Message of %d bytes: WeCom will cut it at %d", size, MAX_CONTENT_BYTES)
