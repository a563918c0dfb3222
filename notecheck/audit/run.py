"""`notecheck audit INPUT --out FILE`: the orchestration (CONTRACT.md §4, issue 4).

    input (streamed) ─► claims join ─► worker pool (ordered) ─► journal (flushed per record)
                                                                   │
                               summary (built as records pass) ◄───┤
                                                                   ▼
                      .jsonl: the journal is the output · .csv / .html: rendered atomically

Exit 0 when the run completed, whatever the notes' gaps; 2 (via UsageError) when the input,
claims, fee table or output cannot be used at all. A note that cannot be checked is an error
record, never an abort. Nothing here prints or logs a note's text.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notecheck.audit.claims import ClaimIndex, ClaimsFileError
from notecheck.audit.fees import FeeFileError, FeeTable, load_fees
from notecheck.audit.inputs import InputError, NoteSource, open_source
from notecheck.audit.journal import Journal, JournalError
from notecheck.audit.pool import OrderedPool, default_workers
from notecheck.audit.summary import AuditSummary, ClaimsJoin, SummaryBuilder
from notecheck.audit.workers import EXCERPTS_KEY
from notecheck.audit.writers import (
    atomic_text, note_rows, remove_stale_temps, same_file, write_csv, write_summary_json,
)
from notecheck.errors import UsageError, describe_validation
from notecheck.models import ClaimContext
from notecheck.progress import NoteProgress, progress_wanted
from notecheck.reader import DEFAULT_MAX_BYTES, MAX_BYTES_CEILING

OUTPUT_KINDS = {".jsonl": "jsonl", ".csv": "csv", ".html": "html"}
DEFAULT_NOTE_BUDGET_S = 30.0
MAX_IDS_LISTED = 1000


@dataclass(frozen=True)
class AuditArgs:
    """`notecheck audit` as given on the command line, before it is validated (AuditOptions); the
    Spark engine (notecheck/spark/job.py) reads the same fields."""

    input: str
    out: str
    claims: Optional[str] = None
    workers: Optional[int] = None
    resume: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    note_budget: Optional[float] = None
    fees: Optional[str] = None
    quiet: bool = False
    engine: str = "local"
    master: Optional[str] = None
    rules: Optional[str] = None  # a rules directory (a copy of patterns/) instead of the packaged one


class AuditOptions(BaseModel):
    """The command line, validated once at the boundary."""

    model_config = ConfigDict(frozen=True)

    input: Path
    out: Path
    claims: Optional[Path] = None
    workers: int = Field(default_factory=default_workers, ge=1, le=512)
    resume: bool = False
    max_bytes: int = Field(gt=0, le=MAX_BYTES_CEILING)
    note_budget: float = Field(default=DEFAULT_NOTE_BUDGET_S, ge=0, allow_inf_nan=False)
    fees: Optional[Path] = None
    quiet: bool = False
    # A rules directory (a copy of patterns/) every worker, fee and title is read from.
    rules_dir: Optional[str] = None

    @property
    def kind(self) -> str:
        return OUTPUT_KINDS[self.out.suffix.lower()]

    @property
    def journal_path(self) -> Path:
        # A .jsonl output is its own journal; the others get a sidecar next to the output.
        return self.out if self.kind == "jsonl" else self.out.with_name(self.out.name + ".partial.jsonl")

    @property
    def summary_path(self) -> Path:
        return self.out.with_name(self.out.name + ".summary.json")

    @property
    def written(self) -> list[Path]:
        """Every file the run may write (temp files aside, which sit beside these)."""
        return [self.out, self.journal_path, self.summary_path]


def _options(args: AuditArgs) -> AuditOptions:
    values = {"input": args.input, "out": args.out, "claims": args.claims, "workers": args.workers, "resume": args.resume,
              "max_bytes": args.max_bytes, "note_budget": args.note_budget, "fees": args.fees, "quiet": args.quiet,
              "rules_dir": args.rules}
    try:
        opts = AuditOptions(**{k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise UsageError(f"bad audit option {describe_validation(exc)}") from None
    if opts.out.suffix.lower() not in OUTPUT_KINDS:
        raise UsageError(f"--out must end in .jsonl, .csv or .html (got {opts.out.name})")
    if not opts.out.parent.is_dir():
        raise UsageError(f"the folder for --out does not exist: {opts.out.parent}")
    if opts.out.is_dir():
        raise UsageError(f"--out is a folder, not a file: {opts.out}")
    for label, given in (("the input", opts.input), ("the --claims file", opts.claims), ("the --fees file", opts.fees)):
        if given is not None and any(same_file(given, written) for written in opts.written):
            raise UsageError(f"--out {opts.out} would overwrite {label} ({given}); choose another --out")
    if _inside(opts.out, opts.input):
        raise UsageError(f"--out must not be inside the input folder {opts.input}")
    return opts


def _inside(path: Path, folder: Path) -> bool:
    try:
        return folder.is_dir() and folder.resolve() in path.resolve().parents
    except (OSError, RuntimeError):
        return False


def run_audit(args: AuditArgs) -> int:
    """Run an audit; 0 when it completed, 2 with a one-line message when it could not."""
    # Usage errors are reported here rather than left to the CLI's handler, so the exit code and
    # the one-line message are the same however this is called (console script, python -m, tests).
    try:
        return _run(_options(args))
    except (UsageError, InputError, ClaimsFileError, FeeFileError, JournalError) as exc:
        print(f"notecheck: error: {exc}", file=sys.stderr)
        return 2


def _say(opts: AuditOptions, message: str) -> None:
    if not opts.quiet:
        print(f"notecheck audit: {message}", file=sys.stderr)


def _run(opts: AuditOptions) -> int:
    started = time.monotonic()
    # A run killed during its final write leaves `.OUT.<token>.tmp` files (they may hold note
    # excerpts): whatever this run does next, they are never wanted.
    stale = sum(remove_stale_temps(path) for path in (opts.out, opts.summary_path))
    if stale:
        _say(opts, f"removed {stale} temp file{'s' if stale > 1 else ''} left by an interrupted run")
    fees = load_fees(opts.fees, opts.rules_dir)
    claims = ClaimIndex(opts.claims) if opts.claims else None
    claim_of: Callable[[Optional[str]], Optional[ClaimContext]] = claims.peek if claims else (lambda _id: None)
    source = open_source(opts.input, opts.max_bytes)

    from notecheck.registry import load_registry

    # Loaded before the workers fork: a broken rules directory fails here, once.
    titles = load_registry(opts.rules_dir).checklist_titles()
    builder = SummaryBuilder(fees=fees, item_titles=titles)
    jobs = source.with_claims(claims)
    journal = Journal(opts.journal_path)

    resumed = 0
    if opts.resume:
        for record in journal.recover():
            job = next(jobs, None)
            if job is None:
                raise UsageError(f"cannot resume: {opts.journal_path} holds more records than {opts.input} has notes; run without --resume")
            if record.get("note_id") != job.note_id:
                raise UsageError(
                    f"cannot resume: record {resumed + 1} is for note {record.get('note_id')!r} but the input's note "
                    f"{resumed + 1} is {job.note_id!r} (the input changed); run without --resume"
                )
            record.pop(EXCERPTS_KEY, None)
            builder.add(record, claim_of(job.note_id))
            resumed += 1
        if resumed:
            _say(opts, f"resuming after {resumed:,} records already in {opts.journal_path.name}")
        elif not opts.journal_path.exists():
            _say(opts, "nothing to resume; starting a new run")
    elif opts.kind != "jsonl" and opts.journal_path.exists():
        _say(opts, f"discarding the interrupted run in {opts.journal_path.name} (use --resume to continue it)")

    # Imported before the workers fork, so they share the loaded spaCy modules (and a broken
    # rules directory fails here, once, instead of in every worker).
    import notecheck.checker  # noqa: F401

    show = progress_wanted(opts.quiet)
    try:
        _journal_io(opts, journal.open, opts.resume)
        with OrderedPool(opts.workers, opts.max_bytes, with_excerpts=opts.kind == "html",
                         rules_dir=opts.rules_dir, budget_s=opts.note_budget or None) as pool, \
                NoteProgress("audit", _total(source) if show else None, done=resumed, enabled=show) as progress:
            for line in pool.imap_ordered(jobs):
                _journal_io(opts, journal.append, line)
                record = json.loads(line)
                builder.add(record, claim_of(record.get("note_id")))
                progress.advance()
    finally:
        journal.close()

    elapsed = time.monotonic() - started
    summary = builder.build(
        input=str(opts.input), output=str(opts.out), claims=_claims_join(claims), ignored_files=source.ignored_files,
        resumed_after=resumed, elapsed=round(elapsed, 2),
    )
    try:
        _finish(opts, summary, journal, claim_of, fees)
    except OSError as exc:
        raise UsageError(f"cannot write {opts.out}: {exc.strerror or exc} (rerun with --resume to render it)") from None
    _say(opts, _closing_line(opts, summary, elapsed, resumed))
    return 0


def _journal_io(opts: AuditOptions, operation: Callable[[Any], None], arg: Any) -> None:
    """A journal write; a full disk or a lost mount is the run's end, reported in one line (the
    records already written stay, so --resume picks up from there)."""
    try:
        operation(arg)
    except OSError as exc:
        raise UsageError(f"cannot write {opts.journal_path}: {exc.strerror or exc} (rerun with --resume to continue)") from None


def _total(source: NoteSource) -> Optional[int]:
    try:
        return source.count()
    except (InputError, OSError, ValueError):
        return None  # the bar then shows counts and rate without an ETA


def _finish(opts: AuditOptions, summary: AuditSummary, journal: Journal,
            claim_of: Callable[[Optional[str]], Optional[ClaimContext]], fees: FeeTable) -> None:
    if opts.kind == "html":
        from importlib.metadata import PackageNotFoundError, version

        from notecheck.audit.report_html import write_report

        try:
            notecheck_version = version("notecheck")
        except PackageNotFoundError:
            notecheck_version = "unknown"
        generated = datetime.now().astimezone().isoformat(timespec="seconds")
        with atomic_text(opts.out) as fh:
            write_report(fh, summary, journal.records, claim_of, fees, generated, notecheck_version)
        journal.remove()
        return
    if opts.kind == "csv":
        write_csv(opts.out, note_rows(journal.records(), claim_of, fees), [item.id for item in summary.checklist])
        journal.remove()
    # .jsonl and .csv carry no totals of their own; the summary (claims join included) sits beside them.
    write_summary_json(opts.summary_path, summary)


def _claims_join(claims: Optional[ClaimIndex]) -> Optional[ClaimsJoin]:
    if claims is None:
        return None
    without_claim = claims.notes_without_claim
    without_note = claims.claims_without_note
    return ClaimsJoin(
        file=str(claims.path),
        rows=claims.rows,
        joined=claims.joined,
        notes_without_claim=len(without_claim),
        notes_without_claim_ids=without_claim[:MAX_IDS_LISTED],
        claims_without_note=len(without_note),
        claims_without_note_ids=without_note[:MAX_IDS_LISTED],
        invalid_rows=claims.invalid,
        duplicate_rows=claims.duplicate_ids,
        rows_without_note_id=claims.rows_without_id,
    )


def _closing_line(opts: AuditOptions, s: AuditSummary, elapsed: float, resumed: int) -> str:
    done_now = s.notes - resumed
    rate = f", {done_now / elapsed:,.1f} notes/s" if elapsed > 0 and done_now else ""
    ready = f"{s.ready_to_sign:,} of {s.implant_removals:,} implant removals ready to sign"
    text = f"{s.notes:,} notes -> {opts.out} ({s.checked:,} checked, {s.errors:,} errors; {ready}) in {elapsed:.1f} s{rate}"
    if s.claims is not None:
        c = s.claims
        text += (f"\nnotecheck audit: claims: {c.joined:,} joined, {c.notes_without_claim:,} notes without a claim row, "
                 f"{c.claims_without_note:,} claim rows without a note")
        if c.invalid_rows:
            text += f", {len(c.invalid_rows):,} invalid claim rows"
    return text

