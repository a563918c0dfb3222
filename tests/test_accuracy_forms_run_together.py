"""Forms and wrapped dictations read the same with their line breaks gone or moved: dotted-leader
labels still head their fields, a line that ends on "no" or "the" goes on at the next, and words
that only look like a fixation, a frame or a side stay what they are."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines

_FORM = (
    "OPERATIVE RECORD\n"
    "Date of Service ......... 03/14/2025\n"
    "Surgeon ................. A. Marsh, MD\n"
    "Anesthesia .............. MAC + local\n"
    "Procedure ............... Removal of plate and screws, left ring (4th) metacarpal\n"
    "Pre-op Dx ............... Screw backout with extensor irritation, left 4th metacarpal\n"
    "Post-op Dx .............. Same\n"
    "EBL ..................... minimal\n"
    "Indications: ORIF 09/2024, healed. Aching over the dorsum with use.\n"
    "Procedure: Time-out. The old dorsal incision was reopened, the plate and four screws were removed.\n"
)


def test_a_dotted_leader_label_heads_its_field_in_a_form_run_together(checker: Checker) -> None:
    # "Pre-op Dx ....... Screw backout" is a diagnosis field whether the form keeps its lines or not.
    for text in (_FORM, _FORM.replace("\n", " ")):
        result = checker.check(text)
        assert "migration" in {i.value for i in result.findings.indications}
        assert claim_lines(checker, text) == [("26320", ["LT"])]


def test_the_insertion_incision_names_a_place_not_a_placement(checker: Checker) -> None:
    note = (
        "Procedure: 4 mm incision at the tip of the R middle finger through the original insertion incision, "
        "down to the end of the headless screw. Driver seated, screw removed intact. 5-0 nylon."
    )
    for text in (note, note.replace(". ", ".\n")):
        result = checker.check(text)
        assert [i.type for i in result.findings.implants] == ["screw"]
        assert claim_lines(checker, text) == [("26320", ["F7", "RT"])]


def test_the_index_pinning_named_as_an_occasion_places_nothing_today(checker: Checker) -> None:
    # "plan at CRPP was removal at 4 wks": the CRPP is the occasion of the plan, not a fixation now.
    note = (
        "PROC RM 5/02/2025 -- R small finger. Pt 41F. s/p CRPP R small finger P1 fx 4/01/2025, 2 K-wires "
        "buried subQ, plan at CRPP was removal at 4 wks in proc room. XR healed. Digital block, 2 small "
        "incisions over the wire ends, wires withdrawn intact, 5-0 nylon. PSH CRPP R SF 4/01/25. Letter to "
        "PCP: her wires are out as planned."
    )
    result = checker.check(note)
    assert result.procedure.suggested_cpt == "26320"
    assert result.findings.planned_status.value == "planned"


def test_a_line_ending_on_no_negates_the_word_that_opens_the_next(checker: Checker) -> None:
    note = (
        "INDICATIONS: plate exposed in the base of the dorsal wound of the left index finger, 3 mm of plate\n"
        "visible. No fever, no\n"
        "purulence, no cellulitis. Fracture healed on films.\n"
        "PROCEDURE: Plate and screws removed through the wound, which was closed.\n"
    )
    indications = {i.value for i in checker.check(note).findings.indications}
    assert "exposure" in indications
    assert "infection" not in indications


def test_a_wound_left_partially_open_is_no_side(checker: Checker) -> None:
    # A guard: the side of a wound "left partially open" outvoted the header only in a note run together.
    note = (
        "Dx: R index P1 pin tract infection. Procedure: pin site opened and curetted, K-wire withdrawn intact, "
        "wound left partially open w/ packing strip."
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "right"
    assert claim_lines(checker, note) == [("26320", ["F6", "RT"])]


def test_a_door_frame_is_no_external_fixator(checker: Checker) -> None:
    note = (
        "Procedure: nail bed repair, left middle finger. A sliver of wood (door frame) was found in the\n"
        "laceration and removed. Tuft fracture stable, no K-wire needed. Nail bed repaired with 6-0 chromic.\n"
    )
    result = checker.check(note)
    assert result.findings.implants == []
    assert result.procedure.suggested_cpt is None


def test_hardware_said_to_stay_in_gives_no_site_to_the_removal(checker: Checker) -> None:
    # The other hand's fusion screw "stays in"; the screw that came out is the right small finger's.
    # (A guard: it passed before a line ending with "a" went on to the next line, which put the left
    # index in the screw's sentence.)
    note = (
        "Indication/Procedure: removal of symptomatic headless screw, distal phalanx / DIP fusion.\n\n"
        "In 2021 I fused his LEFT index DIP joint with a\n"
        "headless compression screw; that is solid and the screw stays in.\n\n"
        "In 03/2024 I fused the right small finger DIP joint with a 2.4 mm headless compression\n"
        "screw. The screw tip is now prominent and painful at the pulp.\n\n"
        "Procedure: through a 5 mm incision at the tip the screw was engaged and backed out whole.\n"
    )
    result = checker.check(note)
    assert result.findings.laterality.value == "right"
    assert [d.value for d in result.findings.digits] == ["small"]


_NUMBERED = (
    "OPERATIVE REPORT 2025-03-04 Surgeon: K. Ito, MD\n"
    "Preop diagnosis: post-traumatic arthritis right ring finger PIP joint after ORIF (2 screws) of a condylar fracture.\n"
    "Procedures performed:\n"
    " 1. Arthrodesis right ring finger PIP joint with two 1.1 mm K-wires and a tension band.\n"
    " 2. Extensor tenolysis right ring finger over the proximal phalanx and the PIP joint.\n"
    " 3. Removal of the two old condylar screws, right ring finger.\n"
    " 4. Intraoperative fluoroscopy, interpreted by the surgeon.\n"
    "Anesthesia: general. Tourniquet 64 min.\n"
    "Description: dorsal approach, central slip split. The two old screws were backed out. Closed in layers.\n"
)


def test_a_numbered_procedure_list_run_together_keeps_all_its_items_under_its_header(checker: Checker) -> None:
    # "Procedures performed: 1. Arthrodesis ... 2. ... 3. Removal ...": "1." and the stop before
    # "2." are the list's, not the end of the field; the fusion it lists makes the removal integral.
    for text in (_NUMBERED, " ".join(_NUMBERED.split())):
        result = checker.check(text)
        assert result.procedure.suggested_cpt is None
        assert "integral" in result.procedure.reason


_TITLED = (
    "OP REPORT -- DIP ARTHRODESIS, R INDEX FINGER\n"
    "Date: 05/06/2025\n"
    "Surgeon: P. Okafor, MD\n"
    "Anesthesia: digital block + MAC\n"
    "Hx: 58 F, mallet fracture of the right index fixed with a 1.3 mm screw in 2023; painful arthritic DIP since.\n"
    "Procedure: Dorsal H-incision over the DIP. The old 1.3 mm screw was removed from the dorsal fragment. "
    "Cartilage denuded, joint prepared and held with a headless compression screw. Closed with 5-0 nylon.\n"
)


def test_the_title_of_a_note_run_together_names_its_operation(checker: Checker) -> None:
    # Run together, the title runs up to the first header ("... R INDEX FINGER Date: ..."): it still
    # names the operation the old screw came out for.
    for text in (_TITLED, _TITLED.replace("\n", " ")):
        result = checker.check(text)
        assert result.procedure.suggested_cpt is None
        assert "arthrodesis" in result.procedure.reason or "fusion" in result.procedure.reason
