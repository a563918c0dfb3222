"""`notecheck audit` against hostile input (issue 9): a per-note time budget, lines that used to
stop the run (lone surrogates, JSON nested 100k deep, symlink loops, unreadable files, CSV fields
past the csv module's limit), .docx zip bombs, temp files left by a kill, output paths that would
overwrite an input, and one size limit in bytes. Each attack yields one error record (or, for the
whole run, one line and exit 2) and the run goes on; --resume after a kill gets past it."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notecheck.audit import workers
from notecheck.audit.claims import ClaimIndex, ClaimsFileError
from notecheck.audit.inputs import NoteJob, load_text, open_source, safe_note_id
from notecheck.audit.lines import csv_records
from notecheck.budget import check_budget
from notecheck.checker import Checker
from notecheck.cli import main
from notecheck.reader import NoteInputError

SAMPLES = Path(__file__).resolve().parents[1] / "sample_notes"
NOTE = (SAMPLES / "hwr_001_left_ring_p1_kwires_staged.txt").read_text(encoding="utf-8")
STALL = "STALL-MARKER-7"  # a note holding this never finishes in the patched pipeline
CLI = [sys.executable, "-c", "import sys; from notecheck.cli import main; sys.exit(main())"]


@pytest.fixture
def in_process_worker(checker, monkeypatch):
    """workers.check_job in this process with the session's Checker."""
    monkeypatch.setattr(workers, "_checker", checker)
    monkeypatch.setattr(workers, "_max_bytes", 1_000_000)
    monkeypatch.setattr(workers, "_with_excerpts", False)
    monkeypatch.setattr(workers, "_budget_s", None)


def audit(*args: str) -> int:
    return main(["audit", *args])


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")
    return path


# ---- 1. per-note time budget ------------------------------------------------------------------------


@pytest.fixture
def stalling_pipeline(monkeypatch):
    """The pipeline never finishes a note holding STALL. `cooperative`: it keeps calling
    check_budget (the budget ends it); else it spins without ever checking (only the worker's
    backstop can end it). Patched on the class, so forked workers inherit it."""
    original = Checker.doc

    def install(cooperative: bool) -> None:
        def doc(self, text):
            if STALL in text:
                while True:
                    if cooperative:
                        check_budget()
            return original(self, text)

        monkeypatch.setattr(Checker, "doc", doc)

    return install


@pytest.mark.parametrize("cooperative", [True, False], ids=["cooperative-budget", "backstop"])
def test_a_note_over_its_budget_is_an_error_record_and_the_run_goes_on(
    tmp_path: Path, stalling_pipeline, cooperative: bool
) -> None:
    # Before: no budget; a stalling note held its worker (and the run) for as long as it took.
    stalling_pipeline(cooperative)
    src = write_jsonl(tmp_path / "notes.jsonl", [
        {"note_id": "a", "text": NOTE}, {"note_id": "slow", "text": NOTE + STALL}, {"note_id": "b", "text": NOTE},
    ])
    out = tmp_path / "out.jsonl"
    assert audit(str(src), "--out", str(out), "--workers", "1", "--quiet", "--note-budget", "0.3") == 0
    records = read_jsonl(out)
    assert [r["note_id"] for r in records] == ["a", "slow", "b"]
    assert records[1] == {"note_id": "slow", "error": "note not checked within its 0.3-second time budget"}
    assert "error" not in records[0] and "error" not in records[2]  # the worker (or its rebuilt Checker) goes on


def test_budget_reaches_the_checker_in_the_worker(in_process_worker, monkeypatch) -> None:
    seen = {}

    def check(text, context=None, note_id=None, budget_s=None, max_bytes=None):
        seen.update(budget_s=budget_s, max_bytes=max_bytes)
        raise NoteInputError("stop here")

    monkeypatch.setattr(workers, "_budget_s", 12.5)
    monkeypatch.setattr(workers, "_max_bytes", 2_500_000)
    monkeypatch.setattr(workers._checker, "check", check)
    workers.check_job(NoteJob(seq=0, note_id="n", source="text", payload=NOTE))
    assert seen == {"budget_s": 12.5, "max_bytes": 2_500_000}


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "soon"])
def test_bad_note_budget_is_a_usage_error(tmp_path: Path, capsys, value: str) -> None:
    src = write_jsonl(tmp_path / "n.jsonl", [{"note_id": "a", "text": NOTE}])
    assert audit(str(src), "--out", str(tmp_path / "o.jsonl"), "--note-budget", value) == 2
    assert "--note-budget" in one_line_error(capsys.readouterr().err)


