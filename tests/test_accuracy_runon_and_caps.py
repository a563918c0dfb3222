"""Failure classes found by the robustness evaluation (`notecheck eval --perturb runon,allcaps` on the
blind batches): a note whose line breaks are lost, or that is printed in capitals, must read as its
original. Notes written for this file; each test checks the original and its run-on/capitals form."""
from __future__ import annotations

import pytest

from notecheck.checker import Checker
from notecheck.evaluation import perturb
from notecheck.models import Result


def _key(result: Result) -> tuple:
    findings = result.findings
    return (
        result.procedure.suggested_cpt,
        findings.planned_status.value,
        sorted(i.value for i in findings.indications),
        findings.laterality.value if findings.laterality else None,
        sorted((b.value, b.ray) for b in findings.bones),
    )


def test_a_runon_anesthesia_field_ends_where_the_history_starts(checker: Checker) -> None:
    note = (
        "MINOR PROCEDURE NOTE\n"
        "DOS: 03/02/2025\n"
        "Procedure: Removal of buried K-wires, left small finger proximal phalanx\n"
        "Anesth: digital block 1% lido 4 mL\n"
        "Pt had CRPP of the L small P1 fracture in Jan, removal planned at 5 weeks. Fracture healed on XR.\n"
        "Two stab incisions, both K-wires removed intact. Steri-strips.\n"
    )
    original = checker.check(note)
    assert original.findings.planned_status.value == "planned"
    assert "staged_removal" in {i.value for i in original.findings.indications}
    assert _key(checker.check(perturb.runon(note))) == _key(original)


def test_a_title_case_drug_name_does_not_end_the_anesthesia_value(checker: Checker) -> None:
    from notecheck.rules import load_rules
    from pipelines.sectionizer import SectionMatcher

    text = "Anaesthesia: Forearm Bier block with sedation Indication: pin tenting the skin of the left index"
    sections = SectionMatcher(load_rules().sections).find(text)
    anesthesia = next(s for s in sections if s[0] == "anesthesia")
    assert text[anesthesia[2]:anesthesia[3]].strip() == "Forearm Bier block with sedation"


def test_a_side_phrase_ending_in_side_colon_is_not_a_side_field(checker: Checker) -> None:
    note = (
        "Dictation 02 May 2025\n"
        "PROCEDURE: Removal of hardware, both hands: right 3rd metacarpal plate, left 4th metacarpal screws\n"
        "Healed fractures, both plates symptomatic with tendon irritation.\n"
        "Anaesthesia: GA\n"
        "Right side first: dorsal incision over the 3rd metacarpal, plate and 5 screws removed intact.\n"
        "Left side: old scar over the 4th metacarpal, two lag screws removed intact.\n"
    )
    original = checker.check(note)
    assert original.findings.laterality.value == "bilateral"
    assert _key(checker.check(perturb.runon(note))) == _key(original)


@pytest.mark.parametrize("dated", ["18 Nov 2024", "Nov 18, 2024", "18th November 2024"])
def test_an_index_operation_dated_with_the_month_in_words_is_history(checker: Checker, dated: str) -> None:
    note = f"Hand clinic 22 Apr 2025\nCRPP R distal radius {dated}, 2 K-wires buried at the radial styloid.\n"
    implants = next(f for f in checker.check(note, explain=True).explanation.fields if f.field == "implants")
    crpp = next(m for m in implants.mentions if m.text == "CRPP")
    assert ("context", "HISTORICAL") in {(c.kind, c.code) for c in crpp.causes}


