"""Run an ASGI app with uvicorn in a background thread on a free port, for tests and the demo."""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.sandbox.api import create_app
from bot.sandbox.state import SandboxState

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT = 10.0


class BackgroundServer:
    """One app served over real HTTP until `stop()`; `start()` returns its URL."""

    url_path = ""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.url = ""

    def start(self) -> str:
        if self._server is not None:
            raise RuntimeError("the server is already running")
        # Binding here rather than in uvicorn tells us the port that port=0 picked. IPPROTO_TCP
        # must be explicit: asyncio sets TCP_NODELAY only then, and without it every
        # keep-alive request waits 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((self._host, self._port))
        port = self._socket.getsockname()[1]

        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        self._wait_until_started()

        self.url = f"http://{self._host}:{port}/{self.url_path}"
        logger.info("Background server listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        self._server, self._thread, self._socket = None, None, None
        logger.info("Background server on %s stopped", self.url)

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _config(self) -> uvicorn.Config:
        # log_config=None leaves logging to the entry point; no websockets, no lifespan needed.
        return uvicorn.Config(
            self._app,
            log_config=None,
            lifespan="off",
            ws="none",
            http=_QuietH11Protocol,
            timeout_graceful_shutdown=1,
        )

    def _wait_until_started(self) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the background server did not start")
            time.sleep(0.01)


class _QuietH11Protocol(H11Protocol):
    """HTTP/1.1 without access logs, whose URLs would carry tokens and secrets.

    uvicorn's access_log=False empties the process-wide "uvicorn.access" logger instead,
    which is the entry point's business; this leaves the logger alone.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.access_log = False


class SandboxServer(BackgroundServer):
    """The WeCom sandbox over HTTP; `start()` returns the API base ending in `/cgi-bin/`."""

    url_path = "cgi-bin/"

    def __init__(self, state: SandboxState, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(create_app(state), host, port)
        self.state = state

    def __enter__(self) -> SandboxServer:
        self.start()
        return self
