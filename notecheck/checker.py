"""The one object that checks notes: pipeline loaded once, reused by the CLI, the audit workers
and the service."""
from __future__ import annotations

from datetime import date
from typing import Iterable, Iterator, Optional

from spacy.tokens import Doc

from notecheck import trace
from notecheck.budget import check_budget, time_budget
from notecheck.checklist import build_checklist
from notecheck.coding import code_note
from notecheck.coding.queries import draft_queries
from notecheck.explain import ExplainedResult, explain
from notecheck.extract import extract_findings
from notecheck.models import ClaimContext, Result
from notecheck.reader import DEFAULT_MAX_BYTES, MAX_BYTES_CEILING, validate_text
from notecheck.registry import RuleRegistry, load_registry
from pipelines import build_pipeline
from pipelines.extensions import ENCOUNTER_KEY, EXPLAIN_KEY, ORIGINAL_TEXT_KEY, TEXT_KEY
from pipelines.wraps import Unwrapper, escaped_breaks, tabs_as_spaces


class Checker:
    def __init__(self, rules_dir: Optional[str] = None, registry: Optional[RuleRegistry] = None) -> None:
        """`rules_dir`: a patterns directory (default: the packaged one); or a ready `registry`."""
        self.registry = registry or load_registry(rules_dir)
        self.rules = self.registry.rules
        self.coding_rules, self.icd_rules = self.registry.coding, self.registry.icd10
        self.checklist_rules, self.ncci_rules = self.registry.checklist, self.registry.ncci
        self.nlp = build_pipeline(self.registry.directory)
        # spaCy's own 1,000,000-character guard protects parser/NER memory, which this pipeline
        # does not have; the size limit is the caller's (bytes of UTF-8, at most the ceiling).
        self.nlp.max_length = max(self.nlp.max_length, MAX_BYTES_CEILING)
        self.unwrap = Unwrapper.for_rules(self.rules)

    @property
    def version(self) -> str:
        return self.registry.version

    def check(
        self,
        text: str,
        context: Optional[ClaimContext] = None,
        note_id: Optional[str] = None,
        budget_s: Optional[float] = None,
        max_bytes: Optional[int] = DEFAULT_MAX_BYTES,
        explain: bool = False,
    ) -> Result:
        """Check one note; raises NoteInputError for empty or binary text or text over `max_bytes`
        bytes of UTF-8 (None: the caller has applied its limit), and CheckTimeout when `budget_s`
        seconds pass before the result is ready. With `explain`, the result is an ExplainedResult
        (notecheck.explain): the same result plus why every field, code and modifier came out so."""
        validate_text(text, max_bytes)
        with time_budget(budget_s):
            dated = _dated(context)
            if explain:
                return self.explained(self.doc(text, explain=True, **dated), context, note_id)
            return self.result(self.doc(text, **dated), context, note_id)

    def pipe(self, notes: Iterable[tuple[str, Optional[ClaimContext], Optional[str]]]) -> Iterator[Result]:
        """Check (text, context, note_id) triples lazily, in order; texts must be validated."""
        for text, context, note_id in notes:
            yield self.result(self.doc(text, **_dated(context)), context, note_id)

    def doc(self, text: str, explain: bool = False, encounter: Optional[date] = None) -> Doc:
        """Run the pipeline. Our components have no batch step, so nlp.pipe would gain nothing;
        the text is handed to them once instead of being re-joined from tokens. With `explain`,
        the components also record what they drop (pipelines.extensions.EXPLAIN_KEY). The pipeline
        reads the note with the line breaks an HL7 export left as characters restored, its wrapped
        lines joined and its inline tabs as spaces (pipelines.wraps); evidence quotes `text`.
        `encounter`: the date of service the claim codes, which picks this encounter's entry in a
        note told as dated entries (pipelines.timeline)."""
        read = tabs_as_spaces(self.unwrap(escaped_breaks(text)))
        doc = self.nlp.make_doc(read)
        doc.user_data[TEXT_KEY] = read
        if read is not text:
            doc.user_data[ORIGINAL_TEXT_KEY] = text
        if explain:
            doc.user_data[EXPLAIN_KEY] = True
        if encounter is not None:
            doc.user_data[ENCOUNTER_KEY] = (encounter.year, encounter.month, encounter.day)
        for _, component in self.nlp.pipeline:
            check_budget()
            doc = component(doc)
        check_budget()
        return doc

    def result(self, doc: Doc, context: Optional[ClaimContext], note_id: Optional[str]) -> Result:
        ctx = context or ClaimContext()
        findings = extract_findings(doc, self.rules)
        check_budget()
        coding = code_note(findings, ctx, self.coding_rules, self.icd_rules, self.ncci_rules)
        checklist, score, ready = build_checklist(findings, coding, self.checklist_rules)
        return Result(
            note_id=note_id or ctx.note_id,
            procedure=coding.procedure,
            findings=findings,
            checklist=checklist,
            score=score,
            ready_to_sign=ready,
            claim_lines=coding.claim_lines,
            modifiers=coding.modifiers,
            icd10_suggestions=coding.icd10,
            denial_risks=coding.risks,
            rules_version=self.version,
            queries=draft_queries(checklist, coding.risks, findings, self.ncci_rules),
        )

    def explained(self, doc: Doc, context: Optional[ClaimContext], note_id: Optional[str]) -> ExplainedResult:
        """The result of a Doc run with `explain=True`, with its explanation."""
        with trace.recording() as steps:
            result = self.result(doc, context, note_id)
        # The coding is pure: run again on the same findings, it returns the same decisions with
        # the facts each one read.
        coding = code_note(result.findings, context or ClaimContext(), self.coding_rules, self.icd_rules, self.ncci_rules)
        explanation = explain(doc, result, coding, steps, self.rules, self.coding_rules)
        return ExplainedResult(**dict(result), explanation=explanation)


def _dated(context: Optional[ClaimContext]) -> dict[str, date]:
    """doc()'s keyword for the claim's date of service, only when there is one: a `doc` overridden
    with the older signature (text, explain) keeps working for notes checked without a claim date."""
    return {"encounter": context.removal_date} if context is not None and context.removal_date else {}
