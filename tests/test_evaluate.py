"""`notecheck eval`: both gold formats read into the same scored fields, batches and their total,
headline accuracy, claim-level figures, --misses, --json, and one-line errors on bad gold."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from corpora import SHARED
from notecheck.cli import main
from notecheck.evaluation.gold import GoldError, GoldNote, load_batch, load_gold, parse_gold
from notecheck.evaluation.scoring import NoteOutcome, claim_is_wrong, score
from notecheck.models import ClaimContext

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = ROOT / "sample_notes"
RELEASED = SHARED / "released_eval" / "batch1"

NOTE = (
    "PROCEDURE: Removal of two buried K-wires, right middle finger proximal phalanx.\n"
    "INDICATIONS: The wires were cut below the skin at the index pinning with the plan to remove them once the "
    "fracture healed. Radiographs show a healed fracture.\n"
    "DESCRIPTION OF PROCEDURE: A 1 cm incision was made over the wire ends. Both K-wires were removed intact.\n"
)
RELEASED_GOLD = {
    "id": "x", "source": "written for this test", "expected_cpt": "26320", "region": ["finger"],
    "implant_types": ["k_wire"], "laterality": "right", "digits": ["middle"], "bones": ["proximal_phalanx"],
    "indications": ["fracture_healed", "staged_removal"],
    "approach": {"documented": True, "type": "open", "incision_documented": True},
    "planned_status": "planned", "complexity_factors": [],
    "claim_context": {"index_surgery_date": "2024-01-02", "removal_date": "2024-02-01", "related_to_index": True},
    "expected_modifiers": ["RT", "F7", "58"], "evidence": {}, "notes": "",
}
SAMPLE_GOLD = {
    "note_id": "y",
    "procedure": {"is_implant_removal": True, "suggested_cpt": "26320", "units": 1},
    "findings": {
        "implants": [{"type": "k_wire", "count": 2}], "region": ["finger"],
        "laterality": {"value": "right", "conflict": False}, "digits": ["middle"],
        "bones": [{"value": "proximal_phalanx", "ray": 3}], "indications": ["fracture_healed", "staged_removal"],
        "approach": {"documented": True, "type": "open", "incision_documented": True},
        "planned_status": "planned", "complexity_factors": [],
    },
    "modifiers": ["RT", "F7"], "denial_risks": [],
}


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def shared_checker(checker, monkeypatch):
    """The CLI builds a Checker per run; tests lend it the session's one (loading takes seconds)."""
    monkeypatch.setattr("notecheck.checker.Checker", lambda *a, **k: checker)
    return checker


def write_pair(folder: Path, stem: str, gold: dict, text: str = NOTE) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    (folder / f"{stem}.json").write_text(json.dumps(gold), encoding="utf-8")


def gold_note(fields: dict, claim: ClaimContext | None, correct: bool | None = None) -> GoldNote:
    return GoldNote("n", Path("n.txt"), "released", fields, claim, correct)


# ---- gold formats ----------------------------------------------------------------------------------------------

def test_each_format_is_recognised_and_mapped_onto_the_same_fields():
    fmt_r, released = parse_gold(RELEASED_GOLD, "r.json")
    fmt_s, sample = parse_gold(SAMPLE_GOLD, "s.json")
    assert (fmt_r, fmt_s) == ("released", "sample")
    r, s = released.fields(), sample.fields()
    for name in ("suggested_cpt", "implants", "region", "laterality", "digits", "indications", "approach_documented",
                 "approach_type", "incision_documented", "planned_status", "complexity_factors"):
        assert r[name] == s[name], name
    assert r["modifiers"] == {"RT", "F7", "58"}
    # Bones: bare values where the gold has no ray, value:ray where it has one.
    assert r["bones"] == {"proximal_phalanx"} and s["bones"] == {"proximal_phalanx:3"}


