"""Why and how: indications, approach, planned status, complexity, and the operative context
(anesthesia, setting, hardware accounted for, closure, depth, same-site procedures)."""
from __future__ import annotations

import re
from typing import Optional

from notecheck import trace
from notecheck.models import ApproachFinding, Evidence, PlannedStatusFinding, ValueFinding
from notecheck.extract.mentions import Mention, NoteView
from notecheck.extract.rays import metacarpal_rays


def _grouped(mentions: list[Mention], order: list[str] | None = None) -> list[ValueFinding]:
    out: dict[str, ValueFinding] = {}
    for m in mentions:
        out.setdefault(m.value, ValueFinding(value=m.value)).evidence.append(m.evidence())
    items = list(out.values())
    if order:
        items.sort(key=lambda f: order.index(f.value) if f.value in order else len(order))
    return items


def indications(view: NoteView, removed_types: set[str]) -> list[ValueFinding]:
    """Indications as the note states them before the operation (indications, diagnoses,
    history); a note that states none there is read in its description too."""
    sections = set(view.rules.sections.roles.indication_sections)
    # A staged removal is by nature told about the index surgery ("at the index procedure the plan
    # was to remove them"): history and future cues do not cancel it, negation still does.
    # A plan told with its date ("we would take them out at 6 weeks", vocabulary staged_plan_rules)
    # is a plan even in the conditional.
    # Not one offered as an option ("consider hardware removal in 4-6 wks if sx persist").
    told = set(view.rules.vocabulary.staged_plan_rules)
    option = view.rules.vocabulary.word_regex("staged_option_words")

    def a_plan(m: Mention) -> bool:
        return m.rule in told and (option is None or option.search(view.sentence_text(m.sent).lower()) is None)

    usable = [
        m for m in view.of("INDICATION")
        if m.affirmed or (m.value == "staged_removal" and not m.has("NEGATED", "OTHER_PERSON")
                          and (not m.has("HYPOTHETICAL") or a_plan(m)))
    ]
    trace.dropped("indications", view.of("INDICATION"), usable, "not_affirmed",
                  "Not affirmed for this patient and this removal.")
    fallback = set(view.rules.sections.roles.indication_fallback_sections)
    anywhere = set(view.rules.vocabulary.indications_read_anywhere)
    # Unheaded text before the operation's description is the pre-operative story (an HPI
    # written under the title lines), as good as an indications section.
    operation = view.rules.sections.operation_section
    first_description = min((s[1] for s in view.sections if s[0] == operation), default=None)

    def preoperative(m: Mention) -> bool:
        return m.section in sections or (
            m.section == "body" and first_description is not None and m.start_char < first_description
        )

    found = [m for m in usable if preoperative(m)]
    unspecific = set(view.rules.vocabulary.unspecific_indications)
    if not any(m.value == "staged_removal" for m in usable):
        unspecific |= set(view.rules.vocabulary.when_not_why_indications)
    if all(m.value in unspecific for m in found):
        # Nothing stated before the operation: the story says why, catch-all included. Only a
        # catch-all stated there: the story may still name the reason.
        none_before = not found
        found += [m for m in usable if m.section in fallback and (none_before or m.value not in unspecific)]
    chosen = {id(m) for m in found}
    # The index operation's plan is history by nature: a staged removal told in the past history
    # ("PSH: ... At CRPP (7/7/2025) we planned wire removal at ~4 wks") is read there too.
    history = set(view.rules.sections.roles.history_sections)
    # So is one a clinic note's plan records as done, in the sentence of the removal told as done
    # ("P: pins pulled in clinic today as planned"); read only when a plan section holds a staged cue.
    plan = set(view.rules.sections.roles.plan_sections)
    done_sents = _done_in_plan(view, plan) if any(
        m.value == "staged_removal" and m.section in plan for m in usable) else set()
    overtaken_tokens = {i for p in view.of("PLANNING") if p.value == "unplanned_return" for i in range(p.start, p.end)}
    found += [
        m for m in usable
        if m.value in anywhere and id(m) not in chosen
        and (m.section in fallback or (m.value == "staged_removal" and (
            m.section in history or m.rule in told
            or (m.section in plan and m.sent in done_sents and overtaken_tokens.isdisjoint(range(m.start, m.end))
                and not any(c.isdigit() for c in m.text)))))  # "out at 5 wks as planned" is still ahead
    ]
    trace.dropped("indications", usable, found, "not_preoperative",
                  "Not in an indication section (sections.yaml roles.indication_sections) while the note states indications there.")
    before = found
    design = [m for m in view.of("DESIGN") if m.affirmed]
    if design:
        # Pins left out of the skin on purpose ("left protruding through the skin, bent and
        # capped") are exposed and protruding by design: neither is a complication.
        design_sents = {m.sent for m in design}
        found = [m for m in found if m.value != "exposure" and not (m.value == "prominence" and m.sent in design_sents)]
    trace.dropped("indications", before, found, "by_design",
                  "Hardware left out of the skin on purpose is exposed or prominent by design.")
    before = found
    risks = set(view.rules.vocabulary.consent_risk_indications)
    found = [m for m in found if not (m.has("CONSENT") and m.value in risks)]
    trace.dropped("indications", before, found, "consent_risk",
                  "A risk named in the consent discussion, not a reason for this removal.")
    before = found
    found = [m for m in found if m.value != "staged_removal" or _about_removed(view, m, removed_types)]
    trace.dropped("indications", before, found, "other_hardware",
                  "The staged-removal cue is about other hardware than the hardware removed.")
    grouped = all_grouped = _grouped(found)
    if any(g.value not in anywhere and g.value != "other" for g in grouped):
        # "other" ("symptomatic hardware") is the catch-all: it stands only when no specific
        # complaint does (a healed fracture or a plan says when, not why).
        grouped = [g for g in grouped if g.value != "other"]
    if set(view.rules.vocabulary.wish_yields_to) & {g.value for g in grouped}:
        grouped = [g for g in grouped if g.value != "patient_request"]
    trace.dropped_findings("indications", all_grouped, grouped, "yields",
                           "A catch-all (\"other\") or the patient's wish yields to a specific indication (vocabulary wish_yields_to).")
    return grouped


