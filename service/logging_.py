"""Structured JSON logs that can never contain a note.

- The access log is written by `AccessLogMiddleware`: request id, method, path, status, request and
  response sizes, duration, worker pid. Never a body, a query string or a header value.
- `ScrubExceptionFilter` removes exception messages (which may quote input, e.g. a pydantic
  ValidationError) from every record before it is formatted, keeping only the exception types and
  the traceback's code locations.
- uvicorn's own access log is switched off (ours replaces it) and its error log goes through the
  same JSON formatter and scrubber.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
import traceback
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Optional

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "notecheck.access"
SERVICE_LOGGER = "notecheck.service"

# Loggers whose records could carry third-party exception text: scrub them where they are created.
SCRUBBED_LOGGERS = (
    ACCESS_LOGGER, SERVICE_LOGGER, "notecheck", "service",
    "uvicorn", "uvicorn.error", "uvicorn.access", "asyncio", "fastapi",
)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._\-]{1,64}")
_STATIC_PATH = re.compile(r"/static/[A-Za-z0-9._\-/]{1,100}")


def exception_summary(exc_info: Any) -> dict[str, Any]:
    """Exception types of the chain and the code locations of the traceback, without messages."""
    if not exc_info or exc_info is True:
        return {}
    _, exc, tb = exc_info
    types: list[str] = []
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        types.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)[-8:]] if tb else []
    return {"error_type": types[0] if types else None, "error_chain": types, "error_frames": frames}


class ScrubExceptionFilter(logging.Filter):
    """Replace exc_info by its message-free summary, on the record itself.

    Scrubbing the record (not only its formatted text) means every handler, including pytest's
    caplog and any handler a deployer adds later, sees the scrubbed version.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            summary = exception_summary(record.exc_info)
            fields = dict(getattr(record, "fields", {}) or {})
            fields.update({k: v for k, v in summary.items() if v})
            record.fields = fields
            record.exc_info = None
            record.exc_text = None
        if record.stack_info:
            record.stack_info = None
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:  # only reached for loggers that bypassed the filter
            entry.update(exception_summary(record.exc_info))
        return json.dumps(entry, default=str)


def install_scrubbers() -> None:
    """Attach the scrubber to the loggers that create records (idempotent)."""
    for name in SCRUBBED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubExceptionFilter) for f in logger.filters):
            logger.addFilter(ScrubExceptionFilter())


def log_config(level: str = "info") -> dict[str, Any]:
    """`logging.config.dictConfig` for `notecheck serve`: everything as JSON lines on stderr."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"scrub": {"()": ScrubExceptionFilter}},
        "formatters": {"json": {"()": JSONFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["scrub"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            # Our AccessLogMiddleware is the access log; uvicorn's would add the query string.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "notecheck": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID when it is a plain token (so it is safe to log), else a new one."""
    for name, value in headers:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class AccessLogMiddleware:
    """One JSON access record per HTTP request; adds X-Request-ID to every response."""

    def __init__(self, app: ASGIApp, known_paths: Callable[[], frozenset[str]] = frozenset) -> None:
        self.app = app
        self.log = logging.getLogger(ACCESS_LOGGER)
        self.known_paths = known_paths

    def path_label(self, path: str) -> str:
        """The path when it is one of ours; any other path is caller-chosen text and is not logged."""
        if path in self.known_paths() or (path.startswith("/static/") and _STATIC_PATH.fullmatch(path)):
            return path
        return "(other)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        scope.setdefault("state", {})["request_id"] = request_id
        sizes = {"request_bytes": 0, "response_bytes": 0}
        status = {"code": 0}

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                sizes["request_bytes"] += len(message.get("body", b""))
            return message

        async def tagging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = list(message.get("headers", [])) + [(b"x-request-id", request_id.encode())]
            elif message["type"] == "http.response.body":
                sizes["response_bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, counting_receive, tagging_send)
        finally:
            self.log.info(
                "request",
                extra={
                    "fields": {
                        "request_id": request_id,
                        "method": scope["method"],
                        # Our routes only (none has a path parameter); never the query string.
                        "path": self.path_label(scope["path"]),
                        "status": status["code"] or None,  # None: the client left before an answer
                        **sizes,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                        "worker": os.getpid(),  # which worker process answered
                    }
                },
            )
