"""Our HL7 escape decoder: the table of INTEGRATIONS.md §1.3, UTF-8 \\X..\\ escapes, unknown
escapes kept, never a log line, and a hypothesis round trip against our encoder."""
from __future__ import annotations

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notecheck.interchange.hl7_escape import MAX_REPEAT, Delimiters, decode_text, encode_text

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
DELIMS = Delimiters()
ODD = Delimiters(field="#", component="$", repetition="*", escape="!", subcomponent="%")


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        (r"a\F\b\S\c\T\d\R\e\E\f", "a|b^c&d~e\\f"),
        (r"line one\.br\line two", "line one\nline two"),
        (r"x\X0D0A\y", "x\r\ny"),
        (r"Ren\XC3A9\e", "Renée"),  # UTF-8, not byte-by-byte mojibake ("Ã©")
        (r"L\XC3\\XB3\pez", "López"),  # one character split over two escapes
        (r"dash \XE2\\X80\\X94\ ok", "dash — ok"),
        (r"\H\bold\N\ plain", "bold plain"),  # highlighting carries no text (python-hl7 gives "_")
        (r"a\.sp\b", "a\nb"),
        (r"a\.sp 3\b", "a\n\n\nb"),
        (r"\.in 4\x", "    x"),
        (r"\.ti 2\x", "  x"),
        (r"a\.sk 3\b", "a   b"),
        (r"a\.ce\b", "a\nb"),
        (r"a\.fi\b\.nf\c", "abc"),
        (r"a\C2842\b\M2442\c\Zlocal\d", "abcd"),
        (r"keep \Q\ this", r"keep \Q\ this"),  # unknown: literal (python-hl7 drops it and logs the field)
        (r"path C:\temp", r"path C:\temp"),  # a lone escape character
        (r"bad hex \XZZ\ end", r"bad hex \XZZ\ end"),
        (r"\.sp abc\x", r"\.sp abc\x"),
        ("no escapes at all", "no escapes at all"),
        (r"\XFF\ invalid utf-8", "\ufffd invalid utf-8"),
    ],
)
def test_decode_table(raw: str, decoded: str) -> None:
    assert decode_text(raw) == decoded


def test_charset_of_hex_escapes() -> None:
    assert decode_text(r"Ren\XE9\e", DELIMS, "iso8859-1") == "Renée"


def test_message_delimiters_are_used() -> None:
    assert decode_text("a!F!b!S!c!.br!d!T!e!R!f!E!", ODD) == "a#b$c\nd%e*f!"


def test_formatting_counts_are_bounded() -> None:
    assert decode_text(r"\.sp 999999\x") == "\n" * MAX_REPEAT + "x"
    assert decode_text(r"\.sk 999999\x") == " " * MAX_REPEAT + "x"


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_round_trip(text: str) -> None:
    assert decode_text(encode_text(text)) == text


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_round_trip_hex_non_ascii_and_odd_delimiters(text: str) -> None:
    encoded = encode_text(text, ODD, hex_non_ascii=True)
    assert all(ord(ch) < 128 for ch in encoded)
    assert decode_text(encoded, ODD) == text


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_encoded_text_never_holds_a_bare_delimiter(text: str) -> None:
    encoded = encode_text(text)
    assert not set("|^&~\n\r") & set(encoded)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("\\XE.brsp0123456789ABCDEFZHNCMx ")), max_size=60))
def test_decoding_any_string_never_raises(raw: str) -> None:
    assert isinstance(decode_text(raw), str)


def test_decoder_never_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        decode_text(r"PATIENT SECRET \Q\ text \XZZ\ \.sp x\ C:\dir")
    assert caplog.records == []