def _done_in_plan(view: NoteView, plan: set[str]) -> set[int]:
    """Sentences of plan sections that tell a removal as done now (a past participle, and today or no
    word that puts it later)."""
    vocab = view.rules.vocabulary
    past = tuple(vocab.past_act_suffixes)
    today, future = vocab.word_regex("today_words"), vocab.word_regex("plan_future_words")
    removal_acts = set(view.rules.relations.implant_types.removal_acts)

    def now(sent: int) -> bool:
        sentence = view.sentence_text(sent).lower()
        return (today is not None and today.search(sentence) is not None) or (future is not None and future.search(sentence) is None)

    return {a.sent for a in view.of("ACT") if a.section in plan and a.value in removal_acts
            and not a.has("NEGATED", "HYPOTHETICAL") and a.told_past(past)
            and now(a.sent)}


def _about_removed(view: NoteView, mention: Mention, removed_types: set[str]) -> bool:
    """A staged-removal cue counts for this removal unless its sentence is about other hardware
    ("a temporary K-wire was pulled at 4 weeks" in a note removing screws)."""
    implants = view.of("IMPLANT")
    note_values = {m.value for m in implants}
    in_sentence = view.index("IMPLANT", implants).in_sentence(mention.sent)
    types = view.rules.relations.implant_types
    here = {kind for m in in_sentence if m.value != types.untyped
            for kind in types.family(types.resolve(m.value, note_values))}
    return not here or not removed_types or bool(here & removed_types)


