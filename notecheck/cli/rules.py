"""`notecheck rules export`: notecheck's rule files in another tool's format."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from notecheck.errors import UsageError

EXPORT_EXAMPLES = """[bold]Examples[/bold]

  notecheck rules export --medspacy medspacy_rules/
"""

rules_app = typer.Typer(name="rules", help="The rule files: export them for other tools.", no_args_is_help=False)


@rules_app.command("export", epilog=EXPORT_EXAMPLES)
def export(
    medspacy: Annotated[str, typer.Option(
        metavar="DIR",
        help="write medspaCy 1.3.1 JSON resources (target_rules.json, context_rules.json, section_patterns.json) into "
             "DIR")],
) -> int:
    """Write notecheck's rules in another tool's format."""
    from notecheck.medspacy_export import export_medspacy
    from notecheck.rules import RuleFileError

    out = Path(medspacy)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{medspacy} exists and is not a directory")
    try:
        counts = export_medspacy(out)
    except RuleFileError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write to {medspacy}: {exc.strerror or type(exc).__name__}") from None
    print(", ".join(f"{n:,} {kind}" for kind, n in counts.items()) + f" -> {out}")
    return 0
