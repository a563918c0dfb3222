"""Bytes -> text lines for the tabular inputs (.csv, .jsonl and the claims CSV).

A file exported by a scheduling or transcription system is usually UTF-8, sometimes with a BOM,
and sometimes cp1252 in places (a single pasted "é" from Word). Decoding line by line lets each
note record the encoding its own bytes needed, and one bad line cannot spoil the whole file.
"""
from __future__ import annotations

import csv
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO, Iterator, Optional

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line, decoded.

    `encoding` is None when the bytes are neither UTF-8 nor cp1252; `text` then holds a lossy
    decoding so a parser can still find where the record ends, and the record becomes an error.
    `overflow` marks a line cut at the length limit (its text is empty).
    """

    text: str
    encoding: Optional[str]
    number: int
    overflow: bool = False


def decode_line(raw: bytes, utf8_name: str) -> tuple[str, Optional[str]]:
    try:
        return raw.decode("utf-8"), utf8_name
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), None


def read_lines(fh: BinaryIO, limit: Optional[int] = None) -> Iterator[Line]:
    """Yield the lines of a binary file, keeping their line ends (the csv module needs them).

    With `limit`, a line longer than that many bytes is skipped to its end and yielded once with
    `overflow=True`, so a runaway line (a binary file renamed .jsonl) never sits in memory whole.
    """
    number = 0
    utf8_name = "utf-8"
    while True:
        raw = fh.readline(limit) if limit else fh.readline()
        if not raw:
            return
        number += 1
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM):]
            utf8_name = "utf-8-sig"
        if limit and len(raw) >= limit and not raw.endswith(b"\n"):
            while True:
                rest = fh.readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Line(text="", encoding=None, number=number, overflow=True)
            continue
        text, encoding = decode_line(raw, utf8_name)
        yield Line(text=text, encoding=encoding, number=number)


def combine_encodings(encodings: list[Optional[str]]) -> Optional[str]:
    """The encoding of a record spread over several lines: None if any line failed, else the
    weakest one (cp1252 wins over UTF-8, because that is what the record needed)."""
    if any(e is None for e in encodings):
        return None
    if "cp1252" in encodings:
        return "cp1252"
    return encodings[0] if encodings else "utf-8"


# --- CSV records, delimited before parsing -------------------------------------------------------
#
# The csv module cannot be told to skip a record: after an error (a field over its limit, a NUL)
# it starts again at the next physical line, which may be the middle of a quoted note, and the
# rest of the file is then read out of step. So records are delimited here first, by following
# the quotes the way the csv module's default dialect does (quoted fields may hold newlines; "" is
# a quote inside one; a quote inside an unquoted field is an ordinary character). The scan runs on
# bytes: `"`, `,` and `\n` are single bytes in UTF-8 and cp1252 and never part of another
# character. A record over the size limit is skipped to its end without being held, and each
# record is parsed alone, so a bad record costs that record only.

_START_FIELD, _IN_FIELD, _IN_QUOTED, _QUOTE_IN_QUOTED, _END = range(5)
_QUOTE, _COMMA, _NEWLINE = ord('"'), ord(","), ord("\n")
_FIELD_END = re.compile(rb"[,\n]")
HEAD_BYTES = 64 * 1024  # what an oversized record keeps of its start, to name its note


def scan_csv(piece: bytes, state: int) -> int:
    """The record state after `piece`, starting from `state` (a record starts in _START_FIELD).
    _END means the record ended at the newline that closes `piece`."""
    i, n = 0, len(piece)
    while i < n:
        if state == _IN_QUOTED:
            j = piece.find(b'"', i)
            if j < 0:
                return _IN_QUOTED
            state, i = _QUOTE_IN_QUOTED, j + 1
            continue
        if state == _IN_FIELD:
            m = _FIELD_END.search(piece, i)
            if m is None:
                return _IN_FIELD
            i = m.end()
            state = _START_FIELD if m.group() == b"," else _END
            continue
        c = piece[i]
        i += 1
        if c == _NEWLINE:
            state = _END
        elif state == _QUOTE_IN_QUOTED:
            state = _IN_QUOTED if c == _QUOTE else _START_FIELD if c == _COMMA else _IN_FIELD
        else:  # _START_FIELD (or a stray byte after _END, which only a line without \n can hold)
            state = _IN_QUOTED if c == _QUOTE else _START_FIELD if c == _COMMA else _IN_FIELD
    return state


@dataclass(slots=True)
class CsvRecord:
    """One CSV record: its decoded lines, or, when it was over the size limit, only `head` (up to
    HEAD_BYTES of its start, decoded leniently) with `overflow` set."""

    first_line: int
    lines: list[Line] = field(default_factory=list)
    overflow: bool = False
    size: int = 0
    head: str = ""


def csv_records(fh: BinaryIO, limit: int) -> Iterator[CsvRecord]:
    """The records of a CSV file, each at most `limit` bytes held in memory."""
    number = 0
    utf8_name = "utf-8"
    state = _START_FIELD
    record: Optional[CsvRecord] = None
    pieces: list[bytes] = []
    head = b""
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            break
        if number == 0 and raw.startswith(BOM):
            raw = raw[len(BOM):]
            utf8_name = "utf-8-sig"
        whole_line = raw.endswith(b"\n")
        if record is None:
            record = CsvRecord(first_line=number + 1)
            state = _START_FIELD
        record.size += len(raw)
        if not record.overflow:
            if record.size > limit:
                record.overflow = True
                head = b"".join(pieces)[:HEAD_BYTES]
                head += raw[: max(0, HEAD_BYTES - len(head))]
                pieces = []
            else:
                pieces.append(raw)
        state = scan_csv(raw, state)
        if whole_line:
            number += 1
        if state == _END:
            yield _finish(record, pieces, head, utf8_name)
            record, pieces, head = None, [], b""
    if record is not None:
        yield _finish(record, pieces, head, utf8_name)


def _finish(record: CsvRecord, pieces: list[bytes], head: bytes, utf8_name: str) -> CsvRecord:
    if record.overflow:
        record.head = head.decode("utf-8", errors="replace")
        return record
    number = record.first_line
    for raw in pieces:
        text, encoding = decode_line(raw, utf8_name)
        record.lines.append(Line(text=text, encoding=encoding, number=number))
        number += 1
    return record


@contextmanager
def csv_field_limit(limit: int) -> Iterator[None]:
    """Set the csv module's field size limit (a process-wide setting) for the body, then put the
    previous one back, so that a notes CSV and a claims CSV each get their own."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)