def test_released_gold_scores_only_what_it_annotates_and_none_is_null():
    _, gold = parse_gold({**RELEASED_GOLD, "expected_cpt": "none"}, "r.json")
    fields = gold.fields()
    assert fields["suggested_cpt"] is None
    for absent in ("units", "implant_counts", "laterality_conflict", "denial_risks", "is_implant_removal"):
        assert absent not in fields


@pytest.mark.parametrize("data, needle", [
    ({"expected_cpt": "26321"}, "expected_cpt"),
    ({**RELEASED_GOLD, "implant_types": ["kwire"]}, "implant_types"),
    ({"procedure": {"suggested_cpt": "26320"}, "findings": {}}, "procedure.is_implant_removal"),
    ({"id": "x", "labels": []}, "neither"),
    ([1, 2], "not a JSON object"),
])
def test_bad_gold_is_a_one_line_error_naming_file_and_field(data, needle):
    with pytest.raises(GoldError) as exc:
        parse_gold(data, "bad.json")
    assert "bad.json" in str(exc.value) and needle in str(exc.value)


def test_claim_context_from_claims_csv_else_from_released_gold(tmp_path: Path):
    write_pair(tmp_path, "a", RELEASED_GOLD)
    write_pair(tmp_path, "b", RELEASED_GOLD)
    (tmp_path / "claims.csv").write_text(
        "note_id,removal_date,index_surgery_date,index_cpt,index_related,billed_cpt,billed_units,billed_modifiers\n"
        "a,2024-02-01,2024-01-02,26727,true,26320,1,RT;F7\n", encoding="utf-8")
    notes = {n.note_id: n for n in load_batch(tmp_path).notes}
    assert notes["a"].claim.billed_cpt == "26320" and notes["a"].claim.billed_modifiers == ["RT", "F7"]
    assert notes["b"].claim.billed_cpt is None and str(notes["b"].claim.index_surgery_date) == "2024-01-02"


def test_a_folder_of_batches_and_a_mixed_folder(tmp_path: Path):
    write_pair(tmp_path / "b1", "r1", RELEASED_GOLD)
    write_pair(tmp_path / "b1", "s1", SAMPLE_GOLD)
    write_pair(tmp_path / "b2", "r2", RELEASED_GOLD)
    (tmp_path / "b2" / "orphan.json").write_text("{}", encoding="utf-8")  # no .txt beside it: not a pair
    batches = load_gold(tmp_path)
    assert [b.name for b in batches] == ["b1", "b2"]
    assert sorted(n.format for n in batches[0].notes) == ["released", "sample"]
    assert [n.note_id for n in batches[1].notes] == ["r2"]
    empty = tmp_path / "b2" / "empty"
    empty.mkdir()
    with pytest.raises(GoldError, match="no .txt"):
        load_gold(empty)
    with pytest.raises(GoldError, match="not a directory"):
        load_gold(tmp_path / "nope")


# ---- claims -----------------------------------------------------------------------------------------------------

FIELDS = {"suggested_cpt": "26320", "modifiers": frozenset({"RT", "F7"})}


@pytest.mark.parametrize("claim, fields, correct, wrong", [
    (ClaimContext(billed_cpt="26320", billed_modifiers="RT F7"), FIELDS, None, False),
    (ClaimContext(billed_cpt="26320", billed_modifiers="F7;RT"), FIELDS, None, False),
    (ClaimContext(billed_cpt="20680", billed_modifiers="RT F7"), FIELDS, None, True),
    (ClaimContext(billed_cpt="26320", billed_modifiers="RT"), FIELDS, None, True),
    (ClaimContext(billed_cpt="26320"), {"suggested_cpt": None, "modifiers": frozenset()}, None, True),
    (ClaimContext(billed_cpt="26320", billed_modifiers="RT F7"), FIELDS, False, True),
    (ClaimContext(billed_cpt="20680"), FIELDS, True, False),
    (ClaimContext(billed_cpt="26320", billed_units=2, billed_modifiers="RT F7"), {**FIELDS, "units": "1"}, None, True),
    (ClaimContext(billed_cpt="26320", billed_modifiers="RT F7"), {**FIELDS, "denial_risks": frozenset({"x"})}, None, True),
    (ClaimContext(removal_date="2024-01-01"), FIELDS, None, None),
    (None, FIELDS, None, None),
])
def test_claim_is_wrong(claim, fields, correct, wrong):
    assert claim_is_wrong(gold_note(fields, claim, correct)) is wrong


