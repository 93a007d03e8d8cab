"""Open311 GeoReport v2 under /open311/v2/: services and requests, in JSON and XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.services.open311 import NewRequest, Open311, Open311Error, Search
from bot.web.common import TooLarge, read_body

PREFIX = "/open311/v2"
FORMATS = ("json", "xml")
MAX_POST_BYTES = 64 * 1024
# The element that holds each item of a list, by the list's element.
ITEM_OF = {"services": "service", "service_requests": "request", "errors": "error"}


def open311_router(open311: Open311) -> APIRouter:
    """Return the GeoReport v2 routes."""
    router = APIRouter(prefix=PREFIX, tags=["Open311 GeoReport v2"])

    @router.get("/services.{fmt}", summary="Topics as services")
    async def services(fmt: str) -> Response:
        """List the topics requests can be filed under."""
        return _render(fmt, "services", open311.services())

    @router.get("/requests.{fmt}", summary="Search requests")
    async def requests(
        fmt: str,
        service_request_id: str | None = None,
        service_code: str | None = None,
        status: str | None = None,
        start_date: str | None = None,
        end_date: str | None = None,
    ) -> Response:
        """Return requests by id, or by topic, status and submission time (90 days at most)."""
        try:
            search = Search(
                ids=_listed(service_request_id),
                service_codes=_listed(service_code),
                statuses=_statuses(status),
                start=_moment(start_date, "start_date"),
                end=_moment(end_date, "end_date"),
            )
        except Open311Error as error:
            return _error(fmt, error)
        return _render(fmt, "service_requests", await open311.requests(search))

    @router.get("/requests/{request_id}.{fmt}", summary="One request")
    async def one_request(request_id: str, fmt: str) -> Response:
        """Return one request by its id (the tracking number)."""
        found = await open311.requests(Search(ids=(request_id,)))
        if not found:
            return _error(fmt, Open311Error(404, f"no request {request_id}"))
        return _render(fmt, "service_requests", found)

    @router.post("/requests.{fmt}", summary="Create a request (with an api_key)")
    async def create(fmt: str, request: Request) -> Response:
        """File a request from another system; it is routed as a deputy's concern is."""
        if fmt not in FORMATS:
            return Response(status_code=404)
        try:
            fields = _form(await read_body(request, MAX_POST_BYTES), request)
            created = await open311.create(
                NewRequest(
                    api_key=fields.get("api_key", ""),
                    description=fields.get("description", ""),
                    service_code=fields.get("service_code") or None,
                    address=(fields.get("address_string") or None),
                    lat=_number(fields.get("lat"), "lat"),
                    long=_number(fields.get("long"), "long"),
                    media_url=fields.get("media_url") or None,
                )
            )
        except TooLarge:
            return _error(fmt, Open311Error(413, "request body too large"))
        except Open311Error as error:
            return _error(fmt, error)
        return _render(fmt, "service_requests", [created], status=201)

    return router


def _form(body: bytes, request: Request) -> dict[str, str]:
    """Read a form-encoded (or JSON) body into single values."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise Open311Error(400, "malformed JSON") from None
        if not isinstance(data, dict):
            raise Open311Error(400, "expected a JSON object")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise Open311Error(400, "the body is not UTF-8") from None
    return {key: values[0] for key, values in parsed.items()}


def _listed(value: str | None) -> tuple[str, ...]:
    """Split a comma-separated parameter."""
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _statuses(value: str | None) -> tuple[str, ...]:
    """Read the status filter: open, closed or both."""
    statuses = _listed(value)
    if any(status not in ("open", "closed") for status in statuses):
        raise Open311Error(400, "status must be open or closed")
    return statuses


def _moment(value: str | None, name: str) -> datetime | None:
    """Read a W3C datetime parameter (a zone is required)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be a W3C datetime") from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone, e.g. 2026-12-01T00:00:00+08:00")
    return moment


def _number(value: str | None, name: str) -> float | None:
    """Read a coordinate."""
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None


def _error(fmt: str, error: Open311Error) -> Response:
    """Answer an error as the spec describes: a list of {code, description}."""
    body = [{"code": error.status, "description": error.description}]
    return _render(fmt, "errors", body, status=error.status)


def _render(fmt: str, root: str, rows: Sequence[dict[str, Any]], *, status: int = 200) -> Response:
    """Render a list in JSON or in the spec's XML."""
    if fmt == "json":
        text = json.dumps(list(rows), ensure_ascii=False)
        return Response(text, status_code=status, media_type="application/json")
    if fmt == "xml":
        element = ET.Element(root)
        for row in rows:
            child = ET.SubElement(element, ITEM_OF[root])
            for key, value in row.items():
                ET.SubElement(child, key).text = _xml_value(value)
        text = ET.tostring(element, encoding="unicode", xml_declaration=True)
        return Response(text, status_code=status, media_type="text/xml")
    return Response(status_code=404)


def _xml_value(value: object) -> str:
    """Render a value as XML text (booleans in lower case, missing values empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
