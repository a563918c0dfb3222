"""A one-line progress bar with rate and ETA, on stderr, only when stderr is a terminal.

Redrawn at most a few times a second, so a fast run does not spend its time on the terminal; it
shows counts and timing only, never a note id or text.
"""
from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

BAR_WIDTH = 24
REDRAW_SECONDS = 0.2


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def progress_wanted(quiet: bool, stream: TextIO = sys.stderr) -> bool:
    return not quiet and hasattr(stream, "isatty") and stream.isatty()


class Progress:
    """`advance()` once per record; `close()` at the end. Disabled, it does nothing at all."""

    def __init__(self, total: Optional[int], done: int = 0, enabled: bool = True, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.done = done
        self.enabled = enabled
        self.stream = stream
        self._start_done = done  # a resumed run's rate counts only this session's notes
        self._start = time.monotonic()
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last >= REDRAW_SECONDS:
            self._last = now
            self._draw(now)

    def line(self, now: Optional[float] = None) -> str:
        now = time.monotonic() if now is None else now
        elapsed = max(now - self._start, 1e-9)
        rate = (self.done - self._start_done) / elapsed
        if self.total:
            frac = min(1.0, self.done / self.total)
            filled = int(frac * BAR_WIDTH)
            bar = "█" * filled + "·" * (BAR_WIDTH - filled)
            eta = _clock((self.total - self.done) / rate) if rate > 0 else "?"
            return f"audit {bar} {self.done:,}/{self.total:,} {100 * frac:5.1f}%  {rate:,.1f} notes/s  ETA {eta}"
        return f"audit {self.done:,} notes  {rate:,.1f} notes/s  {_clock(elapsed)}"

    def _draw(self, now: float) -> None:
        self.stream.write("\r\x1b[K" + self.line(now))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
