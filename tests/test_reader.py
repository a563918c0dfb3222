"""notecheck.reader (issue 9): UTF-16 with a BOM, notes of only invisible characters, one size
limit in bytes of UTF-8 everywhere, and reads that never go past what the limit needs."""
from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notecheck.reader import (
    DEFAULT_MAX_BYTES, NoteInputError, decode_note, is_blank, raw_read_limit, read_note_bytes, validate_text,
)

NOTE = "PROCEDURE: Removal of two K-wires, left ring finger. Caf\u00e9 \u2013 \u00bd cm incision.\r\n"
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
# Printable text that validate_text accepts as a note: no C0 controls, no lone surrogates.
note_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(["\n", "\r", "\t"]), min_size=1, max_size=300
).filter(lambda t: not is_blank(t))


class TestUtf16:
    @pytest.mark.parametrize("bom, codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")], ids=["LE", "BE"])
    def test_notepad_unicode_is_decoded_not_binary(self, bom: bytes, codec: str) -> None:
        # Before: "note looks binary (NUL bytes), not text".
        note = decode_note(bom + NOTE.encode(codec), 10_000)
        assert (note.text, note.encoding) == (NOTE, codec)

    @settings(max_examples=60, deadline=None)
    @given(text=note_text, big_endian=st.booleans())
    def test_any_text_round_trips(self, text: str, big_endian: bool) -> None:
        codec, bom = ("utf-16-be", b"\xfe\xff") if big_endian else ("utf-16-le", b"\xff\xfe")
        assert decode_note(bom + text.encode(codec), 100_000).text == text

    def test_limit_is_utf8_bytes_not_utf16_bytes(self) -> None:
        text = "K-wire removed. " * 50  # 800 UTF-8 bytes, 1,600 UTF-16 bytes
        assert decode_note(b"\xff\xfe" + text.encode("utf-16-le"), 800).text == text
        with pytest.raises(NoteInputError, match="over the 799-byte limit"):
            decode_note(b"\xff\xfe" + text.encode("utf-16-le"), 799)

    def test_broken_utf16_is_one_clear_error(self) -> None:
        with pytest.raises(NoteInputError, match="not valid UTF-16-LE"):
            decode_note(b"\xff\xfe" + "K-wire".encode("utf-16-le") + b"\x00", 1000)  # odd length


class TestEmpty:
    @pytest.mark.parametrize("text", ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", " \u200b\n\t\u2060 \u00a0\u3000", "\ufeff\r\n"])
    def test_whitespace_and_zero_width_only_is_empty(self, text: str) -> None:
        # Before: checked as a note (exit 1, an empty result).
        with pytest.raises(NoteInputError, match="^note is empty$"):
            validate_text(text)

    @settings(max_examples=80, deadline=None)
    @given(st.lists(st.sampled_from(INVISIBLE + [" ", "\n", "\t", "\r", "\u00a0", "\u2003"]), max_size=40))
    def test_any_mix_of_invisible_characters_is_empty(self, chars: list[str]) -> None:
        with pytest.raises(NoteInputError, match="^note is empty$"):
            validate_text("".join(chars))

    def test_one_visible_character_is_not_empty(self) -> None:
        validate_text("\u200b\u200bK\u200b")

    def test_zero_width_file_is_empty(self) -> None:
        with pytest.raises(NoteInputError, match="^note is empty$"):
            decode_note("\u200b\u2060\n".encode("utf-8"))


class TestOneLimitInBytes:
    def test_validate_text_counts_utf8_bytes(self) -> None:
        text = "\u00e9" * 600  # 600 characters, 1,200 bytes
        # Before: accepted (600 characters <= 1,000).
        with pytest.raises(NoteInputError, match="note is 1,200 bytes, over the 1,000-byte limit"):
            validate_text(text, 1000)
        validate_text(text, 1200)

    @settings(max_examples=80, deadline=None)
    @given(text=note_text, slack=st.integers(-3, 3))
    def test_the_limit_is_exactly_the_utf8_length(self, text: str, slack: int) -> None:
        size = len(text.encode("utf-8"))
        limit = max(1, size + slack)
        if size > limit:
            with pytest.raises(NoteInputError, match="byte limit"):
                validate_text(text, limit)
        else:
            try:
                validate_text(text, limit)
            except NoteInputError as exc:
                assert "limit" not in str(exc)  # only "binary-looking" may refuse it

    def test_limits_above_one_megabyte_are_honoured(self) -> None:
        text = "K-wire removed. " + " " * 1_200_000
        validate_text(text, 1_300_000)
        assert decode_note(text.encode("utf-8"), 1_300_000).text == text
        with pytest.raises(NoteInputError, match="over the 1,000,000-byte limit"):
            validate_text(text)  # the default stays 1,000,000 bytes

    def test_no_limit(self) -> None:
        validate_text("x" * (DEFAULT_MAX_BYTES + 1), None)

    def test_former_keyword_is_the_same_byte_limit(self) -> None:
        with pytest.raises(NoteInputError, match="over the 1,000-byte limit"):
            validate_text("\u00e9" * 600, max_chars=1000)

    def test_lone_surrogates_are_refused(self) -> None:
        with pytest.raises(NoteInputError, match="not valid Unicode"):
            validate_text("K-wire \ud800 removed")


class _Endless(io.RawIOBase):
    """A stream like /dev/zero (or a UTF-16 one), counting what is read from it."""

    def __init__(self, prefix: bytes = b"") -> None:
        self.prefix = prefix
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = len(buffer)
        chunk = (self.prefix + b"a" * n)[:n] if self.read_bytes == 0 else b"a" * n
        buffer[:n] = chunk
        self.read_bytes += n
        return n


class TestBoundedReads:
    @pytest.mark.parametrize("max_bytes", [1, 1000, 65_537])
    def test_never_more_than_the_limit_plus_one(self, max_bytes: int) -> None:
        stream = _Endless()
        data = read_note_bytes(io.BufferedReader(stream, buffer_size=8), max_bytes)
        assert len(data) == max_bytes + 1
        assert stream.read_bytes <= max_bytes + 1 + 8  # what the buffer may read ahead
        with pytest.raises(NoteInputError, match="over the"):
            decode_note(data, max_bytes)

    def test_utf16_reads_at_most_its_own_bound(self) -> None:
        stream = _Endless(prefix=b"\xff\xfe")
        data = read_note_bytes(io.BufferedReader(stream, buffer_size=8), 1000)
        assert len(data) == raw_read_limit(1000) + 1
        assert stream.read_bytes <= raw_read_limit(1000) + 1 + 8
        with pytest.raises(NoteInputError, match="over the 1,000-byte limit"):
            decode_note(data, 1000)
