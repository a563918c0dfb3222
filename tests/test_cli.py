"""`notecheck check` and `notecheck eval` (CONTRACT.md §2, §4): exit codes 0/1/2, one-line errors
without a traceback, the JSON result, stdin, claim options, and the eval table."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from notecheck.cli import main
from notecheck.models import Result

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = ROOT / "sample_notes"

COMPLETE_NOTE = (
    "PREOPERATIVE DIAGNOSIS: Prominent buried K-wires, right middle finger proximal phalanx, fracture healed.\n"
    "POSTOPERATIVE DIAGNOSIS: Same.\n"
    "PROCEDURE: Removal of two buried K-wires, right middle finger proximal phalanx.\n"
    "ANESTHESIA: Digital block with 1% lidocaine.\n"
    "INDICATIONS: The wires were cut below the skin at the index pinning with the plan to remove them once the fracture healed. "
    "Radiographs show a healed fracture and the wire ends are tenting the skin.\n"
    "DESCRIPTION OF PROCEDURE: In the operating room a 1 cm incision was made over the wire ends on the ulnar side of the proximal "
    "phalanx. Both K-wires were grasped and removed intact; fluoroscopy confirmed complete removal. The skin was closed with 5-0 nylon.\n"
    "COMPLICATIONS: None.\n"
)
GAP_NOTE = "PROCEDURE: Removal of K-wire, ring finger.\n"

CONTRACT_KEYS = {"schema_version", "note_id", "procedure", "findings", "checklist", "score", "ready_to_sign", "claim_lines",
                 "modifiers", "icd10_suggestions", "denial_risks"}
FINDING_KEYS = {"implants", "region", "laterality", "digits", "bones", "indications", "approach", "planned_status", "complexity_factors"}
CHECKLIST_IDS = {"implant_type", "anatomic_location", "indication", "approach", "planned_status", "modifier_22_support"}


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # shell completion ends the process
        code = exc.code if isinstance(exc.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_one_line_error(code: int, err: str) -> None:
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "error" in lines[0].lower()


@pytest.fixture
def note(tmp_path: Path):
    def write(text: str | bytes, name: str = "note.txt") -> Path:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path
    return write


# ---- exit codes ---------------------------------------------------------------------------------------

def test_complete_note_exit_0(note, capsys):
    code, out, err = run(["check", str(note(COMPLETE_NOTE)), "--no-color"], capsys)
    assert code == 0, out
    assert "26320" in out
    assert err == ""


def test_note_with_gaps_exit_1(note, capsys):
    code, out, _ = run(["check", str(note(GAP_NOTE)), "--no-color"], capsys)
    assert code == 1, out


def test_exit_code_follows_ready_to_sign(note, capsys):
    for text in (COMPLETE_NOTE, GAP_NOTE):
        code, out, _ = run(["check", str(note(text)), "--format", "json"], capsys)
        assert code == (0 if json.loads(out)["ready_to_sign"] else 1)


# fmt: off
BAD_INPUTS = [
    pytest.param(b"", id="empty-file"),
    pytest.param(b"   \n\n\t \n", id="whitespace-only"),
    pytest.param(b"\x00\x01\x02PK\x03\x04" + bytes(range(256)) * 4, id="binary-with-nul"),
    pytest.param(b"\x81\x8d\x8f\x90\x9d" * 40, id="undecodable-utf8-and-cp1252"),
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200, id="jpeg-header"),
    pytest.param("\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11\x12".encode() * 30, id="control-characters"),
]
# fmt: on


@pytest.mark.parametrize("data", BAD_INPUTS)
def test_bad_input_exit_2_one_line(note, capsys, data: bytes):
    code, out, err = run(["check", str(note(data))], capsys)
    assert_one_line_error(code, err)
    assert out == ""


def test_missing_file_exit_2(tmp_path: Path, capsys):
    code, out, err = run(["check", str(tmp_path / "no_such_note.txt")], capsys)
    assert_one_line_error(code, err)
    assert "no_such_note.txt" in err


def test_directory_exit_2(tmp_path: Path, capsys):
    code, _, err = run(["check", str(tmp_path)], capsys)
    assert_one_line_error(code, err)


def test_error_message_never_quotes_the_note(note, capsys):
    secret = "Patient Zebediah Quux"
    code, _, err = run(["check", str(note((secret + "\x00").encode() * 10))], capsys)
    assert code == 2 and "Zebediah" not in err


@pytest.mark.parametrize("option, value", [
    ("--removal-date", "2026-13-45"), ("--removal-date", "03/15/2026"), ("--index-date", "yesterday"), ("--billed-units", "two"),
])
def test_bad_option_exit_2(note, capsys, option: str, value: str):
    code, out, err = run(["check", str(note(COMPLETE_NOTE)), option, value], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert value in err or option in err
    assert out == ""


def test_negative_billed_units_exit_2(note, capsys):
    code, _, err = run(["check", str(note(COMPLETE_NOTE)), "--billed-units", "-3"], capsys)
    assert code == 2
    assert "Traceback" not in err


# ---- JSON result ---------------------------------------------------------------------------------------------

def test_json_is_the_contract_result(note, capsys):
    path = note(COMPLETE_NOTE, name="op-0042.txt")
    code, out, _ = run(["check", str(path), "--format", "json"], capsys)
    data = json.loads(out)
    assert code in (0, 1)
    assert CONTRACT_KEYS <= set(data)
    assert data["schema_version"] == "1"
    assert data["note_id"] == "op-0042"
    assert FINDING_KEYS <= set(data["findings"])
    assert CHECKLIST_IDS <= {item["id"] for item in data["checklist"]}
    assert {item["status"] for item in data["checklist"]} <= {"met", "partial", "missing", "not_applicable"}
    assert isinstance(data["score"], int) and 0 <= data["score"] <= 100
    assert data["procedure"]["suggested_cpt"] == "26320"
    assert data["procedure"]["units"] == sum(line["units"] for line in data["claim_lines"])
    assert {m["code"] for m in data["modifiers"]} == {m for line in data["claim_lines"] for m in line["modifiers"]}
    Result.model_validate(data)


def test_json_evidence_offsets_point_into_the_file(note, capsys):
    path = note(COMPLETE_NOTE)
    _, out, _ = run(["check", str(path), "--format", "json"], capsys)
    text = path.read_text(encoding="utf-8")
    data = json.loads(out)
    evidence = [e for f in data["findings"]["implants"] for e in f["evidence"]] + [e for i in data["checklist"] for e in i["evidence"]]
    assert evidence
    for e in evidence:
        assert text[e["start"]:e["end"]] == e["text"]


def test_json_offsets_with_crlf_and_bom(note, capsys):
    """Offsets index the note exactly as written: CRLF line ends and a UTF-8 BOM stay part of it."""
    data = b"\xef\xbb\xbf" + COMPLETE_NOTE.replace("\n", "\r\n").encode("utf-8")
    path = note(data)
    _, out, _ = run(["check", str(path), "--format", "json"], capsys)
    result = json.loads(out)
    text = data.decode("utf-8-sig")
    for item in result["checklist"]:
        for e in item["evidence"]:
            assert text[e["start"]:e["end"]] == e["text"]
    assert result["procedure"]["suggested_cpt"] == "26320"


def test_cp1252_note_is_read(note, capsys):
    text = COMPLETE_NOTE.replace("1% lidocaine", "1% lidocaine \u2013 8 mL")
    code, out, _ = run(["check", str(note(text.encode("cp1252"))), "--format", "json"], capsys)
    assert code in (0, 1)
    assert json.loads(out)["procedure"]["suggested_cpt"] == "26320"


def test_claim_options_reach_the_result(note, capsys):
    argv = ["check", str(note(COMPLETE_NOTE)), "--format", "json", "--removal-date", "2026-03-10", "--index-date", "2026-02-08",
            "--index-cpt", "26727", "--billed-cpt", "20680", "--billed-units", "1", "--billed-modifiers", "RT,F7;58"]
    _, out, _ = run(argv, capsys)
    data = json.loads(out)
    assert "58" in {m["code"] for m in data["modifiers"]}
    assert "billed_20680_for_hand" in {r["id"] for r in data["denial_risks"]}


def test_index_unrelated_flag(note, capsys):
    argv = ["check", str(note(COMPLETE_NOTE)), "--format", "json", "--removal-date", "2026-03-10", "--index-date", "2026-02-08",
            "--index-cpt", "26727", "--index-unrelated"]
    _, out, _ = run(argv, capsys)
    assert "79" in {m["code"] for m in json.loads(out)["modifiers"]}


def test_output_file_and_html(note, tmp_path: Path, capsys):
    target = tmp_path / "report.html"
    code, out, _ = run(["check", str(note(COMPLETE_NOTE)), "--format", "html", "--output", str(target)], capsys)
    assert code in (0, 1)
    html = target.read_text(encoding="utf-8")
    assert "<html" in html.lower() and "26320" in html


# ---- stdin ----------------------------------------------------------------------------------------------------------

def test_stdin_dash(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(COMPLETE_NOTE.encode("utf-8"))))
    code, out, _ = run(["check", "-", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["procedure"]["suggested_cpt"] == "26320"
    assert data["schema_version"] == "1"


def test_stdin_empty_exit_2(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    code, _, err = run(["check", "-"], capsys)
    assert_one_line_error(code, err)


# ---- real processes ---------------------------------------------------------------------------------------------------

def _cli(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "notecheck.cli", *args], input=stdin, capture_output=True, timeout=120,
                          cwd=str(Path("/")), env=env)


def test_process_stdin_pipe_and_exit_codes(tmp_path: Path):
    ok = _cli(["check", "-", "--format", "json"], stdin=COMPLETE_NOTE.encode("utf-8"))
    assert ok.returncode == 0, ok.stderr.decode()
    assert json.loads(ok.stdout)["schema_version"] == "1"
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x00\xff" * 500)
    bad = _cli(["check", str(binary)])
    assert bad.returncode == 2
    err = bad.stderr.decode()
    assert "Traceback" not in err and len([l for l in err.splitlines() if l.strip()]) == 1


def test_process_missing_file_no_traceback(tmp_path: Path):
    proc = _cli(["check", str(tmp_path / "missing.txt")])
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "Traceback" not in err and len([l for l in err.splitlines() if l.strip()]) == 1
    assert proc.stdout == b""


# ---- eval ------------------------------------------------------------------------------------------------------------

def test_eval_prints_precision_recall_f1(capsys):
    code, out, err = run(["eval", str(SAMPLE_NOTES)], capsys)
    assert code == 0, err
    lines = out.splitlines()
    header = next(line for line in lines if "precision" in line)
    assert "recall" in header and "F1" in header
    rows = {line.split()[0]: line.split() for line in lines[lines.index(header) + 1:] if line.strip()}
    for field in ("implants", "laterality", "digits", "bones", "indications", "planned_status", "complexity_factors", "suggested_cpt"):
        assert field in rows, field
        precision, recall, f1 = (float(x) for x in rows[field][1:4])
        assert 0.0 <= precision <= 1.0 and 0.0 <= recall <= 1.0 and 0.0 <= f1 <= 1.0


def test_eval_missing_dir_exit_2(tmp_path: Path, capsys):
    code, _, err = run(["eval", str(tmp_path / "nope")], capsys)
    assert_one_line_error(code, err)


def test_eval_dir_without_gold_exit_2(tmp_path: Path, capsys):
    (tmp_path / "a.txt").write_text("PROCEDURE: HWR.", encoding="utf-8")
    code, _, err = run(["eval", str(tmp_path)], capsys)
    assert_one_line_error(code, err)


# ---- hostile input and output paths (issue 9) ----------------------------------------------------------------------

def test_unreadable_file_exit_2(note, capsys, monkeypatch):
    path = note(COMPLETE_NOTE)
    real_open = os.open

    def denied(p, *args, **kwargs):
        if str(p) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(p, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # root reads any file, so the denial is simulated
    code, out, err = run(["check", str(path)], capsys)
    assert_one_line_error(code, err)
    assert "Permission denied" in err and str(path) in err and out == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the mode")
def test_unreadable_file_and_read_only_folder_really(note, tmp_path: Path, capsys):
    path = note(COMPLETE_NOTE)
    path.chmod(0)
    code, _, err = run(["check", str(path)], capsys)
    assert_one_line_error(code, err)
    path.chmod(0o600)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = run(["check", str(path), "-o", str(locked / "r.json")], capsys)
    assert_one_line_error(code, err)


@pytest.mark.parametrize("where, message", [
    ("missing/r.json", "does not exist"), ("folder", "is a folder"), ("folder/", "is a folder"),
])
def test_output_into_missing_folder_or_onto_a_folder_exit_2(note, tmp_path: Path, capsys, where: str, message: str):
    # Before: FileNotFoundError / IsADirectoryError tracebacks, after the whole check had run.
    (tmp_path / "folder").mkdir()
    code, out, err = run(["check", str(note(COMPLETE_NOTE)), "-o", str(tmp_path) + "/" + where], capsys)
    assert_one_line_error(code, err)
    assert message in err and out == ""


def test_output_write_failure_exit_2_and_no_partial_file(note, tmp_path: Path, capsys, monkeypatch):
    """A folder that refuses the write (read-only, full): one line, and no half-written output."""
    import notecheck.audit.writers as writers

    real_open = os.open

    def read_only(p, flags, *args, **kwargs):
        if flags & os.O_CREAT and str(p).startswith(str(tmp_path / ".r.json.")):
            raise PermissionError(13, "Permission denied")
        return real_open(p, flags, *args, **kwargs)

    monkeypatch.setattr(writers.os, "open", read_only)
    code, _, err = run(["check", str(note(COMPLETE_NOTE)), "-o", str(tmp_path / "r.json"), "--format", "json"], capsys)
    assert_one_line_error(code, err)
    assert "cannot write" in err and "Permission denied" in err
    assert not (tmp_path / "r.json").exists()


def test_output_equal_to_the_note_is_refused(note, tmp_path: Path, capsys):
    # Before: `check n.txt -o n.txt` replaced the note with its report.
    path = note(COMPLETE_NOTE)
    alias = tmp_path / "alias.txt"
    os.symlink(path, alias)
    for target in (path, alias, tmp_path / "." / path.name):
        code, _, err = run(["check", str(path), "-o", str(target)], capsys)
        assert_one_line_error(code, err)
        assert "is the note itself" in err
    assert path.read_text(encoding="utf-8") == COMPLETE_NOTE


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_stdout_to_dev_full_exit_2_one_line(note):
    # Before: "Exception ignored ... OSError: [Errno 28]" at interpreter exit, exit 120.
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "notecheck.cli", "check", str(note(COMPLETE_NOTE)), "--format", "json"],
                              stdout=full, stderr=subprocess.PIPE, timeout=300)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert [line for line in err.splitlines() if line.strip()] == ["notecheck: error: cannot write the result to stdout: No space left on device"]


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path):
    # Before: blocked forever in open(), waiting for a writer.
    fifo = tmp_path / "note.txt"
    os.mkfifo(fifo)
    proc = _cli(["check", str(fifo)])
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err
    assert "not a regular file (a FIFO)" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_as_a_file_and_read_bounded_on_stdin():
    # Before: read_bytes() of /dev/zero grew without end (GBs); stdin was already bounded.
    proc = _cli(["check", "/dev/zero"])
    assert proc.returncode == 2 and "not a regular file (a device or socket)" in proc.stderr.decode()
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([sys.executable, "-m", "notecheck.cli", "check", "-", "--max-bytes", "5000000"], stdin=zero,
                              capture_output=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == "notecheck: error: note is over the 5,000,000-byte limit"


class _CountingStdin:
    """sys.stdin whose .buffer is endless, counting the bytes taken from it."""

    def __init__(self) -> None:
        self.taken = 0
        self.buffer = self

    def read(self, n: int = -1) -> bytes:
        assert n >= 0, "an unbounded read of stdin"
        self.taken += n
        return b"a" * n


def test_stdin_read_is_bounded_by_the_limit(monkeypatch, capsys):
    stdin = _CountingStdin()
    monkeypatch.setattr(sys, "stdin", stdin)
    code, _, err = run(["check", "-", "--max-bytes", "1234"], capsys)
    assert_one_line_error(code, err)
    assert stdin.taken == 1235


@pytest.mark.parametrize("bom, codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")], ids=["LE", "BE"])
def test_utf16_note_is_checked_like_its_utf8_twin(note, capsys, bom: bytes, codec: str):
    # Before: "note looks binary (NUL bytes), not text", exit 2.
    code8, out8, _ = run(["check", str(note(COMPLETE_NOTE, name="n.txt")), "--format", "json"], capsys)
    code16, out16, err = run(["check", str(note(bom + COMPLETE_NOTE.encode(codec), name="n.txt")), "--format", "json"], capsys)
    assert (code16, err) == (code8, "")
    assert json.loads(out16) == json.loads(out8)


def test_zero_width_only_note_is_empty(note, capsys):
    code, _, err = run(["check", str(note("\u200b\u200c\u200d\n\u2060\ufeff \t".encode("utf-8")))], capsys)
    assert_one_line_error(code, err)
    assert "note is empty" in err


def test_max_bytes_above_one_megabyte_is_honoured(note, capsys):
    # Before: "note is 1,100,000 characters, over the 1,000,000 limit" even with --max-bytes 2000000.
    text = COMPLETE_NOTE + " " * (1_100_000 - len(COMPLETE_NOTE))
    code, out, err = run(["check", str(note(text)), "--format", "json", "--max-bytes", "1200000"], capsys)
    assert code in (0, 1), err
    assert json.loads(out)["procedure"]["suggested_cpt"] == "26320"


@pytest.mark.parametrize("value, message", [("0", "at least 1 byte"), ("99999999999", "ceiling"), ("lots", "whole number")])
def test_max_bytes_out_of_range_exit_2(note, capsys, value: str, message: str):
    code, _, err = run(["check", str(note(COMPLETE_NOTE)), "--max-bytes", value], capsys)
    assert_one_line_error(code, err)
    assert message in err


def test_undecodable_file_name_gives_an_escaped_note_id(tmp_path: Path, capsys):
    # Before: PydanticSerializationError (surrogates not allowed), a traceback.
    path = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/op-\xff.txt"))
    path.write_text(COMPLETE_NOTE, encoding="utf-8")
    code, out, err = run(["check", str(path), "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["note_id"] == "op-\\udcff"
