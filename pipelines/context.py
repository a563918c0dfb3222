"""ConText (Harkema et al. 2009) over doc.spans["notecheck"], with rules from patterns/context.yaml
loaded as medspaCy `ConTextRule` objects (one per trigger; `notecheck.medspacy_rules`).

The executor reads each ConTextRule's category, direction, max_scope, allowed_types and
excluded_types as medspaCy does; notecheck's own constraints (terminating words, sections) ride in
the rule's metadata. `tests/test_medspacy_context.py` runs stock `medspacy_context` with the
exported rules next to this executor.

Differences from medspaCy 1.3.1's component, each on purpose:
- results are tuples of primitives keyed by span identity in doc._.nc_span_modifiers (no
  ConTextModifier/graph objects), so `Doc.to_bytes()` and `nlp.pipe(n_process=2)` work; consumers
  read them per span through doc._.nc_modifiers;
- a rule can be limited to target labels, sections and its own terminating words, which lets
  act negation ("the K-wire was not removed") use a short scope separate from existence negation;
- "is negative for X" is negated (medspaCy #232) because scopes are measured in tokens from the
  trigger, not contracted by the enclosing phrase;
- two rules may share a trigger word (medspaCy keeps one trigger per stretch of words), and a
  trigger inside a target's own words never modifies it (medspaCy's overlap test misses a span
  strictly inside another);
- a parenthetical aside is a clause of its own: a trigger inside "( )" that modifies a mention inside
  them modifies nothing outside, and a terminating word inside an aside does not end the scope of a
  trigger outside it (medspaCy reads the sentence flat);
- only sentences that hold a target are searched, and a note with no implant or removal mention
  skips the component entirely (the gate), which keeps unrelated notes at tokenizer speed.
"""

import re
from operator import itemgetter
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Optional

from spacy.language import Language
from spacy.tokens import Doc

from notecheck.medspacy_rules import context_match_rule, context_rule_objects
from notecheck.rules import load_rules
from pipelines.extensions import (
    CONTEXT_CANCELLED_KEY, EXPLAIN_KEY, PUNCTUATED_KEY, SECTIONS, SPAN_MODIFIERS, SPANS_KEY, Trigger, doc_text, lower_text, register_extensions, span_key,
)
from pipelines.lines import enclosing_parentheses
from pipelines.matching import RuleMatcher
from pipelines.target_matcher import section_at, sentence_ids

DEFAULT_GATE = ["IMPLANT", "ACT"]
_REACH = 64  # tokens: above every rule's max_scope (validated at most 60) plus a trigger's length


@Language.factory(
    "notecheck_context",
    default_config={"rules_dir": None, "gate_labels": DEFAULT_GATE},
)
def make_context(nlp: Language, name: str, rules_dir: Optional[str], gate_labels: list[str]) -> "ConTextComponent":
    return ConTextComponent(nlp, name, rules_dir=rules_dir, gate_labels=gate_labels)


def _bounded(term: str) -> str:
    """A terminator as a whole word ("and" never inside "hand"); punctuation (",", ";") needs no
    word boundary, and guarding it with one made "anesthesia, no incision" run past the comma."""
    out = re.escape(term)
    if term[:1].isalnum():
        out = r"(?<![a-z0-9])" + out
    if term[-1:].isalnum():
        out += r"(?![a-z0-9])"
    return out


@dataclass(frozen=True)
class ExecRule:
    """What the executor needs of the ConTextRules that share one notecheck rule id."""

    id: str
    category: str
    direction: str  # forward, backward, bidirectional or none (PSEUDO, TERMINATE)
    max_scope: Optional[int]
    allowed_labels: Optional[frozenset[str]]
    excluded_labels: Optional[frozenset[str]]
    terminated_by: tuple[str, ...]
    sections: Optional[frozenset[str]]

    @classmethod
    def of(cls, obj: Any) -> "ExecRule":
        meta = obj.metadata or {}
        direction = obj.direction.lower()
        sections = meta.get("sections")
        return cls(
            id=meta["rule_id"],
            category=obj.category,
            direction=direction if direction in ("forward", "backward", "bidirectional") else "none",
            max_scope=obj.max_scope,
            allowed_labels=frozenset(obj.allowed_types) if obj.allowed_types is not None else None,
            excluded_labels=frozenset(obj.excluded_types) if obj.excluded_types is not None else None,
            terminated_by=tuple(meta.get("terminated_by_words", ())),
            sections=frozenset(sections) if sections is not None else None,
        )


