"""Whether a removal was planned, told by other voices than the surgeon's (booking forms, registrar
notes, SOAP plans), and the site of a removal told in one long comma-spliced sentence."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_removal_said_not_planned_is_no_staged_removal(checker: Checker) -> None:
    note = (
        "Indications: L ring finger P1 plate from ORIF 2023, healed. The plate is prominent and painful when "
        "he grips tools. He asked that we do it while off work. Removal was not planned at the 2023 surgery.\n"
        "Procedure: WALANT. Dorsal incision through the old scar, plate and 4 screws removed intact.\n"
    )
    assert "staged_removal" not in {i.value for i in checker.check(note).findings.indications}


def test_a_routine_removal_moved_up_for_a_backed_out_wire_is_unplanned(checker: Checker) -> None:
    note = (
        "PROCEDURE NOTE\nProcedure: removal of migrated buried K-wire, L radial styloid\n"
        "s/p CRPP L radial styloid 9/8/2025, 2 wires buried, removal planned at 6 weeks at the CRPP. This is "
        "not the routine removal we had scheduled - it's been moved up because the radial wire has backed out "
        "and is tenting the skin.\n"
        "1% lido. 3 mm stab incision over the tented tip, wire grasped and pulled intact. Steri-strips.\n"
    )
    assert checker.check(note).findings.planned_status.value == "unplanned"


def test_a_removal_moved_up_for_a_trip_stays_planned(checker: Checker) -> None:
    # A guard: "moved up" alone says nothing of a complication.
    note = (
        "Indication: At the index CRPP on 8/4 I buried the wires and planned OR removal at 4-5 weeks. She asked "
        "to move it up a week for a trip; this is the planned removal.\n"
        "Procedure: removal of buried K-wires, L middle finger P1, two small incisions, both wires out intact.\n"
    )
    assert checker.check(note).findings.planned_status.value == "planned"


def test_brought_back_early_because_of_a_broken_wire_is_unplanned(checker: Checker) -> None:
    # A guard: the broken wire told as the reason makes it unplanned with or without "back early because".
    note = (
        "Procedure: Removal of broken K-wire and second K-wire, right small finger middle phalanx.\n"
        "Indication: the routine removal was booked for 6 weeks at the CRPP. He was brought back early because "
        "XR at 4 weeks showed the oblique wire had fractured at the bone surface.\n"
        "Description: both wire pieces removed through small incisions. Skin 5-0 nylon.\n"
    )
    assert checker.check(note).findings.planned_status.value == "unplanned"


def test_a_booking_forms_procedure_as_booked_is_no_staged_plan(checker: Checker) -> None:
    note = (
        "SURGERY SCHEDULING REQUEST\nProcedure as booked: ROH L index finger +/- revision ORIF\n"
        "Dx: nonunion L index finger P1\n\n"
        "OPERATIVE NOTE\nProcedure: Removal of plate and screws, left index finger proximal phalanx.\n"
        "Findings: both proximal screws grossly loose.\n"
        "Description: previous dorsal incision reopened, plate and 4 screws removed.\n"
    )
    result = checker.check(note)
    assert "staged_removal" not in {i.value for i in result.findings.indications}
    assert result.findings.planned_status.value == "unplanned"


def test_a_soap_plan_that_tells_todays_removal_in_the_past_is_the_operation(checker: Checker) -> None:
    note = (
        "S: 66 yo F. Old L index P2 fracture fixed with 2 lag screws, healed; the screw heads are prominent and "
        "ache with motion.\n"
        "P: Removal of 2 screws L index P2 today.\n"
        "Digital block, finger tourniquet. 1.5 cm dorsal incision via old scar, both 1.5 mm screws removed "
        "intact. 5-0 nylon.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F1", "LT"])]


def test_a_long_comma_spliced_sentence_gives_the_site_near_the_removal(checker: Checker) -> None:
    # One sentence of a dictation with no full stops: the left hand's carpal tunnel and the L thumb's
    # numbness are asides; the screws came out of the right small finger.
    note = (
        "this is a 71 yo male seen today in the procedure suite for removal of two screws from the right small "
        "finger proximal phalanx, he had a right SF P1 fracture in 2023 fixed with 2 lag screws and it healed "
        "fine, films today show solid union and both screw heads sitting proud dorsally, for about a year he has "
        "had pain over the dorsal P1 when he grips his cane, of note I did his LEFT carpal tunnel release last "
        "month and that incision is healing well, pillar pain mild, numbness in L thumb/index much better, "
        "sutures were removed last visit, no issues there, today is about the right hand only, risks discussed, "
        "time out done, digital block, 1.5 cm dorsal incision over the screw heads through the old scar, both "
        "1.3 mm screws removed with the driver without difficulty and intact, skin 5-0 nylon, he tolerated it "
        "well."
    )
    assert claim_lines(checker, note) == [("26320", ["F9", "RT"])]


def _not_a_removal_risk(checker: Checker, note: str):
    from notecheck.models import ClaimContext

    claim = ClaimContext(billed_cpt="26320", billed_units=1, billed_modifiers="RT F8")
    result = checker.check(note, claim)
    assert result.procedure.suggested_cpt is None
    return next(r for r in result.denial_risks if r.id == "non_billable_not_a_removal")


def test_a_removal_told_without_hardware_the_rules_know_is_a_question_not_an_alarm(checker: Checker) -> None:
    # "small screw (1.5) backed out" is not read as a removal, but the note tells one ("removed"): a
    # 26320 claim against it is flagged for review, not alarmed.
    note = (
        "OR note 3/29/2025\n"
        "1. R middle finger: nail plate removed, nail bed lac repaired with 6-0 chromic.\n"
        "2. R ring finger: old screw head palpable ulnar P1, 1 cm incision over it, small screw (1.5) backed "
        "out. 5-0 nylon.\n"
    )
    assert _not_a_removal_risk(checker, note).severity == "medium"


def test_a_note_with_no_removal_at_all_keeps_the_alarm(checker: Checker) -> None:
    note = (
        "Procedure: open carpal tunnel release, right. The old volar radius plate was not exposed and left "
        "alone. Transverse carpal ligament released. Skin closed with 4-0 nylon.\n"
    )
    assert _not_a_removal_risk(checker, note).severity == "high"


def test_a_wire_that_worked_its_way_out_is_a_migration(checker: Checker) -> None:
    note = (
        "Procedure: removal of one K-wire, R index finger P2. Anesthesia: digital block.\n"
        "Why today: s/p CRPP 2 weeks ago with 2 buried wires; the dorsal wire has worked its way out and its end "
        "catches on her sleeve.\n"
        "Steps: skin opened 3 mm, wire grasped and withdrawn intact. The other wire stays for 4 wks as planned.\n"
    )
    result = checker.check(note)
    assert "migration" in {i.value for i in result.findings.indications}
    assert result.findings.planned_status.value == "unplanned"


def test_a_removal_taken_off_the_booking_was_not_done(checker: Checker) -> None:
    note = (
        "PROCEDURE: Right ring finger trigger finger release (A1 pulley)\n"
        "PREFERENCE CARD: \"R ring TF release + HWR R 5th MC\" -- hardware removal was taken off the booking "
        "9/30 at the patient's request; not done.\n"
        "DESCRIPTION: A1 pulley released through a transverse incision. Skin closed with 5-0 nylon.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_removal_planned_by_protocol_or_told_as_taking_that_one_out_is_staged(checker: Checker) -> None:
    protocol = (
        "L thumb P1 shaft fx CRPP 6/9/2025 (me), 2 buried K-wires.\n"
        "Today: 6 wks, fx healed on XR, here for routine removal of buried K-wires, per our usual protocol for "
        "buried wires in the OR at 6 wks. No issues with the wires.\n"
        "Proc: digital block, 2 stab incisions, both wires out intact. 5-0 nylon.\n"
    )
    assert checker.check(protocol).findings.planned_status.value == "planned"
    # "per protocol" about something else (antibiotics, an instrument set) plans nothing.
    for elsewhere in (". No antibiotic per protocol.", ". Hand therapy per protocol at 2 wks."):
        other = protocol.replace(", per our usual protocol for buried wires in the OR at 6 wks.", elsewhere)
        assert checker.check(other).findings.planned_status.value is None, elsewhere
    told = (
        "The third wire was a radial styloid wire that I cut short and buried under the skin and the plan "
        "documented in the op note was to take that one out in the procedure room at 6 weeks under local. "
        "Today: 1 cm incision over the wire end, wire removed intact, simple sutures.\n"
    )
    assert checker.check(told).findings.planned_status.value == "planned"


def test_a_negation_ends_where_a_run_on_dictation_starts_its_next_clause(checker: Checker) -> None:
    note = (
        "x-rays show the fracture healed with good alignment no rotational deformity he is here for the planned "
        "hardware removal description of procedure the right small finger metacarpal plate and 4 screws were "
        "removed through the old incision"
    )
    assert checker.check(note).findings.planned_status.value == "planned"
