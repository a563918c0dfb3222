"""Bytes -> note text, exactly as written: UTF-8 (with or without BOM), UTF-16 with a BOM (what
Windows Notepad saves as "Unicode"), else cp1252; with a size limit. Errors are one-line messages
that never quote the note.

One size limit, one meaning: every limit here is a number of bytes of the note's text encoded as
UTF-8, whatever encoding the file used, so the CLI, the audit and the service agree on what
`--max-bytes` / NOTECHECK_MAX_NOTE_BYTES admit.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Optional, Union

DEFAULT_MAX_BYTES = 1_000_000
# The largest limit a caller may ask for. A note is held several times over while it is checked
# (bytes, text, tokens, result), so a limit past this is a memory hazard rather than a note.
MAX_BYTES_CEILING = 64 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
# Anything that is not whitespace or an invisible zero-width character: a note without one is
# empty however many bytes it has (ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM / ZWNBSP).
_VISIBLE = re.compile(r"[^\s\u200b\u200c\u200d\u2060\ufeff]")
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


class NoteInputError(ValueError):
    """A note that cannot be checked; the message is safe to show and to log (no note text)."""


@dataclass(frozen=True)
class DecodedNote:
    text: str
    encoding: str


def over_limit(max_bytes: int, size: Optional[int] = None, what: str = "note") -> NoteInputError:
    """The one wording of "too big" (the audit, the CLI and the tests rely on it)."""
    if size is None:
        return NoteInputError(f"{what} is over the {max_bytes:,}-byte limit")
    return NoteInputError(f"{what} is {size:,} bytes, over the {max_bytes:,}-byte limit")


def open_regular(path: Union[str, Path]) -> BinaryIO:
    """Open a file for reading, refusing what is not a regular file (a FIFO would block, a device
    never end). O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused.
    NoteInputError says why, without the path (callers name it)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise NoteInputError(f"cannot read the file ({exc.strerror or type(exc).__name__})") from None
    fh = os.fdopen(fd, "rb")
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
            raise NoteInputError(f"not a regular file ({kind})")
        os.set_blocking(fd, True)
    except BaseException:
        fh.close()
        raise
    return fh


def raw_read_limit(max_bytes: int) -> int:
    """The most bytes a file may hold for its text to fit in `max_bytes` UTF-8 bytes: UTF-16 needs
    up to two bytes for each UTF-8 byte (ASCII), plus its BOM."""
    return 2 * max_bytes + 2


def read_note_bytes(fh: BinaryIO, max_bytes: int) -> bytes:
    """Read a note's bytes, never more than needed to decide: `max_bytes + 1` bytes, or, for a
    UTF-16 file (BOM), `raw_read_limit + 1`. A result longer than the limit means "too big"."""
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes and data[:2] in UTF16_BOMS:
        rest = fh.read(raw_read_limit(max_bytes) + 1 - len(data))
        data += rest
    return data


def decode_note(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES, size: Optional[int] = None) -> DecodedNote:
    """Decode and validate one note. `size` is the file's size when `data` may have been cut at
    the read limit (for the message only)."""
    utf16 = UTF16_BOMS.get(data[:2])
    if utf16 is not None:
        if len(data) > raw_read_limit(max_bytes):
            raise over_limit(max_bytes)
        try:
            text = data[2:].decode(utf16)
        except UnicodeDecodeError:
            raise NoteInputError(f"note starts with a {utf16.upper()} byte-order mark but is not valid {utf16.upper()} text") from None
        validate_text(text, max_bytes)
        return DecodedNote(text=text, encoding=utf16)
    if len(data) > max_bytes:
        raise over_limit(max_bytes, size if size is not None and size > max_bytes else None)
    if b"\x00" in data[:4096]:
        raise NoteInputError("note looks binary (NUL bytes), not text")
    if data.startswith(UTF8_BOM):
        encoding, body = "utf-8-sig", data[3:]
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise NoteInputError("note is neither UTF-8 nor cp1252 text") from None
    validate_text(text, max_bytes)
    return DecodedNote(text=text, encoding=encoding)


def safe_note_id(raw: str) -> str:
    """A note id that can be written anywhere: lone surrogates (a JSON "\\ud800", or the
    undecodable bytes of a file name) become the visible escape `\\ud800`, the same in the
    journal, every output and a later --resume."""
    try:
        raw.encode("utf-8")
        return raw
    except UnicodeEncodeError:
        return raw.encode("utf-8", errors="backslashreplace").decode("utf-8")


def is_blank(text: str) -> bool:
    """True when the text has nothing but whitespace and zero-width characters."""
    return _VISIBLE.search(text) is None


def utf8_size(text: str) -> int:
    """Bytes of `text` as UTF-8; NoteInputError for lone surrogates (not encodable text)."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise NoteInputError("note text is not valid Unicode (unpaired surrogate code points)") from None


def validate_text(text: str, max_bytes: Optional[int] = DEFAULT_MAX_BYTES, *, max_chars: Optional[int] = None) -> None:
    """Refuse text that cannot be checked: empty (whitespace and zero-width characters only),
    invalid Unicode, over `max_bytes` bytes of UTF-8 (None: no limit), or binary-looking.

    `max_chars` is the parameter's former name, still accepted from callers written before the
    limit became bytes; it is the same byte limit.
    """
    limit = max_chars if max_chars is not None else max_bytes
    if is_blank(text):
        raise NoteInputError("note is empty")
    size = utf8_size(text)
    if limit is not None and size > limit:
        raise over_limit(limit, size)
    if len(_CONTROL.findall(text, 0, 4096)) > 8:
        raise NoteInputError("note looks binary (control characters), not text")