class ConTextComponent:
    def __init__(
        self,
        nlp: Language,
        name: str = "notecheck_context",
        *,
        rules_dir: Optional[str] = None,
        gate_labels: Optional[list[str]] = None,
    ) -> None:
        register_extensions()
        self.name = name
        self.context_rules = context_rule_objects(load_rules(rules_dir))
        self.rules: list[ExecRule] = []
        index_of: dict[str, int] = {}
        self._rule_of_trigger: list[int] = []
        for obj in self.context_rules:
            rule = ExecRule.of(obj)
            if rule.id not in index_of:
                index_of[rule.id] = len(self.rules)
                self.rules.append(rule)
            self._rule_of_trigger.append(index_of[rule.id])
        self.gate = frozenset(gate_labels if gate_labels is not None else DEFAULT_GATE)
        self.matcher = RuleMatcher(nlp, [(str(i), context_match_rule(obj, i)) for i, obj in enumerate(self.context_rules)])
        self._terminators = [
            re.compile("|".join(_bounded(t.lower()) for t in rule.terminated_by)) if rule.terminated_by else None
            for rule in self.rules
        ]

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans.get(SPANS_KEY, []))
        doc._.set(SPAN_MODIFIERS, [])
        # (start, end, label) read once: Span.label_ is a string-store lookup on every access,
        # and the loop below tests each span against every trigger near it.
        plain = [(span.start, span.end, span.label_) for span in spans]
        if not any(label in self.gate for _, _, label in plain):
            return doc
        modifiers: list[list[Trigger]] = [[] for _ in spans]
        hits: list[tuple[int, int, int, Trigger]] = []  # (span index, trigger start, trigger end, modifier)
        sent: list[int] = sentence_ids(doc).tolist()  # a list: numpy scalars cost ~10x per lookup
        wanted_sents = {sent[start] for start, _, _ in plain}
        # Triggers of one rule that match the same words (two literals with one NORM) count once.
        rule_of = self._rule_of_trigger
        triggers = list(dict.fromkeys(
            (rule_of[int(key)], start, end)
            for key, start, end in self.matcher(doc)
            if sent[start] in wanted_sents
        ))
        pseudo = [(i, s, e) for i, s, e in triggers if self.rules[i].category == "PSEUDO"]
        pseudo_tokens = {t: (i, ps, pe) for i, ps, pe in pseudo for t in range(ps, pe)}
        # Only for an explanation: triggers a PSEUDO trigger cancelled stay in, flagged, so the
        # scope test below can say which mention each would have modified (CONTEXT_CANCELLED_KEY).
        explain = bool(doc.user_data.get(EXPLAIN_KEY))
        cancelled: list[tuple[int, str, str, int, int, str, int, int]] = []
        by_sentence: dict[int, list[tuple[int, int, int, Optional[tuple[int, int, int]]]]] = {}
        # Text order, then file order: triggers on the same words keep the order of context.yaml.
        for i, start, end in sorted(triggers, key=itemgetter(1, 2, 0)):
            by = None
            if self.rules[i].category != "PSEUDO" and any(t in pseudo_tokens for t in range(start, end)):
                if not explain:
                    continue
                by = next(pseudo_tokens[t] for t in range(start, end) if t in pseudo_tokens)
            by_sentence.setdefault(sent[start], []).append((i, start, end, by))
        starts_of = {k: [t[1] for t in v] for k, v in by_sentence.items()}
        sections = doc._.get(SECTIONS) or [("body", 0, 0, len(doc_text(doc)))]
        section_starts = [s[1] for s in sections]
        # A note dictated with its punctuation as words ends a clause at "comma" as at ",".
        text_lower = lower_text(doc.user_data.get(PUNCTUATED_KEY) or doc_text(doc))
        for n, (span_start, span_end, label) in enumerate(plain):
            key = sent[span_start]
            local = by_sentence.get(key)
            if not local:
                continue
            # Only triggers within the widest scope can reach the span (run-on notes make
            # sentences of thousands of tokens).
            starts = starts_of[key]
            local = local[bisect_left(starts, span_start - _REACH): bisect_right(starts, span_end + _REACH)]
            terminate_at = [s for i, s, _, by in local if self.rules[i].category == "TERMINATE" and by is None]
            for i, start, end, by in local:
                rule = self.rules[i]
                if rule.category == "TERMINATE" or rule.direction == "none":
                    continue
                if start < span_end and span_start < end:
                    continue
                if rule.allowed_labels is not None and label not in rule.allowed_labels:
                    continue
                if rule.excluded_labels is not None and label in rule.excluded_labels:
                    continue
                if end <= span_start and rule.direction in ("forward", "bidirectional"):
                    gap_start, gap_end = end, span_start
                elif span_end <= start and rule.direction in ("backward", "bidirectional"):
                    gap_start, gap_end = span_end, start
                else:
                    continue
                # medspaCy's window: fewer than max_scope tokens between trigger and target; the
                # words of a parenthetical aside between them do not count ("ORIF (2 lag screws)
                # 4/14/25": the date is next to the ORIF it dates).
                if rule.max_scope is not None and gap_end - gap_start >= rule.max_scope:
                    if gap_end - gap_start >= rule.max_scope + _ASIDE_TOKENS or _aside_free_gap(doc, text_lower, gap_start, gap_end) >= rule.max_scope:
                        continue
                # A terminating word inside a parenthetical aside ends the aside's clause, not the
                # one around it ("the risk of tendon rupture (which could ...), infection").
                stops = [t for t in terminate_at if gap_start <= t < gap_end]
                terminator = self._terminators[i]
                if (stops or terminator is not None) and gap_end > gap_start:
                    first, last = doc[gap_start].idx, doc[gap_end - 1].idx + len(doc[gap_end - 1])
                    between = text_lower[first:last]
                    asides = [m.span() for m in _ASIDE.finditer(text_lower, first, last)] if "(" in between else []
                    if span_start > start:
                        # A mark that opens a quotation the target stands in ("asked whether the wire
                        # "has moved"") belongs to the trigger's clause; only the closing one ends it.
                        stops = [t for t in stops if not (_opens(doc, t) and t == stops[-1])]
                    if any(not any(a <= doc[t].idx < b for a, b in asides) for t in stops):
                        continue
                    if terminator is not None and terminator.search(_ASIDE.sub(" ", between) if asides else between):
                        continue
                if rule.sections is not None:
                    if section_at(sections, section_starts, doc[start].idx) not in rule.sections:
                        continue
                if by is not None:
                    p_rule, p_start, p_end = by
                    cancelled.append((
                        n, rule.category, rule.id, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]),
                        self.rules[p_rule].id, doc[p_start].idx, doc[p_end - 1].idx + len(doc[p_end - 1]),
                    ))
                    continue
                hits.append((n, start, end, (rule.category, rule.id, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))))
        for n, found in _outside_asides_dropped(hits, plain, doc):
            modifiers[n].append(found)
        doc._.set(SPAN_MODIFIERS, [(*span_key(span), tuple(found)) for span, found in zip(spans, modifiers) if found])
        if explain:
            doc.user_data[CONTEXT_CANCELLED_KEY] = cancelled
        return doc


