"""The one evidence walker: a result and its note -> ordered, non-overlapping highlighted
segments, each with the checklist items and findings it is evidence of.

Every view of evidence reads it from here: the scribe's HTML view (`notecheck check --format
html`, and the fragment the service page shows), the displacy export and the audit report's
excerpts. So a finding is highlighted, labelled and mapped to its checklist item the same way
everywhere.

1. Annotations. Walk `result.findings` in its key order. A field whose value is a list of
   evidence objects (has "start") is one finding, key = field name. A list of objects with
   "evidence" gives one finding per object, key = field + value/type + side + "ray<n>" (the parts
   that are set, joined by "."; characters outside [A-Za-z0-9_.-] become "_"); an object with
   "evidence" is one finding, key = field + value/type when set. A key already taken by an earlier
   finding gets "~2", "~3", ... Every finding maps to a checklist item through FIELD_ITEMS
   ("context" when the field has none, or the item is not in the result's checklist). Then every
   checklist item's evidence that no annotation already covers with the same start, end and item
   is added with key "checklist.<item id>". Each (start, end, key) is kept once. Evidence whose
   offsets are not integers with 0 <= start < end <= len(text), or do not reproduce its "text",
   is dropped: marking the wrong words would be worse than marking none. Offsets are code points
   (Python str indices).
2. Segments. Each piece of the text between two neighbouring annotation boundaries that some
   annotation covers becomes one segment (a flat split, never nested), so every annotation's text
   is exactly the concatenation of the segments between its start and end that list its key, each
   character in at most one segment. A segment lists its items in checklist order ("context"
   last) and its findings (keys and labels) in annotation order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from notecheck.models import Result

# Finding field -> the checklist item its evidence supports. Fields not listed are "context".
# These are result field names and checklist item ids (both contract vocabulary), not user text.
FIELD_ITEMS: dict[str, str] = {
    "implants": "implant_type",
    "generic_hardware_removed": "implant_type",
    "region": "anatomic_location",
    "laterality": "anatomic_location",
    "digits": "anatomic_location",
    "bones": "anatomic_location",
    "indications": "indication",
    "approach": "approach",
    "planned_status": "planned_status",
    "complexity_factors": "modifier_22_support",
    "substantial_work": "modifier_22_support",
    "anesthesia": "anesthesia",
    "hardware_accounted": "hardware_accounted",
    "closure": "closure",
}
CONTEXT = "context"
CONTEXT_TITLE = "Other findings (context)"

_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Annotation:
    start: int
    end: int
    key: str  # the finding, e.g. "implants.k_wire", "hardware_accounted", "checklist.closure"
    item: str  # checklist item id, or "context"
    label: str  # human-readable finding, e.g. "implants: k wire, count 2"
    section: str


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    items: tuple[str, ...]  # checklist items, in checklist order, "context" last
    fields: tuple[str, ...]  # annotation keys, in annotation order
    labels: tuple[str, ...]  # the label of each key in `fields`
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Highlights:
    """A note's evidence, walked once: what the views draw."""

    annotations: list[Annotation]
    segments: list[Segment]
    item_order: list[str]  # the result's checklist item ids, in order


def _label_part(obj: dict[str, Any]) -> Optional[str]:
    value = obj.get("value")
    if value is None:
        value = obj.get("type")
    return None if value is None else str(value)


def _finding_label(field: str, obj: Optional[dict[str, Any]]) -> str:
    name = field.replace("_", " ")
    if obj is None:
        return name
    bits = []
    value = _label_part(obj)
    if value is not None:
        bits.append(value.replace("_", " "))
    if obj.get("side"):
        bits.append(f"{obj['side']} hand")
    if obj.get("ray"):
        bits.append(f"ray {obj['ray']}")
    if obj.get("count") is not None:
        bits.append(f"count {obj['count']}")
    if obj.get("conflict"):
        bits.append("conflict")
    return f"{name}: {', '.join(bits)}" if bits else name


def _finding_key(field: str, obj: Optional[dict[str, Any]]) -> str:
    parts = [field]
    if obj is not None:
        value = _label_part(obj)
        if value is not None:
            parts.append(value)
        if obj.get("side"):
            parts.append(str(obj["side"]))
        if obj.get("ray"):
            parts.append(f"ray{obj['ray']}")
    return _KEY_UNSAFE.sub("_", ".".join(parts))


def _is_evidence(node: Any) -> bool:
    return isinstance(node, dict) and "start" in node


