"""`notecheck` command line: check, eval, audit, serve. Errors are one line on stderr, exit 2."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn, Optional, Sequence

from pydantic import ValidationError

from notecheck.reader import DEFAULT_MAX_BYTES, NoteInputError, decode_note


class UsageError(Exception):
    pass


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
    check.add_argument("--format", choices=["text", "json", "html"], default="text")
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
    check.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)

    ev = sub.add_parser("eval", help="per-field precision, recall and F1 against gold JSON")
    ev.add_argument("gold_dir")
    ev.add_argument("--verbose", "-v", action="store_true", help="list every mismatch")

    audit = sub.add_parser("audit", help="check many notes into one report (.jsonl, .csv or .html)")
    audit.add_argument("input")
    audit.add_argument("--out", required=True)
    audit.add_argument("--claims")
    audit.add_argument("--workers", type=int, default=None)
    audit.add_argument("--resume", action="store_true")
    audit.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    audit.add_argument("--fees", help="YAML/JSON fee table {cpt: amount} for revenue at risk")
    audit.add_argument("--quiet", action="store_true")
    audit.add_argument("--engine", choices=["local", "spark"], default="local",
                       help="local worker processes (default) or an Apache Spark job (the spark extra)")
    audit.add_argument("--master", help="with --engine spark: local[N], spark://host:port, yarn, sc://host:port …")

    serve = sub.add_parser("serve", help="start the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    return parser


def _read_input(path: str, max_bytes: int) -> tuple[str, str]:
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "stdin"
    else:
        p = Path(path)
        if not p.exists():
            raise UsageError(f"no such file: {path}")
        if p.is_dir():
            raise UsageError(f"{path} is a directory; use `notecheck audit` for many notes")
        data = p.read_bytes()
        name = p.stem
    return decode_note(data, max_bytes).text, name


def _cmd_check(args: argparse.Namespace) -> int:
    from notecheck.checker import Checker
    from notecheck.models import ClaimContext

    text, name = _read_input(args.path, args.max_bytes)
    try:
        ctx = ClaimContext(
            note_id=args.note_id or name, removal_date=args.removal_date, index_surgery_date=args.index_date,
            index_cpt=args.index_cpt, index_related=args.index_related, billed_cpt=args.billed_cpt,
            billed_units=args.billed_units, billed_modifiers=args.billed_modifiers,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"bad claim option {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    result = Checker().check(text, ctx, ctx.note_id)
    stream = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        if args.format == "json":
            stream.write(result.model_dump_json(indent=2) + "\n")
        elif args.format == "html":
            from notecheck.render_html import render_html

            stream.write(render_html(result, text))
        else:
            from notecheck.render_text import write_text

            write_text(result, stream, no_color=args.no_color)
    finally:
        if stream is not sys.stdout:
            stream.close()
    return 0 if result.ready_to_sign else 1


def _cmd_eval(args: argparse.Namespace) -> int:
    from notecheck.checker import Checker
    from notecheck.evaluate import evaluate, format_table, gold_pairs

    folder = Path(args.gold_dir)
    if not folder.is_dir():
        raise UsageError(f"not a directory: {args.gold_dir}")
    pairs = gold_pairs(folder)
    if not pairs:
        raise UsageError(f"no .txt + .json gold pairs in {args.gold_dir}")
    checker = Checker()
    scores = evaluate(folder, lambda text, ctx, note_id: checker.check(text, ctx, note_id))
    print(format_table(scores, len(pairs)))
    if args.verbose:
        for name, s in scores.items():
            for miss in s.misses:
                print(f"  {name}: {miss}")
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


COMMANDS = {"check": _cmd_check, "eval": _cmd_eval, "audit": _cmd_audit, "serve": _cmd_serve}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (UsageError, NoteInputError) as exc:
        print(f"notecheck: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("notecheck: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
