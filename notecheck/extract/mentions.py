"""A Doc read once into plain mentions: label, value, rule, offsets, section, sentence and the
ConText categories that modify it. This is the only module of the engine that touches spaCy."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Iterable, NamedTuple, Optional

from spacy.tokens import Doc

from notecheck import trace
from notecheck.models import Evidence
from notecheck.rules import RuleSet
from pipelines.extensions import ENCOUNTER_KEY, SECTIONS, SPAN_MODIFIERS, SPANS_KEY, doc_text, lower_text, original_text
from pipelines.lines import enclosing_parentheses
from pipelines.target_matcher import sentence_ids
from pipelines.timeline import parse_date

# A mention with any of these is not affirmed for this patient in this procedure.
NOT_AFFIRMED = frozenset({"NEGATED", "HYPOTHETICAL", "HISTORICAL", "FUTURE", "OTHER_PERSON"})
_NO_MODS: frozenset[str] = frozenset()
_PAST_LABELS = frozenset({"ACT", "PROC", "APPROACH", "ANESTHESIA", "SETTING", "COMPLEXITY", "ACCOUNTED", "DEPTH"})


class Mention(NamedTuple):
    """Immutable, compared and hashed by value like the frozen dataclass it replaced; a tuple
    because ~75 are made per note and a frozen dataclass's __init__ (one object.__setattr__ per
    field) cost ~10x a tuple's (~0.3 ms a note)."""

    label: str
    value: str
    rule: str
    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    section: str
    sent: int
    mods: frozenset[str]

    @property
    def affirmed(self) -> bool:
        return not (self.mods & NOT_AFFIRMED)

    def has(self, *categories: str) -> bool:
        return not self.mods.isdisjoint(categories)

    def evidence(self) -> Evidence:
        return Evidence(text=self.text, start=self.start_char, end=self.end_char, section=self.section)

    def told_past(self, suffixes: tuple[str, ...]) -> bool:
        """A word of the mention ends as a past act does ("removed intact", "pulled", "re-pinned");
        `suffixes`: vocabulary.yaml past_act_suffixes."""
        return any(word.endswith(suffixes) for word in self.text.lower().split())

    def gap(self, other: "Mention") -> int:
        """Tokens between two mentions (0 when adjacent or overlapping)."""
        if other.start >= self.end:
            return other.start - self.end
        if self.start >= other.end:
            return self.start - other.end
        return 0


