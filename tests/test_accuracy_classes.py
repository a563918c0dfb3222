"""Failure classes found by the blind batches b6 and b7 (first contact in sample_notes/README.md),
each pinned with new short notes written for this file in the styles that exposed them: SOAP
clinic notes, shorthand and second-language dictation, lower-case run-on text, EHR procedure
lists. Each test states the class, not one note."""
from __future__ import annotations

from datetime import date

import pytest

from notecheck.checker import Checker
from notecheck.models import ClaimContext, Result


def check(checker: Checker, text: str, **claim) -> Result:
    return checker.check(text, ClaimContext(**claim) if claim else None)


def risks(result: Result) -> dict[str, str]:
    return {r.id: r.severity for r in result.denial_risks}


def test_a_soap_plan_that_records_todays_pin_pull_is_a_removal_not_a_plan(checker: Checker) -> None:
    done = check(checker, (
        "S: 5 wks s/p CRPP R ring finger P2 fx. No complaints.\n"
        "O: single K-wire exiting dorsally, pin site clean.\n"
        "A: fx healed on XR.\n"
        "P: K-wire pulled in clinic today with needle driver, no anesthesia. Buddy tape. RTC 3 wks.\n"))
    assert done.procedure.is_implant_removal and [i.type for i in done.findings.implants] == ["k_wire"]
    assert done.procedure.suggested_cpt is None  # a clinic pin pull is in the global package
    planned = check(checker, (
        "S: 3 wks s/p CRPP R ring finger P2 fx.\n"
        "O: single K-wire exiting dorsally, pin site clean.\n"
        "P: K-wire to be pulled in clinic at next visit in 2 wks.\n"))
    assert not planned.procedure.is_implant_removal


def test_implant_out_is_a_removal_but_pins_out_of_the_skin_are_not(checker: Checker) -> None:
    out = check(checker, "Theatre note. GA. Lt MF P1 buried kw x2. Small stab incisions over ends. Wires out, intact x2. Steri-strips.\n")
    assert out.procedure.is_implant_removal and out.findings.implants[0].type == "k_wire"
    left = check(checker, "Clinic review 2 wks post CRPP Lt MF P1. Pins out of the skin, capped, sites clean. Continue splint.\n")
    assert not left.procedure.is_implant_removal


def test_a_site_named_only_in_the_history_beside_the_same_hardware(checker: Checker) -> None:
    r = check(checker, (
        "RETURN TO THEATRE\n"
        "Background: ORIF Lt RF P1 fracture with a 1.5 plate and 4 screws, 6 weeks ago.\n"
        "Wound dehisced, plate exposed.\n"
        "Anaesthesia: regional.\n"
        "Proc: plate + 4 screws removed through the wound, all intact. Washout. Closed loosely.\n"))
    assert r.procedure.suggested_cpt == "26320"
    assert [d.value for d in r.findings.digits] == ["ring"] and r.findings.laterality.value == "left"


def test_today_under_general_starts_the_operation_inside_a_history_paragraph(checker: Checker) -> None:
    r = check(checker, (
        "Op note\n"
        "Hx: crush injury Rt SF P3 4 wks ago, 1 kw placed, left out of skin with cap. Plan was kw out under GA.\n"
        "Today under GA (LMA).\n"
        "Cap off, kw grasped and withdrawn intact, no incision needed.\n"))
    assert r.procedure.is_implant_removal and r.procedure.suggested_cpt == "26320"
    assert [m.code for m in r.modifiers] == ["RT", "F9"]


@pytest.mark.parametrize("told", [
    "Plan at that time = kw out in theatre at ~4/52.",
    "Removal was scheduled for 5 wks per op plan.",
])
def test_staged_plans_told_in_shorthand_make_the_removal_planned(checker: Checker, told: str) -> None:
    r = check(checker, (
        f"Hx: CRPP L IF P1 fx with 2 buried K-wires 5 wks ago. {told}\n"
        "Proc: under digital block 2 stab incisions, both K-wires removed intact. Fx healed.\n"),
        index_surgery_date=date(2025, 3, 1), removal_date=date(2025, 4, 5), index_related=True)
    assert r.findings.planned_status.value == "planned"
    assert "58" in [m.code for m in r.modifiers]


