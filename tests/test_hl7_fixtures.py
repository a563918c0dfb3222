"""The HL7 fixtures of sample_notes/interchange: each message's note text rebuilt byte for byte,
what TXA/OBR say (note id, mode, removal date, role), and the skip / refuse outcomes."""
from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from notecheck.interchange.hl7_message import (
    Hl7Error,
    InboundDocument,
    Skipped,
    parse_message,
    split_batch,
    split_segments,
)

FIXTURES = Path(__file__).resolve().parent.parent / "sample_notes" / "interchange"
WITH_TEXT = sorted(p for p in FIXTURES.glob("*.hl7") if p.with_suffix(".expected.txt").exists())


def _document(name: str) -> InboundDocument:
    outcome = parse_message((FIXTURES / name).read_bytes()).outcome
    assert isinstance(outcome, InboundDocument), outcome
    return outcome


def test_there_are_a_dozen_edge_cases_besides_the_brief_messages() -> None:
    assert len(WITH_TEXT) >= 14


@pytest.mark.parametrize("path", WITH_TEXT, ids=lambda p: p.stem)
def test_rebuilt_text_is_byte_exact(path: Path) -> None:
    expected = path.with_suffix(".expected.txt").read_bytes().decode("utf-8")
    assert _document(path.name).text == expected


def test_message_a_metadata() -> None:
    doc = _document("mdm_t02_ft_presign.hl7")
    assert doc.note_id == "DOC-2026-000123^DICTSYS"
    assert doc.mode == "pre_sign"  # TXA-17 PA
    assert doc.removal_date == date(2026, 11, 26)  # TXA-4
    assert (doc.event, doc.role, doc.document_type, doc.control_id) == ("MDM^T02", "original", "OP", "MSG000101")


def test_message_b_metadata() -> None:
    doc = _document("oru_r01_tx_final.hl7")
    assert doc.note_id == "DOC-2026-000124^TRANSCRIBE"  # OBR-3
    assert doc.mode == "audit"  # OBR-25 F
    assert doc.removal_date == date(2026, 11, 26)  # OBR-7
    assert doc.event == "ORU^R01"


def test_t10_replaces_its_parent_and_is_audited() -> None:
    doc = _document("mdm_t10_replacement.hl7")
    assert (doc.role, doc.parent_id, doc.mode) == ("replacement", "DOC-2026-000123^DICTSYS", "audit")
    assert doc.note_id == "DOC-2026-000124^DICTSYS"


def test_t06_is_the_addendum_only() -> None:
    doc = _document("mdm_t06_addendum.hl7")
    assert doc.role == "addendum" and doc.parent_id == "DOC-2026-000123^DICTSYS"
    assert doc.text.startswith("ADDENDUM:") and "PREOPERATIVE" not in doc.text


def test_truncation_is_flagged_without_text() -> None:
    doc = _document("obx_truncated_1000.hl7")
    assert any("1000 characters" in w for w in doc.warnings)


def test_charsets() -> None:
    assert _document("msh18_latin1.hl7").charset == "iso8859-1"
    assert _document("msh18_utf8.hl7").charset == "utf-8"
    # Text already decoded is not decoded again; MSH-18 still reads \X..\ escapes.
    text = (FIXTURES / "msh18_latin1.hl7").read_bytes().decode("latin-1").replace("Ren\u00e9e", "Ren\\XE9\\e")
    outcome = parse_message(text).outcome
    assert isinstance(outcome, InboundDocument) and outcome.text.startswith("Dr. Ren\u00e9e removed")


def test_msh18_that_does_not_fit_the_bytes_falls_back() -> None:
    raw = (FIXTURES / "msh18_utf8.hl7").read_bytes().replace(b"UNICODE UTF-8", b"ASCII")
    doc = parse_message(raw).outcome
    assert isinstance(doc, InboundDocument) and doc.charset == "utf-8"
    assert doc.text == (FIXTURES / "msh18_utf8.expected.txt").read_text(encoding="utf-8")
    assert any("MSH-18" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("skip_discharge_summary.hl7", "document type DS is not an operative report"),
        ("skip_cancelled_document.hl7", "document availability CA"),
        ("skip_mdm_t11_cancel.hl7", "MDM^T11 carries no document text"),
    ],
)
def test_not_operative_reports_are_skipped(name: str, reason: str) -> None:
    outcome = parse_message((FIXTURES / name).read_bytes()).outcome
    assert isinstance(outcome, Skipped) and outcome.reason.startswith(reason)


@pytest.mark.parametrize(
    ("name", "ack", "code", "location"),
    [
        ("refuse_adt_a01.hl7", "AR", 200, "MSH^1^9"),
        ("refuse_version_3.hl7", "AR", 203, "MSH^1^12"),
        ("refuse_empty_text.hl7", "AE", 101, "OBX^1^5"),
        ("refuse_ed_pdf.hl7", "AE", 102, "OBX^1^5"),
    ],
)
def test_refused_messages(name: str, ack: str, code: int, location: str) -> None:
    outcome = parse_message((FIXTURES / name).read_bytes()).outcome
    assert isinstance(outcome, Hl7Error)
    assert (outcome.ack, outcome.code, outcome.location) == (ack, code, location)


