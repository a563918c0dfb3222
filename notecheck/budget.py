"""A per-note time budget, checked cooperatively between pipeline stages and inside the
per-mention loops of the extractors.

Why cooperative: checking is CPU-bound Python; a thread cannot be interrupted from outside and
killing a worker process costs a pipeline rebuild (~0.5 s). Every stage is linear in note size,
so checking the clock at stage boundaries and every few hundred mentions bounds the overrun to
one short step. The budget lives in a ContextVar so that deep helpers can check it without a
parameter threaded through every signature, and concurrent service threads each see their own.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Optional


class CheckTimeout(RuntimeError):
    """The note was not checked within its time budget. The message names the budget only."""

    def __init__(self, budget_s: float) -> None:
        super().__init__(f"note not checked within its {budget_s:g}-second time budget")
        self.budget_s = budget_s


_DEADLINE: ContextVar[Optional[tuple[float, float]]] = ContextVar("notecheck_deadline", default=None)


@contextmanager
def time_budget(seconds: Optional[float]) -> Iterator[None]:
    """Run the body under a budget of `seconds` (None or <= 0: no budget)."""
    if not seconds or seconds <= 0:
        yield
        return
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_budget() -> None:
    """Raise CheckTimeout when the current budget is spent; a no-op without a budget."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise CheckTimeout(deadline[1])
