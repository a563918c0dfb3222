"""Why the extractors kept or dropped a mention, recorded where they decide it (for --explain).

The extractors call `step`, `dropped` and `decided` at their decision points. Outside
`recording()` (every ordinary check) each call is one ContextVar read and returns: the records
cost nothing unless a caller asked for an explanation. Records hold mention keys and short reason
codes, never the note's text; `notecheck.explain` joins them with the mentions.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Protocol

# (label, rule id, start_char, end_char): one mention of doc.spans["notecheck"].
MentionKey = tuple[str, str, int, int]


class _Mentionlike(Protocol):
    label: str
    rule: str
    start_char: int
    end_char: int


class _Evidenced(Protocol):
    evidence: list  # of notecheck.models.Evidence


def key_of(m: _Mentionlike) -> MentionKey:
    return (m.label, m.rule, m.start_char, m.end_char)


@dataclass(frozen=True)
class Step:
    """One decision about one mention for one field."""

    field: str
    mention: MentionKey
    kept: bool
    reason: str  # a short code, e.g. "linked_removal_act", "provisional"
    detail: str  # one sentence for a rule author
    by: Optional[MentionKey] = None  # the mention that decided it (the act an implant is linked to)


@dataclass(frozen=True)
class FieldDecision:
    """How a field as a whole came out (which branch of the extractor chose its value)."""

    field: str
    reason: str
    detail: str
    mentions: tuple[MentionKey, ...] = ()  # the mentions the value rests on
    spans: tuple[tuple[int, int], ...] = ()  # or the evidence offsets it rests on


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)
    decisions: list[FieldDecision] = field(default_factory=list)
    # Named sets of mentions an extractor worked from (e.g. the anatomy scope of the removal).
    scopes: dict[str, tuple[MentionKey, ...]] = field(default_factory=dict)
    # Evidence offsets of findings a later rule removed: (field, start, end) -> (reason, detail).
    dropped_evidence: dict[tuple[str, int, int], tuple[str, str]] = field(default_factory=dict)
    # ConText categories a mention's section gave it: key -> {(category, sections.yaml role)}.
    section_roles: dict[MentionKey, set[tuple[str, str]]] = field(default_factory=dict)


_CURRENT: ContextVar[Optional[Trace]] = ContextVar("notecheck_trace", default=None)


@contextmanager
def recording() -> Iterator[Trace]:
    """Record the extractors' decisions made inside the block (this thread/task only)."""
    trace = Trace()
    token = _CURRENT.set(trace)
    try:
        yield trace
    finally:
        _CURRENT.reset(token)


def step(field_name: str, mention: _Mentionlike, kept: bool, reason: str, detail: str,
         by: Optional[_Mentionlike] = None) -> None:
    trace = _CURRENT.get()
    if trace is not None:
        trace.steps.append(Step(field_name, key_of(mention), kept, reason, detail, key_of(by) if by is not None else None))


def dropped(field_name: str, before: Iterable[_Mentionlike], after: Iterable[_Mentionlike], reason: str, detail: str) -> None:
    """Record every mention of `before` that a filter left out of `after`."""
    trace = _CURRENT.get()
    if trace is None:
        return
    kept = {id(m) for m in after}
    for m in before:
        if id(m) not in kept:
            trace.steps.append(Step(field_name, key_of(m), False, reason, detail))


def decided(field_name: str, reason: str, detail: str, mentions: Iterable[_Mentionlike] = ()) -> None:
    trace = _CURRENT.get()
    if trace is not None:
        trace.decisions.append(FieldDecision(field_name, reason, detail, tuple(key_of(m) for m in mentions)))


def decided_evidence(field_name: str, reason: str, detail: str, evidence: Iterable) -> None:
    """A field decision that rests on findings' evidence (start/end offsets) rather than mentions."""
    trace = _CURRENT.get()
    if trace is not None:
        trace.decisions.append(FieldDecision(field_name, reason, detail, spans=tuple((e.start, e.end) for e in evidence)))


def scope(name: str, mentions: Iterable[_Mentionlike]) -> None:
    trace = _CURRENT.get()
    if trace is not None:
        trace.scopes[name] = tuple(key_of(m) for m in mentions)


def dropped_findings(field_name: str, before: Iterable[_Evidenced], after: Iterable[_Evidenced], reason: str, detail: str) -> None:
    """Record the evidence of findings a filter removed (a finding, not a mention, was dropped)."""
    trace = _CURRENT.get()
    if trace is None:
        return
    kept = {id(f) for f in after}
    for finding in before:
        if id(finding) not in kept:
            for e in finding.evidence:
                trace.dropped_evidence.setdefault((field_name, e.start, e.end), (reason, detail))


def section_role(key: MentionKey, category: str, role: str) -> None:
    """The mention's section has a role (sections.yaml `roles`) that gives it `category`."""
    trace = _CURRENT.get()
    if trace is not None:
        trace.section_roles.setdefault(key, set()).add((category, role))


def header_words(key: MentionKey) -> None:
    """A span inside a section header's own words: not read as a mention at all."""
    trace = _CURRENT.get()
    if trace is not None:
        trace.steps.append(Step("*", key, False, "header_words",
                                "The words are part of a section header, which is never read as a finding."))
