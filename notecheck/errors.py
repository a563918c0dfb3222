"""What a user is told when notecheck cannot do what was asked: one `UsageError` for a command
that cannot run, and the one formatter that turns a pydantic ValidationError into one line (the
CLI's stderr line, an audit's invalid claim row, a rule file's load error, the service's 4xx).

pydantic's messages name the rule a value broke, never the value: the line never quotes note
text, a claim cell or an API key.
"""
from __future__ import annotations

from typing import Callable, Union

from pydantic import ValidationError

Location = tuple[Union[int, str], ...]


class UsageError(Exception):
    """The command cannot run as asked (a bad option, an input or output that cannot be used):
    one line on stderr and exit 2 (CONTRACT.md §4)."""


def dotted(loc: Location) -> str:
    """`billed_lines.0.units`: pydantic's location as a user types it."""
    return ".".join(str(part) for part in loc)


def describe_validation(exc: ValidationError, *, where: Callable[[Location], str] = dotted, limit: int = 3) -> str:
    """`field: what is wrong` for the first `limit` errors, `; `-separated, on one line.

    `where` names a location for its reader (a rule by its id, a setting by its environment
    variable); an error of the whole object (an empty location) is its message alone.
    """
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    parts = []
    for err in errors[:limit]:
        # A ValueError raised in a validator arrives as "Value error, <message>": the prefix is
        # pydantic's bookkeeping, not news to the reader.
        message = " ".join(str(err["msg"]).removeprefix("Value error, ").split())
        place = where(tuple(err["loc"])) if err["loc"] else ""
        parts.append(f"{place}: {message}" if place else message)
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)