def test_58_against_78_is_a_question_when_the_note_says_neither(checker: Checker) -> None:
    r = check(checker, (
        "PROCEDURE: Removal of K-wire, left small finger P1.\n"
        "DESCRIPTION: Under digital block a 3 mm incision was made and the K-wire was removed intact.\n"),
        index_surgery_date=date(2025, 3, 1), removal_date=date(2025, 4, 5), index_related=True,
        billed_cpt="26320", billed_units=1, billed_modifiers="LT,F4,58")
    assert r.findings.planned_status.value is None
    assert risks(r).get("modifier_58_should_be_78") == "medium"


@pytest.mark.parametrize("site, digits", [
    ("Rt D2 and D3 proximal phalanges", {"index", "middle"}),
    ("Rt 2nd + 3rd rays, proximal phalanges", {"index", "middle"}),
    ("Rt hand, digit IV proximal phalanx", {"ring"}),
])
def test_digit_numbering_in_shorthand(checker: Checker, site: str, digits: set[str]) -> None:
    r = check(checker, f"PROCEDURE: Removal of buried K-wires, {site}.\nDESCRIPTION: Small incisions, wires removed intact.\n")
    assert {d.value for d in r.findings.digits} == digits


def test_no_deep_dissection_keeps_a_buried_wire_removal_superficial(checker: Checker) -> None:
    r = check(checker, (
        "R wrist - removal of 2 buried K-wires (scapholunate) placed 8 wks ago.\n"
        "Procedure room, local. 4 mm stab incisions over both wire ends (palpable, subcutaneous). "
        "Wires withdrawn intact x2. No deep dissection. Steri-strips.\n"))
    assert r.procedure.suggested_cpt == "20670"


def test_a_header_with_a_parenthetical_keeps_its_list(checker: Checker) -> None:
    r = check(checker, (
        "PREOPERATIVE DIAGNOSIS: Nonunion right 4th metacarpal with broken plate.\n"
        "PROCEDURES (surgeon's list):\n"
        "1. Repair of nonunion right 4th metacarpal with bone graft and revision plate fixation\n"
        "2. Removal of broken plate and screws\n\n"
        "DESCRIPTION: The broken plate and five screws were removed, the nonunion taken down and grafted, "
        "and a new plate applied.\n"))
    assert r.procedure.is_implant_removal and r.procedure.suggested_cpt is None  # integral to the revision


def test_lower_case_run_on_dictation_keeps_its_sentences_apart(checker: Checker) -> None:
    r = check(checker, (
        "op note. l rf p1 fx s/p crpp 4 wks ago with 2 k-wires. 1 cm incision over each wire end. both wires were "
        "removed intact. wounds closed. ulnar gutter splint. should the fx displace, ex fix will be considered. "
        "f/u 1 wk.\n"))
    assert [i.type for i in r.findings.implants] == ["k_wire"]


def test_an_addendum_that_corrects_the_digit_wins_over_the_body(checker: Checker) -> None:
    r = check(checker, (
        "PROCEDURE: Removal of buried K-wires, left ring finger.\n"
        "DESCRIPTION: Two stab incisions over the ring finger middle phalanx, both K-wires withdrawn intact.\n"
        "ADDENDUM: Dictation error. The references above to the left ring finger should read LEFT SMALL FINGER. "
        "The ring finger was not operated on.\n"))
    assert [d.value for d in r.findings.digits] == ["small"]
    assert [m.code for m in r.modifiers] == ["LT", "F4"]


def test_a_misspelt_header_still_opens_its_section(checker: Checker) -> None:
    text = ("Inndication: healed fracture, prominent plate.\n"
            "Dsecription: dorsal incision, the plate and 4 screws were removed from the right ring finger P1.\n")
    doc = checker.doc(text)
    assert [s[0] for s in doc._.nc_sections] == ["indications", "procedure_description"]


def test_a_slip_one_edit_from_a_listed_typo_and_the_real_word_is_the_real_word(checker: Checker) -> None:
    doc = checker.doc("The plate was promnent under the skin.")
    assert [t.norm_ for t in doc if t.text == "promnent"] == ["prominent"]


@pytest.mark.parametrize("header, category", [("Procedures done:", "procedure"), ("Operation date:", "administrative")])
def test_a_longer_header_is_not_hidden_by_a_shorter_one(checker: Checker, header: str, category: str) -> None:
    text = f"{header} Removal of K-wire, right ring finger.\nNext line.\n"
    assert checker.doc(text)._.nc_sections[0][0] == category