def outcome(note_id: str, want: dict, got: dict, wrong: bool | None, risks: tuple = ()) -> NoteOutcome:
    return NoteOutcome(note_id, "b", want, got, wrong, risks)


def test_headline_and_claim_figures():
    want = {"suggested_cpt": "26320", "modifiers": frozenset({"RT", "F7"}), "planned_status": None,
            "laterality": "right", "approach_documented": "true"}
    outcomes = [
        outcome("right", want, dict(want), wrong=False),
        outcome("alarm", want, {**want, "suggested_cpt": None}, wrong=False, risks=(("x", "high"), ("y", "low"))),
        outcome("medium_alarm", want, dict(want), wrong=False, risks=(("m", "medium"),)),
        outcome("caught", want, {**want, "modifiers": frozenset({"RT"})}, wrong=True, risks=(("z", "medium"),)),
        outcome("missed", want, {**want, "planned_status": "planned"}, wrong=True, risks=(("w", "low"),)),
        outcome("unbilled", want, dict(want), wrong=None, risks=(("x", "high"),)),
    ]
    s = score("b", outcomes)
    assert (s.headline["code"].right, s.headline["code"].total) == (5, 6)
    assert (s.headline["modifier_set"].right, s.headline["planned_status"].right) == (5, 5)
    c = s.claims
    assert (c.billed, c.wrong, c.wrong_flagged, c.correct) == (5, 2, 1, 3)
    assert c.wrong_unflagged == ["missed"]
    assert c.high_on_correct == [("alarm", ("x",))]
    # Single-valued fields are items when set: a null code is a false negative, not a false positive.
    assert (s.fields["suggested_cpt"].tp, s.fields["suggested_cpt"].fp, s.fields["suggested_cpt"].fn) == (5, 0, 1)
    assert [(m.note_id, m.want, m.got) for m in s.fields["suggested_cpt"].misses] == [("alarm", "26320", "none")]


# ---- the command ------------------------------------------------------------------------------------------------

def test_eval_batches_print_each_and_the_total(tmp_path: Path, shared_checker, capsys):
    write_pair(tmp_path / "b1", "r1", RELEASED_GOLD)
    write_pair(tmp_path / "b2", "s1", SAMPLE_GOLD)
    code, out, err = run(["eval", str(tmp_path)], capsys)
    assert code == 0, err
    assert "notecheck eval b1: 1 notes (1 released gold)" in out
    assert "notecheck eval b2: 1 notes (1 sample gold)" in out
    assert "notecheck eval total: 2 notes (1 released, 1 sample gold)" in out
    assert out.count("ALL (micro)") == 3


