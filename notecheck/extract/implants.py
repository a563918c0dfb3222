"""What was removed in this procedure: each implant mention is linked to the nearest act of its
sentence (removed / placed / left in place), and only an affirmed removal in a removal section
makes it a removed implant. Hardware placed and removed in the same operation is provisional and
does not count; hardware in a history sentence, a plan or a hypothetical never does."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable, Optional

from notecheck import trace
from notecheck.models import Evidence, ImplantFinding
from notecheck.extract.mentions import Mention, MentionIndex, NoteView



@dataclass
class Removal:
    is_removal: bool = False
    removed: list[Mention] = field(default_factory=list)  # removed implant mentions (typed or generic)
    acts: list[Mention] = field(default_factory=list)  # affirmed removal acts that removed something
    sentences: set[int] = field(default_factory=set)
    placed_types: set[str] = field(default_factory=set)
    implants: list[ImplantFinding] = field(default_factory=list)
    generic: list[Evidence] = field(default_factory=list)


def _nearest_act(view: NoteView, implant: Mention, acts: MentionIndex) -> Optional[Mention]:
    """The act an implant mention belongs to: the closest in its sentence, except that a nominal
    act governs what follows its "of" ("removal of the fractured implant and placement of a new
    one": the first implant is removed, the second placed)."""
    link = view.rules.relations.act_implant
    best, best_key = None, None
    for act in acts.around(implant, link.max_gap, link.max_gap):
        if act.sent != implant.sent:
            continue
        gap = implant.gap(act)
        if gap > link.max_gap:
            continue
        governs = (act.end <= implant.start and gap <= link.governing_gap
                   and bool(link.governing.match(view.text[act.end_char: implant.start_char])))
        # An act in an aside the implant is not in comes after every act outside it ("buried K-wire
        # (placed at CRPP 12/2/2024, planned out at 5 wk) removed via 5mm incision").
        # Ties go to the act after the implant ("the K-wire was removed") over one before it.
        key = (0 if governs else 1, 1 if _in_aside(view, implant, act) else 0, gap, 0 if act.start >= implant.end else 1)
        if best_key is None or key < best_key:
            best, best_key = act, key
    return best


def _in_aside(view: NoteView, implant: Mention, act: Mention) -> bool:
    """The act stands in a parenthesis that opens after the implant (or closes before it)."""
    if act.start >= implant.end:
        between = view.text[implant.end_char: act.start_char]
        return between.count("(") > between.count(")")
    between = view.text[act.end_char: implant.start_char]
    return between.count(")") > between.count("(")


def _dated(view: NoteView, act: Mention, dates: dict[int, list[tuple[int, int]]]) -> bool:
    """A date follows the act in its sentence, or heads it ("- 07/09/2024 CRPP L thumb P1", an entry
    of a chronology; "Index 4/8/2025: pinning ...", a dated label). The sentence's dates are found
    once: searching from every act to its sentence's end was quadratic in a long sentence of acts
    (a run-on note)."""
    found = dates.get(act.sent)
    if found is None:
        lo, hi = view.sentence_bounds(act.sent)
        found = dates[act.sent] = [m.span() for m in view.rules.vocabulary.date.finditer(view.text, lo, hi)]
    at = bisect_left(found, (act.end_char, 0))
    if at < len(found):
        return True
    before = bisect_left(found, (act.start_char, 0)) - 1
    if before < 0:
        return False
    # A dated label heads what it dates ("Index 4/8/2025: extension block pinning L long finger").
    end = found[before][1]
    return not view.text[end: act.start_char].strip(" \t:-–") or view.text[end: end + 1] == ":"


def find_removal(view: NoteView) -> Removal:
    types = view.rules.relations.implant_types
    roles = view.rules.sections.roles
    removal_sections = set(roles.removal_sections)
    operative_sections = set(roles.operative_sections)
    removed_hw_sections = set(roles.removed_hardware_sections)
    placed_hw_sections = set(roles.placed_hardware_sections)
    acts = view.of("ACT")
    dates: dict[int, list[tuple[int, int]]] = {}  # per sentence, where its dates are (read once)
    implants = [m for m in view.of("IMPLANT") if not m.has("NEGATED", "OTHER_PERSON")]
    trace.dropped("implants", view.of("IMPLANT"), implants, "not_affirmed", "Negated, or about another person.")
    note_values = {m.value for m in implants}
    before = implants
    # A generic word that needs its type named elsewhere ("the nail was removed" is a fingernail
    # unless the note names an intramedullary nail).
    implants = [m for m in implants if m.value not in types.needs_named or types.needs_named[m.value] in note_values]
    trace.dropped("implants", before, implants, "fingernail",
                  "A generic implant word whose type the note never names (relations.yaml implant_types.needs_named): "
                  "a nail in a note that names no intramedullary nail is a fingernail.")
    before = implants
    if not any(m.label in ("BONE", "DIGIT", "JOINT") for m in view.mentions):
        # A wire, pin or staple in a note about no bone is a guide wire, a staple line, a pin of a
        # retractor: not orthopedic hardware.
        implants = [m for m in implants if m.value not in types.ambiguous_without_bones]
    trace.dropped("implants", before, implants, "no_bone_in_note",
                  "A wire, pin or staple in a note that names no bone, digit or joint is not orthopedic hardware.")
    before = implants
    if any(m.value in types.needs_hand_words for m in implants) and not re.search(view.rules.vocabulary.hand_words_regex, view.text):
        implants = [m for m in implants if m.value not in types.needs_hand_words]
    trace.dropped("implants", before, implants, "no_hand_words",
                  "A spacer in a note without hand words (vocabulary hand_words_regex) is not a joint implant of the hand.")
    out = Removal()

    done_today = set(roles.done_today_sections)
    past = tuple(view.rules.vocabulary.past_act_suffixes)

    def is_removal_act(act: Mention) -> bool:
        if act.value not in types.removal_acts:
            trace.step("implants", act, False, f"act_{act.value}", f"A {act.value} act, not a removal.")
            return False
        if not act.affirmed:
            if view.told_as_done_today(act):
                return True
            trace.step("implants", act, False, "act_not_affirmed", "Not affirmed for this operation.")
            return False
        if act.section in removal_sections or (act.section in done_today and act.told_past(past)):
            return True
        trace.step("implants", act, False, "act_section",
                   f"Section {act.section} is not a removal section (sections.yaml roles.removal_sections)"
                   + (", and the act is not told in the past tense." if act.section in done_today else "."))
        return False

    removed: list[Mention] = []
    placed: list[Mention] = []
    act_index = view.index("ACT", acts)
    for implant in implants:
        act = _nearest_act(view, implant, act_index)
        if act is None:
            if implant.section in removed_hw_sections:
                removed.append(implant)
                trace.step("implants", implant, True, "removed_hardware_section",
                           f"No act in its sentence; listed under {implant.section}, a removed-hardware section.")
            elif implant.section in placed_hw_sections:
                placed.append(implant)
                trace.step("implants", implant, False, "placed_hardware_section",
                           f"No act in its sentence; listed under {implant.section}, a placed-hardware section.")
            else:
                trace.step("implants", implant, False, "no_act",
                           f"No removal or placement act within {view.rules.relations.act_implant.max_gap} tokens in its sentence.")
            continue
        if is_removal_act(act):
            removed.append(implant)
            out.acts.append(act)
            trace.step("implants", implant, True, "removal_act", "Linked to a removal act of this operation.", by=act)
            trace.step("implants", act, True, "removal_act",
                       "A removal act of this operation, with an implant linked to it.")
        elif act.value == "placement" and act.affirmed and act.section in operative_sections:
            # Hardware put in today is told where the operation is; a fixation in the indications
            # ("CRPP ... 20/01/25 (2 x K-wires)") is the index operation, whatever its dating, and
            # so is one dated after it in its sentence ("CRPP with single K-wire 10/06/2024").
            if _dated(view, act, dates):
                trace.step("implants", implant, False, "dated_placement",
                           "Linked to a placement dated to another day: the index fixation's hardware.", by=act)
                continue
            placed.append(implant)
            trace.step("implants", implant, False, "placement_act",
                       "Linked to a placement act: hardware put in, not removed.", by=act)
        else:
            trace.step("implants", implant, False, "act_not_removal",
                       "Its nearest act is not an affirmed removal in an operative section.", by=act)
    removed += _pronoun_objects(view, implants, acts, out, removed, is_removal_act)
    removed += _fragment_objects(view, implants, acts, out, removed, is_removal_act)
    # "HWR", "removal of hardware": an act that names its own object.
    for act in acts:
        if act.value == "removal_and_implant" and is_removal_act(act):
            out.acts.append(act)
            removed.append(act)
            trace.step("implants", act, True, "names_own_object",
                       "A removal act that names its own object (\"HWR\", \"removal of hardware\").")

    out.placed_types = {types.resolve(m.value, note_values) for m in placed}
    operation, words = _operation(view), _SentenceWords(view)
    before = removed
    removed = [m for m in removed if not _provisional(view, m, out.placed_types, note_values, operation, words)]
    trace.dropped("implants", before, removed, "provisional",
                  "Provisional: placed and taken out in this same operation (a fixation title, or the same type placed here).")
    if removed and not any(m.section not in removed_hw_sections for m in removed):
        trace.dropped("implants", removed, [], "specimen_list_only",
                      "Only a removed-hardware list names it; a list alone does not make a removal.")
        removed = []  # a specimen list alone does not make a removal
    if removed and _called_off(view, removed, out.acts, removed_hw_sections, past):
        trace.dropped("implants", removed, [], "cancelled",
                      "The note says the case was called off (vocabulary cancellation_regex) and names the removal "
                      "only as the booked procedure, never as done.")
        removed = []
    out.removed = removed
    out.is_removal = bool(removed)
    out.sentences = {m.sent for m in removed}
    out.implants, out.generic = _implant_findings(view, removed, note_values)
    return out


def _called_off(view: NoteView, removed: list[Mention], acts: list[Mention], removed_hw_sections: set[str],
                past: tuple[str, ...]) -> bool:
    """A cancelled case: the note says so, and its removal is only the booked procedure's name
    ("Scheduled: removal of buried K-wires", "pt here for planned removal of ..."): no act of it is
    told as done ("pulled", "removed") and no implant is listed as removed hardware. Or an addendum
    withdraws the operation told above, template description and all (vocabulary addendum_void_regex:
    "signed in error ... hardware was not removed, procedure abandoned")."""
    void = view.rules.vocabulary.addendum_void
    if void is not None and any(
        void.search(view.text, start, stop) for name, start, _, stop in view.sections
        if name in view.rules.sections.roles.addendum_sections
    ):
        return True  # an addendum withdraws the operation told above ("hardware was not removed, procedure abandoned")
    cue = view.rules.vocabulary.cancellation
    if cue is None or any(m.section in removed_hw_sections for m in removed):
        return False
    if any(a.told_past(past) for a in acts):
        return False  # "removed intact", "backed out whole": told as done
    return cue.search(view.text) is not None


def _pronoun_objects(view: NoteView, implants: list[Mention], acts: list[Mention], out: Removal,
                     removed: list[Mention], is_removal_act: Callable[[Mention], bool]) -> list[Mention]:
    """Hardware a removal names by a pronoun ("Took it out", "removed them"): the last implant of the
    sentence before the act's, when the act's own sentence names none."""
    link = view.rules.relations.act_implant
    pronouns = set(link.pronoun_objects)
    if not pronouns:
        return []
    linked = {id(a) for a in out.acts}
    taken = {(m.start, m.end) for m in removed}
    by_sent: dict[int, list[Mention]] = {}
    for m in implants:
        by_sent.setdefault(m.sent, []).append(m)
    found: list[Mention] = []
    for act in acts:
        if id(act) in linked or act.sent in by_sent or act.sent - 1 not in by_sent:
            continue
        words = view.lower_tokens(act.start, act.end + link.pronoun_after)
        if pronouns.isdisjoint(words) or not is_removal_act(act):
            continue
        target = by_sent[act.sent - 1][-1]
        if (target.start, target.end) in taken:
            continue
        found.append(target)
        out.acts.append(act)
        trace.step("implants", target, True, "pronoun_object", "Named by a pronoun of the removal after it.", by=act)
    return found


def unlinked_removal_acts(view: NoteView) -> list[Evidence]:
    """Affirmed removal acts in the sections where this operation is told (a note found not to be a
    removal holds them only when no hardware it names was linked to them)."""
    types = view.rules.relations.implant_types
    sections = set(view.rules.sections.roles.removal_sections)
    return [a.evidence() for a in view.of("ACT")
            if a.value in types.removal_acts and a.affirmed and a.section in sections][:6]


def _fragment_objects(view: NoteView, implants: list[Mention], acts: list[Mention], out: Removal,
                      removed: list[Mention], is_removal_act: Callable[[Mention], bool]) -> list[Mention]:
    """A piece of broken hardware taken out ("segment removed w/ needle driver"): the last affirmed
    implant of the few sentences before the act's (else of the sentence after it), when the act's
    own sentence names none and the note affirms the hardware broke."""
    link = view.rules.relations.act_implant
    pieces = set(link.fragment_objects)
    if not pieces or removed or not any(
        m.value == "breakage" and m.affirmed for m in view.of("INDICATION")
    ):
        return []
    linked = {id(a) for a in out.acts}
    with_hardware = {m.sent for m in implants}
    for act in acts:
        if id(act) in linked or act.sent in with_hardware:
            continue
        first = act.start
        while first > max(0, act.start - link.fragment_before) and view.token_sent[first - 1] == act.sent:
            first -= 1  # within the act's own sentence
        words = view.lower_tokens(first, act.end + link.fragment_after)
        if pieces.isdisjoint(words) or not is_removal_act(act):
            continue
        lookback = act.sent - link.fragment_lookback_sentences
        near = [m for m in implants if lookback <= m.sent <= act.sent + 1 and m.affirmed]
        earlier = [m for m in near if m.sent < act.sent]
        if not near:
            continue
        # The hardware named last before, else the sentence after that says what the piece was
        # ("... grasped and removed. It measured 7 mm and was a K-wire segment").
        target = earlier[-1] if earlier else near[0]
        out.acts.append(act)
        trace.step("implants", target, True, "fragment_object",
                   "A piece of this broken hardware is what the removal after it took out.", by=act)
        return [target]
    return []


@dataclass(frozen=True)
class _Operation:
    """What the note's title and acts say about the whole operation, read once per note."""
    placement_primary: bool  # the title names a fixation and no removal
    named_removal: bool  # "HWR", "removal of hardware", or a removal in the title


def _operation(view: NoteView) -> _Operation:
    types = view.rules.relations.implant_types
    titles = set(view.rules.sections.roles.title_sections)
    title_acts = [a for a in view.of("ACT") if a.section in titles and a.affirmed]
    title_removal = any(a.value in types.removal_acts for a in title_acts)
    return _Operation(
        placement_primary=bool(title_acts) and not title_removal,
        named_removal=title_removal or any(a.value == "removal_and_implant" and a.affirmed for a in view.of("ACT")),
    )


class _SentenceWords:
    """Whether a sentence says one of a word list, computed once per (sentence, list)."""

    def __init__(self, view: NoteView) -> None:
        self.view = view
        self._seen: dict[tuple[int, str], bool] = {}

    def says(self, sent: int, name: str, words: Optional[re.Pattern[str]]) -> bool:
        """`words`: the list as one compiled regex (built at rule load), None for an empty list."""
        key = (sent, name)
        if key not in self._seen:
            sentence = self.view.sentence_text(sent).lower()
            self._seen[key] = words is not None and words.search(sentence) is not None
        return self._seen[key]


def _provisional(view: NoteView, mention: Mention, placed_types: set[str], note_values: set[str],
                 operation: _Operation, words: _SentenceWords) -> bool:
    """Hardware placed and taken out in this operation. In a note whose title is a fixation, any
    hardware removed is provisional unless the note calls it old (a revision); elsewhere it is
    provisional when the same type was placed in this operation and the sentence says so."""
    types = view.rules.relations.implant_types
    vocab = view.rules.vocabulary
    old = words.says(mention.sent, "old", vocab.word_regex("old_hardware_words"))
    if operation.placement_primary:
        return not old
    if not old and words.says(mention.sent, "provisional", vocab.word_regex("provisional_words")):
        return True  # "The provisional K-wire was removed once the plate was on"
    kind = types.resolve(mention.value, note_values) if mention.label == "IMPLANT" else types.untyped
    if not placed_types or (kind not in placed_types and kind != types.untyped):
        return False  # nothing was placed here ("no k-wire placed"), or not this kind
    # The same kind was placed in this operation and nothing names a removal procedure ("HWR",
    # "removal of hardware", a removal in the title): wires that held an osteotomy while screws
    # went in, then came out.
    return not operation.named_removal and not old


def _count(view: NoteView, mention: Mention) -> Optional[int]:
    counts = view.rules.relations.counts
    vocab = view.rules.vocabulary
    skip = set(vocab.count_skip_words)
    first = mention.start
    # Never look back past the sentence start ("3. The tension band wire" is item 3, not 3 wires).
    while first > max(0, mention.start - counts.lookback) and view.token_sent[first - 1] == mention.sent:
        first -= 1
    for token in reversed(view.lower_tokens(first, mention.start)):
        if token in vocab.numbers:
            return vocab.numbers[token]
        if token.isdigit() and 0 < int(token) < counts.bare_number_below:
            return int(token)
        if token in skip or counts.size.fullmatch(token):
            continue
        break
    tail = view.text[mention.end_char: mention.end_char + counts.suffix_chars]
    m = re.match(vocab.count_suffix_regex, tail)
    if m:
        return int(next(g for g in m.groups() if g))
    return None


def _is_plural(view: NoteView, mention: Mention) -> bool:
    word = mention.text.lower().rstrip(".")
    return word.endswith("s") and not word.endswith(tuple(view.rules.relations.counts.singular_endings))


def _implant_findings(view: NoteView, removed: list[Mention], note_values: set[str]) -> tuple[list[ImplantFinding], list[Evidence]]:
    types = view.rules.relations.implant_types
    by_type: dict[str, list[Mention]] = {}
    generic: list[Evidence] = []
    for m in removed:
        if m.label != "IMPLANT" or m.value == types.untyped:
            generic.append(m.evidence())
            continue
        by_type.setdefault(types.resolve(m.value, note_values), []).append(m)
    findings = []
    for kind, mentions in by_type.items():
        counted = _counted_mentions(view, kind, mentions, note_values)
        count = _total_count(view, mentions, counted)
        if count is None and not any(_is_plural(view, m) for m in counted):
            count = 1
        findings.append(ImplantFinding(type=kind, count=count, evidence=[m.evidence() for m in mentions]))
    findings.sort(key=lambda f: f.evidence[0].start)
    return findings, generic


def _counted_mentions(view: NoteView, kind: str, removed: list[Mention], note_values: set[str]) -> list[Mention]:
    """Mentions of this type that state how many came out: the removed ones, and those in a
    sentence that accounts for the hardware ("Both wires intact on inspection")."""
    types = view.rules.relations.implant_types
    accounted = {m.sent for m in view.of("ACCOUNTED") if m.affirmed}
    out = list(removed)
    taken = {id(m) for m in out}
    for m in view.of("IMPLANT"):
        if m.sent in accounted and id(m) not in taken and not m.has("NEGATED", "OTHER_PERSON", "HISTORICAL"):
            if types.resolve(m.value, note_values) == kind:
                out.append(m)
    # "four plate screws": the plate word qualifies the screws and counts nothing itself.
    implant_starts = {o.start for o in view.of("IMPLANT")}
    return [m for m in out if not (m.value == "plate" and m.end in implant_starts)]


def _site_of(view: NoteView, mention: Mention) -> Optional[str]:
    """The finger a counted mention is about: the closest one in its sentence, else the last one
    named in the two sentences before it in the same section ("RF: incision ... Both KW removed").
    (Metacarpals are not keyed: the title and the description name the same one in different
    words, so sums would double.)"""
    digits = view.index("DIGIT:not_negated", (a for a in view.of("DIGIT") if not a.has("NEGATED")))
    closest = digits.nearest(mention)
    if closest is not None:
        return closest.value
    for back in range(1, view.rules.relations.counts.site_sentences_before + 1):
        sent = mention.sent - back
        before = [a for a in digits.in_sentence(sent) if a.section == mention.section]
        if before:
            return before[-1].value
    return None


def _total_count(view: NoteView, removed: list[Mention], counted: list[Mention]) -> Optional[int]:
    """Largest count stated per site, summed over sites ("2 K-wires from the RF P1, 1 from the
    SF P1" -> 3); a count with no site beside it stands for the whole removal."""
    counts = view.rules.relations.counts
    per_site: dict[Optional[str], int] = {}
    removed_ids = {id(m) for m in removed}
    for m in counted:
        c = _count(view, m)
        if c is None and id(m) in removed_ids and not _is_plural(view, m) and _site_of(view, m) is not None:
            c = 1  # "SF: ... kwire removed intact": one, at that finger
        if c is None:
            continue
        if counts.each.match(view.text[m.end_char: m.end_char + counts.each_chars]):
            # "KW x2 each" across the fingers the sentence names
            fingers = {d.value for d in view.index("DIGIT", view.of("DIGIT")).in_sentence(m.sent)}
            c *= max(1, len(fingers))
        site = _site_of(view, m)
        per_site[site] = max(per_site.get(site, 0), c)
    if not per_site:
        return None
    sited = sum(v for k, v in per_site.items() if k is not None)
    return max(sited, per_site.get(None, 0))


def spanning_plate(view: NoteView) -> list[Evidence]:
    """Plates the note names as spanning the wrist ("dorsal spanning (bridge) plate", "distraction
    plate"), wherever it names them but negated or about another person: the removal's plate is
    the index operation's, told in the history as often as in the procedure."""
    words = tuple(view.rules.vocabulary.spanning_plate_words)
    if not words:
        return []
    return [
        m.evidence() for m in view.of("IMPLANT")
        if m.value == "plate" and not m.has("NEGATED", "OTHER_PERSON") and any(w in m.text.lower() for w in words)
    ]
