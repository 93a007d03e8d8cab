"""Build deputybot's ASGI app: one FastAPI app with a router per caller."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from bot.hotline.contract import PlatformEvent

DESCRIPTION = (
    "deputybot relays people's-congress deputies' concerns to the 12345 hotline. "
    "The 12345 platform reports progress on work orders to `POST /hotline/events` "
    "(signed: HMAC-SHA256 over `timestamp.body`); other systems read and create requests "
    "through Open311 GeoReport v2 under `/open311/v2/`."
)
# Models documented in the spec although routes read their bodies themselves (signed bytes).
DOCUMENTED: tuple[type[BaseModel], ...] = (PlatformEvent,)


def build_web_app(routers: Sequence[APIRouter]) -> FastAPI:
    """Return the app serving the given routers, with its OpenAPI page at /docs."""
    app = FastAPI(title="deputybot", version="1", description=DESCRIPTION)
    for router in routers:
        app.include_router(router)

    @app.get("/healthz", tags=["operations"], summary="Liveness")
    async def healthz() -> dict[str, bool]:
        """Answer while the process serves HTTP."""
        return {"ok": True}

    def openapi() -> dict[str, Any]:
        """Build the spec once, with the bodies that routes read as raw bytes."""
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in DOCUMENTED:
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(schema.pop("$defs", {}))
                schemas[model.__name__] = schema
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
