"""Templates and forms that say something else than what was done: a smart-phrase the author
disowns on the next line, an addendum that withdraws a carried-over procedure line, and a schedule
that gives the side in a column of its own."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_a_template_line_disowned_below_it_tells_nothing(checker: Checker) -> None:
    note = (
        "Hand clinic f/u 07/08/2025\n"
        "S: 4 wk s/p CRPP R ring finger P2 fx, 2 K-wires left out through skin w/ pin caps.\n"
        "PROCEDURE: [.PINREMOVAL] Under digital block a small incision was made over the pins and they were "
        "removed; wound closed with 5-0 nylon.\n"
        "  -- pls disregard template text above, not what was done: no block, no incision. caps off and both "
        "exposed pins pulled w/ needle driver in the clinic chair, bandaid --\n"
        "A/P: pins out as planned at 4 wks.\n"
    )
    result = checker.check(note)
    # The exposed pins pulled in the chair are the global package's pin pull, not a 26320.
    assert result.procedure.suggested_cpt is None
    assert not any(a.value in ("digital_block", "local") for a in result.findings.anesthesia)


def test_an_addendum_saying_no_hardware_was_removed_withdraws_the_procedure_line(checker: Checker) -> None:
    note = (
        "Procedure: 1. Open carpal tunnel release, right. 2. Removal of hardware, right wrist.\n"
        "Description: TCL released under direct vision. The old volar plate was palpable; it was not exposed.\n"
        "Addendum 10/21/2025: Item 2 in the procedure list above was carried over from the template of the "
        "preceding case and is deleted. No hardware was removed in this operation.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_schedules_side_column_gives_the_side(checker: Checker) -> None:
    note = (
        "MAIN OR -- 02/19/2025 -- ROOM 4\n"
        "Time | Pt | Procedure | Side | Anes | Post-op comment\n"
        "0745 | [name] F/44 | ROH plate/screws small finger P1, hx ORIF 06/11/2024 | L | regional | plate + 5 "
        "screws out thru old mid-lateral incision. fx healed. 38 min. closed 5-0 nylon.\n"
        "0900 | (TURNOVER)\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F4", "LT"])]


def test_a_table_without_a_side_column_reads_no_side_from_a_bare_letter(checker: Checker) -> None:
    # A guard: a lone "L" in a cell of another column is no side.
    note = (
        "Item | Size | Count | Lot\n"
        "1.5 mm plate | 6 hole | 1 | L\n"
        "Procedure: removal of plate and screws, small finger P1, through the old incision.\n"
    )
    assert checker.check(note).findings.laterality.value is None


def test_a_description_naming_another_digit_throughout_outweighs_cloned_headers(checker: Checker) -> None:
    note = (
        "PREOPERATIVE DIAGNOSIS: Retained K-wires, right ring finger proximal phalanx.\n"
        "PROCEDURE: Removal of K-wires, right ring finger.\n"
        "ANESTHESIA: Digital block.\n"
        "PROCEDURE IN DETAIL: A digital block was placed at the base of the right long finger. Time-out "
        "confirmed the right long finger. Under fluoroscopy the two buried wire ends were localized at the "
        "radial base of the long finger proximal phalanx. A 1-cm incision was made and the wire ends were "
        "removed intact.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F7", "RT"])]


def test_a_metacarpal_named_by_its_finger_keeps_its_header(checker: Checker) -> None:
    # A guard: "ring finger (fourth) metacarpal" names the ray; the ring and small tendons retracted in
    # the description are no other site.
    note = (
        "Procedure: Removal of plate and six screws, right fourth metacarpal (ring finger metacarpal).\n"
        "Description: the prior dorsal incision was reopened. The EDC tendons to the small finger were "
        "retracted ulnarly; the small finger extensor was frayed. Plate and six screws removed.\n"
    )
    result = checker.check(note)
    assert [d.value for d in result.findings.digits] == []
    assert claim_lines(checker, note) == [("26320", ["RT"])]


def test_a_line_tagged_as_copied_tells_another_day(checker: Checker) -> None:
    note = (
        "Ortho hand f/u 8/29/24\n"
        "Procedure: Removal of hardware R SF P1 plate/screws [copied from op note]\n"
        "S: 3 wks s/p ROH R SF P1 plate + 4 screws 8/8/24 for prominence. Incision itchy.\n"
        "O: incision healed, sutures removed today.\n"
        "P: scar massage, ROM. RTC prn.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_dated_label_dates_the_fixation_it_heads(checker: Checker) -> None:
    # "Index 4/8/2025: ... pinning" is the index operation's wire, not one placed and pulled today.
    note = (
        "DOS 5/20/2025  Procedure room\n"
        "- Dx: healed bony mallet fx, L long finger distal phalanx; buried K-wires x2\n"
        "- Index 4/8/2025: extension block pinning L long finger, two 0.045 wires cut and buried.\n"
        "- Anesth: digital block\n"
        "- 4 mm incision over the P2 head wire end, wire out w/ needle driver, intact\n"
        "- 4 mm incision at the fingertip over the second wire end, wire out, intact\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F2", "LT"])]


def test_a_line_tagged_as_the_template_default_tells_nothing_of_this_visit(checker: Checker) -> None:
    note = (
        "HAND CLINIC - POST-OP VISIT   Visit date: 08/06/2025\n"
        "Interval hx: s/p CRPP L long finger P2 fx on 07/07/2025, 2 K-wires left out through the skin with pin caps.\n"
        "XR today: fracture healed.\n"
        "Procedure: Removal of implant, finger - under digital block   {tag}\n"
        "   Actual: pin caps removed, both exposed K-wires pulled with a needle driver here in clinic, no anesthesia\n"
        "   needed. Pin sites cleaned, bandaids.\n"
    )
    for tag in ("[template default]", "(auto-populated)", "[not edited]"):
        result = checker.check(note.format(tag=tag))
        assert result.procedure.suggested_cpt is None, tag
        assert [i.type for i in result.findings.implants] == ["k_wire"], tag


def test_a_modifier_22_paragraph_left_by_the_template_or_disowned_earns_no_22(checker: Checker) -> None:
    left_in = (
        "Anesthesia: MAC + wrist block\n"
        "Modifier 22 justification: Dense scar tissue requiring extensive dissection; procedure took significantly longer\n"
        "than typical. [template text - delete if not applicable]\n\n"
        "PREOP DX: Symptomatic plate R long finger P1, healed fracture\n"
        "DESCRIPTION: Block, time-out R long finger. Prior radial midaxial incision reopened. Minimal scar. Plate "
        "lifted out after removal of the 4 screws, all intact. 5-0 nylon.\n"
    )
    disowned = (
        "PREOP DX: Symptomatic plate R long finger P1, healed fracture\n"
        "DESCRIPTION: Block, time-out R long finger. Prior incision reopened. Plate and 4 screws removed intact.\n"
        "Dense scar with extensive dissection required, significant additional time (approx 2 hrs), hardware "
        "embedded in bone.\n\n"
        "Surgeon note: the statement above was pre-filled by the template from a previous case and does not apply.\n"
    )
    # The instruction on a line of its own, the bracket closing on its last word.
    own_line = (
        "DESCRIPTION: Block, time-out R long finger. Prior incision reopened. Plate and 4 screws removed intact.\n"
        "Dense scar with extensive dissection required, significant additional time (approx 2 hrs), hardware "
        "embedded in bone.[template text - delete if not applicable]\n"
    )
    for note in (left_in, disowned, own_line):
        assert claim_lines(checker, note) == [("26320", ["F7", "RT"])]
    # Kept, the same paragraph earns 22.
    kept = disowned.split("\n\nSurgeon note")[0] + "\n"
    assert "22" in claim_lines(checker, kept)[0][1]


def test_a_form_field_answered_no_denies_its_label(checker: Checker) -> None:
    note = (
        "Index procedure: ORIF R ring finger P2 condylar fx 06/12/2024 (2 x 1.3 mm lag screws)\n"
        "Planned/staged: {answer}\n"
        "Anesthesia: MAC + digital block\n"
        "Indications: screw heads prominent and painful with grip; fracture healed.\n"
        "Procedure: midaxial incision, both screws removed intact. 5-0 nylon.\n"
    )
    assert checker.check(note.format(answer="NO")).findings.planned_status.value is None
    assert checker.check(note.format(answer="No - symptomatic hardware")).findings.planned_status.value is None
    assert checker.check(note.format(answer="YES - per index op note")).findings.planned_status.value == "planned"
