"""Failure classes found by the blind batch b25 (short notes in voices no batch had used: a scribe, a
fellow's tablet note, a plastic surgeon's "the K's", an outpatient review, a procedure log), first
contact in sample_notes/README.md. Notes written for this file, not copied."""
from __future__ import annotations

import pytest

from notecheck.checker import Checker

# Notes whose whole point is the code they support (None: no removal code).
CODE = [
    pytest.param(
        "Hand clinic 02/03/2025\nSeen 6/52 following removal of the plate from the L ring finger P1 (done on the day "
        "list in January). Scar settled, full fist. Discharged.\n",
        None, id="a_review_weeks_after_a_removal_is_not_one",
    ),
    pytest.param(
        "Op note (fellow) 12-Apr-2024\nL middle P1 nonunion after CRPP in February. Plan: revise to plate.\n"
        "- dorsal approach, both K-wires removed to make room for the plate\n"
        "- nonunion debrided, 2.0 plate with 5 screws, compression on fluoro\n- closed, splint\n",
        None, id="wires_removed_in_a_nonunion_revision_are_integral",
    ),
    pytest.param(
        "Plastics minor ops 05.09.24\nR ring finger P2 fracture pinned 06.08.24, the K's buried and always meant "
        "to come out at 4 wks.\nRing block. Nick over each K, both K's out with a needle driver. Steristrips.\n",
        "26320", id="a_plastic_surgeons_Ks",
    ),
    pytest.param(
        "PROC LOG | 2024-11-05 | procedure room | WALANT\nL 4th MC neck - 2 x 2.0 lag screws removed (ORIF 2023-12-01). "
        "Screw heads tender dorsally, 2 cm incision, closed 5-0.\n",
        "26320", id="a_dated_index_in_parentheses_dates_only_itself",
    ),
    pytest.param(
        "Day case summary 7 Nov 2024\nOperation as dictated: \"R ring finger DIP arthrodesis for erosive OA. An old "
        "K-wire from a 2019 mallet fixation found in P3 and taken out through the same incision; joint prepared and "
        "fused with a headless compression screw.\"\n",
        None, id="an_old_wire_taken_out_during_a_fusion_is_integral",
    ),
]


@pytest.mark.parametrize("note, code", CODE)
def test_the_code_the_note_supports(checker: Checker, note: str, code: str | None) -> None:
    assert checker.check(note).procedure.suggested_cpt == code


def test_a_scribes_quotes_of_the_surgeon(checker: Checker) -> None:
    # "Surgeon:" before a quotation is the speaker, not the surgeon's name field; a negation inside a
    # quotation stops at its closing mark; hours told against the usual are extra time.
    note = (
        "SCRIBE - OR 3 - 02/11/2025\n"
        "L ulna shaft plate removal - ORIF 2021 - \"he can't rest the arm on the table\" - fx healed on XR.\n"
        "Subcutaneous ulnar incision through the old scar, 7-hole plate and 7 screws.\n"
        "Surgeon: \"two screw heads stripped, coring them out.\" Trephine and extraction set, fluoro x many.\n"
        "Surgeon: \"this has been a three-hour job, normally forty minutes.\"\nLayered closure.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "20680"
    assert "fracture_healed" in {i.value for i in result.findings.indications}
    assert "extended_time" in {c.value for c in result.findings.complexity_factors}


@pytest.mark.parametrize("note", [
    "OUTPATIENT OR - R index P1 (plate, 4 screws)\nIndication: plate palpable and sore.\n"
    "Anes: WALANT. Dorsal 3 cm incision through the old scar, plate and screws removed. Closure 5-0 nylon.\n",
    "Day list 03/02/2025 - removal of metalwork R index and R middle P1 (ORIF both 2023, united).\nIndication: "
    "stiffness, extensor adhesion over both plates.\nTwo separate dorsal incisions, plate + 4 screws out of each. "
    "Closed 5/0 prolene.\n",
])
def test_the_approach_told_after_a_field_on_its_line_or_a_narrative(checker: Checker, note: str) -> None:
    approach = checker.check(note).findings.approach
    assert approach.type == "open"
    assert approach.incision_documented


def test_another_sites_operation_does_not_give_its_side(checker: Checker) -> None:
    # A guard for the field end above: the sentence after "ANESTHESIA: Digital block." is now body.
    note = (
        "PROCEDURE: Removal of K-wire, left ring finger middle phalanx.\n"
        "ANESTHESIA: Digital block. A right thumb trigger release was done first today and is dictated separately.\n"
        "DESCRIPTION: 5 mm incision over the wire end, the wire was removed intact. Closed.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "left"
    assert {m.code for m in result.modifiers} >= {"LT", "F3"}


def test_a_trigger_in_an_aside_stays_in_it(checker: Checker) -> None:
    # A guard for the aside rule: "which" inside the parenthesis ends the aside's clause, not the risk
    # list around it (confining the aside's own triggers had exposed this).
    note = (
        "INDICATIONS: plate painful with grip, fracture healed. We discussed the risk of tendon rupture (which could "
        "need a second operation), nerve injury, infection, and stiffness.\n"
        "PROCEDURE: Removal of plate and screws, right small finger P1, through a dorsal incision.\n"
    )
    indications = {i.value for i in checker.check(note).findings.indications}
    assert "infection" not in indications
    assert "pain" in indications
