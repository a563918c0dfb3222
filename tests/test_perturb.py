"""The robustness evaluation: each meaning-preserving transformation changes what it should and
nothing it must keep (negation, numbers, dates, sides), deterministically; and on sample_notes, with
a fixed seed, every transformation keeps at least today's share of results (the floors below)."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from notecheck.evaluation.gold import load_gold
from notecheck.evaluation.perturb import (
    PROTECTED, TRANSFORMS, abbreviations, allcaps, bullets, dictation, headers, runon, select, speech, spelling, split_sentences,
    typos,
)
from notecheck.evaluation.robustness import format_robustness, run_robustness

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = ROOT / "sample_notes"
SEED = 1

NOTE = """PREOPERATIVE DIAGNOSIS: Retained K-wires, left ring finger proximal phalanx, status post closed reduction and percutaneous pinning on 01/12/2026.

PROCEDURE: Removal of two buried Kirschner wires, left ring finger proximal phalanx.

ANESTHESIA: Digital block with 1% lidocaine with epinephrine, 6 mL.

INDICATIONS: The patient is a 34-year-old man with a healed fracture. The wires were cut beneath the skin with the plan to remove them in the operating room in March. There is no infection and the wires are not loose. Dr. X discussed the risks.

DESCRIPTION OF PROCEDURE: A 1 cm incision was made over the palpable wire ends at the site of the prior pinning. Both wires were removed intact without difficulty. The wound was closed with 5-0 nylon. Hemostasis was obtained.

