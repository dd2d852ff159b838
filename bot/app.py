"""The FastAPI application of `duban serve`: the WeCom callback and the health check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.runtime import Runtime
from bot.wecom.callback import router as callback_router


def create_app(runtime: Runtime, *, start: bool = True) -> FastAPI:
    """The app around a runtime; `start` runs its background parts with the app's lifespan."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start:
            runtime.start()
        try:
            yield
        finally:
            if start:
                runtime.stop()

    app = FastAPI(title="duban", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.include_router(callback_router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
