"""Sides and headers a note loses when its line breaks go (`notecheck eval --perturb runon` on the
blind batches): a quoted history under a header with a parenthetical, "left" as a verb, a site said
to be left alone, a history header with a tail, plural diagnosis headers, and a side beside another
finger's old operation. Notes written for this file; each is checked as written and run together."""
from __future__ import annotations

from notecheck.checker import Checker
from notecheck.evaluation import perturb
from notecheck.rules import load_rules
from pipelines.sectionizer import SectionMatcher


def _sections(text: str) -> list[tuple[str, str]]:
    # The matcher as the pipeline builds it, with the date that ends a label's value in a run-on note.
    rules = load_rules()
    matcher = SectionMatcher(rules.sections, date=rules.vocabulary.date)
    return [(cat, text[start:end]) for cat, start, end, _ in matcher.find(text)]


def _site(checker: Checker, note: str) -> tuple:
    result = checker.check(note)
    return result.findings.laterality.value, sorted(m.code for m in result.modifiers)


def test_a_history_header_with_a_parenthetical_files_its_quoted_history_in_a_runon_note(checker: Checker) -> None:
    note = (
        "HAND OPERATIVE NOTE\n"
        "Surgeon: [Attending]\n"
        "Interval history (from clinic letter 14/03/2025):\n"
        '  "11 months s/p ORIF of the R middle finger P1 with a plate. Healed. Plate irritates the extensor. '
        'She would rather not have metal left in her finger."\n'
        "Pre-op dx: Symptomatic plate R middle finger P1, fracture united\n"
        "Procedure: Removal of plate and 4 screws, right middle finger proximal phalanx\n"
        "Anaesthesia: WALANT\n"
        "Description: Dorsal incision through the old scar, extensor split, plate and screws out intact. "
        "Fluoro clear. Closure 5-0 nylon.\n"
    )
    runon = perturb.runon(note)
    assert ("history", "Interval history (from clinic letter 14/03/2025):") in _sections(runon)
    assert _site(checker, note) == ("right", ["F7", "RT"])
    assert _site(checker, runon) == ("right", ["F7", "RT"])


def test_left_as_a_verb_names_no_side(checker: Checker) -> None:
    note = (
        "Procedure: removal of two K-wires, right ring finger middle phalanx, under digital block.\n"
        "Wires pulled with pliers through the old pin sites. Fluoro: no hardware left, fracture healed.\n"
        "He did not want any metal left in his finger over the summer.\n"
    )
    assert _site(checker, note) == ("right", ["F8", "RT"])


def test_a_site_said_to_be_left_alone_gives_no_side_to_the_operation(checker: Checker) -> None:
    note = (
        "OPERATIVE NOTE\n"
        "Procedure: Removal of buried K-wire, right index finger middle phalanx\n"
        "Anesthesia: Local with MAC.\n"
        "History: 38-year-old woman, CRPP of a right index P2 fracture 6 weeks ago, wire planned for removal.\n"
        "Procedure: The right hand was prepped. Small incision over the wire end, wire removed intact. "
        "Skin closed with a single 5-0 suture. The left wrist was not examined or treated today.\n"
    )
    assert _site(checker, note) == ("right", ["F6", "RT"])
    assert _site(checker, perturb.runon(note)) == ("right", ["F6", "RT"])


def test_history_headers_with_a_tail_are_history() -> None:
    text = (
        "Procedure: ORIF left 4th metacarpal with a plate.\n\n"
        "Past history of note: right 2nd metacarpal plate in 2019, removed 2020.\n\n"
        "Relevant history: plate prominent and painful since the ORIF.\n"
    )
    sections = _sections(text)
    assert ("past_history", "Past history of note:") in sections
    assert ("history", "Relevant history:") in sections


def test_plural_diagnosis_and_tourniquet_headers_are_headers() -> None:
    text = (
        "Tourniquets: R 250 mmHg x 20 min; L 250 mmHg x 31 min\n"
        "Pre-op diagnoses:\n1. Symptomatic hardware, right thumb P1\n2. Symptomatic plate, left 5th metacarpal\n"
        "Post-op diagnoses: same\n"
        "Diagnoses: as above\n"
    )
    categories = [cat for cat, _ in _sections(text) if cat != "body"]
    assert categories == ["tourniquet", "preoperative_diagnosis", "postoperative_diagnosis", "preoperative_diagnosis"]


def test_a_side_beside_another_fingers_old_operation_is_not_the_removals_side(checker: Checker) -> None:
    note = (
        "Operative report - 10 Mar 2025\n\n"
        "Surgeon: [Attending]. Anaesthesia: WALANT. Location: procedure room.\n\n"
        "NB: she is 3 wks post right middle finger trigger release (17 Feb 2025). Today is the LEFT hand.\n\n"
        "Pre/post-op dx: Painful retained screws, left small finger proximal phalanx; healed fracture.\n"
        "Procedure: Removal of 2 screws, left small finger proximal phalanx.\n\n"
        "Indications: lag screws placed for a P1 fracture in 2023, healed, now catching the lateral band.\n\n"
        "Procedure: 2 cm ulnar midaxial incision over P1, both screws backed out and removed intact. "
        "Fluoro clear. Skin 5-0 nylon.\n"
    )
    assert _site(checker, note) == ("left", ["F4", "LT"])
    assert _site(checker, perturb.runon(note)) == ("left", ["F4", "LT"])


def test_a_date_label_in_a_runon_note_holds_only_its_date(checker: Checker) -> None:
    note = (
        "Hand clinic - post-op visit\n"
        "DOS 14/2/2025\n"
        "S/p CRPP R ring finger P2 fx 17/1/2025 (2 K-wires left out through the skin with caps).\n"
        "Procedure: pins removed in clinic today without anesthesia, both wires withdrawn with a needle driver.\n"
    )
    runon = perturb.runon(note)
    assert ("administrative", "DOS ") in _sections(runon)
    bones = sorted(b.value for b in checker.check(note).findings.bones)
    assert bones == ["middle_phalanx"]
    assert sorted(b.value for b in checker.check(runon).findings.bones) == bones


def test_a_possessive_is_no_header() -> None:
    text = "INTRAOP RECORD\nSURGEON'S BRIEF OP NOTE Staged removal of buried K-wires, left index finger P1.\n"
    assert "administrative" not in [cat for cat, _ in _sections(text)]


def test_a_removal_run_into_an_administrative_field(checker: Checker) -> None:
    # Run together, "Attending:" holds the whole first sentence: narrative, not a surgeon's name.
    note = (
        "[Pasted from secure message, Mar 5 2025 13:52] Attending: L middle P2 kwires out in proc room under "
        "ring block as planned. both intact. mini c shows healed. can u book hand therapy"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"
