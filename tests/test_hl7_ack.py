"""ACK structure: MSH copied and swapped, MSA-1 AA/AE/AR, MSA-2 = inbound MSH-10, ERR for AE/AR
with location, table 0357 code and severity, and an ERR-8 that never carries note text."""
from __future__ import annotations

from pathlib import Path

import hl7
import pytest

from notecheck.interchange.hl7_intake import process_hl7
from notecheck.models import ClaimContext, Result

FIXTURES = Path(__file__).resolve().parent.parent / "sample_notes" / "interchange"


def _ack(raw: bytes, check=None) -> tuple[hl7.Message, str]:  # type: ignore[no-untyped-def]
    exchange = process_hl7(raw, check or _never)
    assert exchange.ack.endswith("\r") and "\n" not in exchange.ack
    return hl7.parse(exchange.ack), exchange.ack_code


def _never(text: str, ctx: ClaimContext, note_id: str) -> Result:
    raise AssertionError("not checked")


def test_aa_for_an_operative_note(checker) -> None:  # type: ignore[no-untyped-def]
    exchange = process_hl7((FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes(), checker.check)
    ack = hl7.parse(exchange.ack)
    msh = ack.segment("MSH")
    assert str(msh(9)) == "ACK^T02^ACK"
    # Sender and receiver swapped.
    assert (str(msh(3)), str(msh(4)), str(msh(5)), str(msh(6))) == ("NOTECHECK", "HANDCTR", "DICTSYS", "HANDCTR")
    assert (str(msh(11)), str(msh(12))) == ("P", "2.5.1")
    assert len(str(msh(10))) <= 20 and str(msh(10)) != "MSG000101"
    assert [str(f) for f in ack.segment("MSA")[1:3]] == ["AA", "MSG000101"]
    assert not any(str(s[0]) == "ERR" for s in ack)
    assert exchange.record is not None and exchange.record["note_id"] == "DOC-2026-000123^DICTSYS"


def test_aa_without_a_check_for_other_documents() -> None:
    ack, code = _ack((FIXTURES / "skip_discharge_summary.hl7").read_bytes())
    assert code == "AA" and str(ack.segment("MSA")(1)) == "AA" and str(ack.segment("MSA")(2)) == "MSG000401"


@pytest.mark.parametrize(
    ("name", "code", "err2", "err3"),
    [
        ("refuse_empty_text.hl7", "AE", "OBX^1^5", "101^Required field missing^HL70357"),
        ("refuse_ed_pdf.hl7", "AE", "OBX^1^5", "102^Data type error^HL70357"),
        ("refuse_adt_a01.hl7", "AR", "MSH^1^9", "200^Unsupported message type^HL70357"),
        ("refuse_version_3.hl7", "AR", "MSH^1^12", "203^Unsupported version id^HL70357"),
    ],
)
def test_ae_and_ar_carry_err(name: str, code: str, err2: str, err3: str) -> None:
    ack, ack_code = _ack((FIXTURES / name).read_bytes())
    assert ack_code == code
    msa = ack.segment("MSA")
    assert str(msa(1)) == code and str(msa(2)).startswith("MSG0004")
    err = ack.segment("ERR")
    assert (str(err(2)), str(err(3)), str(err(4))) == (err2, err3, "E")
    assert str(err(8))


def test_err8_never_holds_note_text(checker) -> None:  # type: ignore[no-untyped-def]
    raw = (FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes()
    def fail(text: str, ctx: ClaimContext, note_id: str) -> Result:
        raise RuntimeError(f"exploded on {text}")  # an exception message that quotes the note
    exchange = process_hl7(raw, fail)
    assert exchange.ack_code == "AE"
    assert "K-wires" not in exchange.ack and "RuntimeError" in exchange.ack
    err = hl7.parse(exchange.ack).segment("ERR")
    assert str(err(3)).startswith("207^")


def test_no_msh_gets_a_hand_built_ar() -> None:
    ack, code = _ack(b"this is not HL7 at all")
    assert code == "AR"
    assert str(ack.segment("MSH")(9)) == "ACK"
    assert str(ack.segment("MSA")(1)) == "AR"
    assert str(ack.segment("ERR")(3)).startswith("100^")


def test_ack_uses_the_message_delimiters(checker) -> None:  # type: ignore[no-untyped-def]
    raw = (FIXTURES / "refuse_empty_text.hl7").read_bytes().replace(b"^", b"$").replace(b"MSH|$~\\&|", b"MSH|$~\\&|")
    exchange = process_hl7(raw, checker.check)
    assert "ERR||OBX$1$5|101$Required field missing$HL70357|E" in exchange.ack
