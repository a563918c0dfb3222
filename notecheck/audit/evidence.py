"""Evidence excerpts for the HTML report: the parts of a note around its evidence, with the
evidence marked as the scribe's view marks it (notecheck.highlight walks the result for both:
the same spans, the same finding labels, the same refusal of offsets that do not match).

The report shows excerpts rather than whole notes so that a report over thousands of notes stays
small enough for a browser; they are computed in the worker, which holds the note's text.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import islice
from typing import Any, Optional

from notecheck.highlight import highlight

CONTEXT_CHARS = 90  # characters of context kept on each side of an evidence span
MAX_WINDOWS = 24  # excerpts per note; the rest are counted, not shown


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """A context window around [start, end) that does not cut words in half."""
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return lo, hi


def excerpts(record: dict[str, Any], text: str) -> dict[str, Any]:
    """{"windows": [{"start", "end", "segments": [[text, label-or-null], ...]}], "omitted": n}.

    A marked piece's label names every finding it is evidence of ("; "-joined, in the view's
    order); `omitted` counts the evidence spans in windows past MAX_WINDOWS.
    """
    marked = highlight(record, text)
    windows: list[list[int]] = []  # [lo, hi, evidence spans in it]
    for start, end in sorted({(a.start, a.end) for a in marked.annotations}):
        lo, hi = _widen(text, start, end)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
            windows[-1][2] += 1
        else:
            windows.append([lo, hi, 1])
    pieces = [(seg.start, seg.end, "; ".join(seg.labels)) for seg in marked.segments]
    ends = [end for _, end, _ in pieces]  # ordered: the segments never overlap
    return {
        "windows": [{"start": lo, "end": hi, "segments": _pieces(text, lo, hi, pieces, bisect_right(ends, lo))}
                    for lo, hi, _ in windows[:MAX_WINDOWS]],
        "omitted": sum(n for _, _, n in windows[MAX_WINDOWS:]),
    }


def _pieces(text: str, lo: int, hi: int, marked: list[tuple[int, int, str]], first: int) -> list[list[Optional[str]]]:
    """text[lo:hi] as plain and marked pieces, in order; `first` is the first segment ending after
    lo. A segment reaching past the window (a window that an earlier, longer one absorbed) is cut
    at its edge."""
    out: list[list[Optional[str]]] = []
    pos = lo
    for start, end, label in islice(marked, first, None):
        if start >= hi:
            break
        start, end = max(start, lo), min(end, hi)
        if start > pos:
            out.append([text[pos:start], None])
        out.append([text[start:end], label])
        pos = end
    if pos < hi:
        out.append([text[pos:hi], None])
    return out