FINDINGS: Healed fracture, callus at the fracture site. No hematoma.
"""


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", text)


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:[./:-]\d+)*", text)


def negations(text: str) -> int:
    return len(re.findall(r"(?i)\b(?:no|not)\b", text))


# ---- what each transformation does ---------------------------------------------------------------------------------

def test_runon_removes_every_line_break_and_keeps_every_word():
    out = runon(NOTE)
    assert "\n" not in out and "\r" not in out
    assert out.split() == NOTE.split()


def test_allcaps_upper_cases_and_keeps_every_character_else():
    out = allcaps(NOTE)
    assert out == NOTE.upper() and out.isupper()


def test_headers_renamed_to_synonyms_body_untouched():
    out = headers(NOTE, SEED)
    heads = [line.split(":")[0] for line in out.splitlines() if line.strip()]
    assert "PROCEDURE" not in heads and "INDICATIONS" not in heads and "FINDINGS" not in heads
    assert all(h.isupper() for h in heads)  # the header's own case style
    procedure = next(line for line in out.splitlines() if "Removal of two buried" in line)
    assert procedure.split(":")[0] in {"OPERATION PERFORMED", "PROCEDURE TODAY", "PROCEDURES DONE", "SURGERY PERFORMED"}
    bodies = [line.split(":", 1)[1] for line in out.splitlines() if ":" in line]
    assert bodies == [line.split(":", 1)[1] for line in NOTE.splitlines() if ":" in line]
    # Mixed-case headers keep their style; unknown headers and colons inside sentences are left alone.
    assert headers("Indications: pain.\nSurgeon: Dr. X\nThe ratio was 1:100,000.\n", SEED).splitlines()[1:] == [
        "Surgeon: Dr. X", "The ratio was 1:100,000."]
    assert headers("Indications: pain.", SEED).split(":")[0] in {"Reason for surgery", "Indication for operation", "Clinical indication"}


def test_bullets_prose_to_bullets_one_sentence_each():
    out = bullets(NOTE)
    lines = out.splitlines()
    assert "INDICATIONS:" in lines
    assert "- The patient is a 34-year-old man with a healed fracture." in lines
    assert "- There is no infection and the wires are not loose." in lines
    assert "- Dr. X discussed the risks." in lines  # no split after a title
    assert words(out) == words(NOTE) and numbers(out) == numbers(NOTE)


def test_bullets_to_prose_drops_markers_not_numbers():
    text = "Procedure:\n1. Removal of K-wire, left ring finger\n2. Irrigation\nSteps:\n- 2.0 mm plate removed\n- No infection.\nEnd.\n"
    out = bullets(text)
    assert out == "Procedure:\nRemoval of K-wire, left ring finger. Irrigation.\nSteps:\n2.0 mm plate removed. No infection.\nEnd.\n"


def test_split_sentences_keeps_titles_and_decimals():
    assert split_sentences("Dr. X removed the 0.045 wire. No. 15 blade used. Done.") == [
        "Dr. X removed the 0.045 wire.", "No. 15 blade used.", "Done."]


@pytest.mark.parametrize("before, after", [
    ("Removal of K-wires, left ring finger.", "Removal of Kirschner wires, L ring finger."),
    ("Two Kirschner wires were removed.", "Two K-wires were removed."),
    ("s/p ORIF of the 5th MC.", "status post open reduction and internal fixation of the 5th metacarpal."),
    ("status post open reduction and internal fixation", "s/p ORIF"),
    ("ORIF was done.", "Open reduction and internal fixation was done."),
    ("PIP joint and MCP joint", "Proximal interphalangeal joint and metacarpophalangeal joint"),
    ("the thumb IP joint", "the thumb interphalangeal joint"),
    ("R small finger, Rt. hand", "Right small finger, right hand"),
    ("The wire was left in place.", "The wire was left in place."),  # "left" is no side here
    ("The patient saw PT.", "The pt saw PT."),  # PT = physical therapy: never the patient
    ("Taken to the OR.", "Taken to the operating room."),
    ("TAKEN TO THE OR FOR K-WIRE REMOVAL, LEFT RING FINGER.", "TAKEN TO THE OR FOR KIRSCHNER WIRE REMOVAL, L RING FINGER."),
    ("Removed without difficulty under fluoroscopy.", "Removed w/o difficulty under fluoro."),
])
def test_abbreviations_both_ways(before, after):
    assert abbreviations(before) == after


def test_abbreviations_round_trip_and_keep_numbers_and_negation():
    out = abbreviations(NOTE)
    assert out != NOTE and numbers(out) == numbers(NOTE) and negations(out) == negations(NOTE)
    assert abbreviations("MCPx metacarpals") == "MCPx MCs"  # whole words only, plural carried
    canonical = "Removal of K-wire, left ring finger, s/p ORIF; PIP joint; the patient."
    assert abbreviations(abbreviations(canonical)) == canonical


@pytest.mark.parametrize("before, after", [
    ("Anesthesia: local.", "Anaesthesia: local."),
    ("ANAESTHESIA: LOCAL", "ANESTHESIA: LOCAL"),
    ("small haematoma, little finger, theatre", "small hematoma, small finger, theatre"),  # bare: ambiguous
    ("in the operating theatre", "in the operating room"),
    ("removal in theatre; back to the operating room", "removal in the operating room; back to theatre"),
    ("the small fingers", "the little fingers"),
    ("Oedema and a tumour at the centre", "Edema and a tumor at the center"),
    ("cauterized, localised, mobilization", "cauterised, localized, mobilisation"),
    ("1% lidocaine with epinephrine", "1% lignocaine with adrenaline"),
    ("smaller fingertip", "smaller fingertip"),
])
def test_spelling_american_british_both_ways(before, after):
    assert spelling(before) == after


def test_spelling_round_trip():
    assert spelling(spelling(NOTE)) == NOTE


def test_typos_touch_only_content_words_by_one_slip():
    for seed in range(20):
        out = typos(NOTE, seed)
        before, after = NOTE.split(), out.split()
        assert len(before) == len(after)
        changed = [(a, b) for a, b in zip(before, after) if a != b]
        assert changed, seed
        for a, b in changed:
            core_a, core_b = re.sub(r"[^A-Za-z]", "", a), re.sub(r"[^A-Za-z]", "", b)
            assert len(core_a) >= 5 and core_a.lower() not in PROTECTED
            assert not re.search(r"\d", a)
            assert core_a[0] == core_b[0] and core_a[-1] == core_b[-1]
            # one slip: a neighbour swap (same letters, same length) or one letter dropped or doubled
            assert sorted(core_a) == sorted(core_b) if len(core_a) == len(core_b) else abs(len(core_a) - len(core_b)) == 1
        assert numbers(out) == numbers(NOTE) and negations(out) == negations(NOTE)
        assert "March" in out and "without" in out


def test_typos_never_make_a_word_of_the_note():
    text = "The screws and screw heads were removed. Loose screw."
    for seed in range(30):
        out_words = set(w.lower() for w in words(typos(text, seed)))
        new = out_words - set(w.lower() for w in words(text))
        assert len(new) == 1 and not new & {"screw", "screws", "loose"}


def test_speech_artifacts():
    text = "The K-wire was removed. Two K-wires. The metacarpal healed. Callus at the site. 0.045 wire. No infection."
    outs = {speech(text, seed) for seed in range(40)}
    joined = " ".join(outs).lower()
    for artifact in ("kay wire", "kay wires", "meta carpal", "heeled", "callous", "sight", " period "):
        assert artifact in joined, artifact
    for out in outs:
        assert numbers(out) == numbers(text) and negations(out) == negations(text)
        assert "0.045" in out and out.endswith("No infection.")


def test_speech_in_an_all_caps_note_stays_upper():
    out = speech(NOTE.upper(), 3)
    assert out.isupper() and out != NOTE.upper()


def test_dictation_says_every_colon_comma_and_stop():
    text = "PROCEDURE: Removal of K-wire, left ring finger.\nAt 10:30 the wire, 1.2 mm, was removed. Dr. X signed.\nFindings:\nhealed"
    out = dictation(text)
    assert out.startswith("PROCEDURE colon Removal of K-wire comma left ring finger period\n")
    assert "At 10:30 the wire comma 1.2 mm comma was removed period Dr. X signed period" in out
    assert "Findings colon\nhealed" in out and ":" not in out.replace("10:30", "")


def test_dictation_in_an_all_caps_note_says_its_marks_in_capitals():
    assert dictation("PLAN: SPLINT, REVIEW.") == "PLAN COLON SPLINT COMMA REVIEW PERIOD"


# ---- what every transformation keeps --------------------------------------------------------------------------------

def sample_texts(limit: int = 30) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_NOTES.glob("*.txt"))[:limit]]


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_every_transformation_is_pure_and_seeded(name):
    transform = TRANSFORMS[name]
    state = random.getstate()
    first = [transform(t, SEED) for t in sample_texts()]
    assert random.getstate() == state  # no global randomness used
    assert first == [transform(t, SEED) for t in sample_texts()]
    assert sum(a != t for a, t in zip(first, sample_texts())) >= 10  # it does something on real notes


@pytest.mark.parametrize("name", [n for n in TRANSFORMS if n != "bullets"])
def test_every_transformation_keeps_numbers_dates_and_negation(name):
    # (bullets drops list markers such as "1."; its own test checks the numbers of the content)
    for text in sample_texts(94):
        out = TRANSFORMS[name](text, SEED)
        assert numbers(out) == numbers(text), name
        assert negations(out) == negations(text), name


def test_select_names():
    assert select("all") == list(TRANSFORMS)
    assert select("typos, allcaps,typos") == ["typos", "allcaps"]
    with pytest.raises(ValueError, match="leetspeak"):
        select("allcaps,leetspeak")


# ---- the robustness evaluation on sample_notes ----------------------------------------------------------------------

# Measured with SEED over all 94 sample notes (shares over the notes each transformation changed),
# each rounded down to the 0.05 below: (same as unperturbed, matches gold). 2026-12-06, after the
# normalizer, run-on sectioning and header synonyms: runon 0.876/0.753, allcaps 0.954/0.770,
# headers 0.987/0.776, bullets 1.000/0.800, abbreviations 0.968/0.766, spelling 1.000/0.805,
# typos 0.979/0.777, speech 0.967/0.761. ("Matches gold" is bounded by the unperturbed notes'
# own all-key-fields share, 0.78-0.81, mostly indications.) Later the same day, after run-on
# SOAP/short headers and field ends: runon 0.966/0.775 (every transformation now >= 0.95).
FLOORS = {
    "runon": (0.95, 0.75),
    "allcaps": (0.95, 0.75),
    "headers": (0.95, 0.75),
    "bullets": (0.95, 0.80),
    "abbreviations": (0.95, 0.75),
    "spelling": (0.95, 0.80),
    "typos": (0.95, 0.75),
    "speech": (0.95, 0.75),
    # Added 2026-12-06 (eighth stop): 0.804 before the sectionizer read spoken marks, 1.000 after.
    "dictation": (0.95, 0.75),
    # Added 2026-12-06 (ninth stop): 0.766 before wrapped lines were joined for the pipeline (a line
    # break inside "guide wire" or "small finger" split the phrase), 0.957 after; 0.968 once a wrapped
    # parenthesis ("P1\n(x2)") goes on its line.
    "wrap": (0.95, 0.75),
}


def test_robustness_floors_on_sample_notes(checker):
    batches = load_gold(SAMPLE_NOTES)
    scores = run_robustness(batches, lambda text, ctx, note_id: checker.check(text, ctx, note_id), list(TRANSFORMS), SEED)
    print("\n" + format_robustness(scores, SEED))
    assert [s.name for s in scores] == list(FLOORS)
    for s in scores:
        stable_floor, gold_floor = FLOORS[s.name]
        assert s.changed >= 0.5 * s.notes, s.name
        assert s.stable_share >= stable_floor, (s.name, s.stable_share, s.broke)
        assert s.gold_share >= gold_floor, (s.name, s.gold_share)
        assert s.stable + len(s.broke) == s.changed
