"""stdout at the end of a command: what was printed is flushed while a failure can still be one
line and exit 2, and after a failed write stdout is pointed at /dev/null so that nothing prints a
second error at interpreter exit."""
from __future__ import annotations

import os
import sys

from notecheck.errors import UsageError


def flush_stdout() -> None:
    """Flush what a command printed now (at interpreter exit a failure would be an "Exception
    ignored" message and exit 120)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        drop_stdout()
        raise UsageError(f"cannot write to stdout: {exc.strerror or type(exc).__name__}") from None


def drop_stdout() -> None:
    """Point stdout at /dev/null after a failed write, so that the interpreter's final flush of
    what is still buffered does not print a second error (Python's documented remedy)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real stream (tests capture it): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
