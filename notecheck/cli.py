"""`notecheck` command line: check, eval, audit, serve. Errors are one line on stderr, exit 2."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn, Optional, Sequence, TextIO

from pydantic import ValidationError

from notecheck.reader import (
    DEFAULT_MAX_BYTES, MAX_BYTES_CEILING, NoteInputError, decode_note, open_regular, read_note_bytes, safe_note_id,
)


class UsageError(Exception):
    pass


def _byte_limit(value: str) -> int:
    """--max-bytes: bytes of UTF-8 text, honoured as given up to the hard ceiling."""
    try:
        limit = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of bytes: {value!r}") from None
    if limit < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 byte (got {limit:,})")
    if limit > MAX_BYTES_CEILING:
        raise argparse.ArgumentTypeError(f"{limit:,} bytes is over the {MAX_BYTES_CEILING:,}-byte ceiling")
    return limit


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 (no budget) or a positive number of seconds (got {value})")
    return seconds


def _billed_line(value: str) -> dict[str, str]:
    """CPT:UNITS:MODS (units and modifiers optional; modifiers separated by , ; or spaces)."""
    parts = value.split(":")
    if len(parts) > 3 or not parts[0].strip():
        raise argparse.ArgumentTypeError(f"expected CPT:UNITS:MODS, e.g. 26320:1:RT,F9 (got {len(parts)} fields)")
    units = parts[1].strip() if len(parts) > 1 else ""
    if units and not units.isdigit():
        raise argparse.ArgumentTypeError("units must be a whole number, e.g. 26320:1:RT")
    return {"cpt": parts[0].strip(), "units": units, "modifiers": parts[2] if len(parts) > 2 else ""}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {value!r}") from None


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line on stderr and exit 2 (CONTRACT.md §4), without the usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="notecheck", description="Check operative notes for CPT 26320 documentation and coding.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="check one note (PATH, or - for stdin)")
    check.add_argument("path")
    check.add_argument("--format", choices=["text", "json", "html", "fhir"], default="text")
    check.add_argument("--emit-queries", action="store_true", help="with --format fhir: a draft Task per gap")
    check.add_argument("--output", "-o", help="write the result here instead of stdout")
    check.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    check.add_argument("--note-id")
    check.add_argument("--removal-date", type=_date)
    check.add_argument("--index-date", type=_date)
    check.add_argument("--index-cpt")
    rel = check.add_mutually_exclusive_group()
    rel.add_argument("--index-related", dest="index_related", action="store_true", default=None)
    rel.add_argument("--index-unrelated", dest="index_related", action="store_false")
    check.add_argument("--billed-cpt")
    check.add_argument("--billed-units", type=int)
    check.add_argument("--billed-modifiers")
    check.add_argument("--billed-line", dest="billed_lines", action="append", type=_billed_line, default=None,
                       metavar="CPT:UNITS:MODS",
                       help="one billed line of the date of service (repeatable), e.g. 99213:1:57 or 26320:1:RT,F9")
    check.add_argument("--place-of-service", metavar="POS",
                       help="CMS place of service: 11 office, 19/22 hospital outpatient, 24 ASC, 21 inpatient")
    check.add_argument("--max-bytes", type=_byte_limit, default=DEFAULT_MAX_BYTES,
                       help=f"largest note, bytes of UTF-8 text (default {DEFAULT_MAX_BYTES:,})")
    check.add_argument("--explain", action="store_true",
                       help="why every field, code and modifier came out so: the rule matches kept or dropped and why "
                            "(a plain-text note; --format text: a Why section, json: an `explanation` field)")

    ev = sub.add_parser("eval", help="score against gold (sample_notes or released-eval format): headline accuracy, "
                        "claims, per-field precision/recall/F1; --perturb for robustness")
    ev.add_argument("gold_dir", help="a folder of .txt + .json gold pairs, or of sub-folders (batches) holding them")
    ev.add_argument("--misses", "--verbose", "-v", dest="misses", action="store_true",
                    help="list each field's misses (note id, want, got)")
    ev.add_argument("--json", nargs="?", const="-", metavar="PATH",
                    help="write the scores as JSON to PATH (no PATH or -: to stdout, instead of the table)")
    ev.add_argument("--perturb", nargs="?", const="all", metavar="NAMES",
                    help="robustness under meaning-preserving transformations: all (default) or a comma-separated "
                         "choice of runon, allcaps, headers, bullets, abbreviations, spelling, typos, speech")
    ev.add_argument("--seed", type=int, default=1, help="seed of the random transformations (default 1)")

    audit = sub.add_parser("audit", help="check many notes into one report (.jsonl, .csv or .html)")
    audit.add_argument("input")
    audit.add_argument("--out", required=True)
    audit.add_argument("--claims")
    audit.add_argument("--workers", type=int, default=None)
    audit.add_argument("--resume", action="store_true")
    audit.add_argument("--max-bytes", type=_byte_limit, default=DEFAULT_MAX_BYTES,
                       help=f"largest note, bytes of UTF-8 text (default {DEFAULT_MAX_BYTES:,})")
    audit.add_argument("--note-budget", type=_seconds, metavar="SECONDS", default=None,
                       help="time allowed per note; a note over it becomes an error record (default 30, 0: no limit)")
    audit.add_argument("--fees", help="YAML/JSON fee table {cpt: amount} for revenue at risk")
    audit.add_argument("--quiet", action="store_true")
    audit.add_argument("--engine", choices=["local", "spark"], default="local",
                       help="local worker processes (default) or an Apache Spark job (the spark extra)")
    audit.add_argument("--master", help="with --engine spark: local[N], spark://host:port, yarn, sc://host:port …")

    rules = sub.add_parser("rules", help="the rule files: export them for other tools")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, parser_class=_Parser)
    export = rules_sub.add_parser("export", help="write notecheck's rules in another tool's format")
    export.add_argument("--medspacy", required=True, metavar="DIR",
                        help="write medspaCy 1.3.1 JSON resources (target_rules.json, context_rules.json, "
                             "section_patterns.json) into DIR")

    serve = sub.add_parser("serve", help="start the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    from notecheck.interchange.cli_entry import add_listen_parser

    add_listen_parser(sub)
    return parser


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


def _cmd_check(args: argparse.Namespace) -> int:
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
            note_id=safe_note_id(args.note_id) if args.note_id else name, removal_date=args.removal_date, index_surgery_date=args.index_date,
            index_cpt=args.index_cpt, index_related=args.index_related, billed_cpt=args.billed_cpt,
            billed_units=args.billed_units, billed_modifiers=args.billed_modifiers,
            billed_lines=args.billed_lines or [], place_of_service=args.place_of_service,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"bad claim option {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    result = Checker().check(text, ctx, ctx.note_id, max_bytes=args.max_bytes, explain=args.explain)

    def write(stream: TextIO) -> None:
        if args.format == "json":
            stream.write(result.model_dump_json(indent=2) + "\n")
        elif args.format == "html":
            from notecheck.render_html import render_html

            stream.write(render_html(result, text))
        else:
            from notecheck.render_text import write_text

            write_text(result, stream, no_color=args.no_color)

    if target is None:
        try:
            write(sys.stdout)
        except BrokenPipeError:
            raise
        except OSError as exc:
            _drop_stdout()
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


def _flush_stdout() -> None:
    """Flush what a command printed now, while a failure can still be one line and exit 2 (at
    interpreter exit it would be an "Exception ignored" message and exit 120)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _drop_stdout()
        raise UsageError(f"cannot write to stdout: {exc.strerror or type(exc).__name__}") from None


