"""Notes crowded with lists and form fields (blind batches b110-b113): a problem list names the
chart's diagnoses, resolved ones with their hardware ("T84.290A prominent plate -- resolved w/ HWR"),
which is not today's operation; a form's question answered by its ticked box ("Removal of hardware:
[ ] yes [x] not performed"); a frame taken apart part by part ("connecting rod removed")."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_resolved_problem_with_its_hwr_is_no_removal_today(checker: Checker) -> None:
    note = (
        "Post-op visit 11/02/2025\n"
        "Problem list: S62.617D L small finger P1 fx subsq | T84.290A (painful plate -- resolved w/ HWR) | E11.9\n"
        "Meds: ibuprofen PRN. Allergies: NKDA\n"
        "Exam: incision healed, sutures removed today, no erythema. A/P: doing well, OT for ROM, f/u 6 wks.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_form_answered_not_performed_removes_nothing(checker: Checker) -> None:
    note = (
        "Procedure Performed:\n  Open trigger finger release, left ring finger\n"
        "  Removal of hardware: [ ] yes  [x] not performed\n"
        "Indications: triggering L RF; old L RF P1 plate from 2020, asymptomatic, left alone.\n"
        "Procedure Description: A1 pulley released through a 1.5 cm incision. Closed with 5-0 nylon.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_frame_taken_apart_is_one_external_fixator(checker: Checker) -> None:
    note = (
        "Op note - removal of mini external fixator, R middle finger. MAC.\n"
        "Clamps loosened, connecting rod removed, then the four half-pins unscrewed and withdrawn "
        "percutaneously, no incision. Pin sites cleaned.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None
    assert "20694" in result.procedure.flags
    assert "rod_or_nail" not in {i.type for i in result.findings.implants}


def test_headers_behind_arrow_bullets_are_headers(checker: Checker) -> None:
    """">> Hx:" opens the history: its CRPP is the index operation, not a wire placed today."""
    note = (
        "MINOR PROCEDURE ROOM\n>> Proc: removal buried K-wire L ulnar styloid\n"
        ">> Hx: CRPP L ulnar styloid base fx w/ 1 x 0.045 K-wire, cut + buried subQ\n"
        ">> Anesth: 3 mL 1% lido local\n"
        ">> 4 mm stab incision over wire tip, wire grasped + removed intact. Steri-strips, no sutures.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "20670"


def test_a_chronology_entry_dates_its_fixation(checker: Checker) -> None:
    """"- 07/09/2024 CRPP ... 2 K-wires": a dated entry of the history, whatever its header."""
    note = (
        "History related to this claim:\n"
        "- 07/01/2024 L thumb jammed in a conveyor, P1 condylar fx.\n"
        "- 07/09/2024 CRPP L thumb P1: 2 x 0.035 K-wires, cut below the skin.\n"
        "Procedure note, 08/20/2024 - procedure room. Digital block. Stab incision over each wire end, "
        "wires grasped with a needle driver and removed intact x2. 1 x 5-0 nylon.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"


def test_a_joint_fused_today_at_an_angle_is_todays_fusion(checker: Checker) -> None:
    """The old screws came out for the fusion: integral to it, not a removal of their own. "Fused at
    40 deg" and "fused position 40 degrees" tell today's fusion, not a healed one."""
    note = (
        "op note l middle finger\npt s/p orif l middle p1 fx 2/2024 w/ 2 screws, now post traumatic pip arthritis\n"
        "ga + block, dorsal incision over pip\nthe 2 old screws in the p1 head removed first (in the way), then "
        "cartilage removed, fused at 40 deg w/ headless screw + 1 k wire\nclosure 5-0 nylon\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None
    titled = (
        "Procedure: Arthrodesis left long finger PIP joint with removal of the previous screws.\n"
        "Description: Dorsal incision, the two old P1 screws removed, cartilage removed, headless screw placed. "
        "Fluoro: PIP fused position 40 degrees, screw well contained.\n"
    )
    assert checker.check(titled).procedure.suggested_cpt is None


def test_a_reduction_maintained_with_callus_is_no_refixation(checker: Checker) -> None:
    """b116: an infected wire taken out in the OR; "the fracture reduction was maintained with callus"
    tells healing, not a new fixation that would make the removal integral."""
    note = (
        "procedure in detail: regional block, tourniquet. elliptical incision around the ulnar wire site, abscess "
        "opened, cultures sent, infected tissue debrided down to the wire, the wire was then removed with a needle "
        "driver. radial wire removed through a stab incision. fluoroscopy showed the fracture reduction was "
        "maintained with callus, stable enough for a cast without re-pinning. left thumb spica splint.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"
    held = note.replace("maintained with callus", "held with two new k-wires")
    assert checker.check(held).procedure.suggested_cpt is None


def test_a_removal_weighed_and_a_default_field_remove_nothing(checker: Checker) -> None:
    """b118, b120: carpal tunnel releases beside an old plate, and a case the record system filled
    from its booking; the narrative says what was done."""
    weighed = (
        "Procedure: Right carpal tunnel release. Indications: severe CTS. Old distal radius plate from 2019, healed. "
        "She asked whether the plate should come out; removing it would require a separate, larger exposure, "
        "so it stays.\nDescription: TCL divided under direct vision. Skin closed.\n"
    )
    log = (
        "Procedure: L carpal tunnel release. Wheels in 08:02.\nImplant log: Explanted - none recorded | Implanted - "
        "none\nOp note: 63F, severe L CTS, hx ORIF L distal radius plate 2018. TCL released, plate not exposed.\n"
    )
    booked = (
        "Procedure(s) performed: Removal of hardware, R index finger P1 (26320)    [auto-populated from booking]\n"
        "Explanted: K-wire 0.045 x2    [auto-populated]     Implanted: none\n"
        "Surgeon note: fracture line still visible at 4 wks, not healed. Case CANCELLED before incision; wires left "
        "in place. Rebook 2 wks.\n"
    )
    for note in (weighed, log, booked):
        assert checker.check(note).procedure.suggested_cpt is None, note


def test_a_title_line_naming_the_fusion_first(checker: Checker) -> None:
    """b125: the document's first line is its title; a fusion named before the removal is today's, and
    the old screws that came out for it are integral. "Removal of K-wires, right little finger DIP
    arthrodesis" names the old fusion as the site (a guard)."""
    note = (
        "RIGHT INDEX FINGER PIP JOINT ARTHRODESIS WITH REMOVAL OF PRIOR HARDWARE\n\nDate: 3/26/2024\n"
        "Under general anesthesia, dorsal approach to the PIP. The two old lag screws lay in the path of the fusion "
        "and were removed. Cartilage denuded, joint fixed with a headless screw.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None
    site = (
        "Operation note - removal of buried K-wires, right little finger DIP arthrodesis.   13 April 2024\n"
        "The arthrodesis had been performed on 8 January 2024 with two buried K-wires, removal at three months planned. "
        "Solid union. Under WALANT the wires were removed through two 3 mm incisions.\n"
    )
    assert claim_lines(checker, site) == [("26320", ["F9", "RT"])]


def test_a_dynamic_frame_taken_off_by_its_side_bars(checker: Checker) -> None:
    """b122: the frame named only in the history; today "the bands and side bars were removed and the three
    transosseous pins backed out" under a wrist block: 20694, not 26320."""
    note = (
        "Brief op note. On 08/12/2024 closed reduction and application of a dynamic external fixator to the right "
        "small finger. Today under a wrist block in the main OR the rubber bands and side bars were removed and the "
        "three transosseous pins were backed out and pulled with a pin driver, no skin incision.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None and "20694" in result.procedure.flags


def test_a_block_marked_as_copied_tells_its_own_day(checker: Checker) -> None:
    """b132: a post-op visit that quotes the op note between copy markers removes nothing today; a plan line
    carried forward ends with its line, and the next line's removal is today's (a guard)."""
    visit = (
        "POST-OP VISIT   03/18/2025\nPROCEDURE: Removal of hardware left ring finger (performed 3/4/2025)\n"
        "*** copied forward from op note of 3/4/2025 - for reference ***\nProcedure today: removal of 2 screws L ring "
        "finger P1 through a dorsal incision, screws removed intact.\n*** end of copied text ***\n"
        "Exam: incision healed. Sutures removed today. Assessment: doing well s/p HWR.\n"
    )
    assert checker.check(visit).procedure.suggested_cpt is None
    today = (
        "PLAN (carried forward from 05/19 note): Return to OR at 4-5 weeks for removal of K-wires.\n"
        "PROCEDURE TODAY: In OR, digital block. Both K-wires of the R ring finger P2 removed with needle driver.\n"
    )
    assert checker.check(today).procedure.suggested_cpt == "26320"
