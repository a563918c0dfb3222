"""notecheck's rules as medspaCy rule objects: `TargetRule`, `ConTextRule` and `SectionRule`.

`patterns/*.yaml` stays the one rule format (validated by pydantic in `notecheck.rules`); this
module turns a validated `RuleSet` into medspaCy 1.3.1 objects. The pipeline runs on these objects
(the target matcher's phrase rules, the ConText executor, the sectionizer) and
`notecheck rules export --medspacy DIR` writes them as medspaCy JSON resources.

Run-time target rules carry "LABEL|value|rule_id" in `category`: spaCy 3.7 keys span extension
values by character offsets, so two spans over the same words would share one `_.target_rule` and
the rule behind a span could not be read from it. Exported rules carry the plain label as category
and the value, rule id and notecheck-only constraints in `metadata`.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from notecheck.rules import ContextRule as NcContextRule
from notecheck.rules import MatchRule, RuleSet, SectionFile
from notecheck.rules import TargetRule as NcTargetRule

KEY_SEP = "|"
_ES_ENDINGS = ("s", "x", "z", "ch", "sh")
_MAX_EXPANSION = 20000
DIRECTIONS = {"forward": "FORWARD", "backward": "BACKWARD", "bidirectional": "BIDIRECTIONAL"}


def plural_forms(literal: str) -> list[str]:
    """The literal plus its regular plural ("screw" -> "screws", "phalanx" is listed by hand)."""
    words = literal.split(" ")
    last = words[-1]
    if not last[-1:].isalpha() or len(last) < 3:
        return [literal]
    if last.endswith(_ES_ENDINGS):
        plural = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return [literal, " ".join(words[:-1] + [plural])]


def _values(spec: Any) -> Optional[list[str]]:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"} and all(isinstance(v, str) for v in spec["IN"]):
        return list(spec["IN"])
    return None


def phrase_expansion(pattern: list[dict[str, Any]]) -> Optional[tuple[str, list[list[str]]]]:
    """A token pattern made only of exact LOWER/ORTH values (or IN-lists of them) is a set of
    phrases; spaCy's Matcher evaluates IN-sets in Python per token (~0.4 ms a pattern per note)
    while the PhraseMatcher hashes whole phrases. Returns (attr, token lists) or None."""
    columns: list[list[str]] = []
    attrs = set()
    for token in pattern:
        if len(token) != 1:
            return None
        (attr, spec), = token.items()
        values = _values(spec)
        if attr not in ("LOWER", "ORTH") or values is None:
            return None
        attrs.add(attr)
        columns.append([v.lower() for v in values] if attr == "LOWER" else values)
    size = 1
    for column in columns:
        size *= len(column)
    if size > _MAX_EXPANSION:
        return None
    if attrs == {"LOWER"}:
        return "LOWER", [list(p) for p in itertools.product(*columns)]
    # Mixed: spell each LOWER value in the cases a note writes it, then match ORTH exactly.
    cased = []
    for token, column in zip(pattern, columns):
        if "LOWER" in token:
            column = sorted({v for x in column for v in (x, x.title(), x.upper())})
        cased.append(column)
    return "ORTH", [list(p) for p in itertools.product(*cased)]


# A check that a phrase, written as one string, tokenizes into exactly the given words (with the
# given NORMs): only such phrases can be handed to medspaCy, which tokenizes its literals itself.
PhraseCheck = Callable[[list[str], str], bool]


@dataclass
class TargetRuleObjects:
    """The target rules split the way the pipeline runs them."""

    lower: list[Any] = field(default_factory=list)  # medspaCy TargetRules matched on NORM
    exact: list[Any] = field(default_factory=list)  # medspaCy TargetRules matched on ORTH (case-exact)
    # Token patterns that are not phrase sets, regexes (anchored), and phrases whose words the
    # tokenizer would split differently: (key, MatchRule) for notecheck's own RuleMatcher.
    residual: list[tuple[str, MatchRule]] = field(default_factory=list)
    residual_plurals: list[bool] = field(default_factory=list)


def target_key(label: str, value: str, rule_id: str) -> str:
    return f"{label}{KEY_SEP}{value}{KEY_SEP}{rule_id}"


def _target_metadata(rule: NcTargetRule, label: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"rule_id": rule.id, "label": label, "value": rule.value}
    for name in ("sections", "not_sections", "requires_in_sentence"):
        if getattr(rule, name) is not None:
            meta[name] = list(getattr(rule, name))
    if rule.requires_sentences_before:
        meta["requires_sentences_before"] = rule.requires_sentences_before
    if rule.requires_near is not None:
        meta["requires_near"] = rule.requires_near.model_dump()
    return meta


def target_rule_objects(rules: RuleSet, phrase_ok: Optional[PhraseCheck] = None, keyed: bool = True) -> TargetRuleObjects:
    """Every target rule as medspaCy TargetRules. `keyed`: category "LABEL|value|id" (run time)
    or the label with the rest in metadata (export). `phrase_ok(words, attr)`, when given, decides
    whether an expanded token pattern may become a literal; the others stay token patterns."""
    from medspacy.target_matcher import TargetRule

    out = TargetRuleObjects()
    for target_file in rules.targets:
        for rule in target_file.rules:
            label = target_file.label_of(rule.value)
            key = target_key(label, rule.value, rule.id)
            category = key if keyed else label
            meta = _target_metadata(rule, label)
            forms: list[str] = []
            for lit in rule.literals:
                forms.extend(plural_forms(lit.lower()) if target_file.plurals else [lit.lower()])
            for form in dict.fromkeys(forms):
                out.lower.append(TargetRule(form, category, metadata=dict(meta)))
            slow = []
            for pattern in rule.patterns:
                # Export keeps token patterns as patterns: a stock Matcher runs them as written.
                expansion = phrase_expansion(pattern) if keyed else None
                if expansion is None:
                    slow.append(pattern)
                    continue
                attr, phrases = expansion
                if phrase_ok is not None and not all(phrase_ok(words, attr) for words in phrases):
                    slow.append(pattern)
                    continue
                target = out.lower if attr == "LOWER" else out.exact
                for words in phrases:
                    target.append(TargetRule(" ".join(words), category, metadata=dict(meta)))
            if slow or rule.regex:
                residual = rule.model_copy(update={"literals": [], "patterns": slow})
                out.residual.append((key, residual))
                out.residual_plurals.append(target_file.plurals)
            if not keyed:
                # Export: the non-phrase parts as medspaCy token-pattern and regex rules.
                for pattern in slow:
                    out.lower.append(TargetRule(rule.id, category, pattern=pattern, metadata=dict(meta)))
                if rule.regex:
                    out.lower.append(TargetRule(rule.id, category, pattern=rule.regex, metadata={**meta, "anchors": list(rule.anchors)}))
    return out


def context_rule_objects(rules: RuleSet) -> list[Any]:
    """One medspaCy ConTextRule per trigger (literal, token pattern or regex) of every rule in
    context.yaml. PSEUDO and TERMINATE rules have medspaCy's directions of those names. The rule
    id, terminating words, sections and regex anchors (notecheck-only) ride in metadata."""
    from medspacy.context import ConTextRule

    out = []
    for rule in rules.context.rules:
        out.extend(_context_triggers(rule, ConTextRule))
    return out


def _context_triggers(rule: NcContextRule, cls: Any) -> list[Any]:
    if rule.category in ("PSEUDO", "TERMINATE"):
        direction = rule.category
    else:
        direction = DIRECTIONS.get(rule.direction, "PSEUDO")
    meta: dict[str, Any] = {"rule_id": rule.id}
    if rule.terminated_by:
        meta["terminated_by_words"] = list(rule.terminated_by)
    if rule.sections is not None:
        meta["sections"] = list(rule.sections)
    common = dict(
        category=rule.category,
        direction=direction,
        allowed_types=set(rule.allowed_labels) if rule.allowed_labels is not None else None,
        excluded_types=set(rule.excluded_labels) if rule.excluded_labels is not None else None,
        # notecheck's max_scope N lets N tokens lie between trigger and target; medspaCy's scope
        # window of N ends N tokens after the trigger, so it allows N - 1: export N + 1.
        max_scope=rule.max_scope + 1 if rule.max_scope is not None else None,
    )
    out = [cls(lit, metadata=dict(meta), **common) for lit in dict.fromkeys(rule.literals)]
    out += [cls(rule.id, pattern=p, metadata=dict(meta), **common) for p in rule.patterns]
    if rule.regex:
        out.append(cls(rule.id, pattern=rule.regex, metadata={**meta, "anchors": list(rule.anchors)}, **common))
    return out


def context_match_rule(obj: Any, index: int) -> MatchRule:
    """A ConTextRule as the MatchRule notecheck's anchored RuleMatcher runs."""
    anchors = (obj.metadata or {}).get("anchors", [])
    if obj.pattern is None:
        return MatchRule(id=f"t{index}", literals=[obj.literal])
    if isinstance(obj.pattern, str):
        return MatchRule(id=f"t{index}", regex=obj.pattern, anchors=anchors)
    return MatchRule(id=f"t{index}", patterns=[obj.pattern])


def section_rule_objects(rules: RuleSet) -> list[Any]:
    """One medspaCy SectionRule per header of sections.yaml. Headers written with notecheck's
    "(s)"/"(es)"/"(a|b)" notation carry the equivalent regex as `pattern` so that stock medspaCy
    matches them too; plain headers are phrase literals."""
    return section_rule_objects_of(rules.sections)


def section_rule_objects_of(sections: SectionFile) -> list[Any]:
    from medspacy.section_detection import SectionRule

    from pipelines.sectionizer import header_pattern

    out = []
    for rule in sections.rules:
        for header in rule.headers:
            pattern = None if header.replace(" ", "").replace("/", "").replace("-", "").replace("&", "").replace("'", "").isalnum() else header_pattern(header)
            out.append(SectionRule(header, rule.category, pattern=pattern, metadata={"rule_id": rule.id}))
    return out
