"""Failure classes of blind batches b41-b49 (first contact 2026-12-06): surgeons writing English as a
second language, ward-round and theatre-book shorthand, a pin pull for a patient fixed at another
facility, a complication told beside "s/p", and a diagnosis that names no reason. Notes written for
this file in the classes' words, not copied from the batches."""
from __future__ import annotations

from notecheck.checker import Checker


def _code(checker: Checker, note: str) -> tuple:
    result = checker.check(note)
    return result.procedure.suggested_cpt, sorted(m.code for m in result.modifiers)


def _indications(checker: Checker, note: str) -> set[str]:
    return {i.value for i in checker.check(note).findings.indications}


def _factors(checker: Checker, note: str) -> set[str]:
    return {c.value for c in checker.check(note).findings.complexity_factors}


def test_a_removal_translated_as_retired_is_a_removal(checker: Checker) -> None:
    note = (
        "Operative note 02/05/2025\n"
        "Patient masculine of 41 years. In 2022 operated in our service with plate of the fourth metacarpal of the "
        "left hand; the fracture is consolidated and the plate irritates the extensor.\n"
        "Under axillary block we use the previous dorsal incision, we retire the plate and 4 screws without "
        "problems. Skin with nylon 4-0.\n"
    )
    assert _code(checker, note) == ("26320", ["LT"])


def test_theatre_book_shorthand_names_the_removed_hardware(checker: Checker) -> None:
    note = (
        "Op: HWR L MF P1 - 1.5 plate + 4 scr (ORIF '22 elsewhere).\n"
        "Ind: plate palp dorsally + painful.\n"
        "Old dorsal incision. Plate + all scr out, check XR ok.\n"
        "5-0 nylon. Hand Tx D3.\n"
    )
    result = checker.check(note)
    assert {i.type for i in result.findings.implants} >= {"plate", "screw"}
    assert _code(checker, note) == ("26320", ["F2", "LT"])


def test_ward_round_shorthand_for_wires_removed_yesterday(checker: Checker) -> None:
    note = (
        "WR 11/03/25  D1 post op\n"
        "Yest in theatre: K-w x2 rem'd R ring finger P2 (CRPP 20/02 by us) - pin site inf, pus.\n"
        "O/E: afebrile, dressing dry. Plan: PO abx 1/52, home today.\n"
    )
    result = checker.check(note)
    assert "k_wire" in {i.type for i in result.findings.implants}
    assert result.procedure.suggested_cpt == "26320"


def test_a_british_little_finger_after_its_side(checker: Checker) -> None:
    note = (
        "R LF (5th) P1 # - ORIF 10/01/25 (us), 2 scr. Dist scr backed out, catching on clothes.\n"
        "Back to theatre: old incision, dist scr removed. Prox scr holding, left in. BS to RF.\n"
    )
    assert "F9" in _code(checker, note)[1]


