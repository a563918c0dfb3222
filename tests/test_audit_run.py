"""`notecheck audit` end to end (worker processes included): each input and output format, the
claims join, error records, input order with several workers, a worker crash, resume and usage
errors."""
from __future__ import annotations

import csv
import json
import multiprocessing
import shutil
from pathlib import Path

import pytest

from notecheck.audit import workers
from notecheck.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_notes"
NOTE_IDS = [
    "hwr_001_left_ring_p1_kwires_staged",
    "hwr_002_right_5th_mc_plate_decoy",
    "hwr_004_right_index_middle_two_digits",
    "trap_001_crpp_sf_p1_future_pin_removal",
]
SECRET = "ZEBRA-QUOKKA-4711"  # a marker inside note text that must never reach stderr/stdout


def sample_text(note_id: str) -> str:
    return (SAMPLES / f"{note_id}.txt").read_text(encoding="utf-8")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def note_folder(tmp_path: Path) -> Path:
    """Four good notes plus one of each kind of unusable note, and a cp1252 and a BOM note."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for note_id in NOTE_IDS:
        shutil.copy(SAMPLES / f"{note_id}.txt", folder)
    (folder / "x1_empty.txt").write_bytes(b"")
    (folder / "x2_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + SECRET.encode())
    (folder / "x3_cp1252.txt").write_bytes((sample_text(NOTE_IDS[0]) + f"\nSigned: Dr. Müller – {SECRET}\n").encode("cp1252"))
    (folder / "x4_bom.txt").write_bytes(b"\xef\xbb\xbf" + sample_text(NOTE_IDS[1]).encode("utf-8"))
    (folder / "x5_oversized.txt").write_text("Removal of K-wire. " * 2000 + SECRET, encoding="utf-8")
    (folder / "x6_undecodable.txt").write_bytes(b"K-wire \x81\x8d\x8f removed " + SECRET.encode())
    (folder / "readme.pdf").write_bytes(b"%PDF-1.4")
    return folder


FOLDER_ORDER = NOTE_IDS + ["x1_empty", "x2_binary", "x3_cp1252", "x4_bom", "x5_oversized", "x6_undecodable"]


def audit(*args: str) -> int:
    return main(["audit", *args])


class TestOutputs:
    def test_jsonl_one_record_per_note_in_order_with_errors(self, note_folder: Path, tmp_path: Path, capsys) -> None:
        out = tmp_path / "out.jsonl"
        assert audit(str(note_folder), "--out", str(out), "--workers", "2", "--max-bytes", "20000") == 0
        records = read_jsonl(out)
        assert [r["note_id"] for r in records] == FOLDER_ORDER
        by_id = {r["note_id"]: r for r in records}
        assert by_id["x1_empty"] == {"note_id": "x1_empty", "error": "note is empty"}
        assert "binary" in by_id["x2_binary"]["error"]
        assert "over the 20,000-byte limit" in by_id["x5_oversized"]["error"]
        assert by_id["x6_undecodable"]["error"] == "note is neither UTF-8 nor cp1252 text"
        assert by_id["x3_cp1252"]["encoding"] == "cp1252" and "error" not in by_id["x3_cp1252"]
        assert by_id["x4_bom"]["encoding"] == "utf-8-sig"
        first = by_id[NOTE_IDS[0]]
        assert first["schema_version"] == "1" and first["encoding"] == "utf-8"
        assert {"procedure", "findings", "checklist", "score", "ready_to_sign", "claim_lines", "modifiers",
                "icd10_suggestions", "denial_risks"} <= first.keys()
        assert workers.EXCERPTS_KEY not in first
        # Evidence offsets point into the exact text, encoding and all.
        text = sample_text(NOTE_IDS[0])
        for item in first["checklist"]:
            for ev in item["evidence"]:
                assert text[ev["start"]:ev["end"]] == ev["text"]
        summary = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
        assert (summary["notes"], summary["errors"], summary["ignored_files"]) == (10, 4, 1)
        captured = capsys.readouterr()
        assert SECRET not in captured.err + captured.out
        assert "10 notes" in captured.err

    def test_csv_flat_rows_open_cleanly(self, note_folder: Path, tmp_path: Path) -> None:
        (note_folder / "=cmd.txt").write_text(sample_text(NOTE_IDS[0]), encoding="utf-8")
        out = tmp_path / "out.csv"
        assert audit(str(note_folder), "--out", str(out), "--workers", "2", "--max-bytes", "20000", "--quiet") == 0
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
        assert [r["note_id"] for r in rows] == ["'=cmd"] + FOLDER_ORDER
        header = rows[0].keys()
        for column in ["score", "ready_to_sign", "suggested_cpt", "units", "claim_lines", "modifiers", "icd10",
                       "billed_cpt", "billed_units", "billed_modifiers", "risk_ids", "top_severity",
                       "checklist_implant_type", "checklist_anatomic_location", "checklist_modifier_22_support"]:
            assert column in header
        good = rows[1]
        assert good["error"] == "" and good["score"].isdigit() and good["checklist_implant_type"] in {"met", "partial", "missing", "not_applicable"}
        assert rows[5]["error"] == "note is empty" and rows[5]["score"] == ""
        assert not (tmp_path / "out.csv.partial.jsonl").exists(), "the journal is removed after the render"
        assert json.loads((tmp_path / "out.csv.summary.json").read_text())["notes"] == 11

    def test_html_is_self_contained_and_escaped(self, tmp_path: Path) -> None:
        src = tmp_path / "notes.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            fh.write(json.dumps({"note_id": "<img src=x onerror=alert(1)>", "text": sample_text(NOTE_IDS[0]) + "\n</script><b>x</b>"}) + "\n")
            fh.write(json.dumps({"note_id": "e1", "text": ""}) + "\n")
        out = tmp_path / "report.html"
        assert audit(str(src), "--out", str(out), "--workers", "1", "--quiet") == 0
        html = out.read_text(encoding="utf-8")
        assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "</script><b>" not in html
        assert "http://" not in html.replace("http://www.w3.org", "") and "https://cdn" not in html
        assert "Chart.js" in html and "MIT" in html
        assert '<details class="note" id="note-1">' in html and "<mark" in html
        assert not (tmp_path / "report.html.partial.jsonl").exists()


class TestClaims:
    def test_join_changes_the_check_and_is_summarised(self, tmp_path: Path) -> None:
        folder = tmp_path / "notes"
        folder.mkdir()
        for note_id in NOTE_IDS[:3]:
            shutil.copy(SAMPLES / f"{note_id}.txt", folder)
        claims = tmp_path / "claims.csv"
        claims.write_text(
            "note_id,billed_cpt,billed_units,billed_modifiers\n"
            f"{NOTE_IDS[0]},20680,1,LT\n"
            f"{NOTE_IDS[1]},26320,x,\n"
            "no_such_note,26320,1,RT\n",
            encoding="utf-8",
        )
        plain, joined = tmp_path / "plain.jsonl", tmp_path / "joined.jsonl"
        assert audit(str(folder), "--out", str(plain), "--workers", "1", "--quiet") == 0
        assert audit(str(folder), "--out", str(joined), "--claims", str(claims), "--workers", "1", "--quiet") == 0
        before, after = read_jsonl(plain), read_jsonl(joined)
        risks_before = {r["id"] for r in before[0]["denial_risks"]}
        risks_after = {r["id"] for r in after[0]["denial_risks"]}
        assert risks_after - risks_before, "the billed claim reached the checker and raised a risk"
        assert "claim row is invalid" in after[1]["error"] and "billed_units" in after[1]["error"]
        assert "error" not in after[2]
        summary = json.loads((tmp_path / "joined.jsonl.summary.json").read_text())["claims"]
        assert summary["joined"] == 2
        assert summary["notes_without_claim_ids"] == [NOTE_IDS[2]]
        assert summary["claims_without_note_ids"] == ["no_such_note"]
        assert list(summary["invalid_rows"]) == [NOTE_IDS[1]]

        out_csv = tmp_path / "joined.csv"
        assert audit(str(folder), "--out", str(out_csv), "--claims", str(claims), "--workers", "1", "--quiet") == 0
        rows = list(csv.DictReader(out_csv.read_text(encoding="utf-8-sig").splitlines()))
        assert (rows[0]["billed_cpt"], rows[0]["billed_units"], rows[0]["billed_modifiers"]) == ("20680", "1", "LT")
        assert rows[2]["billed_cpt"] == ""


class TestOrderAndWorkers:
    def test_input_order_with_three_workers(self, tmp_path: Path) -> None:
        """Notes of very different lengths finish out of order; records still come in input order."""
        texts = [sample_text(n) for n in NOTE_IDS]
        src = tmp_path / "notes.jsonl"
        ids = []
        with src.open("w", encoding="utf-8") as fh:
            for i in range(48):
                note_id = f"n{(i * 37) % 48:03d}"  # ids not in sorted order, so sorting cannot fake order
                ids.append(note_id)
                text = texts[i % 4] * (1 + (i % 4) * 4) if i % 7 else "short note without hardware"
                fh.write(json.dumps({"note_id": note_id, "text": text}) + "\n")
        out = tmp_path / "out.jsonl"
        assert audit(str(src), "--out", str(out), "--workers", "3", "--quiet") == 0
        records = read_jsonl(out)
        assert [r["note_id"] for r in records] == ids
        assert not any("error" in r for r in records)

    @pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs forked workers to inject the crash")
    def test_a_note_that_kills_its_worker_becomes_an_error_record(self, tmp_path: Path, monkeypatch) -> None:
        """Workers are forked from this process, so the patched check_job is what they run."""
        real = workers.check_job

        def crash_on_poison(job):
            if job.note_id == "poison":
                import os

                os._exit(13)
            return real(job)

        monkeypatch.setattr(workers, "check_job", crash_on_poison)
        src = tmp_path / "notes.jsonl"
        ids = [f"n{i:02d}" for i in range(20)]
        ids[11] = "poison"
        with src.open("w", encoding="utf-8") as fh:
            for note_id in ids:
                fh.write(json.dumps({"note_id": note_id, "text": sample_text(NOTE_IDS[1])}) + "\n")
        out = tmp_path / "out.jsonl"
        assert audit(str(src), "--out", str(out), "--workers", "2", "--quiet") == 0
        records = read_jsonl(out)
        assert [r["note_id"] for r in records] == ids
        assert records[11] == {"note_id": "poison", "error": "checking this note crashed the worker process"}
        assert all("error" not in r for i, r in enumerate(records) if i != 11)


class TestResumeInProcess:
    def test_resume_completes_a_torn_jsonl(self, tmp_path: Path) -> None:
        folder = tmp_path / "notes"
        folder.mkdir()
        for note_id in NOTE_IDS:
            shutil.copy(SAMPLES / f"{note_id}.txt", folder)
        out = tmp_path / "out.jsonl"
        assert audit(str(folder), "--out", str(out), "--workers", "1", "--quiet") == 0
        full = out.read_bytes()
        lines = full.splitlines(keepends=True)
        out.write_bytes(lines[0] + lines[1] + lines[2][:40])  # two records and a torn third
        assert audit(str(folder), "--out", str(out), "--workers", "1", "--resume", "--quiet") == 0
        assert [r["note_id"] for r in read_jsonl(out)] == NOTE_IDS
        assert json.loads((tmp_path / "out.jsonl.summary.json").read_text())["resumed_after"] == 2

    def test_resume_refuses_a_changed_input(self, tmp_path: Path, capsys) -> None:
        folder = tmp_path / "notes"
        folder.mkdir()
        shutil.copy(SAMPLES / f"{NOTE_IDS[0]}.txt", folder)
        out = tmp_path / "out.jsonl"
        out.write_text('{"note_id": "something_else", "error": "x"}\n', encoding="utf-8")
        assert audit(str(folder), "--out", str(out), "--resume", "--quiet") == 2
        assert "cannot resume" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, message",
    [
        (["{missing}", "--out", "{tmp}/o.jsonl"], "no such file or folder"),
        (["{folder}", "--out", "{tmp}/o.txt"], "--out must end in .jsonl, .csv or .html"),
        (["{folder}", "--out", "{tmp}/nowhere/o.jsonl"], "does not exist"),
        (["{folder}", "--out", "{tmp}/o.jsonl", "--workers", "0"], "workers"),
        (["{folder}", "--out", "{tmp}/o.jsonl", "--claims", "{tmp}/none.csv"], "cannot read claims file"),
        (["{folder}", "--out", "{tmp}/o.jsonl", "--fees", "{tmp}/bad.yaml"], "fee table"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    shutil.copy(SAMPLES / f"{NOTE_IDS[0]}.txt", folder)
    (tmp_path / "bad.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    values = {"missing": str(tmp_path / "missing"), "tmp": str(tmp_path), "folder": str(folder)}
    assert audit(*[a.format(**values) for a in args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
