"""`notecheck check PATH`: one note (a file, or - for stdin) -> the result as text, JSON, HTML or a
FHIR Bundle. Exit 0 ready to sign, 1 documentation gaps, 2 usage or input error (CONTRACT.md §4).

The options are declared once, in `check` below; they reach the work as a `CheckArgs`, which the
interchange path (HL7 / FHIR files, notecheck/interchange/cli_entry.py) reads too. A new option
is one parameter of `check`, one field of `CheckArgs`, and the code that uses it.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer
from pydantic import ValidationError

from notecheck.cli.options import RULES_HELP, BilledLineArg, billed_line, byte_limit, iso_date, rules_dir
from notecheck.cli.stdout import drop_stdout
from notecheck.errors import UsageError, describe_validation
from notecheck.reader import (
    DEFAULT_MAX_BYTES, NoteInputError, decode_note, open_regular, read_note_bytes, safe_note_id,
)

EXAMPLES = """[bold]Examples[/bold]

  notecheck check note.txt
  notecheck check - --format json < note.txt
  notecheck check note.txt --format html -o note.html
  notecheck check note.txt --removal-date 2026-03-02 --index-date 2026-02-02
  notecheck check note.txt --billed-line 99213:1: --billed-line 26320:1:RT,F9
  notecheck check report.hl7 --format fhir --emit-queries
  notecheck check note.txt --explain
