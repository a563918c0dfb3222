"""Bytes -> text lines for the tabular inputs (.csv, .jsonl and the claims CSV).

A file exported by a scheduling or transcription system is usually UTF-8, sometimes with a BOM,
and sometimes cp1252 in places (a single pasted "é" from Word). Decoding line by line lets each
note record the encoding its own bytes needed, and one bad line cannot spoil the whole file.
"""
from __future__ import annotations

from dataclasses import dataclass
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
