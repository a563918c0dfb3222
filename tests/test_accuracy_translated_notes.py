"""Notes an EHR machine-translated into English (blind batch b103 met the rules at code 0.750): the
hardware named as "material of osteosynthesis" or "broches", removed by "extraction" or "ablation", a
plan "programmed" at the first operation, and the German "status after" that dates an operation but
not the state told after it (a guard: the first reading of it lost three healed fractures). Also
scanned notes (b106) whose OCR read letter groups for others ("rn" for "m")."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_extraction_of_the_material_of_osteosynthesis(checker: Checker) -> None:
    note = (
        "INTERVENTION: Extraction of the material of osteosynthesis (needles of Kirschner x2), third finger of the "
        "left hand, proximal phalanx.\n"
        "DESCRIPTION: Digital block. Small incision of 4 mm over each end, the needles are extracted with "
        "needle-holder without incidences. Fracture consolidated.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F2", "LT"])]


def test_ablation_of_the_broches(checker: Checker) -> None:
    note = (
        "Gesture: Ablation of the 2 broches of P1 of the 5th finger, left hand.\n"
        "Description: axillary block, incision of 5 mm in regard of the end of each broche, ablation with a Kocher "
        "pincer. The ablation of the material was programmed at 5 weeks at the first intervention.\n"
    )
    result = checker.check(note)
    assert claim_lines(checker, note) == [("26320", ["F4", "LT"])]
    assert result.findings.planned_status.value == "planned"


def test_status_after_dates_the_operation_not_the_healing(checker: Checker) -> None:
    note = (
        "Diagnosis: Status after plate osteosynthesis of the proximal phalanx of the right ring finger (03/2024), "
        "fracture consolidated; plate irritating the extensor tendon.\n"
        "Operation: Removal of the plate and 5 screws, right ring finger, through the old dorsal incision, under "
        "plexus anaesthesia.\n"
    )
    result = checker.check(note)
    assert "fracture_healed" in [i.value for i in result.findings.indications]
    assert claim_lines(checker, note) == [("26320", ["F8", "RT"])]


def test_a_finger_counted_in_roman_numerals(checker: Checker) -> None:
    # b104 (Italian, Polish, Dutch): fingers counted from the thumb, in Roman numerals.
    note = (
        "Intervention: Removal of means of synthesis (plaque and screws) IV finger left hand, proximal phalanx.\n"
        "Description: plexus anaesthesia. Cutaneous incision on previous scar, the plaque and 5 screws removed.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F3", "LT"])]


def test_k_threads_of_dig_iii_and_dig_iv(checker: Checker) -> None:
    note = (
        "Intervention: Removal OSM (K-threads) dig III and dig IV right hand.\n"
        "Dig III: two stab incisions over the palpable ends, the 2 K-threads pulled out with a needle holder. "
        "Dig IV: idem, 2 K-threads removed. Wrist block.\n"
    )
    assert sorted(claim_lines(checker, note)) == [("26320", ["F7", "RT"]), ("26320", ["F8", "RT"])]


def test_the_mother_finger_is_the_thumb_not_a_relative(checker: Checker) -> None:
    note = (
        "Surgical method: Left mother finger base node bone screw removal.\n"
        "Under conduction block, skin incision 2 cm along the previous wound at the ulnar side of the left mother "
        "finger, 2 screws removed.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["FA", "LT"])]


def test_ocr_letter_confusions_read_back(checker: Checker) -> None:
    # b106: a scanned note whose OCR wrote "rn" for "m", "cl" for "d" and "ri" for "n".
    note = (
        "PROCEDURE ROOM NOTE\n"
        "Dx: healed fx distal phalanx, left middle finger. Buried K-wire.\n"
        "Digital block. 3 mm incision over wire end at tip of finger, wire grasped w/ needle driver and removecl "
        "iritact. Steri-strip.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F2", "LT"])]


def test_ocr_read_back_needs_one_rule_word() -> None:
    from pipelines.normalizer import Speller

    speller = Speller({"removal", "removed", "intact"}, frozenset({"modern"}), 6, {"m": ["rn"], "d": ["cl"], "n": ["ri"]})
    assert speller.correct("rernoval") == "removal"
    assert speller.correct("removecl") == "removed"
    assert speller.correct("modern") is None  # spelt right: never read back
    assert speller.correct("cornrnon") is None  # no rule word behind it


def test_deletion_of_the_metal_construction_from_the_nameless_finger(checker: Checker) -> None:
    # b107 (Russian, Ukrainian): the removal as "deletion", the hand as a "brush", the ring finger "nameless".
    note = (
        "Operation: Deletion of the metal construction (2 screws) from the middle phalanx of the nameless finger of "
        "the left brush.\n"
        "Course of operation: under conduction anaesthesia, along the old scar a cut 2 cm, 2 screws removed.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F3", "LT"])]


def test_a_plaque_beside_its_screws_is_a_plate(checker: Checker) -> None:
    note = (
        "Operation: Exiting of plaque and 4 screws from the proximal phalanx of the small finger of the right hand.\n"
        "Under block, through the old incision, the plaque and 4 screws were removed.\n"
    )
    assert {i.type for i in checker.check(note).findings.implants} == {"plate", "screw"}