class NoteView:
    def __init__(self, doc: Doc, rules: RuleSet) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.rules = rules
        roles = rules.sections.roles
        self.sections: list[tuple[str, int, int, int]] = list(doc._.get(SECTIONS) or [("body", 0, 0, len(self.text))])
        # An addendum that says it corrects the history ("Correction to history: the 2019 plate is in
        # the LEFT radius. No change to the procedure.") is history, not a correction of this operation.
        corrects_history = rules.vocabulary.word_regex("history_correction_cues")
        if roles.history_sections:
            self.sections = _relabel(self.sections, self.text, set(roles.addendum_sections), corrects_history,
                                     roles.history_sections[0])
        # A plan that records the operation as done ("P: Discussed leaving it - pt declines. Done today
        # in office proc rm: - dig block ... - 4mm incision ... wire pulled") is the operation's account.
        self.sections = _relabel(self.sections, self.text, set(roles.plan_sections),
                                 rules.vocabulary.word_regex("plan_done_today_cues"), rules.sections.operation_section)
        self._section_starts = [s[1] for s in self.sections]
        # A list: indexing a numpy array one token at a time costs ~10x a list's.
        sent: list[int] = sentence_ids(doc).tolist() if len(doc) else []
        self.token_sent = sent
        self._sentence_chars: Optional[dict[int, tuple[int, int]]] = None
        # What ConText found, looked up by span identity as doc._.nc_modifiers does, without
        # building that per-span list first (one pass over the span group, not two).
        found = {tuple(r[:5]): r[5] for r in doc._.get(SPAN_MODIFIERS) or ()}
        encounter: Optional[tuple[int, int, int]] = doc.user_data.get(ENCOUNTER_KEY)
        history, plan, other = set(roles.history_sections), set(roles.plan_sections), set(roles.other_person_sections)
        mentions = []
        text = self.text
        quoted = original_text(doc)  # evidence is the note as written, wrapped lines and all
        starts, sections = self._section_starts, self.sections
        # Text the note marks as copied from an earlier note ("*** copied forward from op note of 3/4/2025
        # - for reference *** ... *** end of copied text ***") tells that day, not this one.
        copied = rules.vocabulary.copied_block
        # Its anchor first (one substring test of the lower-cased text every component shares): the
        # regex, tried at every position of every note, cost ~4 % of a check.
        anchors = rules.vocabulary.copied_block_anchors
        lowered = lower_text(text) if anchors else ""
        marked = copied is not None and (not anchors or any(a in lowered for a in anchors))
        blocks = [m.span() for m in copied.finditer(text)] if marked else []
        blocks += _disowned_lines(rules, text, lowered if anchors else lower_text(text))
        for span in doc.spans.get(SPANS_KEY, []):
            start_char, end_char = span.start_char, span.end_char
            label, rule = span.label_, span.id_
            k = bisect_right(starts, start_char) - 1
            # Words of a header ("Implants removed:") are not findings; its parenthesis holds the
            # section's facts ("Procedure (clinic exam room, no anesthesia):").
            if k >= 0 and start_char < sections[k][2] and enclosing_parentheses(text, start_char, end_char, sections[k][1], sections[k][2]) is None:
                trace.header_words((label, rule, start_char, end_char))
                continue
            section = sections[k][0] if k >= 0 else "body"
            value = span.kb_id_
            triggers = found.get((label, value, rule, start_char, end_char))
            mods = {t[0] for t in triggers} if triggers else set()
            if encounter is not None and "HISTORICAL" in mods and all(
                    _on_day(text[t[2]:t[3]], encounter) for t in triggers if t[0] == "HISTORICAL"):
                # Dated on the claim's own date of service ("Took out plate + 4 screws via the old
                # incision on 06/12", billed for 06/12/2025): this encounter, not the past.
                mods.discard("HISTORICAL")
            if section in other:
                mods.add("OTHER_PERSON")
                trace.section_role((label, rule, start_char, end_char), "OTHER_PERSON", "other_person_sections")
            if label in _PAST_LABELS:
                if blocks and any(lo <= start_char < hi for lo, hi in blocks):
                    mods.add("HISTORICAL")
                    trace.section_role((label, rule, start_char, end_char), "HISTORICAL", "copied_block_regex")
                elif section in history:
                    mods.add("HISTORICAL")
                    trace.section_role((label, rule, start_char, end_char), "HISTORICAL", "history_sections")
                elif section in plan:
                    mods.add("FUTURE")
                    trace.section_role((label, rule, start_char, end_char), "FUTURE", "plan_sections")
            start = span.start
            mentions.append(Mention(
                label, value, rule, start, span.end, start_char, end_char, quoted[start_char:end_char], section,
                sent[start], frozenset(mods) if mods else _NO_MODS,  # most have none: one shared empty set
            ))
        self.mentions = mentions
        self._by_label: dict[str, list[Mention]] = {}
        for m in mentions:
            self._by_label.setdefault(m.label, []).append(m)

    def section_text(self, char: int) -> str:
        """The text of the section (header and body) that holds character `char`."""
        k = bisect_right(self._section_starts, char) - 1
        if k < 0:
            return self.text[:self._section_starts[0]] if self._section_starts else self.text
        return self.text[self.sections[k][1]:self.sections[k][3]]

    def index(self, key: str, mentions: Iterable[Mention]) -> "MentionIndex":
        """A MentionIndex over `mentions`, built once per note under `key`."""
        cache = self.__dict__.setdefault("_indexes", {})
        if key not in cache:
            cache[key] = MentionIndex(mentions)
        return cache[key]

    def of(self, *labels: str) -> list[Mention]:
        if len(labels) == 1:
            return self._by_label.get(labels[0], [])
        return [m for m in self.mentions if m.label in labels]

    def lower_tokens(self, start: int, end: int) -> list[str]:
        start, end = max(0, start), min(len(self.doc), end)
        return [t.lower_ for t in self.doc[start:end]]

    def told_as_done_today(self, m: Mention) -> bool:
        """A plan section that records today's work ("P: K-wire pulled in clinic today", "Plan:
        revise to plate. - the 2 K-wires removed - nonunion debrided"): a past-tense act or
        procedure whose sentence says today, or says nothing that puts it later, is done, not planned."""
        roles, vocabulary = self.rules.sections.roles, self.rules.vocabulary
        past = tuple(vocabulary.past_act_suffixes)
        # "both screws removed intact": the act's verb, wherever it stands in the act's words.
        if not (m.section in roles.plan_sections and m.mods <= {"FUTURE"} and m.told_past(past)):
            return False
        sentence = self.sentence_text(m.sent).lower()
        today, future = vocabulary.word_regex("today_words"), vocabulary.word_regex("plan_future_words")
        return (today is not None and today.search(sentence) is not None) or (future is not None and future.search(sentence) is None)

    def sentence_text(self, sent: int) -> str:
        start, end = self._sentence_bounds(sent)
        return self.text[start:end]

    def sentence_end(self, sent: int) -> int:
        """The character offset where sentence `sent` ends."""
        return self._sentence_bounds(sent)[1]

    def sentence_bounds(self, sent: int) -> tuple[int, int]:
        """The character offsets where sentence `sent` starts and ends."""
        return self._sentence_bounds(sent)

    def _sentence_bounds(self, sent: int) -> tuple[int, int]:
        if self._sentence_chars is None:
            # One pass over the sentence ids: (first token, last token) per sentence.
            bounds: dict[int, list[int]] = {}
            for i, s in enumerate(self.token_sent):
                if s in bounds:
                    bounds[s][1] = i
                else:
                    bounds[s] = [i, i]
            doc = self.doc
            self._sentence_chars = {
                s: (doc[a].idx, doc[b].idx + len(doc[b])) for s, (a, b) in bounds.items()
            }
        return self._sentence_chars.get(sent, (0, 0))