def test_wires_removed_in_clinic_in_a_named_month_are_history(checker: Checker) -> None:
    note = (
        "Day case discharge letter 10/10/2024\n"
        "Your patient had a release of a left middle trigger finger under local anaesthetic today. This finger was "
        "pinned for a P1 fracture last year; those K-wires were removed in clinic in May and the fracture healed.\n"
        "Please arrange suture removal at 10-14 days.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_plan_of_extraction_at_weeks_is_a_staged_removal(checker: Checker) -> None:
    note = (
        "Operative note 12/06/2025\n"
        "Female of 27 years, fracture of the proximal phalanx of the right index finger, operated by us 14/05/2025 "
        "with two K-wires buried under the skin, with planning of extraction at 4 weeks.\n"
        "Today under local anesthesia: small incision over each wire, extraction of the 2 K-wires. Stitches 5-0.\n"
    )
    result = checker.check(note)
    assert "staged_removal" in {i.value for i in result.findings.indications}
    assert result.findings.planned_status.value == "planned"


def test_a_clinic_pin_pull_for_a_patient_fixed_at_an_outside_center(checker: Checker) -> None:
    note = (
        "Hand clinic 05/02/2025\n"
        "New patient. CRPP left ring finger P2 on 01/06/2025 at an outside surgical center.\n"
        "Two exposed 0.045 K-wires with pin caps, sites clean. XR: healed.\n"
        "Pins removed in clinic today, no anesthesia, both pulled with a needle driver.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None
    assert result.findings.approach.type == "percutaneous"


def test_a_complication_told_with_s_p_is_present_now(checker: Checker) -> None:
    note = (
        "PREOP DIAGNOSIS right index finger P1 fracture s/p CRPP with backed-out loose K-wire.\n"
        "PROCEDURE removal of K-wires x2 right index finger P1 in the OR under digital block.\n"
        "INDICATIONS pinned 3 weeks ago with the wires out through the skin; the plan had been to pull them in "
        "clinic at 4 weeks.\n"
        "DESCRIPTION both wires pulled, the second with the driver in reverse. Dressing.\n"
    )
    result = checker.check(note)
    assert {"loosening", "migration"} & {i.value for i in result.findings.indications}
    assert result.findings.planned_status.value == "unplanned"


def test_a_diagnosis_naming_no_reason_leaves_the_story_to_say_why(checker: Checker) -> None:
    note = (
        "Preoperative diagnosis: symptomatic hardware left small finger metacarpal.\n\n"
        "This 52 year old had a plate placed for a 5th metacarpal fracture in 2023. It healed, but the plate is "
        "painful with grip and he can feel the EDQ snapping over it.\n\n"
        "Under general anesthesia the old dorsal incision was opened, the plate and 6 screws removed intact.\n"
    )
    values = _indications(checker, note)
    assert "pain" in values


def test_a_note_stating_no_reason_before_the_operation_keeps_its_catch_all(checker: Checker) -> None:
    """No indications or diagnosis section at all: 'symptomatic hardware' in the description is
    the only reason given, and it is still a reason (the catch-all), not nothing."""
    note = (
        "Operative note\n"
        "Procedure: removal of symptomatic hardware, left ring finger proximal phalanx. Under a digital block "
        "the two screws were removed through the old dorsal incision. Wound closed.\n"
    )
    assert _indications(checker, note) == {"other"}


def test_a_clinic_visit_takes_its_region_from_the_assessment(checker: Checker) -> None:
    note = (
        "Clinic note - established patient\n"
        "HPI: ORIF right thumb P1 fracture in 2023 with two lag screws. Healed. Screw head tender.\n"
        "A/P: Symptomatic hardware R thumb P1. Discussed removal; she will think about it.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt is None
    assert [r.value for r in result.findings.region] == ["finger"]


def test_a_routine_removal_is_how_it_went_not_a_plan(checker: Checker) -> None:
    note = (
        "Operation: removal of metalwork, right ring finger proximal phalanx.\n"
        "Indication: plate prominent and painful with grip; fracture united.\n"
        "Dorsal incision through the old scar, plate and 5 screws removed intact. Routine removal, uneventful.\n"
    )
    result = checker.check(note)
    assert "staged_removal" not in {i.value for i in result.findings.indications}
    assert result.findings.planned_status.value is None


def test_the_usual_time_told_before_this_cases_time_is_extended_time(checker: Checker) -> None:
    note = (
        "Procedure: removal of plate and screws, left index finger proximal phalanx.\n"
        "Description: dense scar over the plate, two screws stripped and removed with the extraction set.\n"
        "Modifier 22: a P1 plate removal would typically take about 35 minutes in my hands. Here the tourniquet "
        "was up for 105 minutes because of the scar and the stripped screws.\n"
    )
    values = _factors(checker, note)
    assert "extended_time" in values


def test_a_shorthand_usual_time_in_brackets_is_extended_time(checker: Checker) -> None:
    note = (
        "Op: HWR R SF P1 plate + 5 scr.\n"
        "Dense scar ++, EDC stuck to plate. Scr x2 stripped -> extractor set.\n"
        "Tq 90 min (usu ~25) d/t above. All HW out.\n"
    )
    values = _factors(checker, note)
    assert "extended_time" in values


def test_a_nerve_caught_in_the_scar_is_neurovascular_work_and_a_protected_one_is_not(checker: Checker) -> None:
    caught = (
        "Procedure: removal of plate, right thumb proximal phalanx.\n"
        "Dense scar over the plate; two branches of the superficial radial nerve were embedded within this scar "
        "directly over the plate and were freed under loupes. Plate and 4 screws removed.\n"
    )
    routine = (
        "Procedure: removal of plate, right thumb proximal phalanx.\n"
        "The radial digital nerve was identified and protected, the extensor was adherent to the plate and freed. "
        "Plate and 4 screws removed.\n"
    )
    assert "neurovascular_proximity" in _factors(checker, caught)
    assert "neurovascular_proximity" not in _factors(checker, routine)


def test_a_volar_ulnar_plate_is_on_a_finger_not_the_ulna(checker: Checker) -> None:
    note = (
        "removal of the plate from her right middle finger proximal phalanx which was put in by me in 2022. "
        "under general anesthesia a volar-ulnar midaxial incision was made over the old scar and the volar-ulnar "
        "plate and four screws were removed. closure with 5-0 nylon.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert "ulna" not in {b.value for b in result.findings.bones}


def test_plate_buried_under_a_shell_of_bone_and_a_time_against_the_ordinary_case(checker: Checker) -> None:
    note = (
        "Removal of plate, left index finger proximal phalanx. The plate was completely buried under a shell of "
        "new cortical bone which had to be taken down with an osteotome. Tourniquet time was 90 minutes against "
        "roughly 35 for an ordinary phalangeal plate removal.\n"
    )
    values = _factors(checker, note)
    assert {"embedded_hardware", "extended_time"} <= values


def test_each_hands_finger_named_with_its_side_makes_the_operation_bilateral(checker: Checker) -> None:
    note = (
        "OPERATIVE REPORT\n"
        "Procedures:\n"
        " 1. Removal of screw, RIGHT index finger middle phalanx\n"
        " 2. Removal of K-wire, LEFT ring finger proximal phalanx\n"
        "Anesthesia: general\n\n"
        "Procedure: Right index first: midaxial incision, screw exposed and backed out with the driver. Skin closed.\n"
        "Left ring finger: small incision over the buried wire end, K-wire removed intact. Skin closed.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "bilateral"
    assert sorted(m.code for m in result.modifiers) == ["F3", "F6", "LT", "RT"]


def test_a_procedure_on_another_finger_does_not_absorb_the_removal(checker: Checker) -> None:
    note = (
        "PROCEDURES:\n"
        "1. Amputation, left small finger, through the PIP joint.\n"
        "2. Removal of buried K-wires x2, left ring finger proximal phalanx.\n"
        "DESCRIPTION: Small finger disarticulated at the PIP and closed. Ring finger: two 4 mm incisions over the "
        "wire ends, both K-wires removed intact. 5-0 nylon.\n"
    )
    assert _code(checker, note) == ("26320", ["F3", "LT"])


def test_the_same_procedure_on_the_removals_own_finger_still_absorbs_it(checker: Checker) -> None:
    note = (
        "PROCEDURES:\n"
        "1. Revision ORIF, left ring finger proximal phalanx nonunion.\n"
        "2. Removal of K-wires x2, left ring finger proximal phalanx.\n"
        "DESCRIPTION: both K-wires removed, nonunion debrided and fixed with a plate and 5 screws.\n"
    )
    assert _code(checker, note)[0] is None


def test_an_rtf_export_reads_its_words_without_the_control_words(checker: Checker) -> None:
    note = (
        "{\\rtf1\\ansi\\deff0\\f0\\fs20\n"
        "{\\b Procedure:} Removal of plate and screws, left thumb metacarpal.\\par\n"
        "{\\b Description:} Dorsal incision, plate and 5 screws removed intact.\\par\n}\n"
    )
    assert _code(checker, note) == ("26320", ["LT"])


def test_a_finger_on_one_side_and_a_metacarpal_on_the_other_are_bilateral(checker: Checker) -> None:
    note = (
        "Laterality ........ Bilateral\n"
        "PROCEDURE(S)\n"
        "  1) Removal of 2 screws, left ring finger middle phalanx\n"
        "  2) Removal of plate and 6 screws, right fifth metacarpal\n"
        "PROCEDURE DETAIL\n"
        "  Left side first: midaxial incision over ring P2, 2 x 1.3 mm screws removed intact. Closed.\n"
        "  Right side: dorsal incision over the fifth MC, the plate exposed. Six screws and the plate removed.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "bilateral"
    assert sorted(m.code for m in result.modifiers) == ["F3", "LT", "RT"]


def test_a_removal_booked_when_the_wires_went_in_is_planned(checker: Checker) -> None:
    note = (
        "PROCEDURE: Removal of buried K-wires, right ring finger proximal phalanx.\n"
        "INDICATIONS: 5 weeks after CRPP. The wires were buried at the index procedure so they could stay 5 weeks; "
        "removal in the OR was scheduled at that time. Fracture healed.\n"
        "PROCEDURE: 2 mm incision over the wire end, K-wire x2 removed with a needle driver.\n"
    )
    assert checker.check(note).findings.planned_status.value == "planned"


def test_a_fractured_implant_is_breakage(checker: Checker) -> None:
    note = (
        "PROCEDURE: Removal of silicone implant, left ring finger PIP joint.\n"
        "HISTORY: Silicone PIP arthroplasty 2016. Implant fracture on XR with a painful PIP.\n"
        "PROCEDURE: Dorsal approach, the fractured implant removed in two pieces. Closure.\n"
    )
    assert "breakage" in _indications(checker, note)


def test_a_tension_band_loop_stated_subcutaneous_is_a_superficial_removal(checker: Checker) -> None:
    note = (
        "Procedure: Removal of tension band wire, right ulnar styloid. Anaesthesia: local, minor procedures room.\n"
        "Hx: ulnar styloid fracture fixed with a tension band wire 2023, healed; the knot is painful under the skin.\n"
        "1.5 cm incision over the knot, which lay immediately subcutaneous. The wire loop was cut and pulled out. "
        "No deep dissection. One 4-0 nylon suture.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "20670"


def test_r_o_before_hardware_is_its_removal_and_4_52_its_plan(checker: Checker) -> None:
    note = (
        "05/06/24 DSU\n"
        "R/O K-wires R MF P1 (CRPP 08/05/24, planned 4/52)\n"
        "LA + tourniquet, stab incisions x2, both wires out intact.\n"
        "XR: # united. Steri-strips.\n"
    )
    result = checker.check(note)
    assert _code(checker, note) == ("26320", ["F7", "RT"])
    assert result.findings.planned_status.value == "planned"


def test_an_incision_over_the_wire_tip_is_over_the_k_wire(checker: Checker) -> None:
    note = (
        "Procedure note. R wrist: buried K-wire end at the radial styloid from distal radius pinning 3 months ago, "
        "tenting the skin. 2 mL 1% lido. 5 mm incision over the wire tip, grasped and pulled out intact. "
        "Steri-strips.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "20670"


def test_a_cannulated_screw_removed_over_the_wire_leaves_no_wire_removed(checker: Checker) -> None:
    note = (
        "Removal of headless screw, left thumb proximal phalanx. A guidewire was passed down the cannulation and "
        "the screw was removed over the wire with the cannulated driver, intact.\n"
    )
    types = {i.type for i in checker.check(note).findings.implants}
    assert types == {"screw"}


def test_a_complication_told_as_over_is_history(checker: Checker) -> None:
    for told in ("a stitch abscess which has fully resolved", "a superficial infection at 2 weeks that was treated "
                 "with oral antibiotics and settled completely"):
        note = (
            f"Indications: plate prominent and painful; healed fracture. The wound had {told}.\n"
            "Procedure: removal of plate and screws, left index finger proximal phalanx, through the old incision.\n"
        )
        result = checker.check(note)
        assert "infection" not in {i.value for i in result.findings.indications}, told
        assert result.findings.planned_status.value is None, told


def test_a_line_opening_with_the_block_starts_the_operation_after_an_exam(checker: Checker) -> None:
    note = (
        "Proc room note 6/02/25\n"
        "R middle finger - buried K-wire, distal phalanx, pinned 5/12/25. Wire end now through the skin.\n"
        "Exam: wire end exposed through a 2 mm breach at the tip, no purulence.\n"
        "Digital block 1% plain lido 3 mL, prep, time-out. Wire grasped with a needle driver and backed out intact.\n"
        "Plan: wound check 1 wk.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"


def test_a_removal_told_by_a_pronoun_takes_the_hardware_named_before_it(checker: Checker) -> None:
    note = (
        "6:40 PM quick update, pt in OR 3: L index fingertip infected around the distal phalanx screw from the ORIF "
        "on 4/1, pus at old incision, screw exposed in wound base.\n"
        "Took it out thru the old incision, washed out, cx sent. Packed open.\n"
    )
    result = checker.check(note)
    assert {i.type for i in result.findings.implants} == {"screw"}
    assert _code(checker, note) == ("26320", ["F1", "LT"])