def approach(view: NoteView, removal_sentences: set[int]) -> ApproachFinding:
    roles = view.rules.sections.roles
    plans = set(roles.plan_sections)

    def done_with_removal(m: Mention) -> bool:
        # A plan section that records today's work ("P: Digital block. 4 mm incision over the wire
        # end, wire removed intact"): the way in told beside a removal done today was taken today.
        return m.section in plans and m.sent in removal_sentences and m.mods <= {"FUTURE"}

    affirmed = [m for m in view.of("APPROACH") if m.affirmed or done_with_removal(m)]
    trace.dropped("approach", view.of("APPROACH"), affirmed, "not_affirmed", "Not affirmed for this operation.")
    # Under an unrecognised heading the operation may sit in any removal section.
    usable = [m for m in affirmed if m.section in roles.operative_sections] or [
        m for m in affirmed if (m.section in roles.removal_sections or m.section in plans) and m.sent in removal_sentences
    ]
    trace.dropped("approach", affirmed, usable, "not_operative",
                  "Not in an operative section (sections.yaml roles.operative_sections), nor in a removal sentence.")
    if not usable:
        return ApproachFinding()
    values = {m.value for m in usable}
    incision = "incision" in values
    if "percutaneous" in values:
        kind = "percutaneous"
    elif incision or "open" in values:
        kind = "open"
    else:
        kind = "percutaneous"
    return ApproachFinding(
        documented=True, type=kind, incision_documented=incision,
        evidence=[m.evidence() for m in usable][:8],
    )


def planned_status(view: NoteView, found: list[ValueFinding]) -> PlannedStatusFinding:
    by_value = {f.value: f for f in found}
    overtaken_rules = set(view.rules.vocabulary.plan_overtaken_rules)
    overtaken = [m for m in view.of("PLANNING") if m.affirmed and m.rule in overtaken_rules]
    if overtaken and "staged_removal" in by_value:
        trace.decided("planned_status", "plan_overtaken",
                      "The index plan is told, and so is the removal coming before it (procedure.yaml plan.overtaken).",
                      overtaken)
        return PlannedStatusFinding(value="unplanned", evidence=[m.evidence() for m in overtaken][:6])
    complications = [by_value[c] for c in view.rules.vocabulary.complication_indications if c in by_value]
    if complications and "staged_removal" in by_value:
        # A removal planned at the index stays planned when the complication is only told in the
        # history (a wound infection at 2 weeks, since settled) or met during the operation (a
        # wire found broken): only one stated as a pre-operative reason, or an early return,
        # makes it unplanned.
        roles = view.rules.sections.roles
        told_or_met = set(roles.history_sections) | set(roles.operative_sections)
        early = [m for m in view.of("PLANNING") if m.affirmed and m.value == "unplanned_return"]
        kept = view.rules.vocabulary.word_regex("plan_kept_words")
        if not early and kept is not None and kept.search(view.text.lower()) is not None:
            _planned_why("planned_on_schedule", "Staged removal stated, and the note says it keeps to its schedule "
                         "despite the complication (vocabulary plan_kept_words).", by_value["staged_removal"])
            return PlannedStatusFinding(value="planned", evidence=by_value["staged_removal"].evidence[:6])
        if not early and all(e.section in told_or_met for f in complications for e in f.evidence) \
                and not _complication_today(view, {f.value for f in complications}):
            _planned_why("planned_despite_complication", "Staged removal stated; the complications "
                         f"({', '.join(f.value for f in complications)}) are only told in the history or met during the operation.",
                         by_value["staged_removal"])
            return PlannedStatusFinding(value="planned", evidence=by_value["staged_removal"].evidence[:6])
    if complications:
        _planned_why("complication", "A complication indication (vocabulary complication_indications): "
                     f"{', '.join(f.value for f in complications)}.", *complications)
        return PlannedStatusFinding(value="unplanned", evidence=[e for f in complications for e in f.evidence][:6])
    if "staged_removal" in by_value:
        _planned_why("staged_removal", "The removal was planned at the index surgery (staged removal).", by_value["staged_removal"])
        return PlannedStatusFinding(value="planned", evidence=by_value["staged_removal"].evidence[:6])
    returns = [m for m in view.of("PLANNING") if m.affirmed and m.value == "unplanned_return"]
    if returns:
        trace.decided("planned_status", "unplanned_return",
                      "An unplanned return to the operating room is stated.", returns)
        return PlannedStatusFinding(value="unplanned", evidence=[m.evidence() for m in returns][:6])
    trace.decided("planned_status", "not_stated",
                  "Neither a staged removal, a complication nor an unplanned return is stated.")
    return PlannedStatusFinding()