# A numeric date ending a trigger ("on 06/12", "on 6/12/2025"), read month first as US notes write it;
# not inside an ISO date ("2024-06-12"), nor an interval the trigger goes on to ("6/12 ago": months
# written over twelve).
_TRIGGER_DATE = re.compile(r"(?<![\d/.-])(?P<month>\d{1,2})[/.-](?P<day>\d{1,2})(?:[/.-](?:\d{4}|\d{2}))?"
                           r"(?=[ \t.,;:)]*\Z)")


def _on_day(trigger: str, day: tuple[int, int, int]) -> bool:
    """The trigger's date is `day` (year, month, day); a date without its year matches by month and day."""
    m = _TRIGGER_DATE.search(trigger)
    if m is None:
        return False
    full, _ = parse_date(trigger, m.start())
    if full is not None and len(full) == len(day):
        return full == day
    return (int(m.group("month")), int(m.group("day"))) == day[1:]


def _disowned_lines(rules: "RuleSet", text: str, lowered: str) -> list[tuple[int, int]]:
    """The lines a following line disowns ("[.PINPULL template] Pins pulled in clinic ..." under
    "^^ wrong template, disregard - this was a buried wire removal"): the last non-blank line before
    the disowning one, or as many as it counts ("the three lines above ..."), read as telling nothing
    of this operation."""
    disowning = rules.vocabulary.disowned_above
    anchors = rules.vocabulary.disowned_above_anchors
    if disowning is None or not any(a in lowered for a in anchors):
        return []
    spans = []
    for m in disowning.finditer(text):
        # "the three lines above were carried forward ...": that many lines, else the one line above.
        counted = m.groupdict().get("lines")
        lines = 1 if not counted else int(counted) if counted.isdigit() else rules.vocabulary.numbers.get(counted.lower(), 1)
        end = text.rfind("\n", 0, m.start())
        for _ in range(lines):
            while end > 0 and not text[text.rfind("\n", 0, end) + 1:end].strip():
                end = text.rfind("\n", 0, end)  # skip blank lines
            if end <= 0:
                break
            line_start = text.rfind("\n", 0, end) + 1
            spans.append((line_start, end))
            end = line_start - 1
    return spans


class MentionIndex:
    """Mentions grouped by sentence, in document order, so that a lookup around one mention costs
    O(log n + k) instead of a scan of the note: every extractor stays linear in note size
    (a 1 MB note holds ~10^5 mentions; one scan per mention would be 10^10 steps)."""

    def __init__(self, mentions: Iterable[Mention]) -> None:
        self._by_sent: dict[int, list[Mention]] = {}
        longest = 0
        for m in mentions:
            self._by_sent.setdefault(m.sent, []).append(m)
            longest = max(longest, m.end - m.start)
        self._longest = longest
        for group in self._by_sent.values():
            group.sort(key=lambda m: m.start)  # stable: ties keep their document order
        self._starts = {s: [m.start for m in group] for s, group in self._by_sent.items()}

    def in_sentence(self, sent: int) -> list[Mention]:
        return self._by_sent.get(sent, [])

    def around(self, m: Mention, before: int, after: int) -> list[Mention]:
        """A superset, in document order, of the mentions of m's sentence that end at most
        `before` tokens before m, start at most `after` tokens after it, or overlap it."""
        group = self._by_sent.get(m.sent)
        if not group:
            return []
        starts = self._starts[m.sent]
        lo = bisect_left(starts, m.start - before - self._longest)
        hi = bisect_right(starts, m.end + after)
        return group[lo:hi]

    def nearest(self, m: Mention) -> Optional[Mention]:
        """The mention of m's sentence with the smallest token gap to m (the first on ties)."""
        group = self._by_sent.get(m.sent)
        if not group:
            return None
        radius = 8  # algorithm: the first search window, widened eightfold until the sentence is covered
        while True:
            near = self.around(m, radius, radius)
            if near:
                best = min(near, key=lambda o: o.gap(m))
                if best.gap(m) <= radius or len(near) == len(group):
                    return best
            radius *= 8  # algorithm: see above


def _relabel(sections: list[tuple[str, int, int, int]], text: str, categories: set[str], cue: Optional[re.Pattern[str]],
             to: str) -> list[tuple[str, int, int, int]]:
    """Sections of `categories` whose text holds `cue` read as section `to`."""
    if cue is None:
        return sections
    return [(to, start, end, stop) if cat in categories and cue.search(text[start:stop].lower()) else (cat, start, end, stop)
            for cat, start, end, stop in sections]
