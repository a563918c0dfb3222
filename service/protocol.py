"""uvicorn's h11 HTTP protocol with the two limits it lacks: a deadline for a request's line and
headers, and a cap on open connections per worker.

uvicorn times out only an idle keep-alive connection between requests. A connection that sends
nothing, or its headers a byte at a time, is kept for ever, so a few dozen slow clients hold a
worker's connections and memory at no cost to themselves. Here every request head (from the
connection's start, or from the first byte of the next request on a kept-alive connection) must
be complete within `header_timeout` seconds, or the connection is closed. The body has its own
deadline, enforced where it is read (service.middleware.BodyLimitMiddleware), so that the
answer can be a JSON 408.

Connections beyond `max_connections` get a JSON 503 and are closed at once, before any of their
bytes are read; uvicorn's own `limit_concurrency` would answer text/plain and only once the
request head has arrived, which a slow client never completes.

Pass it to uvicorn as `http=functools.partial(LimitedH11Protocol, header_timeout=..., max_connections=...)`.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Optional

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.logging_ import SERVICE_LOGGER

log = logging.getLogger(SERVICE_LOGGER)

_BUSY_BODY = json.dumps({"detail": "too many open connections to this worker; retry shortly"}).encode()
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(_BUSY_BODY)).encode() + b"\r\n"
    b"retry-after: 1\r\n"
    b"connection: close\r\n\r\n" + _BUSY_BODY
)


class LimitedH11Protocol(H11Protocol):
    def __init__(
        self, *args: Any, header_timeout: float = 10.0, max_connections: Optional[int] = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self._head_timer: Optional[asyncio.TimerHandle] = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if self.max_connections is not None and len(self.connections) > self.max_connections:
            log.warning("connection refused: worker at its connection limit",
                        extra={"fields": {"max_connections": self.max_connections}})
            transport.write(BUSY_RESPONSE)
            transport.close()
            return
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request already buffered may have been read, or half read, just now.
        self._follow_head()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    # -- the request-head deadline ------------------------------------------------------------

    def _awaiting_head(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _follow_head(self) -> None:
        if self.transport.is_closing() or not self._awaiting_head():
            self._cancel_head_timer()
        elif self.conn.trailing_data[0] or self.timeout_keep_alive_task is None:
            # Part of the next head has arrived (or the connection is not idling under uvicorn's
            # keep-alive timer): the deadline runs from here, and is not moved by later bytes.
            self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._awaiting_head() and not self.transport.is_closing():
            log.info("connection closed: request head not received in time",
                     extra={"fields": {"header_timeout_s": self.header_timeout}})
            self.transport.close()
