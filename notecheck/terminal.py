"""How notecheck writes to a person: colour only on a terminal, never with NO_COLOR
(https://no-color.org) or --no-color, and the rich Console that keeps to that decision.

A Console made here never guesses from the environment: piped output, files and captured streams
get plain text, with no escape code of any kind.
"""
from __future__ import annotations

import io
import os
from typing import Optional, TextIO

from rich.console import Console, RenderableType

# Wide enough that a table written to a pipe or a file is never wrapped: a reader's script splits
# its lines on whitespace, and an editor scrolls.
UNWRAPPED_WIDTH = 1000


def is_terminal(stream: Optional[TextIO]) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def use_color(stream: Optional[TextIO], no_color: bool = False) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return is_terminal(stream)


def console(stream: TextIO, *, color: bool, width: Optional[int] = None, live: bool = False) -> Console:
    """A Console writing to `stream`: ANSI colour when `color`, cursor control when `live` (a progress
    display on a terminal), otherwise plain text. Markup and highlighting are off, so a note's
    "[ ]" or a number in an id is printed as it is."""
    return Console(
        file=stream,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color or live,
        force_interactive=live,
        no_color=not color,
        markup=False,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )


def plain_text(renderable: RenderableType, width: int = UNWRAPPED_WIDTH) -> str:
    """What `renderable` prints on a pipe, as a string, trailing blanks cut from every line."""
    buffer = io.StringIO()
    console(buffer, color=False, width=width).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