@pytest.mark.parametrize(
    ("mutate", "ack", "code", "location"),
    [
        (lambda m: m.replace(b"|DOC-2026-000123^DICTSYS|", b"||"), "AE", 101, "TXA^1^12"),
        (lambda m: m.replace(b"|op_000123.txt|PA|", b"|op_000123.txt||"), "AE", 101, "TXA^1^17"),
        (lambda m: m.replace(b"|op_000123.txt|PA|", b"|op_000123.txt|ZZ|"), "AE", 103, "TXA^1^17"),
        (lambda m: m.replace(b"TXA|1|OP|FT|", b"TXA|1|OP|AP|"), "AE", 102, "TXA^1^3"),
        (lambda m: m.replace(b"|P|2.5.1", b"|X|2.5.1"), "AR", 202, "MSH^1^11"),
        (lambda m: m.replace(b"MDM^T02^MDM_T02", b"MDM^T99^MDM_T02"), "AR", 201, "MSH^1^9^2"),
        (lambda m: b"\r".join(s for s in m.split(b"\r") if not s.startswith(b"TXA")), "AE", 100, "TXA"),
        (lambda m: b"PID|1\r" + m, "AR", 100, "MSH"),
    ],
)
def test_field_errors(mutate, ack: str, code: int, location: str) -> None:  # type: ignore[no-untyped-def]
    raw = mutate((FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes())
    outcome = parse_message(raw).outcome
    assert isinstance(outcome, Hl7Error), outcome
    assert (outcome.ack, outcome.code, outcome.location) == (ack, code, location)


def test_t01_notification_and_local_types() -> None:
    raw = (FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes()
    assert isinstance(parse_message(raw.replace(b"MDM^T02", b"MDM^T01")).outcome, Skipped)
    local = raw.replace(b"TXA|1|OP|", b"TXA|1|HANDOP|")
    assert isinstance(parse_message(local).outcome, Skipped)
    assert isinstance(parse_message(local, frozenset({"OP", "HANDOP"})).outcome, InboundDocument)


def test_oversized_text_is_refused() -> None:
    outcome = parse_message((FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes(), max_bytes=100).outcome
    assert isinstance(outcome, Hl7Error) and outcome.code == 104


def test_batch_file_splits_into_its_messages() -> None:
    messages = list(split_batch((FIXTURES / "batch_fhs_bhs.hl7").read_bytes()))
    assert len(messages) == 3
    outcomes = [parse_message(m).outcome for m in messages]
    assert [type(o).__name__ for o in outcomes] == ["InboundDocument", "InboundDocument", "Skipped"]
    assert outcomes[0].text == (FIXTURES / "mdm_t02_ft_presign.expected.txt").read_text(encoding="utf-8")  # type: ignore[union-attr]


def test_mllp_framed_file_splits() -> None:
    a = (FIXTURES / "mdm_t02_ft_presign.hl7").read_bytes()
    b = (FIXTURES / "oru_r01_tx_final.hl7").read_bytes()
    data = b"\x0b" + a + b"\x1c\r\x0b" + b + b"\x1c\r"
    assert [m.rstrip(b"\r") for m in split_batch(data)] == [a.rstrip(b"\r"), b.rstrip(b"\r")]


def test_continuation_needs_the_field_separator() -> None:
    # "EBL: 5 cc" starts with three capitals but is not a segment: no field separator follows.
    assert split_segments("MSH|^~\\&|A\rOBX|1|TX|||line\nEBL: 5 cc||||||F") == [
        "MSH|^~\\&|A", "OBX|1|TX|||line\nEBL: 5 cc||||||F",
    ]


def test_parsing_logs_no_field_text(caplog: pytest.LogCaptureFixture) -> None:
    raw = (FIXTURES / "ft_formatting_commands.hl7").read_bytes()
    with caplog.at_level(logging.DEBUG):
        parse_message(raw)
        parse_message(raw.replace(b"TXA|1|OP|", b"TXA|1|OP|").replace(b"\\Q\\", b"\\Q\\ PATIENT SECRET"))
    assert not any("SECRET" in r.getMessage() or "screw" in r.getMessage() for r in caplog.records)


def test_ft1_segments_are_the_billed_lines() -> None:
    """FT1 beside the document (HL7 v2.5 ch. 6): FT1-25 code, FT1-26 repeating modifiers, FT1-10
    quantity; they reach the claim context as billed lines (CONTRACT §3)."""
    raw = (FIXTURES / "oru_r01_tx_final.hl7").read_bytes().rstrip(b"\r\n")
    def ft1(seq: int, code: str, modifiers: str = "") -> bytes:
        fields = [""] * 27
        fields[0], fields[1], fields[4], fields[6], fields[10] = "FT1", str(seq), "20261127", "CG", "1"
        fields[25], fields[26] = code, modifiers
        return ("\r" + "|".join(fields)).encode()

    ft1 = ft1(1, "99213^Office visit^C4") + ft1(2, "26320^Removal of implant^C4", "RT~F9~58")
    outcome = parse_message(raw + ft1 + b"\r").outcome
    assert isinstance(outcome, InboundDocument), outcome
    lines = [(line.cpt, line.units, line.modifiers) for line in outcome.claim_context.billed_lines]
    assert lines == [("99213", 1, []), ("26320", 1, ["RT", "F9", "58"])]
    assert not _document("oru_r01_tx_final.hl7").claim_context.billed_lines
