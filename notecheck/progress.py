"""Progress of a long run (audit, eval): a rich bar on stderr with the count, share, rate and
ETA, shown only when stderr is a terminal and the run was not asked to be quiet. It shows counts
and timing only, never a note id or text, and never writes to stdout.
"""
from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Optional, TextIO

from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TaskID, TaskProgressColumn, TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from notecheck.terminal import console, is_terminal, use_color

REDRAW_SECONDS = 0.2
# With the count, share, rate and ETA beside it the line fits an 80-column terminal.
BAR_WIDTH = 24


def progress_wanted(quiet: bool = False, stream: Optional[TextIO] = None) -> bool:
    return not quiet and is_terminal(sys.stderr if stream is None else stream)


class _Rate(ProgressColumn):
    """Notes per second over the last half minute (rich's own speed estimate)."""

    def render(self, task: Task) -> Text:
        speed = task.speed
        return Text(f"{speed:,.1f} notes/s" if speed is not None else "– notes/s")


class NoteProgress:
    """`with NoteProgress("audit", total) as bar: ... bar.advance()`. Disabled, it does nothing.

    Redrawn from the caller's thread at most every REDRAW_SECONDS, with no refresh thread of its
    own: the audit forks worker processes while the bar is up, and a fast run should not spend
    its time on the terminal. `done` counts notes of an earlier session (a resumed audit): they
    fill the bar but not the rate.
    """

    def __init__(self, label: str, total: Optional[int], done: int = 0, enabled: bool = True,
                 stream: Optional[TextIO] = None) -> None:
        self.enabled = enabled
        self._label, self._total, self._done = label, total, done
        self._stream = stream
        self._progress: Optional[Progress] = None
        self._task: Optional[TaskID] = None
        self._last = 0.0

    def __enter__(self) -> "NoteProgress":
        if self.enabled:
            stream = sys.stderr if self._stream is None else self._stream
            self._progress = Progress(
                TextColumn(self._label), BarColumn(bar_width=BAR_WIDTH), MofNCompleteColumn(), TaskProgressColumn(),
                _Rate(), TextColumn("ETA"), TimeRemainingColumn(),
                console=console(stream, color=use_color(stream), live=True),
                auto_refresh=False, redirect_stdout=False, redirect_stderr=False,
            )
            self._task = self._progress.add_task(self._label, total=self._total, completed=self._done)
            self._progress.start()
        return self

    def advance(self, n: int = 1) -> None:
        if self._progress is None or self._task is None:
            return
        self._progress.advance(self._task, n)
        now = time.monotonic()
        if now - self._last >= REDRAW_SECONDS:
            self._last = now
            self._progress.refresh()

    def __exit__(self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if self._progress is not None:
            self._progress.refresh()  # the final count, left on screen above what follows
            self._progress.stop()
            self._progress = None
