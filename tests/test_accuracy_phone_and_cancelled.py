"""Notes typed fast on a phone (blind batch b114 met the rules at code 0.800): contractions without
their apostrophe ("dont", "wasnt"), autocorrect's words for the hardware ("screed" for screw, "kale
wire", "meta carp"), reported speech run on after a comma. And cancelled cases (b110-b114), whose
only removal is the booked procedure's name: "pt here for planned removal of ...", "case cxld".
A removal told as done stands whatever the note says was cancelled (a guard: the first reading of
the cue lost three removals)."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines


def test_dont_without_its_apostrophe_negates(checker: Checker) -> None:
    note = (
        "clinic f/u 3/4/25 46m r hand\n"
        "hx: orif r 4th metacarpal 2021 w/ plate, healed, no complaints\n"
        "a/p: retained hw, asymptomatic. we dont take plates out routinely, if it starts catching we can remove it\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_autocorrected_screws_and_wires_are_hardware(checker: Checker) -> None:
    note = (
        "proc 6/2/25 l thumb p1 walant\n"
        "old dorsal scar opened, 2 screeds backed out and rubbing the epl, both screeds removed w/ 1.5 driver\n"
        "closed 5-0 nylon\n"
    )
    result = checker.check(note)
    assert [i.type for i in result.findings.implants] == ["screw"]
    assert claim_lines(checker, note) == [("26320", ["FA", "LT"])]
    wires = "proc room r small finger p1, digital block, the 2 kale wires pulled, pin sites clean\n"
    assert [i.type for i in checker.check(wires).findings.implants] == ["k_wire"]


def test_reported_speech_after_a_negation_is_its_own_clause(checker: Checker) -> None:
    """A guard: once "wasnt" reads "was not", its scope must stop at "she said"."""
    note = (
        "took the screw out of her R ring finger P1 this am thru a small incision, wasnt tight, she said it kept "
        "catching on her sweater. sutures out 10d\n"
    )
    assert "prominence" in [i.value for i in checker.check(note).findings.indications]


def test_a_cancelled_case_removes_nothing(checker: Checker) -> None:
    for note in (
        "pre op area 5/14/25 0700\npt here for planned removal of buried k wires r ring finger (crpp 4/16/25)\n"
        "fever 38.9, flu swab pos. case cxld, wires still in, rebook 1 wk\n",
        "Pre-op holding. Pt here for removal of plate L index finger P1.\nURI, T 38.4. CASE CANCELLED before "
        "anesthesia. No incision, no procedure performed. Rebook 3 wks.\n",
        "Day of surgery - Scheduled: removal of K-wires R small finger (planned removal at 5 wks)\n"
        "BP 220/120 x2; anesthesia and I agreed to cancel. Wires remain, pin sites clean.\n",
    ):
        assert checker.check(note).procedure.suggested_cpt is None, note


def test_a_removal_told_as_done_stands_beside_a_cancelled_one(checker: Checker) -> None:
    """A guard (the first reading of the cancellation cue failed it)."""
    note = (
        "Procedure performed: Removal of plate and screws, left small finger proximal phalanx\n"
        "Procedure NOT performed: removal of screw, left ring finger (patient declined on the day)\n"
        "Description: Dorsal incision through the old scar, plate and 4 screws removed intact. Fracture healed.\n"
    )
    assert claim_lines(checker, note) == [("26320", ["F4", "LT"])]
    booked = ("Note: date of service corrected (the struck date was the cancelled booking).\n"
              "Procedure: removal of K-wire R index finger P2 in the procedure room under digital block; wire "
              "pulled intact.\n")
    assert claim_lines(checker, booked) == [("26320", ["F6", "RT"])]


def test_the_rule_regexes_read_the_word_the_normalizer_read(checker: Checker) -> None:
    """"5 screeds out w/ driver": the regex of a bare "out" after the hardware reads "screws";
    the evidence still quotes the note."""
    note = (
        "or 3/3/25 l 4th metacarpal, ga + block, prior dorsal incision opened\n"
        "all 5 screeds out w/ driver, fluoro clear, layered closure\n"
    )
    result = checker.check(note)
    assert claim_lines(checker, note) == [("26320", ["LT"])]
    quotes = [e.text for i in result.findings.implants for e in i.evidence]
    assert "screeds" in quotes
    for implant in result.findings.implants:
        for e in implant.evidence:
            assert note[e.start:e.end] == e.text