def _drop_stdout() -> None:
    """Point stdout at /dev/null after a failed write, so that the interpreter's final flush of
    what is still buffered does not print a second error (Python's documented remedy)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real stream (tests capture it): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _cmd_eval(args: argparse.Namespace) -> int:
    import json

    from notecheck.checker import Checker
    from notecheck.evaluation import GoldError, evaluate_batches, format_run, load_gold, run_json
    from notecheck.evaluation.perturb import select

    try:
        names = select(args.perturb) if args.perturb else None
    except ValueError as exc:
        raise UsageError(f"--perturb: {exc}") from None
    try:
        batches = load_gold(Path(args.gold_dir))
    except GoldError as exc:
        raise UsageError(str(exc)) from None
    checker = Checker()
    try:
        run = evaluate_batches(args.gold_dir, batches, lambda text, ctx, note_id: checker.check(text, ctx, note_id),
                               names, args.seed)
    except GoldError as exc:  # a note that cannot be read or checked
        raise UsageError(str(exc)) from None
    if args.json != "-":
        print(format_run(run, misses=args.misses))
    if args.json:
        doc = json.dumps(run_json(run), indent=2) + "\n"
        if args.json == "-":
            sys.stdout.write(doc)
        else:
            try:
                Path(args.json).write_text(doc, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {args.json}: {type(exc).__name__}") from None
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    if args.engine == "spark":
        from notecheck.spark.run import run_spark_audit

        return run_spark_audit(args)
    from notecheck.audit.run import run_audit

    return run_audit(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from service.run import serve

    return serve(args.host, args.port, args.workers)


def _cmd_listen(args: argparse.Namespace) -> int:
    from notecheck.interchange.cli_entry import run_listen

    return run_listen(args)


def _cmd_rules(args: argparse.Namespace) -> int:
    from notecheck.medspacy_export import export_medspacy
    from notecheck.rules import RuleFileError

    out = Path(args.medspacy)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{args.medspacy} exists and is not a directory")
    try:
        counts = export_medspacy(out)
    except RuleFileError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write to {args.medspacy}: {exc.strerror or type(exc).__name__}") from None
    print(", ".join(f"{n:,} {kind}" for kind, n in counts.items()) + f" -> {out}")
    return 0


COMMANDS = {"check": _cmd_check, "eval": _cmd_eval, "audit": _cmd_audit, "rules": _cmd_rules, "serve": _cmd_serve, "listen": _cmd_listen}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
        _flush_stdout()
        return code
    except (UsageError, NoteInputError) as exc:
        print(f"notecheck: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _drop_stdout()
        return 0
    except KeyboardInterrupt:
        print("notecheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
