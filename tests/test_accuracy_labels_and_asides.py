"""Short labels and asides that hid the removal: a date label's line going on with the case, "IF:"
as the index finger, a purpose clause ("so that the wire could be removed"), an act after words a
negation only described, an addendum that disowns the lines above it, a screw backed out with a
driver and an arrow after a past operation."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_date_label_is_its_date_and_the_line_goes_on_with_the_case(checker: Checker) -> None:
    note = (
        "DOS 8/4/2025 HWR L MF P1 -- 2 lag screws out, heads prominent and tender, fx healed (XR). WALANT.\n"
        "15 mm incision thru old radial midaxial scar, both screws out intact, 5-0 nylon. No cx. RTC 2 wk.\n"
    )
    result = checker.check(note)
    assert [d.value for d in result.findings.digits] == ["middle"]
    assert claim_lines(checker, note) == [("26320", ["F2", "LT"])]


def test_if_as_a_label_in_capitals_is_the_index_finger(checker: Checker) -> None:
    note = (
        "Dx: healed R index finger P1 fx, 2 buried K-wires (CRPP 10/28/2024).\n"
        "Details: time-out. Bier block.\n"
        "IF: 2 stab incisions over wire ends under fluoro, both wires out intact. Fluoro: no metal left.\n"
    )
    result = checker.check(note)
    assert result.findings.approach.documented
    assert {i.type for i in result.findings.implants} == {"k_wire"}
    # A condition in lower case is still one: the act after "if" is not affirmed.
    from notecheck.extract.mentions import NoteView

    view = NoteView(checker.doc("Details: if the wire ends are loose, both wires removed percutaneously.\n"), checker.rules)
    assert all("HYPOTHETICAL" in m.mods for m in view.of("ACT") if m.value == "removal")
    assert [m for m in view.of("ACT") if m.value == "removal"]


def test_a_purpose_clause_and_an_act_after_negated_descriptions_are_the_operation(checker: Checker) -> None:
    note = (
        "Right index finger P1 pinning 3 weeks ago, now pin tract infection with the radial wire backed out, "
        "brought back to the OR, general anesthesia, the exposed radial wire was grasped and the skin opening "
        "was extended 5 mm so that the wire could be removed in its entirety{rest}"
    )
    first = note.format(rest=", the tract was irrigated.")
    assert checker.check(first).procedure.suggested_cpt == "26320"
    second = (
        "Right index finger, unplanned return to the OR under general anesthesia for pin tract infection. "
        "Through a 4 mm incision the ulnar wire which was not loose and not infected was also removed."
    )
    assert checker.check(second).procedure.suggested_cpt == "26320"


def test_an_addendum_disowns_the_lines_it_counts_above_it(checker: Checker) -> None:
    note = (
        "OPERATIVE NOTE\n"
        "Date of operation: 6/2/2025\n"
        "PROCEDURE: Closed reduction and percutaneous pinning, right ring finger proximal phalanx fracture.\n"
        "PREOPERATIVE DIAGNOSIS: Displaced fracture right ring finger proximal phalanx shaft.\n"
        "POSTOPERATIVE DIAGNOSIS: Same.\n\n"
        "** Addendum (Dr. K): the three lines above were carried forward from my 4/28/2025 template in error. "
        "The procedure performed TODAY was: removal of buried K-wires x2, right ring finger proximal phalanx. **\n\n"
        "DESCRIPTION: Ring block. Two 4 mm incisions over the wire ends, each wire grasped and removed intact. "
        "5-0 nylon.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F8", "RT"])]


def test_a_screw_backed_out_with_a_driver_is_the_surgeon_s_act(checker: Checker) -> None:
    note = (
        "09/03/2024  L long finger\n"
        "s/p DIP arthrodesis w/ 2.2 headless compression screw 1/22/2024. Fusion solid on XR. Tip of screw now "
        "prominent at the fingertip, tender.\n"
        "Procedure room, digital block: 1 cm incision at the fingertip over the screw tip (through P3), screw "
        "backed out retrograde with cannulated driver, intact. 5-0 nylon.\n"
    )
    result = checker.check(note)
    assert [i.type for i in result.findings.implants] == ["screw"]
    assert result.procedure.suggested_cpt == "26320"


def test_an_arrow_after_a_past_operation_leads_to_today_s(checker: Checker) -> None:
    note = (
        "DATE | SURGEON | CASE\n"
        "08/22/2024 | Hsu | 36M R 5th metacarpal neck fx s/p ORIF 01/10/2024 -> removal 2.0 mm plate + 4 screws "
        "via prior dorsoulnar incision, all intact. ind: plate prominent, aches w/ grip; fx united. TQ 31 min.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["RT"])]


def test_a_case_aborted_before_incision_removed_nothing(checker: Checker) -> None:
    note = (
        "BRIEF OP NOTE 11/24/2025\n"
        "Planned: removal of buried K-wires R middle finger P1 (CRPP 10/27/2025).\n"
        "{how} After WALANT injection, mini C-arm showed a persistent fracture line with no bridging. Discussed "
        "with pt and mother; wires left in place. Re-image in 2 wks and reschedule. {tail}\n"
    )
    for how, tail in (("ABORTED before incision.", "No complications."),
                      ("Case aborted.", "No complications."),
                      ("Not started.", "Nothing removed.")):
        result = checker.check(note.format(how=how, tail=tail))
        assert result.procedure.suggested_cpt is None, how
        assert not result.findings.implants, how


def test_a_query_mark_before_a_word_raises_a_possibility(checker: Checker) -> None:
    note = (
        "- Scheduled (from booking sheet): \"L CTR + ? HWR L distal radius\"\n"
        "- Procedure performed: LEFT open carpal tunnel release\n"
        "- old L distal radius ORIF 2016, healed; plate asymptomatic, pt declines removal\n"
        "- TCL divided, median nerve decompressed. 4-0 nylon.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None
    # A question asked and answered ends its sentence: "Removal? Yes" leaves the next sentence's act done.
    answered = "Wires out today? Yes. Two buried K-wires removed intact from the left ring finger P1 under block."
    assert checker.check(answered).procedure.suggested_cpt == "26320"
