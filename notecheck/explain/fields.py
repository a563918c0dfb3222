"""Per field: every match of the field's labels, kept or dropped, with the pipeline's and the
extractors' recorded reasons; and the field-level decisions the extractors recorded."""
from __future__ import annotations

from typing import Optional

from notecheck.explain.models import Cause, Decision, Fact, FieldExplanation, FieldName, MentionTrace, Quote
from notecheck.extract.observed import Observed, Trigger
from notecheck.models import Evidence, Findings
from notecheck.rules import RuleSet
from notecheck.trace import FieldDecision, MentionKey, Step, Trace

FIELD_LABELS: dict[FieldName, tuple[str, ...]] = {
    "implants": ("IMPLANT", "ACT"),
    "laterality": ("SIDE", "HANDED", "DOMINANCE"),
    "digits": ("DIGIT", "JOINT"),
    "bones": ("BONE", "JOINT"),
    "indications": ("INDICATION", "DESIGN"),
    "approach": ("APPROACH",),
    "planned_status": ("PLANNING", "INDICATION"),
    "complexity_factors": ("COMPLEXITY", "SUBSTANTIAL"),
}
# The categories that make a mention "not affirmed" (notecheck.extract.mentions.NOT_AFFIRMED) and
# the ones that cancel a complexity factor or an indication named as a consent risk.
_NEGATIVE = frozenset({"NEGATED", "HYPOTHETICAL", "HISTORICAL", "FUTURE", "OTHER_PERSON", "NO_EFFECT", "CONSENT"})
_FILTER_WORDS = {
    "suppressed": "Suppressed by the suppressor rule over these words",
    "section": "The rule only applies in its sections, not in",
    "not_section": "The rule does not apply in section",
    "requires_near": "The rule needs near it, in the same sentence,",
    "requires_in_sentence": "The rule needs in the same sentence (or the sentences before it allows) one of",
    "overlapped": "A longer (or equally long, earlier) match of the same label won these words",
    "no_hardware": "Read only in a note that names hardware or a removal of hardware; this note names none",
}


class RuleFiles:
    """Rule id -> the file it is written in."""

    def __init__(self, rules: RuleSet, target_files: tuple[str, ...]) -> None:
        self.file_of: dict[str, str] = {}
        for name, target_file in zip(target_files, rules.targets):
            for rule in target_file.rules:
                self.file_of[rule.id] = name
        for rule in rules.context.rules:
            self.file_of.setdefault(rule.id, "context.yaml")

    def __call__(self, rule_id: Optional[str]) -> Optional[str]:
        return self.file_of.get(rule_id or "")


def value_words(field: FieldName, f: Findings) -> str:
    """The result's value for a field, in words."""
    if field == "implants":
        parts = [f"{i.type} x{i.count}" if i.count else i.type for i in f.implants]
        parts += ["hardware (type not named)"] if f.generic_hardware_removed else []
    elif field == "laterality":
        parts = [f.laterality.value or ""] + (["(conflict with the header's side)"] if f.laterality.conflict else [])
    elif field == "digits":
        parts = [f"{d.side or ''} {d.value}".strip() for d in f.digits]
    elif field == "bones":
        parts = [f"{b.side or ''} {b.value}{f' (ray {b.ray})' if b.ray else ''}".strip() for b in f.bones]
    elif field == "indications":
        parts = [i.value for i in f.indications]
    elif field == "approach":
        parts = [(f.approach.type or "") + (", incision documented" if f.approach.incision_documented else "")]
    elif field == "planned_status":
        parts = [f.planned_status.value or ""]
    else:
        parts = [c.value for c in f.complexity_factors] + (["substantial work stated"] if f.substantial_work else [])
    return ", ".join(p for p in parts if p) or "none"