def test_a_date_in_the_notes_own_title_does_not_date_its_removal(checker: Checker) -> None:
    note = (
        "WALANT removal - procedure room   14 Mar 2025\n"
        "Rt hand. Ring P1 fracture, CRPP'd 13 Feb 2025 with 2 KW, pins always planned out at 4/52.\n"
        "WALANT: 1% lido with adrenaline 6 ml.\n"
        "Both wires exposed; removed percutaneously with needle holder. Intact. Fracture united.\n"
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"


def test_a_semicolon_in_a_note_in_capitals_does_not_split_the_sentence(checker: Checker) -> None:
    note = (
        "Procedure room note, right ring finger.\n"
        "P1 fracture pinned 4 weeks ago, 2 K-wires, planned removal at 4 weeks.\n"
        "Digital block. Both wires exposed; removed with a needle holder, intact.\n"
    )
    original = checker.check(note)
    assert original.procedure.suggested_cpt == "26320"
    assert _key(checker.check(perturb.allcaps(note))) == _key(original)


def test_a_repeated_procedure_header_holds_its_paragraph_in_a_runon_note(checker: Checker) -> None:
    # The heading lists both sites; the second "PROCEDURE:" tells the sides one after the other,
    # with the tourniquet time between them. Run together, the short tourniquet field must hand the
    # rest back to that paragraph, not leave the left side alone in the body.
    note = (
        "OP NOTE  02/09/2025\n"
        "Surgeon: [Surgeon C]    ASC    Anesthesia: general LMA\n\n"
        "PREOP DX: Painful hardware both 4th metacarpals, s/p ORIF both hands 11/2024, healed\n"
        "PROCEDURE:\n 1. Removal of plate and screws, right 4th metacarpal\n"
        " 2. Removal of plate and screws, left 4th metacarpal\n\n"
        "INDICATION: 29F, both 4th MC fractures plated 11/2024, healed. Both plates palpable and sore when she lifts.\n\n"
        "PROCEDURE: Timeout. Right side first: tourniquet up, old dorsal incision opened, juncturae protected, "
        "2.0 plate + 5 screws removed. Irrigate, close 4-0 nylon. Tourniquet 21 min. Then the left: same, old "
        "incision, 2.0 plate + 5 screws out, closed 4-0 nylon. Soft dressings both hands.\n"
    )
    original = checker.check(note)
    assert original.findings.laterality.value == "bilateral"
    runon = checker.check(perturb.runon(note))
    assert _key(runon) == _key(original)
    assert {m.code for m in runon.modifiers} >= {"LT", "RT"}


def test_a_bulleted_field_ends_at_the_next_bullet_in_a_runon_note(checker: Checker) -> None:
    # "- consent: ..." opens one item of a bulleted operation; run together, the next "- " item is
    # the removal, not more of the consent's risk list.
    note = (
        "Emergency list, theatre 4\n"
        "Dx: loose K-wire L ring finger P1, backed out 6 mm\n"
        "Op:\n"
        "- consent: risks incl infection, stiffness, may need re-pinning\n"
        "- L ring prepped and draped\n"
        "- loose wire removed with pliers, second wire also removed\n"
        "- dressing and splint\n"
    )
    original = checker.check(note)
    assert original.procedure.suggested_cpt == "26320"
    runon = checker.check(perturb.runon(note))
    assert runon.procedure.suggested_cpt == "26320"
    assert _key(runon) == _key(original)


def test_a_pinning_told_in_the_indications_is_not_hardware_placed_today(checker: Checker) -> None:
    # The index CRPP with its wires is history told under the indications; the wires pulled later
    # under "Procedure:" are a removal, not wires placed and taken out in one operation.
    note = (
        "Day surgery. Side: LEFT index finger\n"
        "Indication: Removal of buried K-wires L index. CRPP of L index finger P1 fracture 03/05/25 (2 x 1.1mm "
        "K-wires, ends cut short and buried under skin). Fracture united on films last week, non-tender.\n"
        "Procedure: Timeout.\nSite marked, chlorhexidine prep, ring block with 1% lidocaine plain 5 ml.\n"
        "Both wire ends palpable on the radial side of P1, no tenting of the skin.\n"
        "Two small incisions over the ends, blunt spread with a mosquito, wires found and pulled out with a needle "
        "holder, both intact.\nWounds washed, steristrips, light dressing.\n"
    )
    text = perturb.runon(note)
    result = checker.check(text)
    assert result.procedure.suggested_cpt == "26320"
    assert [i.type for i in result.findings.implants] == ["k_wire"]
    # The wires pulled today are part of the removal's evidence, not dropped as provisional.
    assert any(e.start > text.index("Two small incisions") for e in result.findings.implants[0].evidence)
