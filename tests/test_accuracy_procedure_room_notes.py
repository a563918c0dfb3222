"""Procedure-room notes by PAs, residents and hand surgeons (blind batches b117-b121): the state
"wires in place" is no placement (it made a planned removal look provisional); a phalanx named
without its finger ("dist phalanx") takes the one finger the note names; an old plate whose
"removal is not planned" stays (present tense; "the removal was not planned" tells an unplanned
return, which did happen)."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_wires_in_place_are_not_wires_placed(checker: Checker) -> None:
    note = (
        "PROC NOTE (res) 03/04/2025 R SF procedure rm\n"
        "s/p CRPP R small finger P2 shaft fx 1/14/2025, 2 buried K-wires, removal at 6 wks planned at time of CRPP.\n"
        "XR: fx united, wires in place.\nDig block R SF, 2 x 3 mm incisions, wires found w/ hemostat, both removed "
        "intact. 5-0 nylon x2.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F9", "RT"])]


def test_a_distal_phalanx_takes_the_finger_named_elsewhere(checker: Checker) -> None:
    note = (
        "5/20/2025 proc rm note - R thumb. 61F, s/p IP fusion 3/2024 w/ headless screw. Fusion solid on XR. Screw "
        "tail prominent at tip of thumb, pain w/ pinch.\nDig block. 5 mm incision at tip dist phalanx, screw located "
        "w/ fluoro + removed w/ driver, intact. 5-0 nylon x2.\n"
    )
    result = checker.check(note)
    assert [d.value for d in result.findings.digits] == ["thumb"]
    assert claim_lines(checker, note) == [("26320", ["F5", "RT"])]


def test_a_removal_that_is_not_planned_is_not_done(checker: Checker) -> None:
    note = (
        "Operation: excision of mucous cyst, left ring finger DIP. Anamnesis: in 2019 osteosynthesis of the 4th "
        "metacarpal with a plate; the plate does not disturb, its removal is not planned; on X-ray the plate is in "
        "place.\nCyst excised with the osteophyte, skin closed.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None
    unplanned = ("Procedure: removal of migrated K-wire, left ring finger P1, in the OR under block; the removal was "
                 "not planned - the wire backed out at 3 weeks. Wire removed intact.\n")
    assert claim_lines(checker, unplanned) == [("26320", ["F3", "LT"])]


def test_a_small_incision_over_a_palpable_wire_is_superficial(checker: Checker) -> None:
    """b119, b121: a wrist wire taken out through a small incision with simple closure is 20670
    (DOMAIN 2.2); a layered closure keeps 20680."""
    note = (
        "Procedure: local 1% lido. Prep. Two small incisions (5 mm) over the palpable wire ends of the right radial "
        "styloid, each K-wire grasped and withdrawn intact. Steri-strips, no sutures.\n"
    )
    assert claim_lines(checker, note) == [("20670", ["RT"])]
    knot = ("Procedure: left ulnar styloid tension band. 2 cm incision directly over the palpable knot; cerclage wire "
            "cut and removed, both K-wires backed out. 2 simple nylon sutures; no layered closure required.\n")
    assert claim_lines(checker, knot) == [("20670", ["LT"])]
    deep = ("Procedure: left radial styloid. Longitudinal incision, the first extensor compartment retracted, both "
            "K-wires removed from the bone. Layered closure.\n")
    assert claim_lines(checker, deep) == [("20680", ["LT"])]


def test_a_spanning_bridge_plate_is_one_wrist_construct(checker: Checker) -> None:
    """b116, b121: one plate from the radius to a metacarpal is one construct, 20680 once
    (DOMAIN 2.1-2); a radius plate beside separate metacarpal screws stays two sites."""
    note = (
        "Procedure: Removal of dorsal spanning (bridge) plate and screws, L distal radius to L 3rd metacarpal.\n"
        "Description: dorsal incisions over the radius and the 3rd metacarpal, EPL protected, 6 screws and the plate "
        "removed intact. Layered closure.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "20680"
    assert result.findings.spanning_plate
    two_sites = ("Procedure: removal of volar plate, left distal radius, and of 2 lag screws, left 4th metacarpal.\n"
                 "Description: volar approach, plate and 7 screws removed; separate dorsal incision over the 4th "
                 "metacarpal, both lag screws removed. Layered closure.\n")
    assert checker.check(two_sites).procedure.suggested_cpt == "26320"


def test_a_side_written_into_the_digit_and_a_shortened_dominance(checker: Checker) -> None:
    """b121: "25F, R hand dom, s/p CRPP L IF P2": the dominance is no side, and "L IF" names its own side."""
    note = (
        "31M, R hand dom, s/p CRPP L IF P2 neck fx on 8/12/2025 (2 K-wires buried; plan at surgery was to pull them "
        "at 4 wk).\nCame in today bc one wire is poking out through the skin, other wire in position on XR.\n"
        "Plan: remove the backed out wire today, keep the other.\n"
        "Proc: removal migrated K-wire L index finger middle phalanx (P2)\n- digital block\n- skin incised 3 mm, wire "
        "withdrawn intact\n"
    )
    result = checker.check(note)
    assert [(d.value, d.side) for d in result.findings.digits] == [("index", "left")]
    assert result.findings.laterality.value == "left"


def test_lf_said_to_be_the_long_finger(checker: Checker) -> None:
    note = "Proc rm: R LF (long) P3 base fx s/p CRPP; digital block, 2 buried K-wires removed through a stab incision.\n"
    assert [d.value for d in checker.check(note).findings.digits] == ["middle"]
    little = "Proc rm: R LF P3 base fx s/p CRPP; digital block, 2 buried K-wires removed through a stab incision.\n"
    assert [d.value for d in checker.check(little).findings.digits] == ["small"]


def test_deep_work_told_in_other_words_keeps_20680(checker: Checker) -> None:
    """b124: the wires lay on bone under the compartments, the retinacula were repaired in layers; the
    "superficial radial n branches" are a nerve, not a depth."""
    note = (
        "Proc: removal of buried K-wires x2, right distal radius. Time out. 2 cm incision over radial styloid, "
        "superficial radial n branches identified and retracted, 1st compartment retinaculum incised, both wires "
        "found on bone and removed intact. Retinacula repaired 4-0 Vicryl, skin 4-0 nylon (layered).\n"
    )
    assert claim_lines(checker, note) == [("20680", ["RT"])]


def test_a_plan_that_records_the_operation_as_done_today(checker: Checker) -> None:
    """b128: "P: ... Done today in office proc rm: - dig block - 4mm incision - wire pulled": the plan line
    is the operation's account, with its block and incision (26320, not a pin pull)."""
    note = (
        "S: s/p CRPP R middle finger P3 2/24/2025, 1 KW cut & buried, wants the metal out.\n"
        "A: retained buried KW R middle finger P3, healed fx.\n"
        "P: Discussed leaving it - pt declines. Done today in office proc rm:\n   - dig block 4 mL 1% lido\n"
        "   - 4mm incision volar-radial tip over wire\n   - wire found, pulled w/ needle driver, intact\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F7", "RT"])]


def test_pins_pulled_without_anaesthesia_in_a_procedure_room_are_a_pin_pull(checker: Checker) -> None:
    note = (
        "Proc Room 2 - Hand\n- Dx: L index finger P1 fx s/p CRPP 6/27/2025, 2 KW left out through skin w/ pin caps\n"
        "- No anesthesia, no local needed\n- Caps off, both pins pulled w/ needle driver, intact. No incision.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_what_the_fracture_had_done_is_no_past_operation(checker: Checker) -> None:
    """b132: "Since the fracture had united the screw was remvoed with the cannulated driver" is today's
    removal; "had united" tells the fracture's state, not an operation the patient had."""
    note = (
        "FINDINGS: The headless compression screw placed on 03/04/2024 had backed out 3 mm from the proximal pole of "
        "the right scaphoid. Scaphoid fracture united. Since the fracture had united the screw was remvoed with the "
        "cannulated driver through a dorsal capsulotomy. Capsule closed, layered closure.\n"
    )
    assert claim_lines(checker, note) == [("20680", ["RT"])]