def test_numbered_procedure_headers_in_a_run_on_note(checker: Checker) -> None:
    text = ("OPERATIVE NOTE Laterality: Bilateral Procedure 1: Removal of plate, right 4th metacarpal "
            "Procedure 2: Removal of plate, left 2nd metacarpal. Anesthesia: general. " * 3)
    categories = [s[0] for s in checker.doc(text)._.nc_sections]
    assert categories.count("procedure") == 6


def test_a_bulleted_note_run_together_keeps_its_fields_apart(checker: Checker) -> None:
    """A bulleted EHR note pasted without its line breaks: a short field ("Anesthesia: WALANT") ends
    at the next bullet, so the reasons under "Why today:" stay reasons and the removal's site is
    read from the removal's own bullet, not from an X-ray finding run into it."""
    lines = [
        "Hand Surgery Procedure Note", "• DOS: 3/14/2025", "• Dx: migrated K-wire, L ring finger",
        "• Procedure: removal of K-wire, L ring finger middle phalanx", "• Anesthesia: WALANT, no tourniquet",
        "• Why today:", "– wire backed out 6 mm, tenting the skin, painful with flexion",
        "– XR: wire migrated toward the MC head", "• Steps:", "– 3 mm incision over the wire end",
        "– wire grasped and withdrawn intact - Small scuff on the dorsal MC head noted",
        "– 5-0 nylon, dressing", "• Plan: f/u 1 wk",
    ]
    for text in ("\n".join(lines), " ".join(lines)):
        result = check(checker, text)
        assert {i.value for i in result.findings.indications} >= {"migration", "prominence", "pain"}, text
        assert [b.value for b in result.findings.bones] == ["middle_phalanx"], text


def test_a_note_run_together_keeps_its_title_case_headers(checker: Checker) -> None:
    """Lines joined into one ("... was dictated in error. *** History 52-year-old ... reasonable.
    Operation Patient awake ..."): a title-case header after a sentence end, followed by a capital
    or a number, still opens its section, so an addendum does not swallow the operation."""
    lines = [
        "OPERATION RECORD", "Date: 2025/05/07", "Anaesthesia: WALANT",
        "Pre-op diagnosis: prominent screws, right ring finger proximal phalanx",
        "*** Correction: the side is LEFT, not right. This is the LEFT ring finger; the header was dictated in error. ***",
        "History", "48-year-old fitter, P1 fracture of the left ring finger fixed with two lag screws last year. Healed. "
        "The screw heads catch on gloves and ache when knocked.",
        "Operation", "Mid-lateral incision over P1 of the left ring finger, both screws removed intact. Skin closed with 5/0 nylon.",
        "Plan", "Sutures out at 10 days.",
    ]
    for text in ("\n".join(lines), " ".join(lines)):
        result = check(checker, text)
        assert result.procedure.suggested_cpt == "26320", text
        assert [b.value for b in result.findings.bones] == ["proximal_phalanx"], text
        assert {m.code for m in result.modifiers} == {"LT", "F3"}, text


def test_hardware_that_came_out_easily_did_not_migrate(checker: Checker) -> None:
    result = check(checker, "Procedure: removal of plate and screws, right ring finger P1. The plate came out without "
                            "difficulty after the five screws were removed. Closure 5-0 nylon.\n")
    assert "migration" not in {i.value for i in result.findings.indications}
    assert result.findings.planned_status.value != "unplanned"


@pytest.mark.parametrize("told", [
    "The wires were left protruding, bent over and capped so they could be pulled at about four weeks.",
    "Two smooth pins were left out of the skin, their ends bent to stop them migrating, and we arranged at that time "
    "for the pins to be taken out under sedation at about 4 weeks.",
])
def test_a_staged_plan_told_as_the_purpose_of_capped_pins(checker: Checker, told: str) -> None:
    """Pins left out by design at the index operation: their purpose clause is the staged plan,
    and "to stop them migrating" is prevention, not a migration."""
    note = (
        "Procedure: removal of 2 percutaneous pins, left ring finger proximal phalanx, under sedation.\n"
        f"History: I pinned his ring finger P1 fracture on 06/18/2024. {told} Fracture healed on films today.\n"
        "Procedure: pin caps off, both pins pulled with a needle driver, intact. Sites dressed.\n"
    )
    result = check(checker, note, removal_date=date(2024, 7, 16), index_surgery_date=date(2024, 6, 18), index_cpt="26725")
    assert result.findings.planned_status.value == "planned"
    assert "migration" not in {i.value for i in result.findings.indications}
    assert "58" in {m.code for m in result.modifiers}
