"""Hardware out of a finger and a separate forearm site in one sitting: one line for each site, the
finger's 26320 with its finger modifier and the forearm's own 20680 or 20670 (NCCI Ch. IV unit of
service: a distinct and separate anatomic site)."""
from __future__ import annotations

from notecheck.checker import Checker


def _lines(checker: Checker, note: str) -> list[tuple[str, list[str]]]:
    return [(line.cpt, sorted(line.modifiers)) for line in checker.check(note).claim_lines]


def test_a_finger_and_a_distal_radius_removal_bill_two_lines(checker: Checker) -> None:
    note = ("Procedure: 1. Removal of volar plate and 8 screws, left distal radius. 2. Removal of 2 lag screws, left index "
            "finger proximal phalanx.\nDescription: FCR approach, plate and screws removed from the distal radius, layered "
            "closure. Index finger: midaxial incision, both screws removed.\n")
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert _lines(checker, note) == [("26320", ["F1", "LT"]), ("20680", ["LT"])]


def test_a_forearm_bone_of_the_other_side_told_in_passing_takes_no_line(checker: Checker) -> None:
    note = ("left ring finger plate removal this is the lady whose right distal radius we fixed in early august that is "
            "healing fine and is a separate problem today is the left ring finger proximal phalanx plate which is healed "
            "through the old dorsal incision the plate and four screws were removed")
    assert [cpt for cpt, _ in _lines(checker, note)] == ["26320"]


def test_the_posterior_interosseous_nerve_is_no_pin(checker: Checker) -> None:
    note = ("Procedure: excision of dorsal wrist ganglion, left. The ganglion was dissected to its stalk over the SL "
            "ligament and removed en bloc with a capsular ellipse; terminal PIN segment excised with it (denervation). "
            "Capsule closed, skin 4-0 nylon.")
    result = checker.check(note)
    assert result.findings.implants == [] and result.procedure.suggested_cpt is None
