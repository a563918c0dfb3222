"""Failure classes blind batches b98-b100 showed: pick-lists a template left on the page, a buddy
finger taken for a site, blanks left for a name read as unticked boxes, a visit title read as the
plan, pin caps that make exposed pins no complication, the index plan told "with the plan to take
them out", an addendum that corrects the history and not the operation, and a clinic pin pull whose
site only the history's fixation names."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_pick_list_offers_options_it_does_not_choose(checker: Checker) -> None:
    note = (
        "Procedure: Removal of implant, {left/right/bilateral}: right {thumb/index/long/ring/small}: ring finger, "
        "middle phalanx\n"
        "Anesthesia: {General/MAC/WALANT}: WALANT\n"
        "Description: right ring finger marked, time out. The old incision was reopened and the plate and 4 screws "
        "removed intact.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F8", "RT"])]


def test_a_buddy_finger_is_no_site(checker: Checker) -> None:
    note = (
        "Pre-op dx: *** finger proximal phalanx fracture, s/p CRPP\n"
        "Description: 6 weeks after pinning of a left middle finger proximal phalanx fracture. Digital block, a 5 mm "
        "incision over each wire end, both K-wires withdrawn intact. Buddy tape to the ring finger.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F2", "LT"])]


def test_a_blank_for_the_patients_name_is_no_box(checker: Checker) -> None:
    note = (
        "POST-OP CHECK (locum)\n"
        "Pt [ ] - 3 wks s/p ROH L index finger P2 (plate/screws, Dr [ ] this group)\n"
        "Wound healed, sutures out today. ROM good.\n"
    )
    assert checker.check(note).findings.laterality.value == "left"


def test_pins_with_caps_are_exposed_by_design(checker: Checker) -> None:
    note = (
        "POST-OP VISIT / PIN REMOVAL\n"
        "S: 5 wks s/p CRPP R small finger P1 fx. No pain.\n"
        "O: pins x2 exposed w/ caps, sites clean. XR healed.\n"
        "A/P: pins pulled in clinic today as planned at surgery, no anesthesia, both intact.\n"
    )
    result = checker.check(note)
    assert "exposure" not in [i.value for i in result.findings.indications]
    assert result.findings.planned_status.value == "planned"


def test_with_the_plan_to_take_them_out(checker: Checker) -> None:
    note = (
        "Procedure: Removal of buried K-wires x2, right ring finger proximal phalanx\n"
        "Indications: 5 wks s/p CRPP. At the index procedure the wires were cut short and buried with the plan to "
        "take them out in the OR once healed. Fracture healed on XR.\n"
        "Description: two stab incisions, wires grasped and withdrawn intact.\n"
    )
    assert checker.check(note).findings.planned_status.value == "planned"


def test_an_addendum_that_corrects_the_history_keeps_the_operations_side(checker: Checker) -> None:
    note = (
        "Procedure: Open carpal tunnel release, right hand.\n"
        "History: numbness right hand. ORIF of a distal radius fracture in 2019 with a volar plate, asymptomatic.\n"
        "Procedure: WALANT. Transverse carpal ligament released. The retained plate was not disturbed.\n\n"
        "Addendum: Correction to history: the 2019 plate is in the LEFT radius, not the right. No change to the "
        "procedure.\n"
    )
    assert checker.check(note).findings.laterality.value == "right"


def test_a_clinic_pin_pull_takes_its_site_from_the_fixation_told_in_the_history(checker: Checker) -> None:
    note = (
        "Progress Note | Hand Clinic\n"
        "S: 4 wk s/p CRPP R long finger P1 fx. No pain.\n"
        "O: 2 K-wires exposed w/ pin caps, no erythema.\n"
        "A/P: Pins pulled in clinic today as planned, no anesthesia. Buddy tape to index finger.\n"
    )
    result = checker.check(note)
    assert [d.value for d in result.findings.digits] == ["middle"]
    assert result.findings.laterality.value == "right"


def test_a_side_letter_before_dorsal(checker: Checker) -> None:
    note = "Operation entry: Excision R dorsal wrist ganglion, GA. Old volar plate left in situ, asymptomatic.\n"
    assert checker.check(note).findings.laterality.value == "right"


def test_pins_pulled_without_any_block_or_local(checker: Checker) -> None:
    # b105: "without any block or local" denies both; the pins were pulled in the clinic.
    note = (
        "Hand clinic - post-op visit\n"
        "4 wk s/p CRPP R ring finger P1 fx with 2 K-wires left exposed with caps.\n"
        "K-wires x2 pulled in clinic today without any block or local, using a needle driver. Both intact.\n"
    )
    assert claim_lines(checker, note) == []


def test_not_planned_keeps_the_anaesthetic_that_follows(checker: Checker) -> None:
    # A guard: "Not planned - removed early under GA" denies the plan, not the GA.
    note = "Not planned - removed early under GA today. Wire pulled percutaneously, intact.\n"
    assert [a.value for a in checker.check(note).findings.anesthesia] == ["general"]


def test_the_index_note_is_no_index_finger(checker: Checker) -> None:
    note = (
        "Procedure: removal of buried K-wires, right middle finger middle phalanx.\n"
        "History: ORIF 07/01/2024 with two K-wires, cut and buried beneath the skin; index note states plan: removal "
        "of buried wires in the OR at 6 weeks.\n"
        "Description: two stab incisions, both wires removed intact.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F7", "RT"])]


def test_a_soap_plan_that_is_todays_procedure(checker: Checker) -> None:
    # b108: "P/Procedure:" heads today's removal in an NP's clinic note, after "A:".
    note = (
        "CLINIC PROCEDURE NOTE\n"
        "S: here for planned removal of the buried K-wire L ring finger, 4 wks after CRPP.\n"
        "A: s/p CRPP L ring finger P2 fx, buried K-wire for removal as planned.\n"
        "P/Procedure: Digital block 1% lido. 5 mm incision over the palpable wire end, wire grasped with needle "
        "driver and removed intact.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F3", "LT"])]


def test_a_header_that_opens_with_alternatives_is_tried() -> None:
    from pipelines.sectionizer import _first_letters

    assert _first_letters("(procedure|technique) and findings") == {"p", "t"}
    assert _first_letters("(p|plan)/(procedure|proc)") == {"p"}
    assert _first_letters("indications") == {"i"}