def _opens(doc: Doc, t: int) -> bool:
    """A one-character mark with a space before it and a word right after it opens a quotation."""
    token = doc[t]
    return len(token) == 1 and token.is_punct and t + 1 < len(doc) and not token.whitespace_ and \
        (t == 0 or bool(doc[t - 1].whitespace_))


_ASIDE_REACH = 200  # characters: a parenthetical aside is short
_ASIDE_TOKENS = 40  # tokens: the most an aside can add to a scope


def _aside_free_gap(doc: Doc, text_lower: str, gap_start: int, gap_end: int) -> int:
    """Tokens between trigger and target, not counting those inside a parenthetical aside."""
    first, last = doc[gap_start].idx, doc[gap_end - 1].idx + len(doc[gap_end - 1])
    if text_lower.find("(", first, last) < 0:
        return gap_end - gap_start
    asides = [m.span() for m in _ASIDE.finditer(text_lower, first, last)]
    if not asides:
        return gap_end - gap_start
    return sum(1 for t in range(gap_start, gap_end) if not any(a <= doc[t].idx < b for a, b in asides))
# A form's ticked box "(x)" is no aside: it ends the option an empty box "( )" before it negates.
_ASIDE = re.compile(r"\((?![ \t]*[x✓✔][ \t]*\))[^()\n]{0,200}\)")


def _outside_asides_dropped(hits: list[tuple[int, int, int, Trigger]], plain: list[tuple[int, int, str]], doc: Doc) -> list[tuple[int, Trigger]]:
    """A parenthetical aside is a clause of its own: a trigger inside "( )" that modifies a mention
    inside them modifies nothing outside ("2 lag screws removed (ORIF 2023-11-20)": the date dates
    the ORIF, not the removal). A trigger alone in its parenthesis ("ORIF (2023-11-20)") reaches out."""
    text = doc_text(doc)
    if "(" not in text:
        return [(n, found) for n, _, _, found in hits]
    by_trigger: dict[tuple[int, int], list[tuple[int, Trigger]]] = {}
    for n, start, end, found in hits:
        by_trigger.setdefault((start, end), []).append((n, found))
    out: list[tuple[int, Trigger]] = []
    for (start, end), targets in by_trigger.items():
        if len(targets) > 1:
            first, last = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
            aside = enclosing_parentheses(text, first, last, max(0, first - _ASIDE_REACH), last + _ASIDE_REACH)
            if aside is not None:
                opened, closed = aside
                inside = [(n, f) for n, f in targets if opened < doc[plain[n][0]].idx and doc[plain[n][1] - 1].idx < closed]
                if inside:
                    targets = inside
        out.extend(targets)
    return out
