"""Regexes whose opening assertions are tested in Python, so that re can skip to their first letter.

re's search loop jumps in C to a pattern's literal prefix or to its first-character set, but only
when the pattern opens with one. A pattern that opens with "\\b" or a lookbehind ("\\bon\\s+...",
"(?<![\\w/])\\d...") is tried at every position of its window instead (~15-300 ns a character).
`led` splits such a pattern into its opening assertions and the rest, searches for the rest (which
re can skip to) and tests the assertions where each match starts. The matches are the same:
assertions are zero-width, and they see the text before a search's start position.
"""
from __future__ import annotations

import re
from re import _constants as sre_constants, _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any, Iterator, Optional, Union

from pipelines.anchored import _top_level_alternatives, _wrapped, class_end

_OPENERS = ("(?<!", "(?<=", "(?!", "(?=")


def _group_end(source: str, start: int) -> int:
    """The index after the parenthesis that closes the group opened at `start`; -1 if none."""
    depth, i, n = 0, start, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = class_end(source, i)
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _split_assertions(source: str) -> tuple[list[str], str]:
    """The zero-width assertions that open `source` ("\\b", lookarounds) and what follows them."""
    found: list[str] = []
    i = 0
    while True:
        if source.startswith("\\b", i):
            found.append("\\b")
            i += 2
        elif source.startswith(_OPENERS, i):
            end = _group_end(source, i)
            if end < 0 or source[end: end + 1] in ("*", "+", "?", "{"):
                break
            found.append(source[i:end])
            i = end
        else:
            break
    return found, source[i:]


def _common(lists: list[list[str]]) -> list[str]:
    first = lists[0]
    k = 0
    while k < len(first) and all(len(other) > k and other[k] == first[k] for other in lists[1:]):
        k += 1
    return first[:k]


def _skippable(node: sre_parser.SubPattern, ignorecase: bool) -> bool:
    """Whether re gives the compiled pattern a literal prefix or a first-character set (the cases
    of re._compiler._get_literal_prefix/_get_charset_prefix, Python 3.11)."""
    while node.data and node.data[0][0] is sre_constants.SUBPATTERN:
        _, add, remove, node = node.data[0][1]
        if add or remove:
            return False
    if not node.data:
        return False
    op, av = node.data[0]

    def uncased(code: int) -> bool:
        return not ignorecase or chr(code).lower() == chr(code).upper()

    if op is sre_constants.LITERAL:
        return uncased(av)
    if op is sre_constants.BRANCH:
        return all(p.data and p.data[0][0] is sre_constants.LITERAL and uncased(p.data[0][1]) for p in av[1])
    if op is sre_constants.IN:
        for item, value in av:
            if item is sre_constants.LITERAL and not uncased(value):
                return False
            if item is sre_constants.RANGE and not all(uncased(c) for c in range(value[0], value[1] + 1)):
                return False
        return True
    return False


class LedRegex:
    """`rest` searched by re, `lead` (the opening assertions) tested at each candidate start."""

    __slots__ = ("pattern", "lead", "rest")

    def __init__(self, pattern: str, lead: re.Pattern[str], rest: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.lead = lead
        self.rest = rest

    def finditer(self, subject: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
        search, lead = self.rest.search, self.lead.match
        while True:
            m = search(subject, pos, endpos)
            if m is None:
                return
            start = m.start()
            if lead(subject, start, endpos) is None:
                pos = start + 1
                continue
            yield m
            pos = m.end()  # the rest never matches empty (checked in `led`)


Searchable = Union[re.Pattern[str], LedRegex]


def led(regex: Optional[re.Pattern[str]]) -> Optional[Searchable]:
    """`regex` as a LedRegex when its opening assertions hide a first letter re could skip to;
    otherwise `regex` itself (None stays None)."""
    if regex is None:
        return None
    source = regex.pattern
    if not isinstance(source, str) or regex.flags & ~(re.IGNORECASE | re.UNICODE):
        return regex
    flags = "(?i)" if source.startswith("(?i)") else ""
    if "(?" in source[len(flags):].replace("(?:", "").replace("(?<", "").replace("(?=", "").replace("(?!", ""):
        return regex  # named groups, inline flags, conditionals: keep it simple
    body = source[len(flags):]
    parts = _top_level_alternatives(body)
    if parts is None:
        return regex
    if len(parts) == 1:
        lead, rest = _split_assertions(body)
    elif all(_wrapped(p) for p in parts):
        splits = [_split_assertions(p[3:-1]) for p in parts]
        lead = _common([s[0] for s in splits])
        rests = ["".join(s[0][len(lead):]) + s[1] for s in splits]
        # Unwrapped where that changes nothing, so that re sees the alternatives' first letters.
        rest = "|".join(r if len(_top_level_alternatives(r) or ()) == 1 else f"(?:{r})" for r in rests)
    else:
        return regex
    if not lead or not rest:
        return regex
    try:
        parsed = sre_parser.parse(flags + rest)
        rest_rx = re.compile(flags + rest)
        lead_rx = re.compile(flags + "".join(lead))
    except re.error:
        return regex
    if parsed.getwidth()[0] == 0 or not _skippable(parsed, bool(rest_rx.flags & re.IGNORECASE)):
        return regex
    return LedRegex(source, lead_rx, rest_rx)
