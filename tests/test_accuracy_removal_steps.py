"""Words that looked like another procedure or a plan but were part of this removal, or said
outright that it was not planned (blind batches b80/b81's failure classes)."""
from __future__ import annotations

from notecheck.checker import Checker


def test_bone_cut_away_to_free_an_overgrown_plate_is_part_of_the_removal(checker: Checker) -> None:
    note = (
        "Procedure: removal of plate and 6 screws, left ring finger proximal phalanx, with osteotomy of overgrown bone.\n"
        "Anesthesia: general. The old midaxial incision was opened; the plate was largely overgrown and a thin shelf of "
        "bone was taken off with an osteotome to free it. Plate and screws removed intact.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "26320"


def test_a_corrective_osteotomy_still_makes_the_removal_integral(checker: Checker) -> None:
    note = (
        "Procedure: corrective osteotomy for malunion, right index P1, with removal of the old plate and re-plating.\n"
        "Under GA the old plate was removed, the osteotomy made and fixed with a new plate.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_not_the_plan_said_outright_makes_the_return_unplanned(checker: Checker) -> None:
    note = (
        "THEATRE NOTE. CRPP Lt index P1 3 weeks ago (2 K-wires). One wire has backed out 1 cm, tenting the skin. "
        "Not the plan - return to theatre.\n"
        "Under Lt digital block the backed-out wire was removed through a 3 mm stab incision. Other wire left in situ.\n"
        "For removal of the 2nd wire at 6/52 as initially planned.\n"
    )
    assert checker.check(note).findings.planned_status.value == "unplanned"


def test_a_va_notes_local_title_is_no_local_anaesthetic(checker: Checker) -> None:
    note = (
        "LOCAL TITLE: HAND CLINIC NOTE\nSTANDARD TITLE: ORTHOPEDIC SURGERY NOTE\n"
        "4 wks s/p CRPP L small P1. Pins out today in clinic, no anesthetic needed, both wires intact. Buddy tape.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_joint_fused_at_an_angle_today_is_a_fusion_not_a_healed_one(checker: Checker) -> None:
    note = (
        "Procedure: Arthrodesis PIP joint, L long finger, with removal of old condylar screws through the same exposure.\n"
        "Anesthesia: regional. Dorsal approach; both old screws in the head of P1 were removed as they were in the path of "
        "the joint preparation. Cartilage removed, fused at 40 deg with a headless screw.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_a_united_osteotomy_is_the_past_not_a_procedure_done_today(checker: Checker) -> None:
    note = (
        "Procedure: removal of ulnar shaft plate, left forearm, for plate prominence after a shortening osteotomy 2 years ago.\n"
        "General anaesthesia. Old incision reopened, plate exposed subperiosteally, six screws removed and the plate lifted off. "
        "United osteotomy on fluoro. Layered closure.\n"
    )
    assert checker.check(note).procedure.suggested_cpt == "20680"


def test_a_recommended_removal_the_patient_declined_is_not_done(checker: Checker) -> None:
    note = (
        "Hand clinic f/u. L index finger P1 plate (ORIF last year), healed. The plate edge is palpable and sore with fist - "
        "I recommended hardware removal. He declined for now.\n"
        "Separately: L long finger trigger finger, A1 pulley injected with 1 mL triamcinolone + 1 mL lido.\n"
    )
    assert checker.check(note).procedure.suggested_cpt is None


def test_both_small_fingers_pulled_under_mask_ga_give_one_line_each(checker: Checker) -> None:
    note = (
        "Peds hand op note. Bilateral small finger P1 base fractures, CRPP both hands 4 weeks ago, pins out of the skin.\n"
        "Procedure: removal of K-wires, LEFT small finger (x2) and RIGHT small finger (x2). Mask GA.\n"
        "Left: two K-wires pulled, intact. Right: two K-wires pulled, intact. The small finger sites dressed.\n"
    )
    result = checker.check(note)
    assert sorted((line.cpt, line.units, tuple(sorted(line.modifiers))) for line in result.claim_lines) == [
        ("26320", 1, ("F4", "LT")), ("26320", 1, ("F9", "RT"))]


def test_a_copy_forward_reference_to_last_times_removal_is_the_past(checker: Checker) -> None:
    note = (
        "Procedure note - minor procedure room\n3/2/25\n\n"
        "Same as last time (see his 2023 note - L ring K-wire removal), this time R small finger.\n\n"
        "S/p CRPP R small finger P1 5 weeks ago, wires buried. XR healed.\n\n"
        "Digital block. Small incision over each wire end, 2 K-wires removed from the small finger w/ needle driver.\n"
    )
    result = checker.check(note)
    assert [(line.cpt, sorted(line.modifiers)) for line in result.claim_lines] == [("26320", ["F9", "RT"])]
