"""Where notes come from: a folder of .txt/.docx files, a .csv or a .jsonl with `note_id` and
`text` columns. Notes are streamed as `NoteJob`s in input order; nothing here holds more than one
note's text at a time.

A folder job carries only the file's path: the worker reads and decodes it, which spreads that
work over the workers and keeps the parent process small.
"""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Iterator, Literal, Optional

from notecheck.audit.claims import ClaimIndex
from notecheck.audit.lines import CsvRecord, Line, combine_encodings, csv_field_limit, csv_records, read_lines
from notecheck.models import ClaimContext
from notecheck.reader import (
    NoteInputError, decode_note, open_regular, over_limit, read_note_bytes, safe_note_id, utf8_size,
)

NOTE_SUFFIXES = (".txt", ".docx")
# A .docx is a zip that may carry images and styles, so its file can be much larger than its text;
# the text itself is held to --max-bytes, the file only to this multiple, and so is what its parts
# unpack to (the zip's declared sizes, checked before anything is decompressed).
DOCX_FILE_FACTOR = 25
DOCX_UNPACKED_FACTOR = 25
DOCX_UNPACKED_FLOOR = 16 * 1024 * 1024  # Word's styles and theme alone unpack to ~1 MB
# XML compresses 5-20:1; a part over 1 MiB that claims more than this ratio is a zip bomb.
DOCX_MAX_RATIO = 100
DOCX_RATIO_FLOOR = 1024 * 1024
DOCX_MAX_PARTS = 10_000
# JSON escapes (\uXXXX) can make a line up to six times the size of the text it carries.
JSONL_LINE_FACTOR = 6
# A CSV record holds its note with every quote doubled (at most twice its bytes), plus the other
# columns: the most a notes CSV record may take before it is skipped as oversized.
CSV_RECORD_FACTOR = 2
CSV_RECORD_SLACK = 64 * 1024

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
                yield replace(job, claim=self.joined_claim(job, claim))

    def joined_claim(self, job: NoteJob, claim: Optional[ClaimContext]) -> Optional[ClaimContext]:
        """The claim context a note carries once the claims row is joined: the row's, here."""
        return claim


class FolderSource(NoteSource):
    kind = "folder"

    def __init__(self, path: Path, max_bytes: int) -> None:
        super().__init__(path, max_bytes)
        names: list[str] = []
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    # Hidden files and Word's "~$name.docx" lock files are never notes.
                    if entry.name.startswith((".", "~$")) or not entry.name.lower().endswith(NOTE_SUFFIXES):
                        self.ignored_files += 1
                    elif _is_dir(entry):
                        self.ignored_files += 1
                    else:
                        # Anything else named like a note is one, even when it cannot be read (a
                        # symlink loop, a dangling link, no permission, a FIFO): the worker turns
                        # it into an error record, so it is reported rather than silently dropped.
                        names.append(entry.name)
        except OSError as exc:
            raise InputError(f"cannot list the folder {path}: {exc.strerror or type(exc).__name__}") from None
        # Sorted names are the input order: stable between a run and its --resume.
        self.names = sorted(names)
        if not self.names:
            raise InputError(f"no .txt or .docx files in {path}")

    def jobs(self) -> Iterator[NoteJob]:
        for seq, name in enumerate(self.names):
            stem, suffix = os.path.splitext(name)
            source: SourceKind = "docx" if suffix.lower() == ".docx" else "file"
            yield NoteJob(seq=seq, note_id=safe_note_id(stem), source=source, payload=str(self.path / name))

    def count(self) -> int:
        return len(self.names)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # ELOOP and friends: not a folder we could enter; the worker reports it
        return False


