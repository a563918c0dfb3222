"""Where a note tells why the hardware comes out (blind robustness misses of the sixteenth stop): a
"Context:" paragraph is the history; a diagnosis that says only that the fracture healed leaves the
unheaded story to say why, unless a staged plan already says it; a pain score among the vital signs
is a reading, not a complaint."""
from __future__ import annotations

from notecheck.checker import Checker


def _indications(checker: Checker, note: str) -> set[str]:
    return {i.value for i in checker.check(note).findings.indications}


def test_a_context_paragraph_is_the_history_that_says_why(checker: Checker) -> None:
    note = (
        "OPERATIVE REPORT\n"
        "Diagnosis: Plate on the 5th metacarpal right. Fracture consolidated.\n\n"
        "Context: Plate put in 2023 elsewhere. For 4 months he has pain over the dorsum of the hand on gripping "
        "and the plate is prominent under the skin.\n\n"
        "Intervention: Removal of the plate and 4 screws, 5th metacarpal right.\n"
        "Under WALANT, dorsal incision in the old scar, plate and screws removed. Closure.\n"
    )
    assert {"pain", "prominence"} <= _indications(checker, note)


def test_a_healed_fracture_alone_in_the_diagnosis_leaves_the_story_to_say_why(checker: Checker) -> None:
    note = (
        "Dx: healed fracture, proximal phalanx L ring finger.\n"
        "Proc: removal of plate and screws, L ring finger P1.\n"
        "She catches the plate on her ring when she grips the steering wheel and it aches at night.\n"
        "Digital block, dorsal incision, plate + 4 screws out. Nylon.\n"
    )
    assert "pain" in _indications(checker, note)


def test_a_staged_plan_with_a_healed_fracture_needs_no_complaint_from_the_story(checker: Checker) -> None:
    note = (
        "Dx: healed fracture, proximal phalanx L ring finger; K-wires to come out at 4 weeks as planned.\n"
        "Proc: removal of 2 K-wires, L ring finger P1.\n"
        "Wire ends palpable under the skin over the radial base of the finger.\n"
        "Digital block, 2 stab incisions, both wires out intact.\n"
    )
    assert "prominence" not in _indications(checker, note)


def test_a_pain_score_among_the_vital_signs_is_no_indication(checker: Checker) -> None:
    note = (
        "Dx: healed P1 fx R small finger, 2 buried K-wires.\n"
        "Exam: BP 122/78  HR 70  T 36.8  Pain 2/10. R small finger: wire ends buried, skin intact.\n"
        "Proc: removal of 2 buried K-wires R small finger, digital block, stab incisions, wires out.\n"
    )
    assert "pain" not in _indications(checker, note)


def test_a_pain_score_after_an_exam_grade_stays_the_complaint(checker: Checker) -> None:
    note = (
        "Exam: radial pulse 2+, pain 7/10 over the prominent buried wire at the R ring finger base.\n"
        "Proc: removal of the buried K-wire R ring finger P1, digital block, stab incision, wire out.\n"
    )
    assert "pain" in _indications(checker, note)


def test_a_pain_score_told_as_the_complaint_stays(checker: Checker) -> None:
    note = (
        "BP 122/78. Pain 6/10 over the buried wire at the R small finger base, worse with gripping.\n"
        "Proc: removal of 2 buried K-wires R small finger, digital block, stab incisions, wires out.\n"
    )
    assert "pain" in _indications(checker, note)