def _complication_today(view: NoteView, values: set[str]) -> bool:
    """A complication the note says is present today ("Today: purulence + erythema around both pin
    sites ... Pins pulled"): the reason for this visit's removal, not one met while doing it."""
    today = view.rules.vocabulary.word_regex("today_words")
    if today is None:
        return False
    # Told before the removal, in a sentence of its own: one that names an act ("the pins came out
    # today", "Fixator removed today: bar connectors loosened") or follows the removal ("today 62
    # minutes because of the broken wire") tells the operation, not its reason.
    removal_acts = view.rules.relations.implant_types.removal_acts
    plans = {m.sent for m in view.of("INDICATION") if m.value == "staged_removal"}  # "Planned to pull at 4 wks"
    done = [a.sent for a in view.of("ACT") if a.value in removal_acts and a.affirmed and a.sent not in plans]
    with_acts = {a.sent for a in view.of("ACT")}
    if not done:
        return False
    history = set(view.rules.sections.roles.history_sections)
    first = min(done)
    return any(m.sent < first and m.sent not in with_acts and today.search(view.sentence_text(m.sent).lower()) is not None
               for m in view.of("INDICATION") if m.value in values and m.affirmed and m.section not in history)


def _planned_why(reason: str, detail: str, *findings: ValueFinding) -> None:
    """Record a planned-status branch with the indication evidence it rests on (--explain)."""
    trace.decided_evidence("planned_status", reason, detail, [e for f in findings for e in f.evidence])


def complexity(view: NoteView) -> tuple[list[ValueFinding], list[Evidence]]:
    roles = view.rules.sections.roles
    sections = set(roles.operative_sections)
    usable = [m for m in view.of("COMPLEXITY") if m.affirmed and not m.has("NO_EFFECT", "CONSENT") and m.section in sections]
    trace.dropped("complexity_factors", view.of("COMPLEXITY"), usable, "not_usable",
                  "Not affirmed, said to have had no effect, a consent risk, or outside the operative sections.")
    # A statement of substantially greater work says more than a count of minutes: the "extra" of
    # "took about 10 extra minutes" is the extra time, not a statement that it was hard ("took
    # substantially longer" is one).
    factor_tokens = {i for m in usable if any(c.isdigit() for c in m.text) for i in range(m.start, m.end)}
    substantial = [m.evidence() for m in view.of("SUBSTANTIAL") if m.affirmed and not m.has("NO_EFFECT") and m.section in sections
                   and factor_tokens.isdisjoint(range(m.start, m.end))]
    factors = _grouped(usable)
    if len(factors) > 1:
        # "Difficult removal - dense scar, plate very adherent": the general word says no more than
        # the specific factors beside it, and is no second factor of its own.
        kept = [f for f in factors if f.value != "other"]
        trace.dropped_findings("complexity_factors", factors, kept, "other_beside_specific",
                               "A general difficulty beside specific factors is no factor of its own.")
        factors = kept
    return factors, substantial


def operative_context(view: NoteView) -> dict[str, list]:
    roles = view.rules.sections.roles
    operative = tuple(roles.operative_context_sections)

    def affirmed(label: str, sections: tuple[str, ...] = operative) -> list[Mention]:
        return [m for m in view.of(label) if m.affirmed and m.section in sections]

    depth = affirmed("DEPTH")
    anesthesia = affirmed("ANESTHESIA")
    # An addendum that corrects the anaesthetic ("Correction: NO digital block or other anesthesia
    # was given - the exposed K-wires were simply pulled in the exam room") overrides the body's.
    corrected = [m for m in affirmed("ANESTHESIA", tuple(roles.addendum_sections)) if m.value == "no_anesthesia"]
    if corrected:
        trace.dropped("anesthesia", anesthesia + corrected, corrected, "addendum_correction",
                      "An addendum states that no anaesthetic was given.")
        anesthesia = corrected
    return {
        "anesthesia": _grouped(anesthesia),
        "setting": _grouped(affirmed("SETTING", tuple(roles.setting_sections))),
        "hardware_accounted": [m.evidence() for m in affirmed("ACCOUNTED")],
        "closure": [m.evidence() for m in depth if m.value == "closure"],
        "depth": _grouped([m for m in depth if m.value != "closure"]),
    }


