"""API-key check for /v1/ (CONTRACT.md §5): `Authorization: Bearer <key>` or `X-API-Key: <key>`.

It runs as ASGI middleware, ahead of routing and body parsing, so an unauthenticated caller gets
401 whatever it sent (malformed JSON, an oversized body, an unknown /v1/ path) and the service
never reads a body it will refuse. `document_security` adds the two header forms to the OpenAPI
spec (the /docs "Authorize" button) without FastAPI security dependencies, which would run on
every request for nothing.
"""
from __future__ import annotations

import hmac
import json
from typing import Any, Optional

from starlette.types import ASGIApp, Receive, Scope, Send

PROTECTED_PREFIX = "/v1/"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <NOTECHECK_API_KEY>`"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
               "description": "`X-API-Key: <NOTECHECK_API_KEY>`"},
}


def document_security(spec: dict[str, Any]) -> dict[str, Any]:
    """Declare both header forms, as alternatives, on every /v1/ operation of an OpenAPI spec."""
    spec.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for path, operations in spec.get("paths", {}).items():
        if path.startswith(PROTECTED_PREFIX):
            for operation in operations.values():
                operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
    return spec


def presented_keys(headers: dict[bytes, bytes]) -> list[bytes]:
    """The keys the request carries: the Bearer credential and the X-API-Key value, when present.

    Either may match: a gateway in front of the service can own the Authorization header while
    the client sends X-API-Key.
    """
    keys: list[bytes] = []
    auth = headers.get(b"authorization")
    if auth is not None:
        scheme, _, credentials = auth.strip().partition(b" ")
        if scheme.lower() == b"bearer" and credentials.strip():
            keys.append(credentials.strip())
    key = headers.get(b"x-api-key")
    if key is not None and key.strip():
        keys.append(key.strip())
    return keys


def key_matches(presented: list[bytes], expected: bytes) -> bool:
    # compare_digest takes time independent of where the first difference is, and every presented
    # key is compared (no short-circuit), so timing tells nothing about which header was right.
    # With nothing presented, one dummy comparison keeps that path alike as well.
    if not presented:
        hmac.compare_digest(expected, expected)
        return False
    results = [hmac.compare_digest(key, expected) for key in presented]
    return any(results)


class APIKeyMiddleware:
    def __init__(self, app: ASGIApp, api_key: Optional[str]) -> None:
        self.app = app
        self.expected = api_key.encode("utf-8") if api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.expected is None
            or scope["type"] != "http"
            or not scope["path"].startswith(PROTECTED_PREFIX)
            # CORS preflights never carry credentials; CORSMiddleware (outside this one) answers them.
            or scope["method"] == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])  # ASGI lower-cases header names
        if key_matches(presented_keys(headers), self.expected):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": "missing or invalid API key"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="notecheck"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
