"""Where notes come from: a folder of .txt/.docx files, a .csv or a .jsonl with `note_id` and
`text` columns. Notes are streamed as `NoteJob`s in input order; nothing here holds more than one
note's text at a time.

A folder job carries only the file's path: the worker reads and decodes it, which spreads that
work over the workers and keeps the parent process small.
"""
from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Iterator, Literal, Optional

from notecheck.audit.claims import ClaimIndex
from notecheck.audit.lines import Line, combine_encodings, read_lines
from notecheck.models import ClaimContext
from notecheck.reader import NoteInputError, decode_note

NOTE_SUFFIXES = (".txt", ".docx")
# A .docx is a zip that may carry images and styles, so its file can be much larger than its text;
# the text itself is held to --max-bytes, the file only to this multiple (a guard against bombs).
DOCX_FILE_FACTOR = 25
# JSON escapes (\uXXXX) can make a line up to six times the size of the text it carries.
JSONL_LINE_FACTOR = 6

SourceKind = Literal["file", "docx", "text"]


class InputError(ValueError):
    """The input as a whole is unusable; one line, no note text."""


@dataclass(frozen=True, slots=True)
class NoteJob:
    """One input note on its way to a worker.

    `payload` is a file path (`file`, `docx`) or the note's text (`text`). `error` is set when the
    note is already known to be unusable (a bad JSON line, an invalid claim row); the worker then
    only turns it into an error record, so it keeps its place in the output order.
    """

    seq: int
    note_id: str
    source: SourceKind
    payload: str = ""
    encoding: Optional[str] = None
    claim: Optional[ClaimContext] = None
    error: Optional[str] = None


class NoteSource:
    """An input (folder, .csv or .jsonl) that can list its notes in a stable order."""

    kind: str = ""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.ignored_files = 0  # folder entries that are not notes (reported in the summary)

    def jobs(self) -> Iterator[NoteJob]:
        raise NotImplementedError

    def count(self) -> int:
        """How many notes `jobs()` will yield; only used for the progress bar's ETA."""
        return sum(1 for _ in self.jobs())

    def with_claims(self, claims: Optional[ClaimIndex]) -> Iterator[NoteJob]:
        """`jobs()` with each note's claim context joined (and the join's bookkeeping done)."""
        for job in self.jobs():
            if claims is None:
                yield job
                continue
            claim, problem = claims.attach(job.note_id)
            if problem and not job.error:
                yield replace(job, error=problem)
            else:
                yield replace(job, claim=claim)


class FolderSource(NoteSource):
    kind = "folder"

    def __init__(self, path: Path, max_bytes: int) -> None:
        super().__init__(path, max_bytes)
        names: list[str] = []
        with os.scandir(path) as entries:
            for entry in entries:
                # Hidden files and Word's "~$name.docx" lock files are never notes.
                if entry.name.startswith((".", "~$")) or not entry.is_file():
                    self.ignored_files += 1
                elif entry.name.lower().endswith(NOTE_SUFFIXES):
                    names.append(entry.name)
                else:
                    self.ignored_files += 1
        # Sorted names are the input order: stable between a run and its --resume.
        self.names = sorted(names)
        if not self.names:
            raise InputError(f"no .txt or .docx files in {path}")

    def jobs(self) -> Iterator[NoteJob]:
        for seq, name in enumerate(self.names):
            stem, suffix = os.path.splitext(name)
            source: SourceKind = "docx" if suffix.lower() == ".docx" else "file"
            yield NoteJob(seq=seq, note_id=stem, source=source, payload=str(self.path / name))

    def count(self) -> int:
        return len(self.names)


class CsvSource(NoteSource):
    kind = "csv"

    def __init__(self, path: Path, max_bytes: int) -> None:
        super().__init__(path, max_bytes)
        # Check the header now, before any output is opened (and truncated) for writing.
        with _open_binary(path) as fh:
            first = next(iter(csv.reader(line.text for line in read_lines(fh))), None)
        names = [h.strip().lower() for h in first or []]
        if first is not None and ("note_id" not in names or "text" not in names):
            raise InputError(f"{path}: a CSV input needs note_id and text columns (found: {', '.join(names) or 'none'})")

    def jobs(self) -> Iterator[NoteJob]:
        with _open_binary(self.path) as fh:
            consumed: list[Line] = []

            def lines() -> Iterator[str]:
                # csv.reader pulls exactly the lines of one record before yielding it, so the
                # lines consumed since the last row are that row's lines.
                for line in read_lines(fh):
                    consumed.append(line)
                    yield line.text

            reader = csv.reader(lines())
            header = next(reader, None)
            if header is None:
                return
            names = [h.strip().lower() for h in header]
            if "note_id" not in names or "text" not in names:
                raise InputError(f"{self.path}: a CSV input needs note_id and text columns (found: {', '.join(names) or 'none'})")
            id_col, text_col = names.index("note_id"), names.index("text")
            consumed.clear()
            seq = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield NoteJob(seq=seq, note_id=f"row-{seq + 1}", source="text", error=f"malformed CSV record ({exc})")
                    seq += 1
                    consumed.clear()
                    continue
                encodings = [line.encoding for line in consumed]
                consumed.clear()
                if not any(cell.strip() for cell in row):
                    continue  # blank line between records
                note_id = (row[id_col].strip() if id_col < len(row) else "") or f"row-{seq + 1}"
                text = row[text_col] if text_col < len(row) else ""
                yield _text_job(seq, note_id, text, combine_encodings(encodings), self.max_bytes)
                seq += 1


