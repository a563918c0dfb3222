"""The removal gate of the target matcher (pipelines.target_matcher DEFAULT_REMOVAL_ONLY): in a
note that names no hardware and no act that is its own object ("HWR"), the rules of why, how and
how hard hardware came out are not run. It is a fast path, so it must equal the slow path: the
same result, on every kind of note, with the gate closed and open."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from notecheck.checker import Checker
from pipelines.extensions import SPANS_KEY
from corpora import MISSING, MTSAMPLES

ROOT = Path(__file__).resolve().parents[1]

CARPAL_TUNNEL = (
    "PROCEDURE: Left carpal tunnel release.\n"
    "INDICATIONS: Numbness and pain despite splinting; no infection.\n"
    "DESCRIPTION: Operative time 130 minutes because of dense scar from an earlier release.\n"
)
REMOVAL = (
    "PROCEDURE: Removal of two K-wires, left ring finger proximal phalanx.\n"
    "INDICATIONS: Fracture healed; the wires are prominent and painful.\n"
    "DESCRIPTION: Operative time 130 minutes because of dense scar. Both wires removed.\n"
)
HWR_ONLY = "Proc: HWR L RF P1 as planned, pins painful. Dense scar, 130 min."


@pytest.fixture()
def targets(checker: Checker):
    pipe = checker.nlp.get_pipe("notecheck_targets")
    only = pipe.removal_only
    yield pipe
    pipe.removal_only = only


def _labels(checker: Checker, text: str) -> set[str]:
    doc = checker.doc(text)
    return {span.label_ for span in doc.spans[SPANS_KEY]}


def test_a_note_without_hardware_keeps_no_indication_or_complexity(checker: Checker, targets) -> None:
    labels = _labels(checker, CARPAL_TUNNEL)
    assert "SIDE" in labels
    assert not labels & {"INDICATION", "COMPLEXITY"}
    targets.removal_only = frozenset()
    assert {"INDICATION", "COMPLEXITY"} <= _labels(checker, CARPAL_TUNNEL)


@pytest.mark.parametrize("text", [REMOVAL, HWR_ONLY])
def test_hardware_or_an_act_that_names_it_opens_the_gate(checker: Checker, text: str) -> None:
    assert {"INDICATION", "COMPLEXITY"} <= _labels(checker, text)
    result = checker.check(text)
    assert result.procedure.suggested_cpt == "26320"
    assert "scar_tissue" in {f.value for f in result.findings.complexity_factors}
    assert "pain" in {f.value for f in result.findings.indications}


def test_the_explanation_says_what_the_gate_left_out(checker: Checker) -> None:
    explanation = checker.check(CARPAL_TUNNEL, explain=True).explanation
    dropped = [c for f in explanation.fields for m in f.mentions for c in m.causes]
    assert any(c.code == "no_hardware" and c.rule_id.startswith("cx.") for c in dropped)


def _notes() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "sample_notes").glob("*.txt"))]
    for batch in sorted((ROOT / "sample_notes" / "blind").glob("b*"))[::10]:
        texts += [p.read_text(encoding="utf-8") for p in sorted(batch.glob("*.txt"))]
    if MTSAMPLES.exists():
        with MTSAMPLES.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()][::10]
    return texts


@pytest.mark.skipif(not MTSAMPLES.exists(), reason=MISSING)
def test_the_gate_changes_no_result(checker: Checker, targets) -> None:
    """Sample notes, every tenth blind batch and every tenth MTSamples report (four in five of
    them name no hardware): each result is the same with the gate closed and open."""
    only, differ, gated = targets.removal_only, [], 0
    for n, text in enumerate(_notes()):
        targets.removal_only = only
        closed = checker.check(text).model_dump_json()
        left_out = not _labels(checker, text) & only
        targets.removal_only = frozenset()
        gated += left_out and bool(_labels(checker, text) & only)
        if checker.check(text).model_dump_json() != closed:
            differ.append(n)
    assert gated > 100  # notes whose spans the gate changed
    assert differ == []