# ---- 2. one hostile line never stops an audit ------------------------------------------------------------


def hostile_jsonl(path: Path, good_after: int = 2) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"note_id": "good-1", "text": NOTE}) + "\n")
        fh.write('{"note_id": "\\ud800", "text": "PROCEDURE: Removal of K-wire, left ring finger."}\n')
        fh.write('{"note_id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
        fh.write('{"note_id": "lone-in-text", "text": "K-wire \\udc00 removed"}\n')
        for i in range(good_after):
            fh.write(json.dumps({"note_id": f"good-{i + 2}", "text": NOTE}) + "\n")
    return path


def test_hostile_jsonl_lines_are_one_error_record_each(tmp_path: Path) -> None:
    # Before: UnicodeEncodeError in the journal, then RecursionError: a traceback, the run over.
    src = hostile_jsonl(tmp_path / "notes.jsonl")
    out = tmp_path / "out.jsonl"
    assert audit(str(src), "--out", str(out), "--workers", "2", "--quiet") == 0
    records = read_jsonl(out)
    assert [r["note_id"] for r in records] == ["good-1", "\\ud800", "line-3", "lone-in-text", "good-2", "good-3"]
    assert "error" not in records[1], "a surrogate id is escaped; its note is still checked"
    assert records[2]["error"] == "line 3 is JSON nested too deeply"
    assert "not valid Unicode" in records[3]["error"]
    out.read_bytes().decode("utf-8")  # strictly valid UTF-8


def test_escaped_ids_are_the_same_in_every_output(tmp_path: Path) -> None:
    src = hostile_jsonl(tmp_path / "notes.jsonl", good_after=0)
    assert audit(str(src), "--out", str(tmp_path / "o.csv"), "--workers", "1", "--quiet") == 0
    assert audit(str(src), "--out", str(tmp_path / "o.html"), "--workers", "1", "--quiet") == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "o.csv").read_text(encoding="utf-8-sig"))))
    assert [r["note_id"] for r in rows] == ["good-1", "\\ud800", "line-3", "lone-in-text"]
    assert "\\ud800" in (tmp_path / "o.html").read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_safe_note_id_is_always_utf8_and_leaves_valid_ids_alone(raw: str) -> None:
    safe = safe_note_id(raw)
    safe.encode("utf-8")
    try:
        raw.encode("utf-8")
        assert safe == raw
    except UnicodeEncodeError:
        assert "\\ud" in safe


