"""Failure classes of blind batches b50-b55 (texts to the coder, dictated intervals, plans
overtaken, handover sheets, forms), written as surgeons write them, not as the batch notes do."""
from __future__ import annotations

from notecheck.checker import Checker


def _code(checker: Checker, note: str) -> tuple:
    result = checker.check(note)
    return result.procedure.suggested_cpt, sorted({m for line in result.claim_lines for m in line.modifiers})


def test_a_wire_out_of_a_named_finger_is_a_removal(checker: Checker) -> None:
    note = "For coding: buried K wire out of R little finger P1 today thru a stab incision under ring block. Fx healed.\n"
    assert _code(checker, note) == ("26320", ["F9", "RT"])


def test_pins_out_of_the_skin_are_still_not_a_removal(checker: Checker) -> None:
    note = (
        "Clinic review, left ring finger P1 CRPP at 2 weeks. Pins out of the skin, sites clean, no erythema. "
        "Continue splint, review at 4 weeks for pin removal.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_removal_brought_forward_from_the_planned_date_is_unplanned(checker: Checker) -> None:
    note = (
        "Procedure: removal of infected K-wires, right middle finger middle phalanx, under digital block.\n"
        "History: CRPP 3 weeks ago. Pin tract infection with purulent drainage despite oral antibiotics; the wires "
        "need to come out now rather than at the planned six weeks.\n"
        "Both wires withdrawn through the pin sites, tracts irrigated.\n"
    )
    assert checker.check(note).findings.planned_status.value == "unplanned"


def test_a_wire_that_had_migrated_is_removed_today(checker: Checker) -> None:
    note = (
        "Procedure room 3/5/25: K wire in L ring finger P1 had migrated & was tenting the dorsal skin, removed via "
        "a 3 mm incision under digital block. CRPP was mine 2/17/25.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert result.findings.planned_status.value == "unplanned"


def test_the_patient_had_an_operation_is_still_history(checker: Checker) -> None:
    note = (
        "Clinic letter. He had K-wire fixation of the left ring finger P1 and the wires were removed in clinic at "
        "four weeks. The fracture has healed and he has full movement. Discharged.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_staged_plan_with_its_interval_in_words(checker: Checker) -> None:
    note = (
        "Procedure: removal of a buried K-wire, left small finger middle phalanx, procedure room, digital block.\n"
        "History: CRPP by me five weeks ago, the wire cut and buried. The plan made that day was to take it "
        "out in the procedure room under a block at five weeks. Healed on x-ray today.\n"
        "5 mm incision over the wire end, wire withdrawn intact.\n"
    )
    assert checker.check(note).findings.planned_status.value == "planned"


def _approach(checker: Checker, note: str) -> tuple:
    found = checker.check(note).findings.approach
    return found.documented, found.type, found.incision_documented


def test_a_soap_plan_that_records_the_incision_of_todays_removal(checker: Checker) -> None:
    note = (
        "SOAP - hand clinic procedure room\n"
        "S: 7 wks s/p ORIF bony mallet R ring finger with one buried K-wire. Here for the planned wire removal.\n"
        "O: healed, non-tender.\n"
        "P: Digital block 2% lido. 4 mm incision over the wire end at the DP, wire removed with needle holder, intact.\n"
    )
    assert _approach(checker, note) == (True, "open", True)


def test_an_incision_planned_for_later_is_still_not_documented(checker: Checker) -> None:
    note = (
        "Clinic: 6 wks s/p ORIF R ring finger P1, plate prominent and painful.\n"
        "P: book for removal of plate through the old dorsal incision next month.\n"
    )
    assert _approach(checker, note)[0] is False


def test_a_way_in_told_on_its_own_line_after_the_indication(checker: Checker) -> None:
    note = (
        "Op: ROH L little finger P1 - 2.0 plate + 5 screws. GA, high arm tourniquet.\n"
        "Ind: painful metalwork, stiff PIPJ, # united on XR (ORIF Aug 2022).\n"
        "Via old dorsal scar. Plate and 5 screws out, II confirms. 4-0 monocryl sc.\n"
    )
    assert _approach(checker, note) == (True, "open", True)


def test_a_line_labelled_with_its_finger_opens_the_operation(checker: Checker) -> None:
    note = (
        "Procedure: Removal of metalwork R ring finger P1 - plate + 4 screws. Bier's block.\n"
        "Hx: crush injury Feb 2024, ORIF same day, healed. Plate rubbing on the extensor.\n"
        "Ring finger: old incision reopened, plate lifted off after 4 screws out.\n"
    )
    assert _approach(checker, note) == (True, "open", True)


def test_a_nick_over_the_wire_is_an_incision(checker: Checker) -> None:
    note = (
        "Minor OT. Done under LA (ring block, 2% xylocaine). Small nick over the wire, K wire removed from "
        "lt index finger P1. Pt comfortable.\n"
    )
    assert _approach(checker, note) == (True, "open", True)


def test_the_other_hands_operation_under_a_pertinent_history_header(checker: Checker) -> None:
    note = (
        "Operative Note\nDOS: 10/22/2024\nAnesthesia: MAC + local at the finger base\n"
        "Diagnosis: Painful retained screws, right ring finger middle phalanx; old healed P2 fracture (ORIF 2021).\n"
        "Pertinent surgical history: I performed ORIF of a LEFT small finger metacarpal fracture on 09/05/2024 "
        "(plate). Left hand is healing appropriately, cast off, in therapy. Today's surgery is on the other hand.\n"
        "Indication: 3 years of aching at the radial side of the right ring finger P2 over two screw heads.\n"
        "Procedure: Time-out. Right hand prepped and draped. 1.2 cm radial midaxial incision over P2 along old "
        "scar. Two screws located and removed intact. Closed 5-0 nylon.\n"
        "Plan: f/u 10-14 d; continue left hand therapy.\n"
    )
    assert _code(checker, note) == ("26320", ["F8", "RT"])


def test_speech_recognition_writes_right_hand_as_write_hand(checker: Checker) -> None:
    note = (
        "procedure colon removal of plate right fifth metacarpal and screws left small finger proximal phalanx period\n"
        "write hand first colon the plate and five screws were removed from the fifth meta carpal period\n"
        "then the left hand colon two screws removed from the small finger proximal phalanx period\n"
    )
    assert checker.check(note).findings.laterality.value == "bilateral"


# ---- b53-b55: handover sheets, registers, forms ------------------------------------------------

def test_the_next_bed_on_a_handover_sheet_is_another_patient(checker: Checker) -> None:
    note = (
        "LOCUM HANDOVER SHEET - Sat 22/06/24\n"
        "Bed 12 | 41M | R ring finger P1 # - CRPP 03/06/24 (our list)\n"
        "- Back to theatre today (unplanned): pin-site infection. Wires removed under WALANT via two small incisions.\n"
        "- Bed 14 (different pt): K-wires L thumb for removal on Monday's list - NOT done today.\n"
    )
    assert _code(checker, note) == ("26320", ["F8", "RT"])


def test_a_bare_digit_word_after_its_side(checker: Checker) -> None:
    note = (
        "Today: planned removal of buried K-wires from both fingers in theatre - small incisions over the wire "
        "ends, L index 2 wires, L middle 1 wire, all out intact.\n"
    )
    assert _code(checker, note)[1] == ["F1", "F2", "LT"]


def test_a_ring_block_after_a_side_names_no_ring_finger(checker: Checker) -> None:
    note = "Under a L ring block, the K-wire was removed from the left index finger P1.\n"
    assert [d.value for d in checker.check(note).findings.digits] == ["index"]


def test_each_finger_takes_the_side_written_before_it(checker: Checker) -> None:
    note = (
        "Bilateral K-wire removal under GA. Wires exposed (bent over, capped): L index 2 wires, R middle 2 wires "
        "- all pulled percutaneously.\n"
    )
    assert _code(checker, note)[1] == ["F1", "F7", "LT", "RT"]


def test_a_booked_procedure_not_performed_is_no_removal(checker: Checker) -> None:
    note = (
        "DAY SURGERY UNIT - DISCHARGE CHECKLIST 11/Mar/2024\n"
        "Booked procedure: removal of K-wires R middle finger (planned, 5 wks post CRPP)\n"
        "*** PROCEDURE NOT PERFORMED *** - cancelled by anaesthetist: productive cough.\n"
        "[x] Seen by surgeon - wires remain in situ, pin sites clean\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_form_ticks_its_digit_and_setting(checker: Checker) -> None:
    note = (
        "Pediatric Hand - Operative Note\n"
        "Index: CRPP R ring finger P1 06/10/2024. Two K-wires left protruding with pin caps.\n"
        "Laterality:  (x) Right  ( ) Left\n"
        "Digit:       ( ) Thumb  ( ) Index  ( ) Long  (x) Ring  ( ) Small\n"
        "Setting:     ( ) Clinic  (x) OR - brief general anesthesia (mask)\n"
        "Procedure: pin caps removed, both exposed K-wires pulled with a needle driver; no incision.\n"
    )
    result = checker.check(note)
    assert _code(checker, note) == ("26320", ["F8", "RT"])
    assert [a.value for a in result.findings.anesthesia] == ["general"]


def test_a_ticked_small_finger_in_square_boxes(checker: Checker) -> None:
    note = (
        "PROCEDURE: Removal of implant(s), finger\n"
        "Laterality:  [ ] Left   [x] Right\n"
        "Digit:       [ ] Thumb  [ ] Index  [ ] Long  [ ] Ring  [x] Small\n"
        "DESCRIPTION: Two 5 mm stab incisions over the wire ends, wires withdrawn intact.\n"
    )
    assert _code(checker, note) == ("26320", ["F9", "RT"])
