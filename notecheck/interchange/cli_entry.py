"""The command-line side of interchange: `check` on an HL7 message or FHIR JSON file (and
`--format fhir` for any note), and the `listen` subcommand. The CLI (notecheck/cli/) parses the
options and calls in here. Errors are NoteInputError (one line, exit 2 through the CLI's
handler); none quotes the note."""
from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TextIO

from pydantic import ValidationError

from notecheck.interchange.fhir_in import FhirInputError, looks_like_fhir, read_fhir
from notecheck.interchange.fhir_out import NoteSource, issues_bundle
from notecheck.interchange.hl7_message import DEFAULT_DOCUMENT_TYPES, looks_like_hl7, parse_message, split_batch
from notecheck.interchange.records import result_record
from notecheck.models import ClaimContext, Result
from notecheck.errors import describe_validation
from notecheck.reader import NoteInputError, decode_note

if TYPE_CHECKING:
    from notecheck.cli.check import CheckArgs

HL7_SUFFIXES = (".hl7", ".er7")


# --- check ---------------------------------------------------------------------------------------


def _read_bytes(path: str, max_bytes: int) -> tuple[bytes, str]:
    if path == "-":
        return sys.stdin.buffer.read(max_bytes * 4 + 1), "stdin"
    p = Path(path)
    if not p.is_file():
        return b"", ""
    try:
        with p.open("rb") as fh:
            return fh.read(max_bytes * 4 + 1), p.stem
    except OSError as exc:
        raise NoteInputError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None


def _peek(path: str) -> bytes:
    if path == "-":
        peek = getattr(sys.stdin.buffer, "peek", None)
        return peek(4096)[:4096] if peek else b""
    p = Path(path)
    if not p.is_file():
        return b""
    try:
        with p.open("rb") as fh:
            return fh.read(4096)
    except OSError:
        return b""


def _context(args: CheckArgs, note_id: Optional[str], removal_date: Any) -> ClaimContext:
    try:
        return ClaimContext(
            note_id=args.note_id or note_id, removal_date=args.removal_date or removal_date,
            index_surgery_date=args.index_date, index_cpt=args.index_cpt, index_related=args.index_related,
            billed_cpt=args.billed_cpt, billed_units=args.billed_units, billed_modifiers=args.billed_modifiers,
        )
    except ValidationError as exc:
        raise NoteInputError(f"bad claim option {describe_validation(exc)}") from None


def check_interchange(args: CheckArgs) -> Optional[int]:
    """Handle `notecheck check` when PATH is an HL7 message or FHIR JSON, or when `--format fhir`
    is asked; None leaves a plain note to the usual path."""
    head = _peek(args.path)
    is_hl7 = args.path.lower().endswith(HL7_SUFFIXES) or looks_like_hl7(head)
    is_fhir = not is_hl7 and looks_like_fhir(head)
    if not (is_hl7 or is_fhir or args.format == "fhir"):
        return None
    data, name = _read_bytes(args.path, args.max_bytes)
    if not name:
        return None  # missing file or a folder: the usual path says so
    from notecheck.checker import Checker

    checker = Checker(getattr(args, "rules", None))
    if is_hl7:
        messages = list(split_batch(data))
        if len(messages) != 1:
            raise NoteInputError(f"{name}: holds {len(messages)} HL7 messages; use `notecheck audit` for several")
        parsed = parse_message(messages[0], DEFAULT_DOCUMENT_TYPES, args.max_bytes)
        if parsed.error is not None:
            err = parsed.error
            raise NoteInputError(f"{name}: HL7 message refused ({err.ack} {err.code} at {err.location}): {err.message}")
        if parsed.skipped is not None:
            raise NoteInputError(f"{name}: nothing to check: {parsed.skipped.reason}")
        doc = parsed.document
        assert doc is not None
        text, source_info, mode = doc.text, doc.describe(), doc.mode
        ctx = _context(args, doc.note_id, doc.removal_date)
        fhir_source = NoteSource.from_text(ctx.note_id, text, mode)
    elif is_fhir:
        try:
            intake = read_fhir(data, args.max_bytes)
        except FhirInputError as exc:
            raise NoteInputError(f"{name}: bad FHIR input ({exc.status}): {exc.message}") from None
        if len(intake.documents) != 1:
            why = f"; skipped: {', '.join(r for _, r in intake.skipped)}" if intake.skipped else ""
            raise NoteInputError(f"{name}: holds {len(intake.documents)} checkable DocumentReferences{why}; "
                                 "use `notecheck audit` for several")
        fdoc = intake.documents[0]
        text, source_info, mode = fdoc.text, fdoc.describe(), fdoc.mode
        ctx = _context(args, fdoc.note_id, fdoc.removal_date)
        fhir_source = NoteSource.from_fhir(fdoc)
    else:
        text = decode_note(data, args.max_bytes).text
        ctx = _context(args, name, None)
        source_info, mode = {"format": "text", "mode": "pre_sign"}, "pre_sign"
        fhir_source = NoteSource.from_text(ctx.note_id, text, mode)
    result = checker.check(text, ctx, ctx.note_id)
    stream: TextIO = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        _write(args, stream, result, text, source_info, fhir_source)
    finally:
        if stream is not sys.stdout:
            stream.close()
    return 0 if result.ready_to_sign else 1


def _write(args: CheckArgs, stream: TextIO, result: Result, text: str, source_info: dict[str, Any],
           fhir_source: NoteSource) -> None:
    if args.format == "fhir":
        bundle = issues_bundle([(result, fhir_source)], emit_tasks=args.emit_queries)
        stream.write(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "json":
        stream.write(json.dumps(result_record(result, text, source_info), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "html":
        from notecheck.render_html import render_html

        stream.write(render_html(result, text))
    else:
        from notecheck.render_text import write_text

        write_text(result, stream, no_color=args.no_color)


# --- listen --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListenArgs:
    """`notecheck listen` as given on the command line."""

    mllp: str
    out: str
    idle_timeout: float = 300.0
    accept_type: list[str] = field(default_factory=list)
    max_bytes: int = 1_000_000


def _address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise NoteInputError(f"--mllp must be HOST:PORT (got {value!r})")
    return host.strip("[]") or "127.0.0.1", int(port)


def run_listen(args: ListenArgs) -> int:
    from notecheck.interchange.mllp import MessageHandler, listen
    from notecheck.interchange.sinks import SinkError, open_sink

    host, port = _address(args.mllp)
    if args.idle_timeout <= 0 or args.max_bytes <= 0:
        raise NoteInputError("--idle-timeout and --max-bytes must be positive")
    try:
        sink = open_sink(Path(args.out))
    except SinkError as exc:
        raise NoteInputError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="notecheck listen: %(message)s")
    from notecheck.checker import Checker

    checker = Checker()
    accepted = DEFAULT_DOCUMENT_TYPES | {t.strip().upper() for t in args.accept_type if t.strip()}
    handler = MessageHandler(checker.check, sink, args.max_bytes * 2, accepted)

    def ready(bound_host: str, bound_port: int) -> None:
        print(f"notecheck listen: MLLP on {bound_host}:{bound_port}, results to {args.out}", file=sys.stderr, flush=True)

    try:
        return asyncio.run(listen(handler, host, port, args.idle_timeout, ready))
    except OSError as exc:
        raise NoteInputError(f"cannot listen on {host}:{port}: {exc.strerror or type(exc).__name__}") from None
    finally:
        sink.close()
