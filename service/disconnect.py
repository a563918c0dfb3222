"""Stop waiting for a check when its client has gone away.

Starlette does not cancel an endpoint when the client disconnects, so without this a request
whose client gave up still runs its check to the end, and one queued behind a long check still
runs after it. Here the endpoint's work is raced against the client's `http.disconnect`: on a
disconnect the work is cancelled, which drops a check still queued for the check thread and
stops a batch before its next note. A check already running stops at its time budget.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Optional, TypeVar

from starlette.types import Receive

T = TypeVar("T")

# What the access log records for a request whose client left before the answer (nginx's code).
CLIENT_CLOSED_REQUEST = 499


async def _disconnected(receive: Receive) -> None:
    # The body has been read (the route has it), so the only message left is the disconnect;
    # uvicorn also sends it once the response is complete, when nobody waits here any more.
    while (await receive())["type"] != "http.disconnect":
        pass


async def unless_disconnected(receive: Receive, work: Awaitable[T]) -> tuple[bool, Optional[T]]:
    """(True, result) when `work` finishes first (its exception propagates); (False, None) when
    the client disconnects first, after cancelling `work`."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(receive))
    try:
        await asyncio.wait((task, watcher), return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        watcher.cancel()
        raise
    if task.done():
        watcher.cancel()
        return True, task.result()
    task.cancel()
    await asyncio.wait((task,))  # the cancellation lands (a queued check is dropped)
    if not task.cancelled():
        task.exception()  # finished just before the cancel: nobody wants its result or error
    return False, None
