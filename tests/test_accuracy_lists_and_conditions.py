"""Digits named in a coordinated list, operations listed inline, and conditions that qualify where
a planned removal happens rather than whether it happens."""
from __future__ import annotations

from notecheck.checker import Checker


def _digits(checker: Checker, note: str) -> list[str]:
    return [d.value for d in checker.check(note).findings.digits]


def _finger_modifiers(checker: Checker, note: str) -> set[str]:
    return {m for line in checker.check(note).claim_lines for m in line.modifiers if m.startswith("F")}


def test_a_middle_finger_named_between_two_others(checker: Checker) -> None:
    note = (
        "PROCEDURE: Removal of plates and screws, left index, middle and ring finger proximal phalanges.\n"
        "Under general anesthesia, separate dorsal incisions; the three plates and 16 screws were removed.\n"
    )
    assert _digits(checker, note) == ["index", "middle", "ring"]
    assert _finger_modifiers(checker, note) == {"F1", "F2", "F3"}


def test_long_and_small_fingers_in_a_list(checker: Checker) -> None:
    note = "Procedure: removal of K-wires, right long and small fingers, in the office under digital block. Both wires pulled.\n"
    assert sorted(_digits(checker, note)) == ["middle", "small"]


def test_middle_before_another_bone_is_the_phalanx_not_the_finger(checker: Checker) -> None:
    note = (
        "Procedure: removal of a K-wire crossing the middle and distal phalanges of the left index finger. "
        "Wire removed under a digital block.\n"
    )
    assert _digits(checker, note) == ["index"]


def test_an_ordinal_list_of_three_digits(checker: Checker) -> None:
    note = "Procedure: Removal of pins from the 2nd, 3rd and 4th digits, left hand. All three pins removed under block.\n"
    assert _finger_modifiers(checker, note) == {"F1", "F2", "F3"}


def test_digits_as_labels_of_a_list(checker: Checker) -> None:
    note = (
        "Removal of hardware, left hand, under general anaesthesia:\n"
        "1. Middle: plate and 4 screws removed from P1.\n"
        "2. Small: 2 screws removed from P1.\n"
    )
    assert sorted(_digits(checker, note)) == ["middle", "small"]


def test_an_inline_list_of_operations_keeps_the_other_finger_out(checker: Checker) -> None:
    note = (
        "Dx: (1) retained screws L small finger P1, fx healed; (2) trigger finger L ring finger\n"
        "Proc: (1) removal of 2 lag screws, L small finger proximal phalanx; (2) A1 pulley release, L ring finger\n"
        "Technique: midaxial incision over the screw heads, 2 lag screws removed intact. L ring: A1 released.\n"
    )
    assert _digits(checker, note) == ["small"]
    assert _finger_modifiers(checker, note) == {"F4"}


def test_an_inline_list_of_two_removals_keeps_both(checker: Checker) -> None:
    note = (
        "Procedure: removal of (1) 2 prominent screws, L index finger P1; (2) a migrated buried K-wire, "
        "L ring finger P1. Both removed under general anaesthesia.\n"
    )
    assert sorted(_digits(checker, note)) == ["index", "ring"]


def test_a_count_in_parentheses_is_not_a_list(checker: Checker) -> None:
    note = "Procedure: K-wires (2) removed from the left ring finger and the left small finger under block.\n"
    assert sorted(_digits(checker, note)) == ["ring", "small"]


def test_a_condition_on_the_setting_leaves_the_plan_standing(checker: Checker) -> None:
    note = (
        "Procedure: removal of percutaneous pins, left middle finger, under general anesthesia.\n"
        "We agreed at the original surgery that the pins would come out at 4 weeks, in the OR if needed. "
        "Both pins removed intact.\n"
    )
    assert checker.check(note).findings.planned_status.value == "planned"


def test_a_removal_only_if_needed_is_not_a_plan(checker: Checker) -> None:
    note = (
        "Procedure: ORIF left ring finger proximal phalanx with a plate.\n"
        "The plate will come out later only if needed.\n"
    )
    assert checker.check(note).findings.planned_status.value != "planned"