def test_folder_with_symlink_loop_fifo_and_dangling_link(tmp_path: Path) -> None:
    # Before: OSError [Errno 40] from the folder scan: a traceback, nothing checked.
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTE, encoding="utf-8")
    os.symlink("c_loop.txt", folder / "b_loop.txt")
    os.symlink("b_loop.txt", folder / "c_loop.txt")
    os.symlink("missing.txt", folder / "d_dangling.txt")
    os.mkfifo(folder / "e_fifo.txt")
    (folder / "f_folder.txt").mkdir()  # a folder is not a note
    (folder / "g.txt").write_text(NOTE, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert audit(str(folder), "--out", str(out), "--workers", "1", "--quiet") == 0
    records = {r["note_id"]: r for r in read_jsonl(out)}
    assert list(records) == ["a", "b_loop", "c_loop", "d_dangling", "e_fifo", "g"]
    assert records["b_loop"]["error"] == "cannot read the file (Too many levels of symbolic links)"
    assert records["d_dangling"]["error"] == "cannot read the file (No such file or directory)"
    assert records["e_fifo"]["error"] == "not a regular file (a FIFO)"
    assert "error" not in records["a"] and "error" not in records["g"]


def test_unreadable_file_is_an_error_record(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text(NOTE, encoding="utf-8")
    real_open = os.open

    def denied(p, *args, **kwargs):
        if str(p) == str(path):
            raise PermissionError(13, "Permission denied")
        return real_open(p, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # root reads any file, so the denial is simulated
    with pytest.raises(NoteInputError, match=r"^cannot read the file \(Permission denied\)$"):
        load_text(NoteJob(seq=0, note_id="locked", source="file", payload=str(path)), 1000)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_in_a_folder_really(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTE, encoding="utf-8")
    (folder / "b.txt").write_text(NOTE, encoding="utf-8")
    (folder / "b.txt").chmod(0)
    out = tmp_path / "out.jsonl"
    assert audit(str(folder), "--out", str(out), "--workers", "1", "--quiet") == 0
    assert [r.get("error") for r in read_jsonl(out)] == [None, "cannot read the file (Permission denied)"]


class TestNotesCsv:
    def test_field_over_131072_characters_is_checked_within_the_note_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.csv"
        big = NOTE + " " * 140_000
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([["note_id", "text"], ["a", NOTE], ["big", big], ["c", NOTE]])
        jobs = list(open_source(path, 1_000_000).jobs())
        assert [(j.note_id, j.error, len(j.payload)) for j in jobs] == [("a", None, len(NOTE)), ("big", None, len(big)), ("c", None, len(NOTE))]

    def test_oversized_quoted_record_is_one_error_and_the_rest_stays_in_step(self, tmp_path: Path) -> None:
        # A quoted note over the limit, whose lines look like records of their own: the csv
        # module would resume inside it after its field-limit error, out of step for good.
        path = tmp_path / "notes.csv"
        hostile = ('line one\n"fake",""quoted"", text\nnot_a_note,"' + "x" * 300_000 + '\n') * 2
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([["note_id", "text"], ["a", NOTE], ["huge", hostile], ["c", NOTE], ["d", "K-wire\nremoved"]])
        jobs = list(open_source(path, 150_000).jobs())
        assert [j.note_id for j in jobs] == ["a", "huge", "c", "d"]
        line = 3 + NOTE.count("\n")  # the header, then record "a" with the note's lines
        assert jobs[1].error == f"the CSV record at line {line} is over the 150,000-byte limit" and jobs[1].payload == ""
        assert (jobs[2].payload, jobs[3].payload) == (NOTE, "K-wire\nremoved")

    def test_the_csv_field_limit_is_put_back(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.csv"
        path.write_text("note_id,text\na,hello\n", encoding="utf-8")
        before = csv.field_size_limit()
        list(open_source(path, 2_000_000).jobs())
        assert csv.field_size_limit() == before

    @settings(max_examples=150, deadline=None)
    @given(text=st.text(alphabet=st.sampled_from(list('ab ,"\n\té')), max_size=60), crlf=st.booleans())
    def test_records_are_delimited_exactly_as_the_csv_module_reads_them(self, text: str, crlf: bool) -> None:
        """Any text at all (stray quotes, unterminated fields, blank lines), LF or CRLF: the rows
        of the delimited records are the rows of one csv.reader over the whole file."""
        if crlf:
            text = text.replace("\n", "\r\n")
        expected = list(csv.reader(io.StringIO(text, newline="")))
        got = [row for record in csv_records(io.BytesIO(text.encode("utf-8")), 10_000)
               for row in csv.reader(line.text for line in record.lines)]
        assert got == expected


def test_claims_field_over_the_csv_limit_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    # Before: _csv.Error: field larger than field limit (131072), with a traceback.
    src = write_jsonl(tmp_path / "n.jsonl", [{"note_id": "a", "text": NOTE}])
    claims = tmp_path / "claims.csv"
    claims.write_text("note_id,billed_cpt\na,26320\nb," + "9" * 140_000 + "\n", encoding="utf-8")
    assert audit(str(src), "--out", str(tmp_path / "o.jsonl"), "--claims", str(claims), "--quiet") == 2
    line = one_line_error(capsys.readouterr().err)
    assert f"{claims}: line 3:" in line and "field larger than field limit" in line


def test_claims_limit_holds_even_after_a_notes_csv_raised_it(tmp_path: Path) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("note_id,text\na,hello\n", encoding="utf-8")
    list(open_source(notes, 5_000_000).jobs())
    claims = tmp_path / "claims.csv"
    claims.write_text("note_id,billed_cpt\n" + "b," + "9" * 140_000 + "\n", encoding="utf-8")
    with pytest.raises(ClaimsFileError, match="line 2"):
        ClaimIndex(claims)


@pytest.mark.parametrize("output", ["out.jsonl", "out.csv"])
def test_resume_after_a_kill_gets_past_the_hostile_lines(tmp_path: Path, output: str) -> None:
    """A real SIGKILL once the hostile lines are journalled, then --resume: every note exactly
    once, in order (before: the run died at the same line on every --resume)."""
    src = hostile_jsonl(tmp_path / "notes.jsonl", good_after=60)
    out = tmp_path / output
    journal = out if output.endswith(".jsonl") else tmp_path / (output + ".partial.jsonl")
    args = ["audit", str(src), "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(CLI + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while (journal.read_bytes().count(b"\n") if journal.exists() else 0) < 5:
        assert proc.poll() is None, "the audit ended before the kill"
        assert time.monotonic() < deadline, "the audit made no progress"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = journal.read_bytes().count(b"\n")
    assert 5 <= done < 64
    resumed = subprocess.run(CLI + args + ["--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    if output.endswith(".jsonl"):
        ids = [r["note_id"] for r in read_jsonl(out)]
    else:
        ids = [r["note_id"] for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))]
    assert ids == ["good-1", "\\ud800", "line-3", "lone-in-text"] + [f"good-{i + 2}" for i in range(60)]


# ---- 3. .docx zip bomb ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_bomb(tmp_path_factory) -> Path:
    """A real .docx whose document.xml unpacks to ~400 MB (built with zipfile, level 1 for speed)."""
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("PROCEDURE: Removal of K-wire.")
    plain = io.BytesIO()
    doc.save(plain)
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                           b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
                chunk = b"a" * (4 * 1024 * 1024)
                for _ in range(100):
                    part.write(chunk)
                part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


def test_docx_bomb_is_refused_before_parsing_with_little_memory(docx_bomb: Path, monkeypatch) -> None:
    # Before: python-docx unpacked and parsed it all (~1.9 GB, 22 s) before the text limit applied.
    docx = pytest.importorskip("docx")
    assert docx_bomb.stat().st_size < 3_000_000

    def never(*args, **kwargs):
        raise AssertionError("python-docx must not see a bomb")

    monkeypatch.setattr(docx, "Document", never)
    tracemalloc.start()
    try:
        with pytest.raises(NoteInputError, match=r"^\.docx unpacks to 4\d\d,\d\d\d,\d\d\d bytes, over the 25,000,000-byte limit \(a zip bomb\?\)$"):
            load_text(NoteJob(seq=0, note_id="bomb", source="docx", payload=str(docx_bomb)), 1_000_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_docx_bomb_in_an_audit_is_one_error_record(docx_bomb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    os.symlink(docx_bomb, folder / "b.docx")
    (folder / "a.txt").write_text(NOTE, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert audit(str(folder), "--out", str(out), "--workers", "1", "--quiet") == 0
    records = read_jsonl(out)
    assert [r["note_id"] for r in records] == ["a", "b"]
    assert "zip bomb" in records[1]["error"]


def test_docx_part_with_a_bomb_ratio_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("docx")
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/blank.bin", b"\0" * 8_000_000)  # within the size limit, 1000:1
    with pytest.raises(NoteInputError, match=r"compressed \d[\d,]*:1, over the 100:1 limit"):
        load_text(NoteJob(seq=0, note_id="r", source="docx", payload=str(path)), 1_000_000)


# ---- 6. temp files left by a kill during the final write ----------------------------------------------------

KILL_IN_RENDER = """
import os, signal, sys
import notecheck.audit.report_html as report

def killed_mid_write(fh, *args, **kwargs):
    fh.write("<html>half a report " * 500)
    fh.flush()
    os.kill(os.getpid(), signal.SIGKILL)

report.write_report = killed_mid_write
from notecheck.cli import main
sys.exit(main())
"""


def test_temp_files_of_a_killed_render_are_removed_by_resume(tmp_path: Path) -> None:
    # Before: `.out.html.<random>.tmp` (holding note excerpts) stayed for good.
    src = write_jsonl(tmp_path / "notes.jsonl", [{"note_id": "a", "text": NOTE}, {"note_id": "b", "text": NOTE}])
    out = tmp_path / "out.html"
    args = ["audit", str(src), "--out", str(out), "--workers", "1", "--quiet"]
    killed = subprocess.run([sys.executable, "-c", KILL_IN_RENDER, *args], capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    temps = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(temps) == 1 and temps[0].startswith(".out.html.")
    decoys = [".out.html.not-ours.tmp", "out.html.0123456789abcdef.tmp", ".other.html.0123456789abcdef.tmp",
              ".out.html.0123456789abcdef.tmp.keep"]
    for name in decoys:
        (tmp_path / name).write_text("keep", encoding="utf-8")
    resumed = subprocess.run(CLI + args + ["--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "<html" in out.read_text(encoding="utf-8")
    left = sorted(p.name for p in tmp_path.iterdir() if ".tmp" in p.name)
    assert left == sorted(decoys)


def test_a_normal_run_removes_stale_temps_too(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "notes.jsonl", [{"note_id": "a", "text": NOTE}])
    out = tmp_path / "out.csv"
    for name in (".out.csv.abc_defg.tmp", ".out.csv.0123456789abcdef.tmp", ".out.csv.summary.json.fedcba9876543210.tmp"):
        (tmp_path / name).write_text("old excerpt", encoding="utf-8")
    assert audit(str(src), "--out", str(out), "--workers", "1", "--quiet") == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ---- 4. outputs that would overwrite an input ---------------------------------------------------------------


@pytest.mark.parametrize("case", ["claims", "input", "input-alias", "inside-input-folder", "fees", "out-is-folder"])
def test_out_that_would_overwrite_an_input_is_refused(tmp_path: Path, capsys, case: str) -> None:
    # Before: `--claims c.csv --out c.csv` overwrote the claims file.
    src = write_jsonl(tmp_path / "notes.jsonl", [{"note_id": "a", "text": NOTE}])
    claims = tmp_path / "c.csv"
    claims.write_text("note_id,billed_cpt\na,26320\n", encoding="utf-8")
    fees = tmp_path / "fees.csv"  # a fee table named like an output
    fees.write_text("26320: 400\n", encoding="utf-8")
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "dir.jsonl").mkdir()
    args = {
        "claims": [str(src), "--out", str(claims), "--claims", str(claims)],
        "input": [str(src), "--out", str(src)],
        "input-alias": [str(src), "--out", str(tmp_path / "." / "notes.jsonl")],
        "inside-input-folder": [str(folder), "--out", str(folder / "report.html")],
        "fees": [str(src), "--out", str(fees), "--fees", str(fees)],
        "out-is-folder": [str(src), "--out", str(tmp_path / "dir.jsonl")],
    }[case]
    before = {p: p.read_bytes() for p in (src, claims, fees)}
    assert audit(*args, "--quiet") == 2
    line = one_line_error(capsys.readouterr().err)
    assert "--out" in line
    assert {p: p.read_bytes() for p in before} == before
    assert not (folder / "report.html").exists()


# ---- 7. one size limit, in bytes, honoured above 1 MB ----------------------------------------------------------


def test_max_bytes_above_one_megabyte_is_honoured_in_the_worker(in_process_worker, monkeypatch) -> None:
    # Before: "note is 1,050,xxx characters, over the 1,000,000 limit" whatever --max-bytes said.
    text = NOTE + " " * (1_050_000 - len(NOTE))
    monkeypatch.setattr(workers, "_max_bytes", 1_100_000)
    record = json.loads(workers.check_job(NoteJob(seq=0, note_id="big", source="text", payload=text)))
    assert "error" not in record, record.get("error")
    assert record["procedure"]["suggested_cpt"] == "26320"


def test_worker_limit_is_bytes_of_utf8(in_process_worker, monkeypatch) -> None:
    monkeypatch.setattr(workers, "_max_bytes", 1000)
    record = json.loads(workers.check_job(NoteJob(seq=0, note_id="e", source="text", payload="K-wire " + "\u00e9" * 600)))
    assert record == {"note_id": "e", "error": "note is 1,207 bytes, over the 1,000-byte limit"}


@pytest.mark.parametrize("value, message", [("0", "at least 1 byte"), ("999999999999", "ceiling"), ("1e6", "whole number")])
def test_max_bytes_out_of_range_is_a_usage_error(tmp_path: Path, capsys, value: str, message: str) -> None:
    src = write_jsonl(tmp_path / "n.jsonl", [{"note_id": "a", "text": NOTE}])
    assert audit(str(src), "--out", str(tmp_path / "o.jsonl"), "--max-bytes", value) == 2
    assert message in one_line_error(capsys.readouterr().err)
