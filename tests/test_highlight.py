"""The one evidence walker (notecheck.highlight): annotations, the flat split into segments, and
the audit excerpts built from it. Offsets are code points: astral characters and CRLF count one
and two characters, as in the contract's `input[start:end] == text`."""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notecheck.audit.evidence import excerpts
from notecheck.highlight import CONTEXT, Annotation, annotations, highlight, segments

TEXT = "🖐🏽 K-wire\r\nremoved from the left ring finger.\r\nClosed 𝒳"


def ev(text: str, sub: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return {"text": sub, "start": start, "end": start + len(sub), "section": "procedure"}


def record(text: str, findings: dict[str, Any], checklist: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "findings": findings,
        "checklist": checklist if checklist is not None else [
            {"id": "implant_type", "title": "Implant type", "status": "met", "message": "ok", "evidence": []},
            {"id": "anatomic_location", "title": "Side and digit", "status": "met", "message": "ok", "evidence": []},
        ],
    }


def test_offsets_at_both_ends_astral_characters_and_crlf():
    data = record(TEXT, {
        "implants": [{"type": "k_wire", "count": 1, "evidence": [ev(TEXT, "🖐🏽 K-wire")]}],
        "laterality": {"value": "left", "conflict": False, "evidence": [ev(TEXT, "left ring finger.\r\nClosed")]},
    })
    data["checklist"].append(
        {"id": "closure", "title": "Closure", "status": "met", "message": "ok", "evidence": [ev(TEXT, "Closed 𝒳")]})
    marked = highlight(data, TEXT)
    assert marked.segments[0].start == 0 and marked.segments[-1].end == len(TEXT)
    pieces = [TEXT[s.start:s.end] for s in marked.segments]
    assert pieces == ["🖐🏽 K-wire", "left ring finger.\r\n", "Closed", " 𝒳"]
    assert marked.segments[0].labels == ("implants: k wire, count 1",)
    assert marked.segments[2].items == ("anatomic_location", "closure")
    assert marked.segments[2].labels == ("laterality: left", "checklist: Closure")


def test_nested_and_overlapping_evidence_is_split_flat():
    text = "Two K-wires were removed from the left ring finger."
    data = record(text, {
        "hardware_accounted": [ev(text, text)],  # the whole sentence, around everything else
        "digits": [{"value": "ring", "side": "left", "evidence": [ev(text, "left ring finger")]}],
        "region": [{"value": "finger", "evidence": [ev(text, "ring finger.")]}],
    })
    segs = highlight(data, text).segments
    assert [text[s.start:s.end] for s in segs] == ["Two K-wires were removed from the ", "left ", "ring finger", "."]
    assert all(a.end <= b.start for a, b in zip(segs, segs[1:])), "ordered, never overlapping"
    ring = segs[2]
    assert ring.fields == ("hardware_accounted", "digits.ring.left", "region.finger")
    assert ring.items == ("anatomic_location", CONTEXT), "hardware_accounted is not in this checklist"


def test_evidence_that_does_not_match_the_text_is_dropped():
    text = "Two K-wires removed."
    good = ev(text, "K-wires")
    data = record(text, {"implants": [{"type": "k_wire", "evidence": [
        good,
        {**good, "text": "K-wire"},  # offsets and text disagree
        {**good, "start": True, "end": 3},  # a bool is not an offset
        {**good, "start": 4.0},
        {"text": "", "start": 3, "end": 3, "section": "s"},
        {"text": "x", "start": 15, "end": 99, "section": "s"},
        "not evidence",
    ]}]}, checklist=[])
    assert [(a.start, a.end) for a in annotations(data, text)] == [(4, 11)]


def test_checklist_evidence_already_shown_under_its_item_is_not_repeated():
    text = "Two K-wires removed. Closed with nylon."
    data = record(text, {"implants": [{"type": "k_wire", "evidence": [ev(text, "K-wires")]}]}, checklist=[
        {"id": "implant_type", "title": "Implant", "status": "met", "message": "ok", "evidence": [ev(text, "K-wires")]},
        {"id": "closure", "title": "Closure", "status": "met", "message": "ok", "evidence": [ev(text, "Closed with nylon")]},
    ])
    assert [(a.key, a.item) for a in annotations(data, text)] == [("implants.k_wire", "implant_type"),
                                                                  ("checklist.closure", "closure")]


def test_result_and_its_json_give_the_same_highlights(checker):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "sample_notes" / "hwr_001_left_ring_p1_kwires_staged.txt"
    text = path.read_text(encoding="utf-8")
    result = checker.check(text, None, path.stem)
    assert highlight(result, text) == highlight(result.model_dump(mode="json"), text)


def test_audit_excerpts_mark_what_the_view_marks():
    text = ("Indication: prominent hardware. " * 8) + "Two K-wires were removed from the left ring finger. " + ("Filler text. " * 20)
    data = record(text, {
        "implants": [{"type": "k_wire", "count": 2, "evidence": [ev(text, "K-wires")]}],
        "digits": [{"value": "ring", "side": "left", "evidence": [ev(text, "left ring finger")]}],
        "region": [{"value": "finger", "evidence": [ev(text, "ring finger")]}],
    }, checklist=[])
    view = excerpts(data, text)
    marked = [(piece, label) for w in view["windows"] for piece, label in w["segments"] if label]
    segs = highlight(data, text).segments
    assert marked == [(text[s.start:s.end], "; ".join(s.labels)) for s in segs]
    assert marked[-1] == ("ring finger", "digits: ring, left hand; region: finger")
    for w in view["windows"]:
        assert "".join(piece for piece, _ in w["segments"]) == text[w["start"]:w["end"]]
    assert view["windows"][0]["start"] > 0 and view["omitted"] == 0


def _naive(anns: list[Annotation], order: list[str]) -> list[tuple[int, int, tuple[str, ...], tuple[str, ...]]]:
    """The definition (module docstring, step 2), computed the slow way."""
    rank = {item: i for i, item in enumerate(order)}
    bounds = sorted({b for a in anns for b in (a.start, a.end)})
    out = []
    for a, b in zip(bounds, bounds[1:]):
        covering = [x for x in anns if x.start <= a and x.end >= b]
        if covering:
            items = tuple(sorted({x.item for x in covering}, key=lambda i: (rank.get(i, len(rank)), i)))
            out.append((a, b, items, tuple(dict.fromkeys(x.key for x in covering))))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from(["a", "b", "c"]),
                          st.sampled_from(["implant_type", "closure", CONTEXT])), max_size=12))
def test_sweep_equals_the_definition(spans):
    anns = [Annotation(s, s + n, f"{key}{i % 3}", item, key, "") for i, (s, n, key, item) in enumerate(spans)]
    order = ["implant_type", "closure"]
    got = [(s.start, s.end, s.items, s.fields) for s in segments("x" * 60, anns, order)]
    assert got == _naive(anns, order)


def test_audit_excerpts_count_what_they_leave_out():
    from notecheck.audit.evidence import MAX_WINDOWS

    line = "Two K-wires removed. " + "x" * 400 + "\n"
    text = line * (MAX_WINDOWS + 3)
    spans = [{"text": "K-wires", "start": i * len(line) + 4, "end": i * len(line) + 11, "section": "p"}
             for i in range(MAX_WINDOWS + 3)]
    view = excerpts(record(text, {"implants": [{"type": "k_wire", "evidence": spans}]}, checklist=[]), text)
    assert len(view["windows"]) == MAX_WINDOWS and view["omitted"] == 3