class CsvSource(NoteSource):
    kind = "csv"

    def __init__(self, path: Path, max_bytes: int) -> None:
        super().__init__(path, max_bytes)
        # Check the header now, before any output is opened (and truncated) for writing.
        self._header()

    @property
    def record_limit(self) -> int:
        return CSV_RECORD_FACTOR * self.max_bytes + CSV_RECORD_SLACK

    def _header(self) -> tuple[int, int]:
        with _open_binary(self.path) as fh:
            first = next(csv_records(fh, self.record_limit), None)
        if first is None:
            return -1, -1
        rows = _parse_record(first, self.record_limit) if not first.overflow else None
        if rows is None or not rows:
            raise InputError(f"{self.path}: the CSV header (line {first.first_line}) is not readable")
        names = [h.strip().lower() for h in rows[0]]
        if "note_id" not in names or "text" not in names:
            raise InputError(f"{self.path}: a CSV input needs note_id and text columns (found: {', '.join(names) or 'none'})")
        return names.index("note_id"), names.index("text")

    def jobs(self) -> Iterator[NoteJob]:
        id_col, text_col = self._header()
        if id_col < 0:
            return
        with _open_binary(self.path) as fh:
            records = csv_records(fh, self.record_limit)
            next(records, None)  # the header
            seq = 0
            for record in records:
                if record.overflow:
                    note_id = _id_from_head(record.head, id_col, text_col) or f"row-{seq + 1}"
                    yield NoteJob(seq=seq, note_id=note_id, source="text",
                                  error=str(over_limit(self.max_bytes, what=f"the CSV record at line {record.first_line}")))
                    seq += 1
                    continue
                rows = _parse_record(record, self.record_limit)
                if rows is None:
                    yield NoteJob(seq=seq, note_id=f"row-{seq + 1}", source="text",
                                  error=f"malformed CSV record at line {record.first_line}")
                    seq += 1
                    continue
                encoding = combine_encodings([line.encoding for line in record.lines])
                for row in rows:
                    if not any(cell.strip() for cell in row):
                        continue  # blank line between records
                    note_id = (row[id_col].strip() if id_col < len(row) else "") or f"row-{seq + 1}"
                    text = row[text_col] if text_col < len(row) else ""
                    yield _text_job(seq, safe_note_id(note_id), text, encoding, self.max_bytes)
                    seq += 1


def _parse_record(record: CsvRecord, limit: int) -> Optional[list[list[str]]]:
    """The rows of one delimited record (normally one; none for a blank line), or None when the
    csv module rejects it. The field limit is set to the record limit on purpose: a record that
    got here fits in it, and the note's own limit (bytes of UTF-8) is applied per note after."""
    try:
        with csv_field_limit(limit):
            return list(csv.reader(line.text for line in record.lines))
    except csv.Error:
        return None


def _id_from_head(head: str, id_col: int, text_col: int) -> Optional[str]:
    """The note id of an oversized record, when its column comes before the text's: read from the
    record's first bytes (a field is only trusted when another field follows it)."""
    if id_col > text_col:
        return None
    try:
        with csv_field_limit(len(head) + 1):
            row = next(csv.reader(io.StringIO(head, newline="")), [])
    except csv.Error:
        return None
    if id_col >= len(row) - 1:
        return None
    return safe_note_id(row[id_col].strip()) or None


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
                    try:
                        job = _jsonl_job(seq, line, fallback_id, self.max_bytes)
                    except Exception as exc:  # whatever one line does, it costs that line only
                        job = NoteJob(seq=seq, note_id=fallback_id, source="text",
                                      error=f"line {line.number} could not be read ({type(exc).__name__})")
                yield job
                seq += 1

    def count(self) -> int:
        # The same lines `jobs()` yields (blank ones skipped, a runaway line counted once), read
        # in bounded pieces: a binary file renamed .jsonl must not be loaded to count it.
        limit = JSONL_LINE_FACTOR * self.max_bytes + 65536
        count, blank = 0, True
        with _open_binary(self.path) as fh:
            while piece := fh.readline(limit):
                blank = blank and not piece.strip()
                if piece.endswith(b"\n"):
                    count += not blank
                    blank = True
        return count + (not blank)


def _jsonl_job(seq: int, line: Line, fallback_id: str, max_bytes: int) -> NoteJob:
    try:
        obj = json.loads(line.text)
    except ValueError:
        return NoteJob(seq=seq, note_id=fallback_id, source="text", error=f"line {line.number} is not valid JSON")
    except RecursionError:
        return NoteJob(seq=seq, note_id=fallback_id, source="text", error=f"line {line.number} is JSON nested too deeply")
    if not isinstance(obj, dict):
        return NoteJob(seq=seq, note_id=fallback_id, source="text", error=f"line {line.number} is not a JSON object")
    raw_id = obj.get("note_id")
    try:
        note_id = safe_note_id(str(raw_id).strip()) if raw_id is not None else ""
    except (ValueError, RecursionError):  # an id too large or too deep to print
        note_id = ""
    note_id = note_id or fallback_id
    text = obj.get("text")
    if not isinstance(text, str):
        return NoteJob(seq=seq, note_id=note_id, source="text", error='the record has no "text" string')
    return _text_job(seq, note_id, text, line.encoding, max_bytes)


