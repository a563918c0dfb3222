"""Running notecheck's anchored regexes fast, with the same matches.

A regex rule names anchors: substrings that every match contains. The regex runs only in windows
of `REACH` characters around their occurrences (str.find runs in C; Python's re tries a pattern led
by a word boundary or a lookbehind at every position, ~15-300 ns a character), and, on ASCII text,
without IGNORECASE on the lower-cased text (re maps the case of every character it compares).
Most anchors occur in no given note, and looking for one costs a scan of the whole text; a
trigram test (`AnchorFilter`) rules most of them out in one vectorised pass.
"""
from __future__ import annotations

import re
import threading
from re import _constants as sre_constants, _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any, Iterable, Optional

import numpy as np

REACH = 250  # characters a regex match may extend either side of its anchor


class AnchorWindows:
    """The windows of one text, each anchor's occurrences found once for every rule that names it."""

    def __init__(self, lower: str, absent: frozenset[str] = frozenset()) -> None:
        """`absent`: anchors known not to occur in `lower` (no need to look)."""
        self.lower = lower
        self._of: dict[str, list[tuple[int, int]]] = {anchor: [] for anchor in absent}

    def around(self, anchors: tuple[str, ...]) -> list[tuple[int, int]]:
        """The union of [p - REACH, p + REACH] over every occurrence p of every anchor, clipped to
        the text, as sorted disjoint windows (touching windows merged); the whole text without anchors."""
        length = len(self.lower)
        if not anchors:
            return [(0, length)]
        if len(anchors) == 1:
            return self._windows(anchors[0])
        spans = sorted(w for anchor in anchors for w in self._windows(anchor))
        merged: list[tuple[int, int]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1]:
                if hi > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hi)
            else:
                merged.append((lo, hi))
        return merged

    def _windows(self, anchor: str) -> list[tuple[int, int]]:
        found = self._of.get(anchor)
        if found is None:
            found = self._of[anchor] = anchor_windows(self.lower, anchor)
        return found


_TABLE_BITS = 20


class _Scratch(threading.local):
    """A 1 MB presence table per thread (service threads check notes concurrently), allocated
    once and cleared after each use; not carried through pickling (spawned workers make their own)."""

    def table(self) -> np.ndarray:
        table = getattr(self, "_table", None)
        if table is None:
            table = self._table = np.zeros(1 << _TABLE_BITS, dtype=bool)
        return table

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return (_Scratch, ())


def _trigram_slots(codes: np.ndarray) -> np.ndarray:
    """24-bit trigram codes hashed to table slots (collisions only let an absent anchor through)."""
    return ((codes * np.uint32(2654435761)) >> np.uint32(32 - _TABLE_BITS)).astype(np.intp)


def _trigram_codes(data: bytes) -> np.ndarray:
    b = np.frombuffer(data, dtype=np.uint8).astype(np.uint32)
    return (b[:-2] << np.uint32(16)) | (b[1:-1] << np.uint32(8)) | b[2:]


class AnchorFilter:
    """Which of a fixed set of anchors cannot occur in a lower-cased text. An ASCII anchor of three
    or more characters occurs only if each of its trigrams does; the text's trigrams are marked in
    a table in one numpy pass and every anchor is tested against it at once. Exact in one
    direction only, which is the one that matters: an anchor reported absent is absent."""

    # The pass costs ~25 us a note, a str.find of an absent anchor ~2 us: below this many anchors
    # the test does not pay for itself.
    MIN_ANCHORS = 16

    def __init__(self, anchors: Iterable[str]) -> None:
        tested = sorted({a for a in anchors if len(a) >= 3 and a.isascii()})
        self.tested = tested if len(tested) >= self.MIN_ANCHORS else []
        slots: list[np.ndarray] = []
        starts = []
        for anchor in self.tested:
            starts.append(sum(len(s) for s in slots))
            slots.append(_trigram_slots(_trigram_codes(anchor.encode("ascii"))))
        self._slots = np.concatenate(slots) if slots else np.zeros(0, dtype=np.intp)
        self._starts = np.array(starts, dtype=np.intp)
        self._scratch = _Scratch()

    def absent(self, lower: str) -> frozenset[str]:
        if not self.tested or not lower.isascii():
            return frozenset()
        if len(lower) < 3:
            return frozenset(self.tested)
        text = _text_slots(lower)
        table = self._scratch.table()
        table[text] = True
        try:
            present = np.logical_and.reduceat(table[self._slots], self._starts)
        finally:
            table[text] = False
        return frozenset(a for a, here in zip(self.tested, present.tolist()) if not here)


class _LastSlots(threading.local):
    """The last text's trigram slots, per thread: the target matcher and the suppressors filter
    their anchors against the same lower-cased text (the same str object) in turn."""

    text: Optional[str] = None
    slots = np.zeros(0, dtype=np.intp)


_LAST_SLOTS = _LastSlots()


