"""Failure classes found by the blind batches b38 (short notes: a paediatric surgeon, register
entries, formal non-native English, flowsheets), b39 (full academic reports) and b40 (adversarial:
cancelled cases, questions answered no, removals discussed but not done), first contact in
sample_notes/README.md. Notes written for this file, not copied."""
from __future__ import annotations

import pytest

from notecheck.checker import Checker

# Notes whose whole point is the code they support (None: no removal code).
CODE = [
    pytest.param(
        "Children's hand list 12/07/2024\n6 y boy. L index P2 # CRPP with one K-wire 21/06/2024, wire left proud.\n"
        "Not planned - taken out early under GA today as the pin site was red and sore. Wire pulled with a "
        "needle holder, intact. Cast 2/52.\n",
        "26320", id="a_dash_ends_the_negation_and_a_dated_pinning_is_history",
    ),
    pytest.param(
        "Return to theatre 02/09/2024\nIndex: 12/08/2024 (self) CRPP L ring finger P1 # (2 K-wires, exposed).\n"
        "Both wires loose after a fall yesterday.\nProcedure: under GA both K-wires removed from the L ring finger. "
        "Screening: fracture stable.\nRe-pinned? No - stable, splint only.\n",
        "26320", id="a_question_answered_no_is_not_a_refixation",
    ),
    pytest.param(
        "Hand surgery - unplanned return\nDate of surgery: 03/14/2025\nIndex procedure: 02/02/2025, ORIF R ring "
        "finger middle phalanx with two 1.3mm screws (me).\nOne screw backed out on XR, head sore under the skin.\n"
        "Theatre, wrist block + sedation. Through the old incision the loose screw was removed; the other left.\n",
        "26320", id="the_room_and_anaesthetic_line_starts_the_operation_after_an_index_label",
    ),
    pytest.param(
        "DAY CASE - CANCELLED 11/03/2025\nScheduled: removal of plate L 5th metacarpal, symptomatic.\n"
        "Temp 38.4 and chest infection on arrival; case cancelled before anaesthesia, rebooked 3 weeks.\n",
        None, id="a_scheduled_removal_cancelled_before_it_began",
    ),
    pytest.param(
        "OP NOTE 10/15/2024\nProcedure: Left thumb A1 pulley release.\nAnesthesia: local.\nShe also has a sore "
        "screw in the left 2nd metacarpal from 2022 and we discussed removing it; she prefers to wait.\n"
        "A1 pulley released through a 1.5 cm incision, triggering resolved. Skin closed with nylon.\n",
        None, id="a_removal_discussed_during_another_operation_is_not_done",
    ),
]


@pytest.mark.parametrize("note, code", CODE)
def test_code(checker: Checker, note: str, code: str) -> None:
    assert checker.check(note).procedure.suggested_cpt == code


@pytest.mark.parametrize("text", ["Both K-wires pulled from the L ring finger (GA).",
                                  "Both K-wires pulled from the L ring finger (main theatre, GA)."])
def test_ga_closing_a_parenthesis_is_the_anaesthetic(checker: Checker, text: str) -> None:
    result = checker.check(text)
    assert [a.value for a in result.findings.anesthesia] == ["general"]
    assert result.procedure.suggested_cpt == "26320"
