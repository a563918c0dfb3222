"""Evidence excerpts for the HTML report: the parts of a note around its evidence, with the
evidence marked as the scribe's view marks it (notecheck.highlight walks the result for both:
the same spans, the same finding labels, the same refusal of offsets that do not match).

The report shows excerpts rather than whole notes so that a report over thousands of notes stays
small enough for a browser; they are computed in the worker, which holds the note's text.
"""
from __future__ import annotations

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
    spans = sorted({(a.start, a.end) for a in marked.annotations})
    windows: list[list[int]] = []
    for start, end in spans:
        lo, hi = _widen(text, start, end)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    shown, omitted = windows[:MAX_WINDOWS], windows[MAX_WINDOWS:]
    omitted_spans = sum(1 for s, _ in spans for lo, hi in omitted if lo <= s < hi)
    pieces = [(seg.start, seg.end, "; ".join(seg.labels)) for seg in marked.segments]
    return {
        "windows": [{"start": lo, "end": hi, "segments": _pieces(text, lo, hi, pieces)} for lo, hi in shown],
        "omitted": omitted_spans,
    }


def _pieces(text: str, lo: int, hi: int, marked: list[tuple[int, int, str]]) -> list[list[Optional[str]]]:
    """text[lo:hi] as plain and marked pieces, in order; a segment reaching past the window (a
    window that an earlier, longer one absorbed) is cut at its edge."""
    out: list[list[Optional[str]]] = []
    pos = lo
    for start, end, label in marked:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        if start > pos:
            out.append([text[pos:start], None])
        out.append([text[start:end], label])
        pos = end
    if pos < hi:
        out.append([text[pos:hi], None])
    return out
