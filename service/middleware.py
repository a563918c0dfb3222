"""ASGI middleware of the service: body-size limit and read timeout, security headers, last-resort
error handler.

Pure ASGI (not BaseHTTPMiddleware) so that they add no per-request task and can answer before
FastAPI reads or parses a body.
"""
from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Callable, Optional

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logging_ import SERVICE_LOGGER, exception_summary

log = logging.getLogger(SERVICE_LOGGER)

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# The scribe page and its assets: same-origin only, never framed, no referrer leaks of the page URL.
PAGE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
# The /docs page (service.docs): Swagger UI from the installed package, started by a script file,
# so nothing but 'self' is allowed to run. Swagger UI sets inline styles, hence 'unsafe-inline'
# for styles only; images are its own and data: URIs.
DOCS_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
# API responses are JSON for programs; nosniff keeps a browser from ever rendering one as HTML.
API_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"x-content-type-options", b"nosniff"),)


async def send_json(send: Send, status: int, payload: object, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """413 for a body over the route's limit: by Content-Length before reading, and by counting
    the streamed chunks (chunked uploads, lying Content-Length) before anything parses them.
    408 for a body not received within `timeout` seconds: a client sending a byte at a time
    would otherwise hold its connection (and the buffered part of its body) for as long as it
    likes.

    The body is buffered up to the limit and replayed to the app, which is what FastAPI would do
    anyway when it parses JSON.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int], timeout: Optional[float] = None) -> None:
        self.app = app
        self.limit_for = limit_for
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > limit:
                    await self._reject(send, limit)
                    return
                break
        chunks: list[bytes] = []
        total = 0
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client went away; nothing to answer
                    chunk = message.get("body", b"")
                    total += len(chunk)
                    if total > limit:
                        await self._reject(send, limit)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            chunks.clear()
            await send_json(
                send, 408, {"detail": f"request body not received within {self.timeout:g} seconds"},
                ((b"connection", b"close"),),
            )
            return
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # later calls wait for the disconnect, as with the real receive

        await self.app(scope, replay, send)

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        # Connection: close, because the rest of an unread body cannot be skipped on keep-alive.
        await send_json(
            send, 413, {"detail": f"request body is over the {limit:,}-byte limit"}, ((b"connection", b"close"),)
        )


class SecurityHeadersMiddleware:
    """Security headers by route kind; existing headers of the same name are replaced."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def headers_for(path: str) -> tuple[tuple[bytes, bytes], ...]:
        if path == "/" or path.startswith("/static/"):
            return PAGE_HEADERS
        if path.startswith("/docs"):
            return DOCS_HEADERS
        return API_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers_for(scope["path"])
        names = {name for name, _ in extra}

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message["headers"] = kept + list(extra)
            await send(message)

        await self.app(scope, receive, add_headers)


class CatchAllMiddleware:
    """A true bug becomes a bare 500 JSON and one log record with the exception's type and code
    locations, never its message (which could quote the note), and never reaches uvicorn's own
    "Exception in ASGI application" log, which would print the message.

    A request that uvicorn cancels (still running when the shutdown timeout ends) gets a JSON 503
    instead of uvicorn's text/plain 500: the service is going away, the request was fine."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except asyncio.CancelledError:
            # Only uvicorn cancels a request task, and only at the end of a graceful shutdown; the
            # task ends here rather than handing uvicorn an exception to report as a 500.
            log.warning("request cut off by shutdown",
                        extra={"fields": {"request_id": scope.get("state", {}).get("request_id")}})
            if not started:
                await send_json(send, 503, {"detail": "server is shutting down; request not completed"},
                                ((b"connection", b"close"), (b"retry-after", b"1")))
        except Exception:  # noqa: BLE001 - the point of this middleware
            # The request id links this record to its access-log line (which has the path).
            fields = {"request_id": scope.get("state", {}).get("request_id")}
            fields.update(exception_summary(sys.exc_info()))
            log.error("unhandled error", extra={"fields": fields})
            if not started:
                await send_json(send, 500, {"detail": "internal error"})
