"""`notecheck audit` over HL7 v2 and FHIR inputs: a file of messages (`.hl7`/`.er7`: an FHS/BHS
batch, MLLP-framed, or one message after another), a FHIR JSON file (a DocumentReference or a
Bundle), or a folder holding such files (with or without .txt/.docx notes beside them).

Each message or DocumentReference becomes one NoteJob carrying its rebuilt text (so workers never
parse HL7 or FHIR) and the claim context it states (removal date). A message that is skipped (not
an operative report) or refused (AE/AR) still yields one record, an error record saying why, so
every input message is accounted for in the output. A job's `encoding` is "hl7v2" or "fhir".
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Optional

from notecheck.audit.inputs import NOTE_SUFFIXES, InputError, NoteJob, NoteSource, SourceKind
from notecheck.interchange.fhir_in import FhirInputError, looks_like_fhir, read_fhir
from notecheck.interchange.hl7_message import looks_like_hl7, parse_message, split_batch
from notecheck.models import ClaimContext

HL7_SUFFIXES = (".hl7", ".er7")
FHIR_SUFFIXES = (".json",)
# A file of many messages may be far larger than one note.
FILE_FACTOR = 1000


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(4096)
    except OSError:
        return b""


def _kind(path: Path) -> Optional[str]:
    name = path.name.lower()
    if name.endswith(HL7_SUFFIXES):
        return "hl7"
    if name.endswith(FHIR_SUFFIXES) and looks_like_fhir(_head(path)):
        return "fhir"
    return None


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > FILE_FACTOR * max_bytes:
            raise InputError(f"{path.name} is {size:,} bytes, over the {FILE_FACTOR * max_bytes:,}-byte limit for one file")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None


def hl7_jobs(path: Path, max_bytes: int, first_seq: int) -> Iterator[NoteJob]:
    seq = first_seq
    for index, raw in enumerate(split_batch(_read(path, max_bytes)), start=1):
        parsed = parse_message(raw, max_bytes=max_bytes)
        fallback = f"{path.stem}#{index}"
        if parsed.document is not None:
            doc = parsed.document
            yield NoteJob(seq=seq, note_id=doc.note_id, source="text", payload=doc.text, encoding="hl7v2",
                          claim=doc.claim_context)
        elif parsed.skipped is not None:
            yield NoteJob(seq=seq, note_id=parsed.skipped.note_id or fallback, source="text",
                          error=f"HL7 message skipped (ACK AA): {parsed.skipped.reason}")
        else:
            err = parsed.error
            assert err is not None
            yield NoteJob(seq=seq, note_id=parsed.control_id or fallback, source="text",
                          error=f"HL7 message refused (ACK {err.ack}, {err.code} at {err.location}): {err.message}")
        seq += 1


def fhir_jobs(path: Path, max_bytes: int, first_seq: int) -> Iterator[NoteJob]:
    try:
        intake = read_fhir(_read(path, max_bytes), max_bytes)
    except FhirInputError as exc:
        yield NoteJob(seq=first_seq, note_id=path.stem, source="text", error=f"bad FHIR input ({exc.status}): {exc.message}")
        return
    seq = first_seq
    for index, doc in enumerate(intake.documents, start=1):
        yield NoteJob(seq=seq, note_id=doc.note_id or f"{path.stem}#{index}", source="text", payload=doc.text,
                      encoding="fhir", claim=doc.claim_context)
        seq += 1
    for note_id, reason in intake.skipped:
        yield NoteJob(seq=seq, note_id=note_id or path.stem, source="text", error=f"DocumentReference skipped: {reason}")
        seq += 1


class InterchangeSource(NoteSource):
    """Messages and resources from one file, or from every file of a folder in name order."""

    kind = "interchange"

    def __init__(self, path: Path, max_bytes: int) -> None:
        super().__init__(path, max_bytes)
        if path.is_dir():
            names: list[str] = []
            with os.scandir(path) as entries:
                for entry in entries:
                    lower = entry.name.lower()
                    if entry.name.startswith((".", "~$")) or not entry.is_file():
                        self.ignored_files += 1
                    elif lower.endswith(NOTE_SUFFIXES + HL7_SUFFIXES) or _kind(Path(entry.path)) == "fhir":
                        names.append(entry.name)
                    else:
                        self.ignored_files += 1
            self.files = [path / name for name in sorted(names)]
        else:
            self.files = [path]

    def jobs(self) -> Iterator[NoteJob]:
        seq = 0
        for file in self.files:
            kind = _kind(file)
            if kind == "hl7":
                produced = hl7_jobs(file, self.max_bytes, seq)
            elif kind == "fhir":
                produced = fhir_jobs(file, self.max_bytes, seq)
            else:
                source: SourceKind = "docx" if file.suffix.lower() == ".docx" else "file"
                produced = iter([NoteJob(seq=seq, note_id=file.stem, source=source, payload=str(file))])
            for job in produced:
                yield job
                seq += 1

    def joined_claim(self, job: NoteJob, claim: Optional[ClaimContext]) -> Optional[ClaimContext]:
        """A claims row only adds to what the message said (its removal date)."""
        if claim is not None and job.claim is not None and claim.removal_date is None:
            return claim.model_copy(update={"removal_date": job.claim.removal_date})
        return claim or job.claim


def interchange_source(path: Path, max_bytes: int) -> Optional[NoteSource]:
    """The source for an HL7/FHIR input, or None when INPUT is not one (the usual sources apply)."""
    if path.is_dir():
        try:
            with os.scandir(path) as entries:
                has = any(
                    e.is_file() and (e.name.lower().endswith(HL7_SUFFIXES) or _kind(Path(e.path)) == "fhir")
                    for e in entries if not e.name.startswith(".")
                )
        except OSError:
            return None
        return InterchangeSource(path, max_bytes) if has else None
    if path.is_file() and (_kind(path) is not None or (path.suffix.lower() not in (".csv", ".jsonl", ".ndjson")
                                                       and looks_like_hl7(_head(path)))):
        return InterchangeSource(path, max_bytes)
    return None
