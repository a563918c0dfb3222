"""Bytes -> note text, exactly as written: UTF-8 (with or without BOM), else cp1252; with a size
limit. Errors are one-line messages that never quote the note."""
from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 1_000_000
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


class NoteInputError(ValueError):
    """A note that cannot be checked; the message is safe to show and to log (no note text)."""


@dataclass(frozen=True)
class DecodedNote:
    text: str
    encoding: str


def decode_note(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedNote:
    if len(data) > max_bytes:
        raise NoteInputError(f"note is {len(data):,} bytes, over the {max_bytes:,}-byte limit")
    if b"\x00" in data[:4096]:
        raise NoteInputError("note looks binary (NUL bytes), not text")
    if data.startswith(b"\xef\xbb\xbf"):
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
    validate_text(text)
    return DecodedNote(text=text, encoding=encoding)


def validate_text(text: str, max_chars: int = DEFAULT_MAX_BYTES) -> None:
    if not text.strip():
        raise NoteInputError("note is empty")
    if len(text) > max_chars:
        raise NoteInputError(f"note is {len(text):,} characters, over the {max_chars:,} limit")
    if len(_CONTROL.findall(text, 0, 4096)) > 8:
        raise NoteInputError("note looks binary (control characters), not text")
