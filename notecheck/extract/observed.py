"""Every target match the pipeline found in a Doc, as plain records for --explain: the spans that
became mentions with the ConText modifiers on them (and the triggers a PSEUDO trigger cancelled),
and the matches the target post-filter dropped.

Read off what the pipeline recorded (doc.spans, doc._.nc_modifiers, and the explain-only lists in
doc.user_data); nothing here decides anything again.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Optional

from spacy.tokens import Doc

from notecheck.trace import MentionKey
from pipelines.extensions import (
    CONTEXT_CANCELLED_KEY, MODIFIERS, SECTIONS, SPANS_KEY, TARGET_DROPS_KEY, original_text,
)


@dataclass(frozen=True)
class Trigger:
    """A ConText trigger on a mention: applied, or cancelled by a PSEUDO trigger (`pseudo`)."""

    category: str
    rule_id: str
    start: int
    end: int
    text: str
    pseudo: Optional[tuple[str, int, int, str]] = None  # rule id, start, end, text of the PSEUDO trigger


@dataclass(frozen=True)
class FilterDrop:
    """Why the target post-filter dropped a match before it became a span."""

    reason: str  # suppressed, section, not_section, requires_near, requires_in_sentence, overlapped
    by_rule: str  # the suppressor, or the match that won the overlap ("" otherwise)
    by_start: int
    by_end: int
    by_text: str
    detail: str  # the section, or the labels and window a requirement needed


@dataclass(frozen=True)
class Observed:
    key: MentionKey  # (label, rule id, start_char, end_char)
    value: str
    text: str
    section: str
    triggers: tuple[Trigger, ...] = ()
    cancelled: tuple[Trigger, ...] = ()
    filter_drop: Optional[FilterDrop] = None

    @property
    def label(self) -> str:
        return self.key[0]

    @property
    def rule(self) -> str:
        return self.key[1]

    @property
    def start(self) -> int:
        return self.key[2]

    @property
    def end(self) -> int:
        return self.key[3]


def observe(doc: Doc) -> list[Observed]:
    """All matches of the note, in text order."""
    text = original_text(doc)  # quotes are of the note as written; offsets are the same
    sections = list(doc._.get(SECTIONS) or [("body", 0, 0, len(text))])
    starts = [s[1] for s in sections]

    def section_at(char: int) -> str:
        k = bisect_right(starts, char) - 1
        return sections[k][0] if k >= 0 else "body"

    modifiers = doc._.get(MODIFIERS) or []
    cancelled: dict[int, list[Trigger]] = {}
    for n, category, rule_id, t_start, t_end, p_rule, p_start, p_end in doc.user_data.get(CONTEXT_CANCELLED_KEY, ()):
        cancelled.setdefault(n, []).append(
            Trigger(category, rule_id, t_start, t_end, text[t_start:t_end], (p_rule, p_start, p_end, text[p_start:p_end]))
        )
    out: list[Observed] = []
    for n, span in enumerate(doc.spans.get(SPANS_KEY, [])):
        key = (span.label_, span.id_, span.start_char, span.end_char)
        triggers = tuple(
            Trigger(category, rule_id, t_start, t_end, text[t_start:t_end])
            for category, rule_id, t_start, t_end in (modifiers[n] if n < len(modifiers) else ())
        )
        out.append(Observed(
            key=key, value=span.kb_id_, text=text[span.start_char:span.end_char], section=section_at(span.start_char),
            triggers=triggers, cancelled=tuple(cancelled.get(n, ())),
        ))
    for label, value, rule_id, start, end, reason, by_rule, by_start, by_end, detail in doc.user_data.get(TARGET_DROPS_KEY, ()):
        by_text = text[by_start:by_end] if by_start >= 0 else ""
        out.append(Observed(
            key=(label, rule_id, start, end), value=value, text=text[start:end], section=section_at(start),
            filter_drop=FilterDrop(reason, by_rule, by_start, by_end, by_text, detail),
        ))
    out.sort(key=lambda o: (o.start, o.end, o.label, o.rule))
    return out