"""

CLAIM = "Claim context"


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    html = "html"
    fhir = "fhir"


@dataclass(frozen=True)
class CheckArgs:
    """`notecheck check` as given on the command line."""

    path: str
    format: str = "text"
    emit_queries: bool = False
    output: Optional[str] = None
    no_color: bool = False
    note_id: Optional[str] = None
    removal_date: Optional[date] = None
    index_date: Optional[date] = None
    index_cpt: Optional[str] = None
    index_related: Optional[bool] = None
    billed_cpt: Optional[str] = None
    billed_units: Optional[int] = None
    billed_modifiers: Optional[str] = None
    billed_lines: list[dict[str, str]] = field(default_factory=list)
    place_of_service: Optional[str] = None
    max_bytes: int = DEFAULT_MAX_BYTES
    rules: Optional[str] = None
    explain: bool = False


def check(
    path: Annotated[str, typer.Argument(
        metavar="PATH",
        help="the note: a text, .docx, HL7 or FHIR JSON file, or - for stdin")],
    output_format: Annotated[OutputFormat, typer.Option(
        "--format",
        help="text for a person, json (the result schema), html, fhir")] = OutputFormat.text,
    emit_queries: Annotated[bool, typer.Option(
        "--emit-queries", metavar="",
        help="with --format fhir: a draft Task per gap")] = False,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE",
        help="write the result here instead of stdout")] = None,
    no_color: Annotated[bool, typer.Option(
        "--no-color", metavar="",
        help="plain text even on a terminal (so does NO_COLOR)")] = False,
    note_id: Annotated[Optional[str], typer.Option(
        metavar="ID", rich_help_panel=CLAIM,
        help="the id echoed in the result (default: the file name)")] = None,
    removal_date: Annotated[Optional[date], typer.Option(
        parser=iso_date, metavar="YYYY-MM-DD", rich_help_panel=CLAIM,
        help="date of this removal")] = None,
    index_date: Annotated[Optional[date], typer.Option(
        parser=iso_date, metavar="YYYY-MM-DD", rich_help_panel=CLAIM,
        help="date of the surgery that placed the hardware")] = None,
    index_cpt: Annotated[Optional[str], typer.Option(
        metavar="CPT", rich_help_panel=CLAIM,
        help="CPT of that surgery")] = None,
    index_related: Annotated[Optional[bool], typer.Option(
        "--index-related/--index-unrelated", metavar="", rich_help_panel=CLAIM,
        help="is this removal related to that surgery (default: notecheck decides)")] = None,
    billed_cpt: Annotated[Optional[str], typer.Option(
        metavar="CPT", rich_help_panel=CLAIM,
        help="the billed code")] = None,
    billed_units: Annotated[Optional[int], typer.Option(
        metavar="N", rich_help_panel=CLAIM,
        help="the billed units")] = None,
    billed_modifiers: Annotated[Optional[str], typer.Option(
        metavar="MODS", rich_help_panel=CLAIM,
        help='the billed modifiers, e.g. "RT F9 58"')] = None,
    billed_lines: Annotated[Optional[list[BilledLineArg]], typer.Option(
        "--billed-line", parser=billed_line, metavar="CPT:UNITS:MODS", rich_help_panel=CLAIM,
        help="one billed line of the date of service (repeatable), e.g. 99213:1:57 or 26320:1:RT,F9")] = None,
    place_of_service: Annotated[Optional[str], typer.Option(
        metavar="POS", rich_help_panel=CLAIM,
        help="CMS place of service: 11 office, 19/22 hospital outpatient, 24 ASC, 21 inpatient")] = None,
    max_bytes: Annotated[int, typer.Option(
        parser=byte_limit, metavar="BYTES",
        help="largest note, bytes of UTF-8 text")] = DEFAULT_MAX_BYTES,
    rules: Annotated[Optional[str], typer.Option(
        "--rules", parser=rules_dir, metavar="DIR", help=RULES_HELP)] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", metavar="",
        help="why every field, code and modifier came out so: the rule matches kept or dropped and why "
             "(--format text: a Why section, json: an `explanation` field)")] = False,
) -> int:
    """Check one note (PATH, or - for stdin): what is missing, the checklist, code and modifiers.

    Exit 0 ready to sign, 1 documentation gaps, 2 usage or input error.
    """
    return run_check(CheckArgs(
        path=path, format=output_format.value, emit_queries=emit_queries, output=output, no_color=no_color,
        note_id=note_id, removal_date=removal_date, index_date=index_date, index_cpt=index_cpt,
        index_related=index_related, billed_cpt=billed_cpt, billed_units=billed_units,
        billed_modifiers=billed_modifiers, billed_lines=[line.as_claim_line() for line in billed_lines or []],
        place_of_service=place_of_service, max_bytes=max_bytes, rules=rules, explain=explain,
    ))


def run_check(args: CheckArgs) -> int:
    if args.explain and args.format not in ("text", "json"):
        raise UsageError("--explain works with --format text or json")
    target = _output_target(args.output, args.path)
    from notecheck.interchange.cli_entry import check_interchange

    handled = check_interchange(args)  # HL7 / FHIR files and --format fhir (CONTRACT §6)
    if handled is not None:
        return handled
    text, name = _read_input(args.path, args.max_bytes)
    # Imported once the input is known to be usable: loading spaCy takes seconds, a refusal should not.
    from notecheck.checker import Checker
    from notecheck.models import ClaimContext

    try:
        ctx = ClaimContext(
            note_id=safe_note_id(args.note_id) if args.note_id else name, removal_date=args.removal_date,
            index_surgery_date=args.index_date, index_cpt=args.index_cpt, index_related=args.index_related,
            billed_cpt=args.billed_cpt, billed_units=args.billed_units, billed_modifiers=args.billed_modifiers,
            billed_lines=args.billed_lines, place_of_service=args.place_of_service,
        )
    except ValidationError as exc:
        raise UsageError(f"bad claim option {describe_validation(exc)}") from None
    checker = Checker(args.rules)
    result = checker.check(text, ctx, ctx.note_id, max_bytes=args.max_bytes, explain=args.explain)

    def write(stream: TextIO) -> None:
        if args.format == "json":
            stream.write(result.model_dump_json(indent=2) + "\n")
        elif args.format == "html":
            from notecheck.render_html import checklist_descriptions, render_html

            stream.write(render_html(result, text, checklist_descriptions(checker)))
        else:
            from notecheck.render_text import write_text

            write_text(result, stream, no_color=args.no_color)

    if target is None:
        try:
            write(sys.stdout)
        except BrokenPipeError:
            raise
        except OSError as exc:
            drop_stdout()
            raise UsageError(f"cannot write the result to stdout: {exc.strerror or type(exc).__name__}") from None
    else:
        from notecheck.audit.writers import atomic_text, remove_stale_temps

        remove_stale_temps(target)
        try:
            # Written to a temp file and renamed: a full disk or a kill never leaves half a report.
            with atomic_text(target) as fh:
                write(fh)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or type(exc).__name__}") from None
    return 0 if result.ready_to_sign else 1


def _read_input(path: str, max_bytes: int) -> tuple[str, str]:
    """The note's text and its name; never reads more than the limit needs (read_note_bytes)."""
    if path == "-":
        if sys.stdin is None:
            raise UsageError("no stdin to read the note from")
        try:
            data = read_note_bytes(sys.stdin.buffer, max_bytes)
        except OSError as exc:
            raise UsageError(f"cannot read stdin: {exc.strerror or type(exc).__name__}") from None
        return decode_note(data, max_bytes).text, "stdin"
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{path} is a directory; use `notecheck audit` for many notes")
    if not p.exists() and not p.is_symlink():
        raise UsageError(f"no such file: {path}")
    try:
        fh = open_regular(p)
    except NoteInputError as exc:
        hint = "; pipe it into `notecheck check -`" if "not a regular file" in str(exc) else ""
        raise UsageError(f"{path}: {exc}{hint}") from None
    with fh:
        try:
            data = read_note_bytes(fh, max_bytes)
            size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    return decode_note(data, max_bytes, size=size).text, safe_note_id(p.stem)


def _output_target(output: Optional[str], note_path: str) -> Optional[Path]:
    """-o checked before the (slow) check: a file in an existing, writable folder, not a folder,
    and not the note itself."""
    if output is None:
        return None
    target = Path(output)
    if target.is_dir():
        raise UsageError(f"-o {output} is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"the folder for -o does not exist: {folder}")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write to the folder {folder} (permission denied)")
    if note_path != "-":
        from notecheck.audit.writers import same_file

        if same_file(Path(note_path), target):
            raise UsageError(f"-o {output} is the note itself; choose another output file")
    return target
