"""Our HL7 v2 escape decoder (and the matching encoder).

Why not python-hl7's `unescape`: it decodes `\\X..\\` byte by byte with `chr` (UTF-8 becomes
mojibake), maps `\\H\\`/`\\N\\` to "_", and logs the whole field text at ERROR for an unknown
escape (a PHI leak). This decoder is UTF-8 (or MSH-18 charset) aware, never logs, never raises,
and keeps anything it does not understand literally.

Decoding happens after a field is split (HL7's rule: parse, then de-escape).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A formatting command's count is bounded: `\.sp 99999999\` must not become a memory bomb.
MAX_REPEAT = 100
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_COUNT = re.compile(r"[+-]?\d{1,6}")


@dataclass(frozen=True)
class Delimiters:
    """The delimiters of one message (MSH-1 and MSH-2)."""

    field: str = "|"
    component: str = "^"
    repetition: str = "~"
    escape: str = "\\"
    subcomponent: str = "&"

    @classmethod
    def from_msh(cls, field_sep: str, encoding_chars: str) -> "Delimiters":
        chars = (encoding_chars + "^~\\&"[len(encoding_chars):])[:4]
        return cls(field=field_sep or "|", component=chars[0], repetition=chars[1], escape=chars[2],
                   subcomponent=chars[3])


DEFAULT_DELIMITERS = Delimiters()


def _count(arg: str, default: int) -> int:
    arg = arg.strip()
    if not arg:
        return default
    if not _COUNT.fullmatch(arg):
        return -1
    return max(0, min(MAX_REPEAT, int(arg)))


def _command(body: str, delims: Delimiters) -> str | None:
    """The text one escape body stands for; None when it is not a known escape."""
    simple = {
        "F": delims.field, "S": delims.component, "T": delims.subcomponent, "R": delims.repetition,
        "E": delims.escape, "H": "", "N": "", ".br": "\n", ".ce": "\n", ".fi": "", ".nf": "",
    }
    if body in simple:
        return simple[body]
    if body.startswith((".sp", ".sk", ".in", ".ti")):
        n = _count(body[3:], 1 if body.startswith(".sp") else 0)
        if n < 0:
            return None
        return "\n" * n if body.startswith(".sp") else " " * n
    # Character-set switches (\Cxxyy\, \Mxxyyzz\) and locally defined escapes (\Z..\) carry no text.
    if body[:1] in ("C", "M", "Z") and (body[:1] == "Z" or _HEX.fullmatch(body[1:])):
        return ""
    return None


def decode_text(value: str, delims: Delimiters = DEFAULT_DELIMITERS, charset: str = "utf-8") -> str:
    """De-escape one field value. `\\Xhh..\\` bytes (adjacent ones pooled, so a UTF-8 character
    split over two escapes still decodes) are read in `charset`; bytes that do not decode become
    U+FFFD. An unterminated or unknown escape is kept as written."""
    esc = delims.escape
    if not esc or esc not in value:
        return value
    out: list[str] = []
    pending = bytearray()  # bytes of consecutive \X..\ escapes

    def flush() -> None:
        if pending:
            out.append(pending.decode(charset, errors="replace"))
            pending.clear()

    i, n = 0, len(value)
    while i < n:
        j = value.find(esc, i)
        if j < 0:
            flush()
            out.append(value[i:])
            break
        if j > i:
            flush()
            out.append(value[i:j])
        k = value.find(esc, j + 1)
        if k < 0:  # a lone escape character: literal text (e.g. a Windows path)
            flush()
            out.append(value[j:])
            break
        body = value[j + 1:k]
        if body[:1] == "X" and _HEX.fullmatch(body[1:]):
            pending.extend(bytes.fromhex(body[1:]))
            i = k + 1
            continue
        decoded = _command(body, delims)
        flush()
        if decoded is None:
            # Unknown: keep the opening escape literally and rescan from the closing one, which
            # may open a real escape.
            out.append(value[j:k])
            i = k
            continue
        out.append(decoded)
        i = k + 1
    flush()
    return "".join(out)


def encode_text(
    text: str, delims: Delimiters = DEFAULT_DELIMITERS, charset: str = "utf-8", hex_non_ascii: bool = False
) -> str:
    """Escape text for an FT/TX field: delimiters as \\F\\ \\S\\ \\T\\ \\R\\ \\E\\, a newline as
    \\.br\\, other control characters (and, with `hex_non_ascii`, every non-ASCII character) as
    \\Xhh..\\ in `charset`. `decode_text(encode_text(s, d, c), d, c) == s` for any text `c` encodes."""
    e = delims.escape
    table = {
        e: f"{e}E{e}", delims.field: f"{e}F{e}", delims.component: f"{e}S{e}",
        delims.subcomponent: f"{e}T{e}", delims.repetition: f"{e}R{e}", "\n": f"{e}.br{e}",
    }
    out: list[str] = []
    for ch in text:
        if ch in table:
            out.append(table[ch])
        elif ch < " " or ch == "\x7f" or (hex_non_ascii and ch > "\x7f"):
            out.append(f"{e}X{ch.encode(charset).hex().upper()}{e}")
        else:
            out.append(ch)
    return "".join(out)