def test_a_label_mid_line_in_a_run_on_note_starts_a_new_sentence(checker: Checker) -> None:
    # One transcribed line: the global-period remark after the procedure is its own sentence, so its
    # other-side operation is not read as the side of the removal.
    note = (
        "OPERATIVE NOTE Date of service 03/11/2025 Preoperative diagnosis: painful retained screws, left ring "
        "finger proximal phalanx, fracture healed Procedure: removal of 2 screws, left ring finger P1 Global "
        "comment: she is 5 weeks after ORIF of a RIGHT distal radius fracture which I did on 02/04/2025 and the "
        "wrist is doing well, nothing addressed on that side today. Anesthesia: digital block. Technique: ulnar "
        "midaxial incision through the old scar, both screws removed intact, closed with 5-0 nylon."
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "left"
    assert [d.value for d in result.findings.digits] == ["ring"]


def test_a_copied_block_marked_inside_a_run_on_line_tells_no_removal_today(checker: Checker) -> None:
    note = (
        "HAND CLINIC POST-OP VISIT Date: 06/02/2025 CC: post-op check 4 wks HPI: s/p hardware removal left index "
        "metacarpal 05/05/2025, doing well, no pain. === copied from operative note 05/05/2025 === PROCEDURE: "
        "Removal of plate and 4 screws, left index metacarpal. DESCRIPTION: Dorsal incision through the old scar, "
        "plate and screws removed, closure 4-0 nylon. === end of copied text === Exam: incision healed, full fist, "
        "nontender. A/P: doing well after hardware removal, no procedure today, RTC prn."
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None and result.claim_lines == []


def test_the_end_of_a_copied_block_closes_the_plan_copied_in_it(checker: Checker) -> None:
    # The copied plan ("to be removed at 4 wks") ends at the block's end marker: today's removal
    # below it is told as done, not as a plan.
    note = (
        "Procedure note - Hand - 03/03/2025\n"
        "*** copied forward from 02/10/2025 op note ***\n"
        "Procedure: CRPP R small finger P1 fx, 2 K-wires buried.\n"
        "Plan: K-wires to be removed in the OR at 4 wks. Splint.\n"
        "*** end of copied text ***\n"
        "Today the ulnar wire has backed out through the skin and is exposed, pin site red.\n"
        "In the procedure room under digital block the exposed wire was pulled out with a needle driver after a 2 mm "
        "extension of the skin opening. Other wire left in.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert [i.type for i in result.findings.implants] == ["k_wire"]


def test_a_unit_after_its_number_ends_the_sentence_before_a_capital(checker: Checker) -> None:
    # "4 wks." ends the plan: the setting and the block after it are today's, not the plan's.
    note = (
        "Took her back this morning. L index finger, the 2 K-wires from the P2 CRPP. Pin site red, purulent. "
        "Not the plan - we were going to leave them 4 wks. Procedure room, digital block. Both wires pulled "
        "percutaneously (no incision), tracts irrigated. Started cephalexin."
    )
    result = checker.check(note)
    assert [a.value for a in result.findings.anesthesia] == ["local"]
    assert result.procedure.suggested_cpt == "26320"


def test_ga_opening_a_sentence_of_a_run_on_note_is_the_anaesthetic(checker: Checker) -> None:
    note = (
        "Paeds hand - fellow note 12/11/2024. CRPP R small finger P1 # 26/10/24, 2 K-wires left exposed. Pin "
        "tract infection at day 16, wires coming out early - unplanned. GA. Both wires removed percutaneously, "
        "intact. No incision. Pin sites dressed."
    )
    result = checker.check(note)
    assert [a.value for a in result.findings.anesthesia] == ["general"]
    assert result.procedure.suggested_cpt == "26320"


def test_an_actual_procedure_line_under_a_stale_booking_title_is_the_operation(checker: Checker) -> None:
    note = (
        "OP NOTE   Date of surgery: 10/14/24\n"
        "Procedure (from booking): CRPP RIGHT MIDDLE FINGER P2   <-- booking not updated\n"
        "ACTUAL PROCEDURE: REMOVAL OF 2 BURIED K-WIRES, RIGHT MIDDLE FINGER P2\n"
        "Anesthesia: local\n"
        "Technique: small incisions over each palpable wire end, wires removed with a needle driver, intact.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert [i.type for i in result.findings.implants] == ["k_wire"]
