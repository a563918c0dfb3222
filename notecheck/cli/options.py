"""Option values the command line parses itself: byte limits, seconds, dates and billed lines.
A bad value raises typer.BadParameter, which the CLI reports as one line and exit 2."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

import typer

from notecheck.reader import MAX_BYTES_CEILING


def byte_limit(value: str) -> int:
    """--max-bytes: bytes of UTF-8 text, honoured as given up to the hard ceiling."""
    try:
        limit = int(value)
    except ValueError:
        raise typer.BadParameter(f"not a whole number of bytes: {value!r}") from None
    if limit < 1:
        raise typer.BadParameter(f"must be at least 1 byte (got {limit:,})")
    if limit > MAX_BYTES_CEILING:
        raise typer.BadParameter(f"{limit:,} bytes is over the {MAX_BYTES_CEILING:,}-byte ceiling")
    return limit


def seconds(value: str) -> float:
    try:
        parsed = float(value)
    except ValueError:
        raise typer.BadParameter(f"not a number of seconds: {value!r}") from None
    if not 0 <= parsed < float("inf"):
        raise typer.BadParameter(f"must be 0 (no budget) or a positive number of seconds (got {value})")
    return parsed


@dataclass(frozen=True)
class BilledLineArg:
    """One --billed-line as typed; ClaimContext validates it with the rest of the claim."""

    cpt: str
    units: str
    modifiers: str

    def as_claim_line(self) -> dict[str, str]:
        return {"cpt": self.cpt, "units": self.units, "modifiers": self.modifiers}


def billed_line(value: str) -> BilledLineArg:
    """CPT:UNITS:MODS (units and modifiers optional; modifiers separated by , ; or spaces)."""
    parts = value.split(":")
    if len(parts) > 3 or not parts[0].strip():
        raise typer.BadParameter(f"expected CPT:UNITS:MODS, e.g. 26320:1:RT,F9 (got {len(parts)} fields)")
    units = parts[1].strip() if len(parts) > 1 else ""
    if units and not units.isdigit():
        raise typer.BadParameter("units must be a whole number, e.g. 26320:1:RT")
    return BilledLineArg(cpt=parts[0].strip(), units=units, modifiers=parts[2] if len(parts) > 2 else "")


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a YYYY-MM-DD date: {value!r}") from None


# Options whose value may be left out: `eval --json` prints the JSON, `eval --json FILE` writes it.
# typer has no optional option values, so a bare one gets its implied value before parsing; as
# before, a following word that is not an option is the value.
IMPLIED_VALUES = {"eval": {"--json": "-", "--perturb": "all"}}


def with_implied_values(argv: Sequence[str]) -> list[str]:
    args = list(argv)
    command = next((a for a in args if not a.startswith("-")), None)
    implied = IMPLIED_VALUES.get(command or "", {})
    out: list[str] = []
    for n, arg in enumerate(args):
        if arg == "--":
            return out + args[n:]
        out.append(arg)
        following = args[n + 1] if n + 1 < len(args) else None
        if arg in implied and (following is None or (following.startswith("-") and following != "-")):
            out.append(implied[arg])
    return out


RULES_HELP = "check with the rules in DIR (a copy of patterns/) instead of the packaged ones"


def rules_dir(value: str) -> str:
    """--rules DIR: loaded and validated now, so a bad rules directory is one line and exit 2."""
    from pathlib import Path

    from notecheck.registry import load_registry
    from notecheck.rules import RuleFileError

    if not Path(value).is_dir():
        raise typer.BadParameter(f"not a directory: {value}")
    try:
        return load_registry(value).directory
    except RuleFileError as exc:
        raise typer.BadParameter(str(exc)) from None
