"""Operative notes written in English by surgeons trained in continental Europe and Latin America
(blind batch b59's failure classes): digits as "D II" or "dig. IV", sides as "li."/"re." or in the
mother tongue, "Intervention:" and "Procedere:" headers, plexus anaesthesia, month.year dates, and an
"Index: <date>" line that tells the index operation."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines as _lines


def test_digits_numbered_in_roman_with_a_german_side(checker: Checker) -> None:
    note = (
        "OP report 03.04.2025\n"
        "Dx: symptomatic osteosynthesis material P1 dig. IV li. after plate osteosynthesis 2023, fracture consolidated.\n"
        "OP: Removal of OSM (plate + 5 screws) dig. IV li. in plexus anaesthesia.\n"
        "Dorsal incision in the old scar, extensor split, plate and screws removed. Skin 5-0.\n"
    )
    assert _lines(checker, note) == [("26320", ["F3", "LT"])]


def test_two_digits_labelled_d_ii_and_d_iii(checker: Checker) -> None:
    note = (
        "Procedure: removal of the Kirschner wires from P1 of D II and D III right, in the OR.\n"
        "- D II: 3 mm incision over the wire ends, 2 wires extracted.\n"
        "- D III: the same, 2 wires extracted.\n"
    )
    assert sorted(_lines(checker, note)) == [("26320", ["F6", "RT"]), ("26320", ["F7", "RT"])]


def test_a_finger_named_in_german_with_its_side_in_german(checker: Checker) -> None:
    note = "Diagnosis: irritating plate, Zeigefinger links. Operation: removal of plate and 4 screws, WALANT, dorsal incision.\n"
    result = checker.check(note)
    assert [d.value for d in result.findings.digits] == ["index"] and result.findings.laterality.value == "left"


def test_a_wire_placed_month_dot_year_is_the_index_operation(checker: Checker) -> None:
    note = (
        "Left wrist. Buried K-wire in the ulnar styloid, placed 10.2024 with the radius plate (the plate stays).\n"
        "Procedure in local anaesthesia: 8 mm incision over the wire end, the wire grasped and pulled out. 2 stitches.\n"
    )
    result = checker.check(note)
    assert [i.type for i in result.findings.implants] == ["k_wire"]  # removed today, not "placed" today
    assert {line.cpt for line in result.claim_lines} == {"20670"} and "ulna" in [b.value for b in result.findings.bones]


def test_an_index_line_with_its_date_tells_the_past_operation(checker: Checker) -> None:
    note = (
        "OP NOTE - K-wire removal\n"
        "Index: 2/11/25 CRPP L ring P1 fx, two buried 0.045 K-wires.\n"
        "Today: staged removal, fracture healed. Digital block.\n"
        "- L ring P1: 2 stab incisions over the wire ends, both wires pulled intact.\n"
    )
    assert _lines(checker, note) == [("26320", ["F3", "LT"])]


def test_an_intervention_header_names_the_osteotomy_the_removal_belongs_to(checker: Checker) -> None:
    note = (
        "Diagnosis: malunion P1 4th finger left after plate osteosynthesis 11.2023.\n"
        "Intervention: corrective osteotomy P1 dig. IV left, with removal of the old plate and new plate osteosynthesis.\n"
        "Dorsal approach through the previous scar; the old plate and 6 screws are removed, osteotomy, new plate 2,0 mm.\n"
        "Procedere: control in 10 days.\n"
    )
    assert _lines(checker, note) == []


def test_a_scaphoid_screw_under_plexus_anaesthesia_through_a_capsulotomy_is_deep(checker: Checker) -> None:
    note = (
        "OP: removal of the headless screw from the scaphoid, left.\n"
        "Anaesthesia: plexus. Dorsal approach through the 3rd extensor compartment, capsulotomy, the screw removed "
        "retrograde with the screwdriver. Capsule closure, skin.\n"
    )
    assert [line.cpt for line in checker.check(note).claim_lines] == ["20680"]


def test_an_incision_on_the_ulnar_side_of_a_finger_is_not_the_ulna(checker: Checker) -> None:
    note = (
        "Procedure: removal of K-wires, left 5th finger, axillary block.\n"
        "5th finger: 4 mm incision ulnar, 1 K-wire extracted. Nylon 5-0.\n"
    )
    result = checker.check(note)
    assert "ulna" not in [b.value for b in result.findings.bones]
    assert _lines(checker, note) == [("26320", ["F4", "LT"])]


def test_the_operation_begins_at_a_line_opening_with_the_local_after_a_history_line(checker: Checker) -> None:
    note = (
        "NP procedure note - procedure room   DOS 03/04/2025\n"
        "Hx: L radial styloid fx CRPP 01/21/2025, two K-wires buried under the skin, removal under local planned at 6 wks.\n"
        "Local 5 mL 1% lidocaine. 1 cm incision over the wire ends, both wires removed intact. Skin 4-0 nylon.\n"
    )
    result = checker.check(note)
    assert [i.type for i in result.findings.implants] == ["k_wire"]
    assert result.findings.approach.documented and result.claim_lines


def test_a_wire_from_a_metatarsal_named_in_shorthand_is_a_foot_removal(checker: Checker) -> None:
    note = (
        "Day procedure. L foot. Buried K-wire from her 1st MT osteotomy, now prominent under the skin medially.\n"
        "Local infiltration. 1 cm incision directly over the wire tip, wire out with pliers. Steristrips.\n"
    )
    assert _lines(checker, note) == [("20670", ["LT"])]
