"""Doc -> Findings (CONTRACT.md §2 `findings`), each value with character-exact evidence."""
from __future__ import annotations

from spacy.tokens import Doc

from notecheck import trace
from notecheck.extract.clinical import approach, complexity, indications, operative_context, planned_status, same_site_procedures
from notecheck.extract.implants import find_removal, spanning_plate, unlinked_removal_acts
from notecheck.extract.mentions import NoteView
from notecheck.extract.sites import find_site, site_rays
from notecheck.models import Findings
from notecheck.rules import RuleSet

__all__ = ["extract_findings"]


def extract_findings(doc: Doc, rules: RuleSet) -> Findings:
    view = NoteView(doc, rules)
    removal = find_removal(view)
    site = find_site(view, removal.sentences, removal.is_removal, [*removal.removed, *removal.acts])
    context = operative_context(view)
    if not removal.is_removal:
        return Findings(region=site.region, laterality=site.laterality, **context,
                        removal_acts_unlinked=unlinked_removal_acts(view))
    found_indications = indications(view, {i.type for i in removal.implants})
    factors, substantial = complexity(view)
    if not any(i.value == "infection" for i in found_indications):
        # Debridement or a washout is infection work only in a removal done for infection.
        kept = [f for f in factors if f.value != "infection_debridement"]
        trace.dropped_findings("complexity_factors", factors, kept, "debridement_without_infection",
                               "Debridement or a washout is infection work only in a removal done for infection.")
        factors = kept
    status = planned_status(view, found_indications)
    staged = [i for i in found_indications if i.value == "staged_removal"]
    if status.value == "unplanned" and staged:
        # A removal brought forward by a complication is not the staged removal the index operation
        # planned, though the note tells that plan: the complication is why it came out. The plan
        # stays on the planned status for the reviewer (58 or 78 is then a question).
        status = status.model_copy(update={"index_plan": staged[0].evidence[:6]})
        kept_indications = [i for i in found_indications if i.value != "staged_removal"]
        trace.dropped_findings("indications", found_indications, kept_indications, "plan_overtaken",
                               "The removal is unplanned (a complication or an early return): the index plan is not why it came out now.")
        found_indications = kept_indications
    return Findings(
        region=site.region, laterality=site.laterality, **context,
        implants=removal.implants,
        generic_hardware_removed=removal.generic,
        digits=site.digits,
        bones=site.bones,
        indications=found_indications,
        approach=approach(view, removal.sentences),
        planned_status=status,
        complexity_factors=factors,
        substantial_work=substantial,
        spanning_plate=spanning_plate(view),
        same_site_procedures=same_site_procedures(view, site_rays(site, rules)),
    )