def test_eval_json_and_misses(tmp_path: Path, shared_checker, capsys):
    gold = {**RELEASED_GOLD, "laterality": "left", "expected_modifiers": ["LT", "F2", "58"]}
    write_pair(tmp_path, "wrong_side", gold)
    code, out, err = run(["eval", str(tmp_path), "--misses"], capsys)
    assert code == 0, err
    assert "misses in " in out
    assert "wrong_side: want left got right" in out
    assert NOTE.splitlines()[0] not in out  # never note text

    code, out, err = run(["eval", str(tmp_path), "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    total = doc["total"]
    assert total["notes"] == 1 and total["headline"]["laterality"] == {"share": 0.0, "right": 0, "total": 1}
    assert total["fields"]["laterality"]["misses"] == [{"note_id": "wrong_side", "want": "left", "got": "right"}]
    assert {"measured", "rules_version", "notecheck_version", "batches"} <= set(doc)

    path = tmp_path / "scores.json"
    code, out, err = run(["eval", str(tmp_path), "--json", str(path)], capsys)
    assert code == 0, err
    assert "ALL (micro)" in out and json.loads(path.read_text())["total"]["notes"] == 1


def test_eval_sample_notes_headline_and_claims(shared_checker, capsys):
    code, out, err = run(["eval", str(SAMPLE_NOTES)], capsys)
    assert code == 0, err
    for label in ("code (26320/20680/20670/none)", "modifier set exactly right", "planned status", "laterality",
                  "approach documented", "wrong claims flagged", "high-severity alarms on correct claims"):
        assert label in out, label
    doc_code, doc_out, _ = run(["eval", str(SAMPLE_NOTES), "--json"], capsys)
    claims = json.loads(doc_out)["total"]["claims"]
    assert claims["billed"] == claims["wrong"] + claims["correct"] > 0


@pytest.mark.skipif(not RELEASED.exists(), reason=f"released eval notes not at {RELEASED}")
def test_eval_reads_the_released_batch(shared_checker, capsys):
    code, out, err = run(["eval", str(RELEASED), "--json"], capsys)
    assert code == 0, err
    batch = json.loads(out)["total"]
    assert batch["notes"] == 48 and batch["formats"] == {"released": 48}
    assert batch["claims"]["billed"] == 48
    assert "units" not in batch["fields"] and "denial_risks" not in batch["fields"]
    assert set(batch["headline"]) == {"code", "modifier_set", "planned_status", "laterality", "approach_documented"}


@pytest.mark.parametrize("case", ["bad_json", "bad_vocab", "empty_note", "unknown_transform", "unwritable_json", "missing_dir"])
def test_eval_errors_are_one_line_exit_2(case, tmp_path: Path, shared_checker, capsys):
    argv = ["eval", str(tmp_path)]
    if case == "bad_json":
        (tmp_path / "a.txt").write_text(NOTE, encoding="utf-8")
        (tmp_path / "a.json").write_text("{not json", encoding="utf-8")
    elif case == "bad_vocab":
        write_pair(tmp_path, "a", {**RELEASED_GOLD, "laterality": "both"})
    elif case == "empty_note":
        write_pair(tmp_path, "a", RELEASED_GOLD, text="   \n")
    else:
        write_pair(tmp_path, "a", RELEASED_GOLD)
    if case == "unknown_transform":
        argv += ["--perturb", "allcaps,leetspeak"]
    elif case == "unwritable_json":
        argv += ["--json", str(tmp_path / "no" / "such" / "dir" / "x.json")]
    elif case == "missing_dir":
        argv = ["eval", str(tmp_path / "nope")]
    code, out, err = run(argv, capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err and "error" in lines[0], err
    assert "Removal of two buried" not in err


def test_copying_a_sample_note_keeps_its_score(tmp_path: Path, shared_checker, capsys):
    """A sample_notes pair copied into a batch folder scores as it does in place (claims.csv row included)."""
    stem = "hwr_001_left_ring_p1_kwires_staged"
    batch = tmp_path / "copy"
    batch.mkdir()
    for suffix in (".txt", ".json"):
        shutil.copy(SAMPLE_NOTES / f"{stem}{suffix}", batch / f"{stem}{suffix}")
    rows = (SAMPLE_NOTES / "claims.csv").read_text(encoding="utf-8").splitlines()
    (batch / "claims.csv").write_text("\n".join([rows[0]] + [r for r in rows if r.startswith(stem)]) + "\n", encoding="utf-8")
    code, out, err = run(["eval", str(tmp_path), "--json"], capsys)
    assert code == 0, err
    total = json.loads(out)["total"]
    assert total["claims"]["billed"] == 1
    assert total["headline"]["code"]["right"] == 1
