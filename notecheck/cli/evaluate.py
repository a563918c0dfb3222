"""`notecheck eval GOLD_DIR`: score the checker against gold annotations and print the tables
(notecheck/evaluation/); a progress bar on stderr while it checks, on a terminal only."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from notecheck.cli.options import RULES_HELP, rules_dir
from notecheck.errors import UsageError
from notecheck.terminal import UNWRAPPED_WIDTH, console, is_terminal, use_color

EXAMPLES = """[bold]Examples[/bold]

  notecheck eval sample_notes
  notecheck eval ../shared/released_eval --misses
  notecheck eval sample_notes --json > scores.json
  notecheck eval sample_notes --perturb --seed 1 --json scores.json
  notecheck eval sample_notes --perturb allcaps,typos
"""


def evaluate(
    gold_dir: Annotated[str, typer.Argument(
        metavar="GOLD_DIR",
        help="a folder of .txt + .json gold pairs, or of sub-folders (batches) holding them")],
    misses: Annotated[bool, typer.Option(
        "--misses", "--verbose", "-v", metavar="",
        help="list each field's misses (note id, want, got)")] = False,
    json_out: Annotated[Optional[str], typer.Option(
        "--json", metavar="[PATH]",
        help="write the scores as JSON to PATH (no PATH or -: to stdout, instead of the tables)")] = None,
    perturb: Annotated[Optional[str], typer.Option(
        metavar="[NAMES]",
        help="robustness under meaning-preserving transformations: all (no NAMES) or a comma-separated choice of "
             "runon, allcaps, headers, bullets, abbreviations, spelling, typos, speech, dictation, wrap")] = None,
    seed: Annotated[int, typer.Option(help="seed of the random transformations")] = 1,
    rules: Annotated[Optional[str], typer.Option(
        "--rules", parser=rules_dir, metavar="DIR", help=RULES_HELP)] = None,
) -> int:
    """Score against gold annotations: headline accuracy, claims, per-field precision/recall/F1.

    GOLD_DIR holds sample_notes or released-eval gold; --perturb adds robustness to rewrites.
    """
    from notecheck.checker import Checker
    from notecheck.evaluation import GoldError, evaluate_batches, load_gold, run_json, run_view
    from notecheck.evaluation.perturb import select
    from notecheck.models import ClaimContext, Result
    from notecheck.progress import NoteProgress, progress_wanted

    try:
        names = select(perturb) if perturb else None
    except ValueError as exc:
        raise UsageError(f"--perturb: {exc}") from None
    try:
        batches = load_gold(Path(gold_dir))
    except GoldError as exc:
        raise UsageError(str(exc)) from None
    checker = Checker(rules)
    show = progress_wanted()
    # With --perturb, how many transformed notes differ from their original is known only as they are made.
    total = None if names else sum(len(b.notes) for b in batches)
    with NoteProgress("eval", total, enabled=show) as progress:
        def check(text: str, ctx: Optional[ClaimContext], note_id: Optional[str]) -> Result:
            result = checker.check(text, ctx, note_id)
            progress.advance()
            return result

        try:
            run = evaluate_batches(gold_dir, batches, check, names, seed)
        except GoldError as exc:  # a note that cannot be read or checked
            raise UsageError(str(exc)) from None
    if json_out != "-":
        tty = is_terminal(sys.stdout)
        out = console(sys.stdout, color=use_color(sys.stdout), width=None if tty else UNWRAPPED_WIDTH)
        out.print(run_view(run, misses=misses))
    if json_out:
        doc = json.dumps(run_json(run), indent=2) + "\n"
        if json_out == "-":
            sys.stdout.write(doc)
        else:
            try:
                Path(json_out).write_text(doc, encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {json_out}: {type(exc).__name__}") from None
    return 0