def same_site_procedures(view: NoteView, removal_rays: frozenset[int] = frozenset()) -> list[ValueFinding]:
    """Procedures done with the removal at its site (fusion, revision, amputation, ...). In the
    title they count as written; in the description only beside an act of fixation, because
    "the fusion is solid" describes the past, not this operation. A procedure whose own sentence
    names only other rays than the removal's ("1. Amputation, left small finger ... 2. Removal of
    K-wires, left ring finger P1") is done elsewhere on the hand: the removal is not part of it."""
    roles = view.rules.sections.roles
    titles = set(roles.title_sections)
    found = []
    procs = view.rules.relations.procedures
    gap = procs.fixation_gap
    placements = view.index("ACT:placement", (m for m in view.of("ACT") if m.value == "placement" and m.affirmed))
    # Read only in a note that names such a procedure (each reads the whole text).
    named = {m.value for m in view.of("PROC")}
    fused_now = set(procs.fused_today_values)
    healed_fusion = "fusion" in named and _healed_fusion(view)
    # "fused 20 deg w/ 2 K-wires + tension band": the note tells its fusion done today.
    fused_rx = view.rules.vocabulary.fused_today
    fused_today = bool(named & fused_now) and fused_rx is not None and fused_rx.search(view.text) is not None
    today = view.rules.vocabulary.word_regex("today_words")
    part_of = view.rules.vocabulary.word_regex("part_of_words")
    with_removal = view.rules.vocabulary.word_regex("with_removal_words")
    past = tuple(view.rules.vocabulary.past_act_suffixes)
    # "Removal of silicone PIP arthroplasty implant", "the IP fusion screw": a procedure word in the
    # implant's name names the implant taken out, not an operation done today ("silicone implant
    # arthroplasty", whose procedure word lies past the implant, is one).
    implant_spans = [(i.start, i.end) for i in view.of("IMPLANT")]
    sentence_rays: Optional[dict[int, set[int]]] = None  # read once, when a procedure needs it
    for m in view.of("PROC"):
        # "risks ... need for further surgery, and amputation in the worst case" names no procedure
        # of today.
        if not (m.affirmed and m.section in roles.removal_sections or view.told_as_done_today(m)) or m.has("CONSENT"):
            continue
        if any(start <= m.end - 1 < end for start, end in implant_spans):  # its procedure word inside the implant's name
            continue
        if m.value == "fusion" and (healed_fusion or _beside_healed(view, m)):
            continue
        beside_fixation = any(p.gap(m) <= gap for p in placements.around(m, gap, gap))
        # "we did a fusion today through a dorsal H incision": the sentence dates it to this visit.
        said_today = today is not None and today.search(view.sentence_text(m.sent).lower()) is not None
        # "nonunion debrided", "re-pinned", "fused with a headless screw": told as done, like an
        # act of this operation.
        told_done = m.told_past(past)
        # "... removed through the same incision as part of the wrist arthrodesis": a step of it.
        step_of = part_of is not None and part_of.search(view.text[max(0, m.start_char - procs.part_of_chars): m.start_char].lower()) is not None
        if not step_of and with_removal is not None:
            # "... amputation left small finger ... with removal of the two k-wires": it names the removal as its step.
            after = view.text[m.end_char: min(m.end_char + procs.with_removal_chars, view.sentence_end(m.sent))].lower()
            step_of = with_removal.search(after) is not None
        if removal_rays:
            if sentence_rays is None:
                sentence_rays = _rays_by_sentence(view)
            own = sentence_rays.get(m.sent)
            if own and own.isdisjoint(removal_rays):
                continue
        # A document's first line, when it is a title naming the procedure before the removal ("RIGHT INDEX
        # FINGER PIP JOINT ARTHRODESIS WITH REMOVAL OF PRIOR HARDWARE"), headed or not; not "removal of
        # K-wires, right little finger DIP arthrodesis" (the old fusion names the site) nor a sentence.
        title_line = m.section == "body" and _first_line_title(view, m)
        if m.section in titles or title_line or m.value in procs.always_same_site or beside_fixation or said_today \
                or told_done or step_of or (m.value in fused_now and fused_today):
            found.append(m)
    return _grouped(found)