def _text_slots(lower: str) -> np.ndarray:
    last = _LAST_SLOTS
    if last.text is not lower:
        last.slots = _trigram_slots(_trigram_codes(lower.encode("ascii")))
        last.text = lower
    return last.slots


def anchor_windows(lower: str, anchor: str) -> list[tuple[int, int]]:
    """The merged windows of one anchor. An occurrence within 2 * REACH of the last one only
    stretches the window, so rfind jumps to the last such occurrence at once: a frequent anchor
    ("." in a date rule) costs a few C calls per window, not a Python step per occurrence."""
    length, size = len(lower), len(anchor)
    out: list[tuple[int, int]] = []
    i = lower.find(anchor)
    while i >= 0:
        lo = max(0, i - REACH)
        while True:
            # Occurrences q with q - REACH <= i + REACH touch this window.
            j = lower.rfind(anchor, i + 1, i + 2 * REACH + size)
            if j < 0:
                break
            i = j
        out.append((lo, min(length, i + REACH)))
        i = lower.find(anchor, i + 2 * REACH + 1)
    return out


# A pattern that opens with lookbehinds and then a word boundary: "(?<!suture\s)(?<!cast\s)\bremov".
_LEADING_LOOKBEHINDS = re.compile(r"^(\(\?i\))?((?:\(\?<[!=](?:[^()\\]|\\.)*\))+)\\b")


def boundary_first(source: str) -> str:
    """The same pattern with its opening word boundary tested before the lookbehinds beside it.
    Assertions at one position commute, so the matches are the same; re tries the pattern at
    every position of a window, and "\b" fails at most of them in one step where six lookbehinds
    took six (3x faster on a whole note)."""
    m = _LEADING_LOOKBEHINDS.match(source)
    if m is not None:
        return (m.group(1) or "") + "\\b" + m.group(2) + source[m.end():]
    # A rule written as a list of alternatives reads "(?i)(?:a)|(?:b)" (notecheck.rules
    # join_alternatives): the same, within each alternative.
    flags = "(?i)" if source.startswith("(?i)") else ""
    parts = _top_level_alternatives(source[len(flags):])
    if parts is None or len(parts) < 2 or not all(_wrapped(p) for p in parts):
        return source
    moved = [boundary_first(p[3:-1]) for p in parts]
    if moved == [p[3:-1] for p in parts]:
        return source
    return flags + "|".join(f"(?:{p})" for p in moved)


def class_end(source: str, i: int) -> int:
    """The index after the character class opened at `source[i]` ("[...]"): a "]" right after
    "[" or "[^" is a literal, an escaped character never closes it."""
    n = len(source)
    i += 2 if source.startswith("[^", i) else 1
    if i < n and source[i] == "]":
        i += 1
    while i < n and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i + 1


def _top_level_alternatives(source: str) -> Optional[list[str]]:
    """`source` split at its top-level "|" (outside groups and character classes); None if its
    parentheses do not balance."""
    parts, depth, start, i, n = [], 0, 0, 0, len(source)
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
            if depth < 0:
                return None
        elif c == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    return parts + [source[start:]] if depth == 0 else None


def _wrapped(part: str) -> bool:
    """"(?:...)" whose first parenthesis closes at its end."""
    if not (part.startswith("(?:") and part.endswith(")")):
        return False
    inner = _top_level_alternatives(part[3:-1])
    return inner is not None


def case_folded(regex: re.Pattern[str]) -> Optional[re.Pattern[str]]:
    """`regex` without its leading (?i), to run on lower-cased ASCII text: the same matches at the
    same offsets, ~1.5-3x faster, because re compares every character of a case-insensitive pattern
    through a case mapping. None when the pattern is not "(?i)" followed by a pattern free of
    upper-case letters and of other flags (only such a pattern means the same on lower-cased text)."""
    source = regex.pattern
    if not isinstance(source, str) or not source.startswith("(?i)") or regex.flags & ~(re.IGNORECASE | re.UNICODE):
        return None
    try:
        parsed = sre_parser.parse(source[4:])
    except re.error:
        return None
    if parsed.state.flags & ~re.UNICODE or not _case_free(parsed):
        return None
    return re.compile(source[4:])


def _case_free(node: Any) -> bool:
    """No upper-case character and no inline flag anywhere in a parsed pattern."""
    if isinstance(node, sre_parser.SubPattern):
        return all(_case_free(item) for item in node.data)
    if not isinstance(node, tuple) or len(node) != 2 or not isinstance(node[0], sre_constants._NamedIntConstant):
        return all(_case_free(x) for x in node) if isinstance(node, (list, tuple)) else True
    op, av = node
    if op in (sre_constants.LITERAL, sre_constants.NOT_LITERAL):
        return chr(av) == chr(av).lower()
    if op is sre_constants.RANGE:
        return all(chr(c) == chr(c).lower() for c in range(av[0], av[1] + 1))
    if op is sre_constants.SUBPATTERN and (av[1] or av[2]):
        return False  # (?i:...) / (?-i:...) inside
    return _case_free(av) if isinstance(av, (list, tuple, sre_parser.SubPattern)) else True
