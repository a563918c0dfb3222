"""The inputs a coding decision rested on, recorded by the decision itself (read by --explain).

Each decision (code selection, 58/78/79, 22) appends a Fact when it reads a finding, a claim
field or a coding rule, so the explanation names exactly what the chosen branch consulted.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from notecheck.models import Evidence

Source = Literal["note", "claim", "rules"]


@dataclass(frozen=True)
class Fact:
    name: str  # what was read, e.g. "planned_status", "days_after_index", "global_window"
    value: str  # what it said, as text
    source: Source  # a finding of the note, a claim-context field, or a coding.yaml entry
    evidence: tuple[Evidence, ...] = ()  # the note's words behind a finding

    @classmethod
    def of_values(cls, name: str, findings: Iterable, source: Source = "note") -> "Fact":
        """A fact over findings that carry `value` (or `type`) and `evidence`."""
        items = list(findings)
        values = [str(getattr(f, "value", None) or getattr(f, "type", "")) for f in items]
        return cls(name, ", ".join(dict.fromkeys(values)) or "none", source,
                   tuple(e for f in items for e in f.evidence[:2]))
