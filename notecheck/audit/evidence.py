"""Evidence excerpts for the HTML report: the parts of a note around its evidence, with the
evidence spans marked.

The report shows excerpts rather than whole notes so that a report over thousands of notes stays
small enough for a browser; they are computed in the worker, which holds the note's text.
"""
from __future__ import annotations

from typing import Any, Optional

CONTEXT_CHARS = 90  # characters of context kept on each side of an evidence span
MAX_WINDOWS = 24  # excerpts per note; the rest are counted, not shown

Span = tuple[int, int, str]  # start, end, label


def _is_evidence(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("start"), int) and isinstance(node.get("end"), int) and "text" in node


def evidence_spans(record: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every evidence item of a result record, with a label saying what it is evidence of.

    Walks `findings` generically (list and object fields, and extension fields that are plain
    evidence lists), so new finding fields show up in the report without a change here.
    """
    found: list[tuple[dict[str, Any], str]] = []
    for field, node in (record.get("findings") or {}).items():
        for item in node if isinstance(node, list) else [node]:
            if _is_evidence(item):
                found.append((item, field))
            elif isinstance(item, dict):
                value = item.get("value") or item.get("type")
                label = f"{field}: {value}" if value else field
                found.extend((ev, label) for ev in item.get("evidence") or [] if _is_evidence(ev))
    for item in record.get("checklist") or []:
        found.extend((ev, f"checklist: {item.get('id')}") for ev in item.get("evidence") or [] if _is_evidence(ev))
    return found


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

    Spans whose offsets do not reproduce their text are left out rather than marking the wrong
    words (the contract guarantees they match; this keeps a report honest if one ever does not).
    """
    valid: list[Span] = []
    for ev, label in evidence_spans(record):
        start, end = ev["start"], ev["end"]
        if 0 <= start < end <= len(text) and text[start:end] == ev["text"]:
            valid.append((start, end, label))
    valid.sort()
    windows: list[list[int]] = []
    for start, end, _ in valid:
        lo, hi = _widen(text, start, end)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    shown, omitted = windows[:MAX_WINDOWS], windows[MAX_WINDOWS:]
    omitted_spans = sum(1 for s, _, _ in valid for lo, hi in omitted if lo <= s < hi)
    return {
        "windows": [{"start": lo, "end": hi, "segments": _segments(text, lo, hi, valid)} for lo, hi in shown],
        "omitted": omitted_spans,
    }


def _segments(text: str, lo: int, hi: int, spans: list[Span]) -> list[list[Optional[str]]]:
    """Split text[lo:hi] at every span boundary; a piece covered by spans carries their labels."""
    inside = [s for s in spans if s[0] < hi and s[1] > lo]
    cuts = sorted({lo, hi, *(max(lo, s) for s, _, _ in inside), *(min(hi, e) for _, e, _ in inside)})
    out: list[list[Optional[str]]] = []
    for a, b in zip(cuts, cuts[1:]):
        labels = sorted({label for s, e, label in inside if s <= a and e >= b})
        out.append([text[a:b], "; ".join(labels) if labels else None])
    return out