def field_evidence(field: FieldName, f: Findings) -> set[tuple[int, int]]:
    groups: list[list[Evidence]]
    if field == "implants":
        groups = [e.evidence for e in f.implants] + [f.generic_hardware_removed]
    elif field == "laterality":
        groups = [f.laterality.evidence]
    elif field in ("digits", "bones", "indications", "complexity_factors"):
        groups = [item.evidence for item in getattr(f, field)]
        if field == "complexity_factors":
            groups.append(f.substantial_work)
    elif field == "approach":
        groups = [f.approach.evidence]
    else:
        groups = [f.planned_status.evidence]
    return {(e.start, e.end) for g in groups for e in g}


class FieldExplainer:
    def __init__(self, observed: list[Observed], trace: Trace, findings: Findings, is_removal: bool,
                 rules: RuleSet, files: RuleFiles) -> None:
        self.observed, self.trace, self.findings, self.is_removal = observed, trace, findings, is_removal
        self.rules, self.files = rules, files
        self.by_key: dict[MentionKey, Observed] = {o.key: o for o in observed if o.filter_drop is None}
        self.by_offsets: dict[tuple[int, int], Observed] = {(o.start, o.end): o for o in self.by_key.values()}
        self.steps: dict[tuple[str, MentionKey], list[Step]] = {}
        for s in trace.steps:
            group = self.steps.setdefault((s.field, s.mention), [])
            if not any((g.kept, g.reason, g.by) == (s.kept, s.reason, s.by) for g in group):
                group.append(s)
        vocab = rules.vocabulary
        self.planned_values = set(vocab.complication_indications) | {"staged_removal"}
        evidence = [e for group in (findings.implants, findings.digits, findings.bones, findings.indications,
                                    findings.complexity_factors) for item in group for e in item.evidence]
        evidence += findings.laterality.evidence + findings.approach.evidence + findings.planned_status.evidence
        self.evidence_at = {(e.start, e.end): e for e in evidence}

    # -- one field -------------------------------------------------------------------------------

    def explain(self, field: FieldName) -> FieldExplanation:
        labels = FIELD_LABELS[field]
        decisions = [d for d in self.trace.decisions if d.field == field]
        rests_on = {k for d in decisions for k in d.mentions}
        rests_on_spans = {s for d in decisions for s in d.spans}
        evidence = field_evidence(field, self.findings)
        scope = set(self.trace.scopes.get("anatomy", ()))
        mentions = []
        for o in self.observed:
            if o.label not in labels:
                continue
            if field == "planned_status" and o.label == "INDICATION" and o.value not in self.planned_values:
                continue
            mentions.append(self._mention(field, o, evidence, rests_on, rests_on_spans, scope))
        out = FieldExplanation(field=field, value=value_words(field, self.findings), mentions=mentions)
        out.decisions = [self._decision(field, d) for d in decisions]
        if field in ("digits", "bones") and self.is_removal and "anatomy" in self.trace.scopes:
            out.decisions.insert(0, self._scope_decision(field))
        if field == "implants":
            _acts_follow_their_implants(mentions, evidence)
        if not self.is_removal and field not in ("laterality", "implants"):
            out.decisions.insert(0, Decision(
                subject=field, branch="not_removal",
                reason="No implant is documented as removed in this procedure, so the removal findings stay empty "
                       "(CONTRACT §1: a note that is not an implant removal keeps only region and laterality).",
            ))
        return out

    def _mention(self, field: FieldName, o: Observed, evidence: set[tuple[int, int]], rests_on: set[MentionKey],
                 rests_on_spans: set[tuple[int, int]], scope: set[MentionKey]) -> MentionTrace:
        trace = MentionTrace(
            label=o.label, value=o.value, rule_id=o.rule, rule_file=self.files(o.rule), text=o.text,
            start=o.start, end=o.end, section=o.section, kept=False, reason="",
        )
        if o.filter_drop is not None:
            trace.causes = [self._filter_cause(o)]
            trace.reason = trace.causes[0].detail
            return trace
        steps = self.steps.get(("*", o.key), []) + self.steps.get((field, o.key), [])
        trace.causes = self._context_causes(o) + [self._step_cause(s) for s in steps]
        dropped_finding = self.trace.dropped_evidence.get((field, o.start, o.end))
        if dropped_finding is not None:
            trace.causes.append(Cause(kind="finding_rule", code=dropped_finding[0], detail=dropped_finding[1]))
        in_evidence = (o.start, o.end) in evidence
        trace.kept = (
            in_evidence or o.key in rests_on or (o.start, o.end) in rests_on_spans or bool(steps and steps[-1].kept)
        ) and dropped_finding is None
        negative = [c for c in trace.causes if c.kind in ("context", "section_role") and c.code in _NEGATIVE]
        if trace.kept:
            kept_steps = [s for s in steps if s.kept]
            trace.reason = kept_steps[-1].detail if kept_steps else (
                "Part of the finding's evidence." if in_evidence else "The field's value rests on it.")
            if negative:
                trace.reason += f" Kept although {_summary(negative)}."
            cancelled = [c for c in trace.causes if c.kind == "context_cancelled"]
            if cancelled:
                trace.reason += f" {_summary(cancelled)}."
            return trace
        if steps:
            trace.reason = steps[-1].detail
        elif dropped_finding is not None:
            trace.reason = dropped_finding[1]
        elif not self.is_removal and field not in ("laterality", "implants"):
            trace.reason = "Not an implant removal: the removal findings stay empty."
        elif field in ("digits", "bones") and scope and o.key not in scope:
            trace.reason = ("Outside the anatomy the removal is read from (its sentences, else the title and "
                            "diagnosis headers, else the description beside hardware); see the field's decisions.")
        elif field == "implants" and o.label == "ACT":
            # Every act some implant was linked to has a recorded step; this one has none.
            trace.reason = "No implant mention is linked to this act (each implant links to the nearest act of its sentence)."
        elif negative:
            trace.reason = f"Not affirmed: {_summary(negative)}."
        else:
            trace.reason = "Not among the mentions the field's value rests on; see the field's decisions."
        if negative and _summary(negative) not in trace.reason:
            trace.reason = f"{trace.reason.rstrip('.')}: {_summary(negative)}."
        return trace

    # -- causes ----------------------------------------------------------------------------------

    def _filter_cause(self, o: Observed) -> Cause:
        drop = o.filter_drop
        assert drop is not None
        words = _FILTER_WORDS.get(drop.reason, drop.reason)
        if drop.reason in ("section", "not_section"):
            detail = f"{words} {drop.detail}."
        elif drop.reason in ("requires_near", "requires_in_sentence"):
            detail = f"{words} {drop.detail.replace('/', ' or ')}; none is there."
        elif drop.by_rule:
            detail = f"{words}: {drop.by_rule} (\"{drop.by_text}\")."
        else:
            detail = f"{words}."
        by = Quote(text=drop.by_text, start=drop.by_start, end=drop.by_end) if drop.by_start >= 0 else None
        return Cause(
            kind="target_filter", code=drop.reason, detail=detail, rule_id=o.rule, rule_file=self.files(o.rule),
            section=o.section, by_rule_id=drop.by_rule or None, by_rule_file=self.files(drop.by_rule), by=by,
        )

    def _context_causes(self, o: Observed) -> list[Cause]:
        out = [self._trigger_cause(t, "context") for t in o.triggers]
        out += [self._trigger_cause(t, "context_cancelled") for t in o.cancelled]
        for category, role in sorted(self.trace.section_roles.get(o.key, ())):
            out.append(Cause(
                kind="section_role", code=category, section=o.section, rule_id=f"roles.{role}", rule_file="sections.yaml",
                detail=f"{category}: section {o.section} is one of sections.yaml roles.{role}",
            ))
        return out

    def _trigger_cause(self, t: Trigger, kind: str) -> Cause:
        trigger = Quote(text=t.text, start=t.start, end=t.end)
        if kind == "context":
            detail = f"{t.category} by \"{t.text}\" (context.yaml {t.rule_id}, chars {t.start}-{t.end})"
            return Cause(kind="context", code=t.category, detail=detail, rule_id=t.rule_id, rule_file="context.yaml",
                         trigger=trigger)
        p_rule, p_start, p_end, p_text = t.pseudo or ("", -1, -1, "")
        detail = (f"{t.category} trigger \"{t.text}\" ({t.rule_id}) did not apply: it lies inside the PSEUDO trigger "
                  f"\"{p_text}\" (context.yaml {p_rule})")
        return Cause(kind="context_cancelled", code=t.category, detail=detail, rule_id=t.rule_id, rule_file="context.yaml",
                     trigger=trigger, by_rule_id=p_rule, by_rule_file="context.yaml",
                     by=Quote(text=p_text, start=p_start, end=p_end))

    def _step_cause(self, s: Step) -> Cause:
        cause = Cause(kind="header" if s.reason == "header_words" else "extractor", code=s.reason, detail=s.detail)
        if s.by is not None:
            by = self.by_key.get(s.by)
            label, rule, start, end = s.by
            cause.by_rule_id, cause.by_rule_file = rule, self.files(rule)
            cause.by = Quote(text=by.text if by else "", start=start, end=end)
            if by is not None:
                cause.detail += f" Act: \"{by.text}\" ({rule}, {by.section})"
                negative = [c for c in self._context_causes(by) if c.code in _NEGATIVE]
                cause.detail += f", {_summary(negative)}." if negative else "."
        return cause

    # -- decisions -------------------------------------------------------------------------------

    def _evidence(self, keys: tuple[MentionKey, ...], spans: tuple[tuple[int, int], ...]) -> list[Evidence]:
        out = []
        for key in keys:
            o = self.by_key.get(key)
            if o is not None:
                out.append(Evidence(text=o.text, start=o.start, end=o.end, section=o.section))
        out += [self.evidence_at[s] for s in spans if s in self.evidence_at]
        return out

    def _decision(self, field: FieldName, d: FieldDecision) -> Decision:
        evidence = self._evidence(d.mentions, d.spans)
        facts = [Fact(name="rests on", value=", ".join(f"\"{e.text}\"" for e in evidence) or "nothing", source="note",
                      evidence=evidence)]
        behind = [self.by_key.get(k) for k in d.mentions] + [self.by_offsets.get(s) for s in d.spans]
        rules = list(dict.fromkeys(f"{self.files(o.rule)}: {o.rule}" for o in behind if o is not None and self.files(o.rule)))
        return Decision(subject=field, outcome=value_words(field, self.findings), branch=d.reason, reason=d.detail,
                        facts=facts, rules=rules)

    def _scope_decision(self, field: FieldName) -> Decision:
        keys = self.trace.scopes["anatomy"]
        evidence = self._evidence(keys, ())
        sections = ", ".join(dict.fromkeys(e.section for e in evidence)) or "none"
        return Decision(
            subject=field, outcome=value_words(field, self.findings), branch="anatomy_scope",
            reason=(f"The site is read from {len(evidence)} anatomy mention(s) in: {sections} (the removal's sentences "
                    "first, else the title/diagnosis headers, else the description beside hardware)."),
            facts=[Fact(name="anatomy read", value=", ".join(f"\"{e.text}\"" for e in evidence) or "nothing",
                        source="note", evidence=evidence)],
        )


def _acts_follow_their_implants(mentions: list[MentionTrace], evidence: set[tuple[int, int]]) -> None:
    """A removal act counts only while an implant linked to it is kept: when every such implant was
    dropped later (provisional hardware, a specimen list), the act is dropped with them."""
    carried = {(c.by.start, c.by_rule_id) for m in mentions if m.kept and m.label == "IMPLANT"
               for c in m.causes if c.kind == "extractor" and c.by is not None}
    for m in mentions:
        if m.label == "ACT" and m.kept and (m.start, m.end) not in evidence and (m.start, m.rule_id) not in carried:
            m.kept = False
            m.reason = "A removal act of this operation, but every implant linked to it was dropped (see those implants)."


def _summary(causes: list[Cause]) -> str:
    return "; ".join(dict.fromkeys(c.detail for c in causes))