def _finding_groups(findings: dict[str, Any]) -> list[tuple[str, str, str, list[Any]]]:
    """(field, key, label, evidence) per finding, in the findings' key order (step 1)."""
    groups: list[tuple[str, str, str, list[Any]]] = []
    used: dict[str, int] = {}

    def add(field: str, obj: Optional[dict[str, Any]], evidence: list[Any]) -> None:
        key = _finding_key(field, obj)
        used[key] = used.get(key, 0) + 1
        if used[key] > 1:
            key = f"{key}~{used[key]}"
        groups.append((field, key, _finding_label(field, obj), evidence))

    for field, value in findings.items():
        if isinstance(value, list):
            if not value:
                continue
            if all(_is_evidence(v) for v in value):
                add(field, None, value)
                continue
            for obj in value:
                if isinstance(obj, dict) and isinstance(obj.get("evidence"), list):
                    add(field, obj, obj["evidence"])
        elif isinstance(value, dict) and isinstance(value.get("evidence"), list):
            # A finding's other evidence lists belong to it too (planned_status.index_plan: the index
            # plan a complication overtook).
            evidence = value["evidence"] + [ev for k, v in value.items() if k != "evidence" and isinstance(v, list)
                                            and v and all(_is_evidence(x) for x in v) for ev in v]
            if evidence:
                add(field, value, evidence)
    return groups


def _offsets(ev: Any, text: str) -> Optional[tuple[int, int]]:
    """(start, end) when the evidence marks real characters of `text`, else None."""
    if not isinstance(ev, dict):
        return None
    start, end = ev.get("start"), ev.get("end")
    if type(start) is not int or type(end) is not int:  # bool is an int; it is not an offset
        return None
    if not 0 <= start < end <= len(text) or text[start:end] != ev.get("text"):
        return None
    return start, end


def _as_data(result: Result | dict[str, Any]) -> dict[str, Any]:
    return result.model_dump(mode="json") if isinstance(result, Result) else result


def annotations(result: Result | dict[str, Any], text: str) -> list[Annotation]:
    """Every evidence span of the result as an annotation (module docstring, step 1). `result`
    is a Result or its JSON form (an audit record)."""
    data = _as_data(result)
    checklist = [c for c in data.get("checklist") or [] if isinstance(c, dict) and "id" in c]
    item_ids = {c["id"] for c in checklist}
    out: list[Annotation] = []
    seen: set[tuple[int, int, str]] = set()
    by_item: set[tuple[int, int, str]] = set()

    def put(ev: Any, key: str, item: str, label: str) -> None:
        span = _offsets(ev, text)
        if span is None or (*span, key) in seen:
            return
        seen.add((*span, key))
        by_item.add((*span, item))
        out.append(Annotation(span[0], span[1], key, item, label, str(ev.get("section") or "")))

    for field, key, label, evidence in _finding_groups(data.get("findings") or {}):
        item = FIELD_ITEMS.get(field, CONTEXT)
        if item not in item_ids:
            item = CONTEXT
        for ev in evidence:
            put(ev, key, item, label)
    for c in checklist:
        title = c.get("title") or c["id"]
        for ev in c.get("evidence") or []:
            span = _offsets(ev, text)
            if span is not None and (*span, c["id"]) not in by_item:
                put(ev, f"checklist.{c['id']}", c["id"], f"checklist: {title}")
    return out


def segments(text: str, anns: list[Annotation], item_order: list[str]) -> list[Segment]:
    """Non-overlapping highlighted pieces of the text (module docstring, step 2), by one sweep
    over the boundaries: linear in the annotations plus what each piece lists."""
    if not anns:
        return []
    rank = {item: i for i, item in enumerate(item_order)}
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, a in enumerate(anns):
        starts.setdefault(a.start, []).append(i)
        ends.setdefault(a.end, []).append(i)
    bounds = sorted(starts.keys() | ends.keys())
    active: set[int] = set()
    out: list[Segment] = []
    for a, b in zip(bounds, bounds[1:]):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        if not active:
            continue
        covering = [anns[i] for i in sorted(active)]
        items = sorted({x.item for x in covering}, key=lambda i: (rank.get(i, len(rank)), i))
        keys = dict.fromkeys(x.key for x in covering)
        label_of = {x.key: x.label for x in covering}
        sections = tuple(dict.fromkeys(x.section for x in covering if x.section))
        out.append(Segment(a, b, tuple(items), tuple(keys), tuple(label_of[k] for k in keys), sections))
    return out


def highlight(result: Result | dict[str, Any], text: str) -> Highlights:
    """The result's evidence in `text`, walked once."""
    data = _as_data(result)
    order = [c["id"] for c in data.get("checklist") or [] if isinstance(c, dict) and "id" in c]
    anns = annotations(data, text)
    return Highlights(anns, segments(text, anns, order), order)
