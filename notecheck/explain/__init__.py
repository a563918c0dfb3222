"""`--explain`: for every field, the rule matches that fired and why each was kept or dropped, and
why the code, modifiers and planned status came out as they did (issue 12).

Nothing is decided again here. The pipeline records its drops and cancellations in the Doc when
asked (pipelines.extensions.EXPLAIN_KEY), the extractors record their decisions
(notecheck.trace), the coding decisions record the facts they read (notecheck.coding.why); this
package joins those records with the result. The explanation quotes the note: it goes to the
caller only, never to a log.
"""
from __future__ import annotations

from spacy.tokens import Doc

from notecheck.coding import Coding
from notecheck.explain.decisions import code_decision, global_decision, modifier22_decision, modifier_decisions, planned_decision
from notecheck.explain.fields import FIELD_LABELS, FieldExplainer, RuleFiles
from notecheck.explain.models import Decision, ExplainedResult, Explanation, FieldExplanation, MentionTrace, RuleUse
from notecheck.extract.observed import observe
from notecheck.models import Result
from notecheck.rules import TARGET_FILES, CodingRules, RuleSet
from notecheck.trace import Trace

__all__ = ["ExplainedResult", "Explanation", "explain"]


def explain(doc: Doc, result: Result, coding: Coding, trace: Trace, rules: RuleSet, coding_rules: CodingRules) -> Explanation:
    files = RuleFiles(rules, TARGET_FILES)
    explainer = FieldExplainer(observe(doc), trace, result.findings, result.procedure.is_implant_removal, rules, files)
    fields = [explainer.explain(name) for name in FIELD_LABELS]
    by_name = {f.field: f for f in fields}
    laterality = by_name["laterality"].decisions[-1] if by_name["laterality"].decisions else None
    planned = planned_decision(by_name["planned_status"])
    glob, d22 = global_decision(coding, planned), modifier22_decision(coding)
    return Explanation(
        rules_version=result.rules_version,
        fields=fields,
        planned_status=planned,
        code=code_decision(coding),
        global_period=glob,
        modifier_22=d22,
        modifiers=modifier_decisions(result, coding, coding_rules, laterality, glob, d22),
        rules_used=_rules_used(fields, [code_decision(coding), glob, d22, planned]),
    )


def _rules_used(fields: list[FieldExplanation], decisions: list[Decision]) -> list[RuleUse]:
    """Every rule id the explanation names, grouped by its file."""
    used: dict[str, set[str]] = {}

    def add(file: str | None, rule_id: str | None) -> None:
        if file and rule_id:
            used.setdefault(file, set()).add(rule_id)

    mentions: list[MentionTrace] = [m for f in fields for m in f.mentions]
    for m in mentions:
        add(m.rule_file, m.rule_id)
        for c in m.causes:
            add(c.rule_file, c.rule_id)
            add(c.by_rule_file, c.by_rule_id)
    for d in decisions:
        for entry in d.rules:
            file, _, rule_id = entry.partition(": ")
            add(file, rule_id)
    return [RuleUse(file=file, ids=sorted(ids)) for file, ids in sorted(used.items())]
