"""Coder queries, the surgeon's replies, and what a patient asked about: who says what about this
operation."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines

_OP = ("Preop Dx: painful retained DIP fusion screw, LEFT small finger.\n"
       "Procedure: removal of headless screw, LEFT small finger DIP.\n"
       "HPI: DIP fusion of the right small finger 08/2024, fused solid; screw tip irritates the pulp.\n"
       "PROCEDURE: digital block, 5 mm incision at the fingertip, screw backed out fully, intact. 5-0 nylon.\n"
       "Plan: f/u 10 days.\n\n----\n"
       "Coding query 05/23/2025 (H. Abara, CCS): header says LEFT, HPI says right. Please confirm the side.\n")


def test_a_provider_reply_dated_before_its_colon_corrects_the_side(checker: Checker) -> None:
    note = _OP + ("Provider reply 05/23/2025 (M. Oduya MD): RIGHT small finger. The left in the header and procedure "
                  "lines is wrong (copied from another note).\n")
    assert claim_lines(checker, note) == [("26320", ["F9", "RT"])]


def test_a_screw_backed_out_fully_with_the_driver_is_removed(checker: Checker) -> None:
    note = "R index DIP: 5 mm fingertip incision under digital block. Screwdriver engaged, screw backed out fully, intact. 5-0 nylon."
    assert claim_lines(checker, note) == [("26320", ["F6", "RT"])]


def test_what_the_patient_asked_about_is_not_done_today(checker: Checker) -> None:
    note = ("Procedure: removal of plate and screws, right thumb proximal phalanx, under WALANT; 3 cm dorsal "
            "incision, plate and 4 screws removed, 4-0 nylon.\n"
            "She also asked about removal of a screw in her left distal radius from a childhood injury; this is not "
            "symptomatic and was not addressed.\n")
    result = checker.check(note)
    assert result.findings.laterality.value == "right"
    assert claim_lines(checker, note) == [("26320", ["F5", "RT"])]


def test_a_dated_history_label_does_not_swallow_the_operation(checker: Checker) -> None:
    # A guard: only an addendum's label is read with a date before its colon; "Index op 11/04/2024:" stays a
    # line of the note, not a history section holding what follows.
    note = ("OP NOTE 12/09/2024\nLeft hand. Removal of 2 buried K-wires, L 4th metacarpal.\n"
            "Index op 11/04/2024: percutaneous pinning L ring finger metacarpal neck fx, wires cut under the skin.\n"
            "Local infiltration, 2 stab incisions over the wire ends, both wires withdrawn intact. Steri-strips.\n")
    assert claim_lines(checker, note) == [("26320", ["LT"])]


def test_the_index_plan_names_the_index_operation_not_the_index_finger(checker: Checker) -> None:
    note = ("Clinic proc rm. s/p CRPP L SF P3 tuft fx 01/08/2025 - longitudinal 0.035 KW, cut & buried. "
            "plan @ index = remove ~5 wk.\nToday: 5 wks, XR healed. Digital block, 3 mm incision over the tip, KW out intact.\n")
    assert claim_lines(checker, note) == [("26320", ["F4", "LT"])]
    other = ("Ind: closed P1 shaft fx L long + L ring fingers, CRPP both digits w/ wires buried. Index plan was OR "
             "removal of the buried wires at 4 wks.\nProcedure: long finger: wires removed; ring finger: wires removed.\n")
    assert [d.value for d in checker.check(other).findings.digits] == ["middle", "ring"]


def test_an_inline_correction_after_a_dash_corrects_the_digit(checker: Checker) -> None:
    note = ("PREOP DX: Symptomatic retained hardware, left long finger proximal phalanx.\n"
            "PROCEDURE: Removal of plate and screws, left long finger proximal phalanx.\n"
            "The booking sheet and preop diagnosis read long finger; this is a dictation/booking error -- correction: "
            "ring finger. Consent was re-signed for the left ring finger.\n"
            "Description: incision through the old dorsal scar over P1 of the ring finger, plate and five screws removed.\n")
    assert claim_lines(checker, note) == [("26320", ["F3", "LT"])]
    # A dictated correction of another word holds its own sentence only: the operation goes on.
    graft = ("Operation: revision ORIF left small finger P1 nonunion with removal of failed hardware and iliac crest... "
             "correction: DISTAL RADIUS bone graft.\n\nDescription: old plate and screws removed, nonunion debrided, "
             "graft packed, new plate applied.\n")
    assert checker.check(graft).procedure.suggested_cpt is None


def test_a_blank_left_for_the_finger_names_no_digit(checker: Checker) -> None:
    note = "Procedure: Removal of screw, left ___ finger middle phalanx.\nDigital block; 1 cm incision, screw removed intact.\n"
    assert claim_lines(checker, note) == [("26320", ["LT"])]
    named = note.replace("left ___ finger", "left middle finger")
    assert claim_lines(checker, named) == [("26320", ["F2", "LT"])]
