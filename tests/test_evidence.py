"""The evidence-offset invariant (CONTRACT.md §2: `input[start:end] == text`, always) on every
sample note and on real reports, and the specificity requirement of issue 2/3: none of the real
MTSamples reports (no hand/finger implant removal among them) is suggested 26320."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from corpora import MISSING, MTSAMPLES, REAL_NOTES_DIR, ROOT

SAMPLE_NOTES = sorted((ROOT / "sample_notes").glob("*.txt"))
REAL_NOTES = sorted(REAL_NOTES_DIR.glob("*.txt"))
needs_corpora = pytest.mark.skipif(not MTSAMPLES.exists(), reason=MISSING)

EVIDENCE_KEYS = {"text", "start", "end", "section"}


def iter_evidence(node: Any, path: str = "$") -> Iterator[tuple[str, dict]]:
    """Every evidence object anywhere in a result dump, with where it sits."""
    if isinstance(node, dict):
        if EVIDENCE_KEYS <= set(node) and isinstance(node.get("start"), int):
            yield path, node
        for key, value in node.items():
            yield from iter_evidence(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from iter_evidence(value, f"{path}[{i}]")


def evidence_violations(text: str, result: Any) -> list[str]:
    bad = []
    for where, ev in iter_evidence(result.model_dump()):
        start, end = ev["start"], ev["end"]
        if not (0 <= start <= end <= len(text)) or text[start:end] != ev["text"]:
            bad.append(f"{where}: [{start}:{end}] is {text[start:end]!r}, evidence says {ev['text']!r}")
        elif not isinstance(ev["section"], str) or not ev["section"]:
            bad.append(f"{where}: evidence without a section")
    return bad


def test_iter_evidence_finds_nested_evidence():
    """The walker itself: it must see evidence inside findings, checklist items and lists of lists."""
    dump = {"findings": {"implants": [{"type": "k_wire", "evidence": [{"text": "K", "start": 0, "end": 1, "section": "body"}]}]},
            "checklist": [{"id": "x", "evidence": [{"text": "w", "start": 2, "end": 3, "section": "body"}]}]}
    assert [p for p, _ in iter_evidence(dump)] == ["$.findings.implants[0].evidence[0]", "$.checklist[0].evidence[0]"]


def test_sample_notes_present():
    assert len(SAMPLE_NOTES) >= 40


@needs_corpora
def test_corpora_present():
    assert len(SAMPLE_NOTES) >= 40
    assert len(REAL_NOTES) == 19
    assert MTSAMPLES.exists()


@pytest.mark.parametrize("path", SAMPLE_NOTES, ids=lambda p: p.stem)
def test_evidence_offsets_sample_notes(checker, path: Path):
    text = path.read_text(encoding="utf-8")
    result = checker.check(text, note_id=path.stem)
    assert any(True for _ in iter_evidence(result.model_dump())) or not result.procedure.is_implant_removal
    assert evidence_violations(text, result) == []


@pytest.mark.parametrize("path", REAL_NOTES, ids=lambda p: p.stem)
def test_evidence_offsets_real_notes(checker, path: Path):
    text = path.read_text(encoding="utf-8")
    result = checker.check(text, note_id=path.stem)
    assert evidence_violations(text, result) == []


@pytest.mark.parametrize("path", REAL_NOTES, ids=lambda p: p.stem)
def test_real_notes_not_26320(checker, path: Path):
    """None of the 19 real reports is a removal of hand/finger hardware (real_notes/SOURCES.md)."""
    result = checker.check(path.read_text(encoding="utf-8"), note_id=path.stem)
    assert result.procedure.suggested_cpt != "26320", result.procedure.reason
    assert not [line for line in result.claim_lines if line.cpt == "26320"]


@pytest.fixture(scope="module")
def mtsamples_results(checker) -> list[tuple[str, str, Any]]:
    out = []
    with MTSAMPLES.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            text = row["text"]
            if not text.strip():
                continue
            out.append((row["note_id"], text, checker.check(text, note_id=row["note_id"])))
    return out


@needs_corpora
def test_mtsamples_all_checked(mtsamples_results):
    assert len(mtsamples_results) >= 2300


@needs_corpora
def test_mtsamples_never_26320(mtsamples_results):
    """All 2,377 reports: none is a hand/finger implant removal (mtsamples/README.md)."""
    wrong = [f"{note_id}: {r.procedure.reason}" for note_id, _, r in mtsamples_results
             if r.procedure.suggested_cpt == "26320" or any(line.cpt == "26320" for line in r.claim_lines)]
    assert wrong == []


@needs_corpora
def test_mtsamples_evidence_offsets(mtsamples_results):
    bad = []
    for note_id, text, result in mtsamples_results:
        bad.extend(f"{note_id}: {v}" for v in evidence_violations(text, result))
    assert bad[:20] == []
