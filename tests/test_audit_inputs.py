"""notecheck.audit building blocks, without worker processes: inputs, encodings, claims, error
reasons, evidence excerpts, fee table, CSV cells and the progress bar."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from notecheck.audit import workers
from notecheck.audit.claims import ClaimIndex, ClaimsFileError
from notecheck.audit.evidence import excerpts
from notecheck.audit.fees import FeeFileError, load_fees
from notecheck.audit.inputs import InputError, NoteJob, load_text, open_source
from notecheck.audit.journal import Journal
from notecheck.audit.writers import safe_cell
from notecheck.progress import NoteProgress, progress_wanted
from notecheck.reader import NoteInputError

SAMPLES = Path(__file__).resolve().parents[1] / "sample_notes"
NOTE = (SAMPLES / "hwr_001_left_ring_p1_kwires_staged.txt").read_text(encoding="utf-8")


@pytest.fixture
def in_process_worker(checker):
    """Run workers.check_job in this process with the session's Checker."""
    saved = workers._checker, workers._max_bytes, workers._with_excerpts
    workers._checker, workers._max_bytes, workers._with_excerpts = checker, 1_000_000, True
    yield
    workers._checker, workers._max_bytes, workers._with_excerpts = saved


class TestFolder:
    def test_txt_and_docx_in_name_order_ignoring_other_files(self, tmp_path: Path) -> None:
        """Notes are the .txt/.docx files, sorted by name; note_id is the stem."""
        docx = pytest.importorskip("docx")
        (tmp_path / "b.txt").write_text("x", encoding="utf-8")
        (tmp_path / "a.TXT").write_text("x", encoding="utf-8")
        doc = docx.Document()
        doc.add_paragraph("hello")
        doc.save(str(tmp_path / "c.docx"))
        (tmp_path / "notes.pdf").write_bytes(b"%PDF")
        (tmp_path / ".hidden.txt").write_text("x")
        (tmp_path / "~$c.docx").write_bytes(b"lock")
        source = open_source(tmp_path, 1000)
        jobs = list(source.jobs())
        assert [(j.note_id, j.source) for j in jobs] == [("a", "file"), ("b", "file"), ("c", "docx")]
        assert [j.seq for j in jobs] == [0, 1, 2]
        assert source.ignored_files == 3
        assert source.count() == 3

    def test_empty_folder_is_a_usage_error(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="no .txt or .docx"):
            open_source(tmp_path, 1000)

    def test_unknown_input_suffix(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.xlsx"
        path.write_bytes(b"x")
        with pytest.raises(InputError, match="folder, a .csv or a .jsonl"):
            open_source(path, 1000)


class TestEncodings:
    """Per-note encoding: UTF-8, UTF-8 with BOM, cp1252 fallback; errors as one-line reasons."""

    def _file_job(self, path: Path) -> NoteJob:
        return NoteJob(seq=0, note_id=path.stem, source="file", payload=str(path))

    @pytest.mark.parametrize(
        "data, encoding, text",
        [
            ("Café note".encode("utf-8"), "utf-8", "Café note"),
            (b"\xef\xbb\xbf" + "Café note".encode("utf-8"), "utf-8-sig", "Café note"),
            ("Café – note".encode("cp1252"), "cp1252", "Café – note"),
        ],
    )
    def test_decoded(self, tmp_path: Path, data: bytes, encoding: str, text: str) -> None:
        path = tmp_path / "n.txt"
        path.write_bytes(data)
        assert load_text(self._file_job(path), 1000) == (text, encoding)

    @pytest.mark.parametrize(
        "data, reason",
        [
            (b"", "empty"),
            (b"   \n\t \n", "empty"),
            (b"PK\x03\x04\x00\x00binary\x00stuff", "binary"),
            (b"ab\x81\x8d\x8f\x90\x9d", "neither UTF-8 nor cp1252"),
            (b"x" * 2001, "over the 2,000-byte limit"),
        ],
        ids=["empty", "whitespace", "binary", "undecodable", "oversized"],
    )
    def test_unusable(self, tmp_path: Path, data: bytes, reason: str) -> None:
        path = tmp_path / "n.txt"
        path.write_bytes(data)
        with pytest.raises(NoteInputError, match=reason):
            load_text(self._file_job(path), 2000)

    def test_broken_docx(self, tmp_path: Path) -> None:
        pytest.importorskip("docx")
        path = tmp_path / "n.docx"
        path.write_bytes(b"this is not a zip file")
        with pytest.raises(NoteInputError, match="not a readable .docx"):
            load_text(NoteJob(seq=0, note_id="n", source="docx", payload=str(path)), 1000)

    def test_docx_paragraphs_and_tables_in_order(self, tmp_path: Path) -> None:
        docx = pytest.importorskip("docx")
        doc = docx.Document()
        doc.add_paragraph("PROCEDURE: Removal of K-wires.")
        table = doc.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "Implants"
        table.rows[0].cells[1].text = "two K-wires"
        doc.add_paragraph("Closed with nylon.")
        doc.save(str(tmp_path / "n.docx"))
        text, encoding = load_text(NoteJob(seq=0, note_id="n", source="docx", payload=str(tmp_path / "n.docx")), 10_000)
        assert encoding == "docx"
        assert text == "PROCEDURE: Removal of K-wires.\nImplants\ttwo K-wires\nClosed with nylon."


class TestCsvInput:
    def test_rows_with_multiline_text_bom_extra_columns_and_cp1252(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.csv"
        rows = (
            '\ufeffmrn,Note_ID,text\r\n'
            '1,a,"line one\r\nline ""two"", with comma"\r\n'
            '\r\n'
            '2,,"no id"\r\n'
        ).encode("utf-8") + '3,c,"Café"\r\n'.encode("cp1252")
        path.write_bytes(rows)
        jobs = list(open_source(path, 1000).jobs())
        assert [(j.note_id, j.payload, j.encoding) for j in jobs] == [
            ("a", 'line one\r\nline "two", with comma', "utf-8-sig"),
            ("row-2", "no id", "utf-8-sig"),
            ("c", "Café", "cp1252"),
        ]

    def test_missing_columns_is_a_usage_error(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.csv"
        path.write_text("id,body\n1,x\n", encoding="utf-8")
        with pytest.raises(InputError, match="note_id and text"):
            open_source(path, 1000)

    def test_oversized_note_is_an_error_job_not_shipped(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.csv"
        path.write_text("note_id,text\nbig," + "x" * 300_000 + "\nsmall,ok\n", encoding="utf-8")
        jobs = list(open_source(path, 200_000).jobs())
        assert jobs[0].error and "over the 200,000-byte limit" in jobs[0].error and jobs[0].payload == ""
        assert (jobs[1].note_id, jobs[1].payload) == ("small", "ok")


class TestJsonlInput:
    def test_good_bad_and_blank_lines(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.jsonl"
        path.write_bytes(
            b'{"note_id": "a", "text": "alpha", "specialty": "x"}\n'
            b"\n"
            b"{not json\n"
            b'{"note_id": 7, "text": "seven"}\n'
            b'{"note_id": "t"}\n'
            b"[1, 2]\n"
            + '{"note_id": "c", "text": "Caf\xe9"}\n'.encode("cp1252")
        )
        source = open_source(path, 1000)
        jobs = list(source.jobs())
        assert [(j.note_id, j.error is None, j.encoding) for j in jobs] == [
            ("a", True, "utf-8"), ("line-3", False, None), ("7", True, "utf-8"), ("t", False, None),
            ("line-6", False, None), ("c", True, "cp1252"),
        ]
        assert jobs[1].error == "line 3 is not valid JSON"
        assert source.count() == 6

    def test_runaway_line_is_skipped_not_loaded(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.jsonl"
        path.write_bytes(b"\x00" * 200_000 + b"\n" + b'{"note_id": "b", "text": "ok"}\n')
        jobs = list(open_source(path, 1000).jobs())
        assert jobs[0].error == "line 1 is over the size limit"
        assert (jobs[1].note_id, jobs[1].payload) == ("b", "ok")


class TestClaims:
    def test_join_bookkeeping(self, tmp_path: Path) -> None:
        path = tmp_path / "claims.csv"
        path.write_text(
            "note_id,billed_cpt,billed_units,billed_modifiers,removal_date,expected_risks\n"
            "a,26320,1,LT F3,2026-01-02,\n"
            "b,20680,x,,,\n"
            "a,26320,2,,,\n"
            ",26320,1,,,\n"
            "z,26320,1,RT,,\n",
            encoding="utf-8",
        )
        index = ClaimIndex(path)
        claim, problem = index.attach("a")
        # Repeated note_id rows are one claim's billed lines (CONTRACT §3, 0.2).
        assert problem is None and claim is not None and claim.removal_date is not None
        assert [(l.cpt, l.units, l.modifiers) for l in claim.billed_lines] == [("26320", 1, ["LT", "F3"]), ("26320", 2, [])]
        claim, problem = index.attach("b")
        assert claim is None and problem is not None and "billed_units" in problem
        assert index.attach("n") == (None, None)
        assert index.notes_without_claim == ["n"]
        assert index.claims_without_note == ["z"]
        assert index.duplicate_ids == ["a"] and index.rows_without_id == 1 and index.rows == 5

    def test_no_note_id_column(self, tmp_path: Path) -> None:
        path = tmp_path / "claims.csv"
        path.write_text("id,billed_cpt\n1,26320\n", encoding="utf-8")
        with pytest.raises(ClaimsFileError, match="note_id column"):
            ClaimIndex(path)


class TestWorkerRecords:
    def test_result_record_has_contract_fields_encoding_and_excerpts(self, in_process_worker) -> None:
        record = json.loads(workers.check_job(NoteJob(seq=0, note_id="n1", source="text", payload=NOTE, encoding="cp1252")))
        assert record["note_id"] == "n1" and record["encoding"] == "cp1252"
        assert {"schema_version", "procedure", "findings", "checklist", "score", "ready_to_sign", "denial_risks"} <= record.keys()
        view = record[workers.EXCERPTS_KEY]
        marked = [(text, label) for w in view["windows"] for text, label in w["segments"] if label]
        assert marked, "evidence spans are marked"
        for w in view["windows"]:
            assert "".join(text for text, _ in w["segments"]) == NOTE[w["start"]:w["end"]]

    def test_error_record_is_one_line_without_note_text(self, in_process_worker) -> None:
        line = workers.check_job(NoteJob(seq=0, note_id="e", source="text", payload=" \n ", encoding="utf-8"))
        assert json.loads(line) == {"note_id": "e", "error": "note is empty"}

    def test_checker_crash_costs_one_note_and_hides_the_message(self, in_process_worker, monkeypatch) -> None:
        def boom(*args, **kwargs):
            raise KeyError("SECRET NOTE TEXT")

        monkeypatch.setattr(workers._checker, "check", boom)
        record = json.loads(workers.check_job(NoteJob(seq=0, note_id="k", source="text", payload=NOTE)))
        assert record["error"].startswith("the checker failed on this note (KeyError")
        assert "SECRET" not in record["error"]


def test_excerpts_skip_spans_whose_offsets_do_not_match() -> None:
    text = "Two K-wires were removed from the left ring finger."
    record = {"findings": {"implants": [{"type": "k_wire", "evidence": [
        {"text": "K-wires", "start": 4, "end": 11, "section": "p"},
        {"text": "nonsense", "start": 0, "end": 3, "section": "p"},
    ]}]}, "checklist": []}
    view = excerpts(record, text)
    assert [s for s in view["windows"][0]["segments"] if s[1]] == [["K-wires", "implants: k wire"]]


def test_fee_table_default_and_override(tmp_path: Path) -> None:
    assert load_fees(None).fees["26320"] == pytest.approx(337.68)
    path = tmp_path / "fees.yaml"
    path.write_text("26320: 400\n20680: 250.5\n", encoding="utf-8")
    table = load_fees(path)
    assert table.fees == {"26320": 400.0, "20680": 250.5}
    assert table.amount("20680", 2) == 501.0 and table.amount("99999", 1) is None
    path.write_text('{"fees": {"26320": -1}}', encoding="utf-8")
    with pytest.raises(FeeFileError, match="negative"):
        load_fees(path)


@pytest.mark.parametrize(
    "value, cell",
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("a\nb", "a b"), (None, ""), (True, "true"), (3, "3"), (337.68, "337.68")],
)
def test_csv_cells_are_safe_in_spreadsheets(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_journal_cuts_a_torn_last_record(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"note_id": "a"}\n{"note_id": "b"}\n{"note_id": "c", "sco')
    assert [r["note_id"] for r in Journal(path).recover()] == ["a", "b"]
    assert path.read_bytes() == b'{"note_id": "a"}\n{"note_id": "b"}\n'


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_count_rate_and_eta_on_a_terminal(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    stream = _Terminal()
    with NoteProgress("audit", total=100, done=10, stream=stream) as progress:
        progress.advance(10)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue())
    last = shown.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("audit ") and "20/100" in last and "20%" in last and "notes/s" in last and "ETA" in last
    assert "\x1b[3" not in stream.getvalue() and "\x1b[9" not in stream.getvalue()  # NO_COLOR: no colour


def test_progress_is_silent_off_a_terminal_and_when_quiet() -> None:
    assert progress_wanted(quiet=False, stream=_Terminal()) is True
    assert progress_wanted(quiet=True, stream=_Terminal()) is False
    assert progress_wanted(quiet=False, stream=io.StringIO()) is False
    stream = _Terminal()
    with NoteProgress("audit", total=3, enabled=False, stream=stream) as progress:
        progress.advance()
    assert stream.getvalue() == ""
