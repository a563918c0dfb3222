"""The command line on HL7 and FHIR files: `check message.hl7` (text/json/fhir/html, exit codes,
one-line errors), `check doc.json`, and `audit` over a folder of messages, a batch file and a
FHIR Bundle; offsets in every result point into the rebuilt text whose SHA-256 is returned."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from fhir_samples import bundle, document_reference
from notecheck.cli import main
from notecheck.interchange.records import text_sha256

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "sample_notes" / "interchange"
ORU_TEXT = (FIXTURES / "oru_r01_tx_final.expected.txt").read_text(encoding="utf-8")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _assert_offsets(record: dict, text: str, with_sha: bool = True) -> None:  # type: ignore[type-arg]
    if with_sha:
        assert record["text_sha256"] == text_sha256(text)
    def walk(node: object) -> None:
        if isinstance(node, dict):
            if {"text", "start", "end", "section"} <= node.keys():
                assert text[node["start"]:node["end"]] == node["text"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(record)


@pytest.mark.parametrize("name", ["mdm_t02_ft_presign", "oru_r01_tx_final", "utf8_hex_escapes", "tx_blank_lines_repetitions"])
def test_check_hl7_json(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", str(FIXTURES / f"{name}.hl7"), "--format", "json"], capsys)
    record = json.loads(out)
    assert code in (0, 1) and err == ""
    assert code == (0 if record["ready_to_sign"] else 1)
    text = (FIXTURES / f"{name}.expected.txt").read_bytes().decode("utf-8")
    _assert_offsets(record, text)
    assert record["interchange"]["format"] == "hl7v2"


def test_check_hl7_text_and_claim_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", str(FIXTURES / "mdm_t02_ft_presign.hl7"), "--no-color"], capsys)
    assert code == 1 and out.startswith("DOC-2026-000123^DICTSYS:")
    # TXA-4 gave the removal date: only the index date is missing for 58/78/79.
    assert "without index_surgery_date." in " ".join(out.split())
    code, out, _ = run(["check", str(FIXTURES / "mdm_t02_ft_presign.hl7"), "--format", "json",
                        "--index-date", "2026-10-01", "--note-id", "mine"], capsys)
    record = json.loads(out)
    assert record["note_id"] == "mine"


def test_check_hl7_as_fhir_and_html(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(["check", str(FIXTURES / "oru_r01_tx_final.hl7"), "--format", "fhir", "--emit-queries"], capsys)
    resource = json.loads(out)
    Bundle.model_validate(resource)
    kinds = {e["resource"]["resourceType"] for e in resource["entry"]}
    assert kinds == {"DetectedIssue", "Task"}
    html = tmp_path / "note.html"
    run(["check", str(FIXTURES / "oru_r01_tx_final.hl7"), "--format", "html", "-o", str(html)], capsys)
    assert "50^50 blend" in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("skip_discharge_summary.hl7", "nothing to check: document type DS is not an operative report"),
        ("refuse_empty_text.hl7", "HL7 message refused (AE 101 at OBX^1^5)"),
        ("batch_fhs_bhs.hl7", "holds 3 HL7 messages; use `notecheck audit`"),
    ],
)
def test_check_hl7_errors_are_one_line(name: str, needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["check", str(FIXTURES / name)], capsys)
    assert code == 2 and out == ""
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_hl7_detected_by_content_and_stdin(tmp_path: Path) -> None:
    loose = tmp_path / "message.txt"
    loose.write_bytes((FIXTURES / "segments_lf.hl7").read_bytes())
    for args, stdin in (([str(loose)], None), (["-"], loose.read_bytes())):
        proc = subprocess.run([sys.executable, "-m", "notecheck.cli", "check", *args, "--format", "json"],
                              input=stdin, capture_output=True, cwd=ROOT, timeout=120)
        assert proc.returncode in (0, 1), proc.stderr
        assert json.loads(proc.stdout)["note_id"] == "DOC-2026-000200^DICTSYS"


def test_check_fhir_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document_reference()), encoding="utf-8")
    code, out, _ = run(["check", str(path), "--format", "json"], capsys)
    record = json.loads(out)
    assert record["note_id"] == "DOC-op-000123" and record["interchange"]["format"] == "fhir"
    code, out, _ = run(["check", str(path), "--format", "fhir"], capsys)
    issues = [e["resource"] for e in json.loads(out)["entry"]]
    assert issues and all(i["implicated"] == [{"reference": "DocumentReference/op-000123"}] for i in issues)
    path.write_text(json.dumps(document_reference(status="bogus")), encoding="utf-8")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 2 and "bad FHIR input (422)" in err


def test_plain_note_as_fhir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = tmp_path / "op-7.txt"
    note.write_text("PROCEDURE: Removal of K-wire, ring finger.\n", encoding="utf-8")
    code, out, _ = run(["check", str(note), "--format", "fhir"], capsys)
    assert code == 1
    resource = json.loads(out)
    Bundle.model_validate(resource)
    ref = resource["entry"][0]["resource"]["implicated"][0]
    assert ref["identifier"]["value"] == "op-7"


def _records(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_audit_folder_of_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in FIXTURES.glob("*.hl7"):
        shutil.copy(path, folder / path.name)
    (folder / "plain.txt").write_text("PROCEDURE: Removal of K-wire, ring finger.\n", encoding="utf-8")
    (folder / "doc.json").write_text(json.dumps(bundle(document_reference(id="a"), document_reference(id="b"))), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(["audit", str(folder), "--out", str(out), "--workers", "1", "--quiet"], capsys)
    assert code == 0, err
    records = _records(out)
    # batch: 3 messages; every other .hl7 one; doc.json two documents; plain.txt one.
    hl7_files = list(FIXTURES.glob("*.hl7"))
    assert len(records) == (len(hl7_files) - 1) + 3 + 2 + 1
    by_id = {r["note_id"]: r for r in records}
    assert by_id["DOC-2026-000123^DICTSYS"]["encoding"] == "hl7v2"
    assert by_id["DOC-b"]["encoding"] == "fhir" and by_id["plain"]["score"] >= 0
    assert by_id["MSG000404"]["error"].startswith("HL7 message refused (ACK AR, 200")
    skipped = [r for r in records if r.get("error", "").startswith("HL7 message skipped")]
    assert len(skipped) == 4  # DS, CA, T11, and the DS inside the batch
    oru = by_id["DOC-2026-000124^TRANSCRIBE"]
    _assert_offsets(oru, ORU_TEXT, with_sha=False)  # audit records: offsets into the rebuilt text


def test_audit_batch_file_with_claims(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text("note_id,index_surgery_date,billed_cpt\nDOC-2026-000123^DICTSYS,2026-10-01,26320\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(["audit", str(FIXTURES / "batch_fhs_bhs.hl7"), "--out", str(out), "--claims", str(claims),
                        "--workers", "1", "--quiet"], capsys)
    assert code == 0, err
    records = _records(out)
    assert [r["note_id"] for r in records] == ["DOC-2026-000123^DICTSYS", "DOC-2026-000124^TRANSCRIBE", "DOC-2026-000200^DICTSYS"]
    # The claims row gave the index date; TXA-4 still gave the removal date, so 58/78/79 can be decided.
    messages = " ".join(item["message"] for item in records[0]["checklist"])
    assert "cannot be decided" not in messages