class JsonlSource(NoteSource):
    kind = "jsonl"

    def jobs(self) -> Iterator[NoteJob]:
        limit = JSONL_LINE_FACTOR * self.max_bytes + 65536
        with _open_binary(self.path) as fh:
            seq = 0
            for line in read_lines(fh, limit):
                if not line.overflow and not line.text.strip():
                    continue
                fallback_id = f"line-{line.number}"
                if line.overflow:
                    job = NoteJob(seq=seq, note_id=fallback_id, source="text", error=f"line {line.number} is over the size limit")
                elif line.encoding is None:
                    job = NoteJob(seq=seq, note_id=fallback_id, source="text", error="note is neither UTF-8 nor cp1252 text")
                else:
                    job = _jsonl_job(seq, line, fallback_id, self.max_bytes)
                yield job
                seq += 1

    def count(self) -> int:
        with _open_binary(self.path) as fh:
            return sum(1 for raw in fh if raw.strip())


def _jsonl_job(seq: int, line: Line, fallback_id: str, max_bytes: int) -> NoteJob:
    try:
        obj = json.loads(line.text)
    except ValueError:
        return NoteJob(seq=seq, note_id=fallback_id, source="text", error=f"line {line.number} is not valid JSON")
    if not isinstance(obj, dict):
        return NoteJob(seq=seq, note_id=fallback_id, source="text", error=f"line {line.number} is not a JSON object")
    raw_id = obj.get("note_id")
    note_id = str(raw_id).strip() if raw_id is not None and str(raw_id).strip() else fallback_id
    text = obj.get("text")
    if not isinstance(text, str):
        return NoteJob(seq=seq, note_id=note_id, source="text", error='the record has no "text" string')
    return _text_job(seq, note_id, text, line.encoding, max_bytes)


def _text_job(seq: int, note_id: str, text: str, encoding: Optional[str], max_bytes: int) -> NoteJob:
    if encoding is None:
        return NoteJob(seq=seq, note_id=note_id, source="text", error="note is neither UTF-8 nor cp1252 text")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        # Checked here, not in the worker, so an oversized note is never shipped between processes.
        return NoteJob(seq=seq, note_id=note_id, source="text", error=f"note is {size:,} bytes, over the {max_bytes:,}-byte limit")
    return NoteJob(seq=seq, note_id=note_id, source="text", payload=text, encoding=encoding)


def _open_binary(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def open_source(path: Path, max_bytes: int) -> NoteSource:
    """The right source for INPUT: a folder, a .csv or a .jsonl."""
    if not path.exists():
        raise InputError(f"no such file or folder: {path}")
    from notecheck.interchange.audit_source import interchange_source

    interchange = interchange_source(path, max_bytes)  # HL7 v2 messages / FHIR JSON (CONTRACT §6)
    if interchange is not None:
        return interchange
    if path.is_dir():
        return FolderSource(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        # Notes are long; the csv module's default 128 KiB field limit would split them. The
        # size limit is applied per note afterwards, with an error record instead of an abort.
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        return CsvSource(path, max_bytes)
    if suffix in (".jsonl", ".ndjson"):
        return JsonlSource(path, max_bytes)
    raise InputError(f"INPUT must be a folder, a .csv or a .jsonl file, not {path.name}")


# --- reading one note's text (runs in the worker) ------------------------------------------------


def load_text(job: NoteJob, max_bytes: int) -> tuple[str, str]:
    """The note's exact text and the encoding it was read with; NoteInputError when unusable."""
    if job.error:
        raise NoteInputError(job.error)
    if job.source == "text":
        return job.payload, job.encoding or "utf-8"
    if job.source == "docx":
        return _read_docx(Path(job.payload), max_bytes), "docx"
    return _read_txt(Path(job.payload), max_bytes)


def _read_txt(path: Path, max_bytes: int) -> tuple[str, str]:
    try:
        with path.open("rb") as fh:
            # Read one byte past the limit: enough to know it is oversized without loading it all.
            data = fh.read(max_bytes + 1)
            if len(data) > max_bytes:
                size = os.fstat(fh.fileno()).st_size
                raise NoteInputError(f"note is {size:,} bytes, over the {max_bytes:,}-byte limit")
    except OSError as exc:
        raise NoteInputError(f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    note = decode_note(data, max_bytes)
    return note.text, note.encoding


def _read_docx(path: Path, max_bytes: int) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NoteInputError(f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    if size > DOCX_FILE_FACTOR * max_bytes:
        raise NoteInputError(f".docx file is {size:,} bytes, over the {DOCX_FILE_FACTOR * max_bytes:,}-byte limit")
    try:
        import docx  # python-docx, the optional `docx` extra: imported only when a .docx shows up
    except ImportError:
        raise NoteInputError("reading .docx needs python-docx: pip install 'notecheck[docx]'") from None
    try:
        document = docx.Document(str(path))
        parts: list[str] = []
        # Paragraphs and tables in document order; a table row becomes one tab-separated line.
        for block in document.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    parts.append("\t".join(cell.text for cell in row.cells))
            else:
                parts.append(block.text)
    except Exception as exc:  # python-docx raises zipfile/lxml/KeyError errors for damaged files
        raise NoteInputError(f"not a readable .docx file ({type(exc).__name__})") from None
    text = "\n".join(parts)
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise NoteInputError(f"note is {size:,} bytes of text, over the {max_bytes:,}-byte limit")
    return text