def _text_job(seq: int, note_id: str, text: str, encoding: Optional[str], max_bytes: int) -> NoteJob:
    if encoding is None:
        return NoteJob(seq=seq, note_id=note_id, source="text", error="note is neither UTF-8 nor cp1252 text")
    if len(text) > max_bytes:  # every character is at least one byte: no need to encode it
        return NoteJob(seq=seq, note_id=note_id, source="text", error=str(over_limit(max_bytes)))
    try:
        size = utf8_size(text)
    except NoteInputError as exc:
        return NoteJob(seq=seq, note_id=note_id, source="text", error=str(exc))
    if size > max_bytes:
        # Checked here, not in the worker, so an oversized note is never shipped between processes.
        return NoteJob(seq=seq, note_id=note_id, source="text", error=str(over_limit(max_bytes, size)))
    return NoteJob(seq=seq, note_id=note_id, source="text", payload=text, encoding=encoding)


def _open_binary(path: Path) -> BinaryIO:
    try:
        return open_regular(path)
    except NoteInputError as exc:
        raise InputError(f"cannot read {path}: {exc}") from None


def open_source(path: Path, max_bytes: int) -> NoteSource:
    """The right source for INPUT: a folder, a .csv or a .jsonl."""
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    if not exists:
        raise InputError(f"no such file or folder: {path}")
    from notecheck.interchange.audit_source import interchange_source

    interchange = interchange_source(path, max_bytes)  # HL7 v2 messages / FHIR JSON (CONTRACT §6)
    if interchange is not None:
        return interchange
    if is_dir:
        return FolderSource(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix == ".csv":
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
    with open_regular(path) as fh:
        try:
            # Read one byte past the limit: enough to know it is oversized without loading it all.
            data = read_note_bytes(fh, max_bytes)
            size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            raise NoteInputError(f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    note = decode_note(data, max_bytes, size=size)
    return note.text, note.encoding


def _read_docx(path: Path, max_bytes: int) -> str:
    try:
        import docx  # python-docx, the optional `docx` extra: imported only when a .docx shows up
    except ImportError:
        raise NoteInputError("reading .docx needs python-docx: pip install 'notecheck[docx]'") from None
    with open_regular(path) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            raise NoteInputError(f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
        if size > DOCX_FILE_FACTOR * max_bytes:
            raise over_limit(DOCX_FILE_FACTOR * max_bytes, size, what=".docx file")
        package = unpack_docx(fh, max(DOCX_UNPACKED_FACTOR * max_bytes, DOCX_UNPACKED_FLOOR))
    try:
        document = docx.Document(package)
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
        raise over_limit(max_bytes, size, what="note's text")
    return text


def unpack_docx(fh: BinaryIO, limit: int) -> io.BytesIO:
    """The .docx's parts, checked and copied uncompressed into a new in-memory zip for python-docx.

    Zip bombs are refused from the central directory alone (declared sizes and ratios) before
    anything is decompressed. The parts are then read in bounded pieces, and never past their
    declared size (zipfile stops there), so a forged directory cannot make them larger either;
    python-docx only ever sees what was counted.
    """
    try:
        with zipfile.ZipFile(fh) as archive:
            infos = archive.infolist()
            if len(infos) > DOCX_MAX_PARTS:
                raise NoteInputError(f".docx has {len(infos):,} parts, over the {DOCX_MAX_PARTS:,}-part limit")
            declared = sum(info.file_size for info in infos)
            if declared > limit:
                raise NoteInputError(f".docx unpacks to {declared:,} bytes, over the {limit:,}-byte limit (a zip bomb?)")
            for info in infos:
                if info.file_size > DOCX_RATIO_FLOOR and info.file_size > DOCX_MAX_RATIO * max(info.compress_size, 1):
                    raise NoteInputError(
                        f".docx part is compressed {info.file_size // max(info.compress_size, 1):,}:1, "
                        f"over the {DOCX_MAX_RATIO}:1 limit (a zip bomb?)"
                    )
            names = [info.filename for info in infos]
            if len(set(names)) != len(names):
                raise NoteInputError("not a readable .docx file (duplicate part names)")
            copy = io.BytesIO()
            total = 0
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
                for info in infos:
                    if info.is_dir():
                        continue
                    chunks: list[bytes] = []
                    with archive.open(info) as part:
                        while chunk := part.read(1024 * 1024):
                            total += len(chunk)
                            if total > limit:
                                raise NoteInputError(f".docx unpacks to over the {limit:,}-byte limit (a zip bomb?)")
                            chunks.append(chunk)
                    out.writestr(info.filename, b"".join(chunks))
    except NoteInputError:
        raise
    except Exception as exc:  # BadZipFile, bad CRC, encrypted or unsupported compression, I/O
        raise NoteInputError(f"not a readable .docx file ({type(exc).__name__})") from None
    copy.seek(0)
    return copy