_LEADING_BLANKS = re.compile(r"\s*")
_SENTENCE_BREAK = re.compile(r"[.!?;]\s")


def _first_line_title(view: NoteView, proc: Mention) -> bool:
    """`proc` is on the note's first line (in a note run together on one line, the text before its
    first header, when no longer than a title: sections.yaml long_title_chars), the line is a title
    rather than a sentence (no sentence break in it, but for one before a trailing date: "... DIP
    arthrodesis. 13 April 2024"), and no act comes before the procedure on it."""
    text = view.text
    start = _LEADING_BLANKS.match(text).end()
    end = text.find("\n", start)
    if end < 0 and len(view.sections) > 1 and view.sections[0][0] == "body" and \
            view.sections[0][3] - start <= view.rules.sections.long_title_chars:
        # A note run together on one line: its title runs up to the first header ("OP REPORT -- DIP
        # ARTHRODESIS, L LONG FINGER Date: 09/23/2025 Surgeon: ...").
        end = view.sections[0][3]
    if end < 0 or not start <= proc.start_char < end:
        return False
    line = text[start:end]
    if _SENTENCE_BREAK.search(line + " ") and not line.rstrip().endswith(tuple("0123456789")):
        return False
    return not any(a.start_char < proc.start_char for a in view.of("ACT") if start <= a.start_char < end)


def _rays_by_sentence(view: NoteView) -> dict[int, set[int]]:
    """The rays each sentence names: its fingers, and the metacarpals it numbers (one pass)."""
    digit_rays = view.rules.vocabulary.digit_rays
    rays: dict[int, set[int]] = {}
    for m in view.of("DIGIT", "BONE"):
        if m.has("NEGATED"):
            continue
        if m.label == "DIGIT":
            rays.setdefault(m.sent, set()).add(digit_rays[m.value])
        elif m.value == "metacarpal":
            rays.setdefault(m.sent, set()).update(metacarpal_rays(view, m))
    return rays


def _healed_fusion(view: NoteView) -> bool:
    """The note affirms that a fusion is solid ("Fusion solid", "arthrodesis has united", "IP joint
    fused"). Not "fused 40 deg w/ tension band" (today's arthrodesis) nor "wants it fused" (a wish):
    vocabulary fused_today_regex, fusion_wish_regex."""
    vocab = view.rules.vocabulary
    words = vocab.fusion_words
    told = [m.span() for rx in (vocab.fused_today, vocab.fusion_wish) if rx is not None for m in rx.finditer(view.text)]
    return any(
        m.value == "fracture_healed" and m.affirmed and words.search(view.sentence_text(m.sent))
        and not any(start <= m.start_char and m.end_char <= end for start, end in told)
        for m in view.of("INDICATION")
    )


def _beside_healed(view: NoteView, proc: Mention) -> bool:
    """"PIPJ arthrodesis (fused)": a healed-state cue right beside the procedure word."""
    window = view.rules.vocabulary.healed_state_window
    healed = view.index("INDICATION:healed", (m for m in view.of("INDICATION") if m.value == "fracture_healed" and m.affirmed))
    return any(h.gap(proc) <= window for h in healed.around(proc, window, window))
