"""Operative-note sectionizer: finds headers with one regex pass over the text.

A header counts when it starts a line (after optional numbering or a bullet) and then either ends
in ":" / " -", stands alone on its line, or is written in capitals and followed by ordinary text.
In run-on dictation (no line breaks) a header also counts right after a sentence end when it is
capitalised and followed by ":", or written in capitals and followed by ordinary text. medspaCy's default rules know none of the operative headers and its
Section objects break serialization; here sections are tuples of character offsets.
"""

import re
from collections import deque
from typing import Any, Optional, Sequence

from spacy.language import Language
from spacy.tokens import Doc

from notecheck.medspacy_rules import section_rule_objects, section_rule_objects_of
from notecheck.rules import SectionFile, load_rules
from notecheck.word_regex import whole_words
from pipelines.extensions import ENCOUNTER_KEY, PUNCTUATED_KEY, SECTIONS, doc_text, register_extensions
from pipelines.lines import Lines
from pipelines.normalizer import Speller
from pipelines.spoken import SpokenMarks
from pipelines.tables import SideColumns
from pipelines.timeline import Timeline


def _header_regex(header: str) -> str:
    out = header.replace("(es)", "\x01").replace("(s)", "\x02")  # EHR forms write "Procedure(s):" literally
    out = out.replace("(", "(?:")
    out = re.sub(r"\s+", r"[ \\t]+", out)
    out = out.replace(".", r"\.")
    return out.replace("\x01", "(?:es|\\(es\\))?").replace("\x02", "(?:s|\\(s\\))?")


def header_pattern(header: str) -> str:
    """A header of sections.yaml as a case-insensitive regex (medspaCy SectionRule.pattern)."""
    return "(?i)" + _header_regex(header)


# Where a header may start (each match ends there): a line start after numbering or a bullet, a
# sentence start, and in run-on dictation a capitalised header straight after ordinary words
# ("...same PROCEDURE open"). Four scans that each begin with a literal or a small character set,
# which re skips through in C; one alternation that began with assertions was tried at every
# position of the note and cost ~0.2 ms a note.
# A note exported as HTML keeps its markup before a header ("<div><b>Procedure:</b> ..."): tags
# at a line start are read as blanks.
_TAG = re.compile(r"<[A-Za-z/][^<>\n]{0,60}>")
_TAGS = r"(?:" + _TAG.pattern + r"[ \t]*)*"
_LINE_START = r"[ \t]*" + _TAGS + r"(?:[-*•·>]+[ \t]*|\(?\d{1,2}[.)][ \t]*)?(?=[A-Za-z])"
_FIRST_LINE = re.compile(_LINE_START)
_QUOTES = frozenset("\"“'‘")
_CANDIDATES = (
    re.compile("\n" + _LINE_START),
    re.compile(r"[.!?*][\"')]?[ \t]{1,3}(?=[A-Za-z])"),
    # A form that lays two fields on one line, apart by a tab or a run of spaces ("Surgeon: X
    # Anesthesia: regional"): there a capitalised header with its colon starts a field.
    # Led by a literal (re's fast search skips to it); only from the start of a run of blanks:
    # started inside one, the scan would re-read the run from every blank (quadratic).
    re.compile(r"  (?<![ \t]  )[ \t]*(?=[A-Z])"),
    re.compile(r"\t(?<![ \t]\t)[ \t]*(?=[A-Z])"),
)
# Capitals after a word: the match is the first capital (its start is the candidate). Led by
# "[A-Z]" rather than by the blank before it, which re met ~5x as often (~35% faster).
_CAPS_AFTER_WORD = re.compile(r"[A-Z](?<=[a-z0-9,;)\]][ \t][A-Z])(?=[A-Z]+\b)")


def header_candidates(text: str) -> list[int]:
    """Sorted positions where a header may start."""
    found = {m.end() for regex in _CANDIDATES for m in regex.finditer(text)}
    found.update(m.start() for m in _CAPS_AFTER_WORD.finditer(text))
    first = _FIRST_LINE.match(text)
    if first is not None:
        found.add(first.end())
    return sorted(found)

# A transcription with no line breaks runs its fields together: "...left ring finger Indications:
# pain over the pin". A capitalised header with a colon mid-line is tried only in such notes
# (lines averaging sections.yaml's layout.runon_line_chars or more), where no layout is left to say where fields begin.
# The match is the blank before the header (its end is the candidate). A form's label may lead its
# value with dots instead of a colon ("Pre-op Dx .......... Screw backout").
# A header may carry a parenthetical before its colon ("Interval history (copied from clinic note
# 02/20/2024):"), as _TAIL reads it.
_RUNON_CANDIDATE = re.compile(r"[ \t](?<=[^\s.!?:][ \t])(?=[A-Za-z][A-Za-z/&'()-]*(?:[ \t]+[A-Za-z/&'()-]+){0,5}"
                              r"(?:[ \t]+#?\d{1,2}|[ \t]*\([^()\n:]{1,40}\))?[ \t]*(?::|\.{3}|…))")
# Every character the candidate's lookahead can read before its colon: a candidate lies in a run
# of these that ends at a colon, so only those runs are searched (the lookahead, tried at every
# blank of a run-on note, cost ~2 ms a note; ~16x faster).
_LEADER = "..."  # the dots a form leads a value with, at their fewest
_RUNON_STRETCH = re.compile(r"[\dA-Za-z/&'()# \t-]+")


def runon_candidates(text: str) -> list[int]:
    """Sorted positions where a capitalised field header with a colon may start mid-line."""
    found: list[int] = []
    for run in _RUNON_STRETCH.finditer(text):
        end = run.end()
        if text.startswith((":", _LEADER, "…"), end):
            # The lookbehind reads before `pos`; `endpos` keeps the colon (or the dots) in view.
            found.extend(c.end() for c in _RUNON_CANDIDATE.finditer(text, run.start(), end + len(_LEADER)))
    return found


# Sentence starts after a stop, in lower and upper case: a run-on note that starts most sentences in
# lower case ends a field at a full stop before a lower-case word too.
_LOWER_AFTER_STOP = re.compile(r"[.!?][ \t]+[a-z]")
_UPPER_AFTER_STOP = re.compile(r"[.!?][ \t]+[A-Z]")
# A new clause in title case after a plain word ("... 3 mL Pt had CRPP", "... room Radial styloid"):
# the title-case word is followed by a lower-case word, and the word before it is not in title case
# itself ("Forearm Bier block"); "Dr Smith" and "LMA" never end a value.
_CLAUSE_START = re.compile(r"(?<=[^\s.!?:][ \t])[A-Z][a-z]+(?=[ \t]+[a-z])")
_TITLE_WORD_BEFORE = re.compile(r"(?<![^\s(])[A-Z][a-z]+[ \t]+$")
_TITLE_WORD = re.compile(r"[A-Z][a-z]")
_CARRIED_ON = re.compile(r"\n[ \t]+(?=[a-z])")
_LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z]{2,}(?![A-Za-z])")
_LAST_WORD = re.compile(r"(\S+)[ \t]+$")


def clause_start(text: str, start: int, stop: int, lookback: int) -> Optional[int]:
    """Where a title-case clause begins in text[start:stop] after at least one word, or None."""
    for m in _CLAUSE_START.finditer(text, start, stop):
        before = _LAST_WORD.search(text, max(start, m.start() - lookback), m.start())
        if before is None:
            continue  # the value's first word
        if _TITLE_WORD.match(before.group(1)) is None:
            return m.start()
    return None


_BLANKS = re.compile(r"[ \t]*")
_WORD_END = re.compile(r"(?<=\w)(?=\s)|$")
_DATED_LABEL = re.compile(r"[ \t]+\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?(?:[ \t]+\d{1,2}:\d{2})?(?:[ \t]*\([^()\n]{0,60}\))?[ \t]*:")
_TITLED_NEXT = re.compile(r"[ \t]+(?:[A-Z][a-z]|\d)")
_AFTER_STOP = re.compile(r"[.!?*][\"')]?[ \t]{1,3}$")
_AFTER_STOP_CHARS = 5  # algorithm: the longest _AFTER_STOP match (a stop, a quote, three blanks)
_CAPITAL_NEXT = re.compile(r"[ \t]*(?:[A-Z][a-z]|\d)")  # the tail may have taken the blank
_BLANK_REST = re.compile(r"[^\S\n]*\S")  # matches unless the line's rest is blank
_LIST_NUMBER = re.compile(r"[ \t]*\d{1,2}[.)][ \t]+")  # "1. ", "2) ": an item of a numbered list
_ITEM_DOT = re.compile(r"(?<![^\s(])\d{1,2}\.$")
_ITEM_NUMBER_CHARS = 3  # algorithm: what _ITEM_DOT reads before the dot (a blank and two digits)
_RULE_REST = re.compile(r"[ \t]*[-=*#~_]{2,}[ \t]*$")  # the line's rest closes a framed header
# Up to three words and the colon after them: where a misspelt header may stand.
_WORDS_BEFORE_COLON = re.compile(r"([A-Za-z]+(?:[ \t]+[A-Za-z]+){0,2})([ \t]*:)")
# A header may carry a parenthetical or a number before its colon ("PROCEDURES (surgeon's list):",
# "Procedure 1:", "Procedure #2:") or a second name after a slash ("Findings / Unusual procedure:",
# read as the first); a form may lead its fields with dots ("Laterality ....... R"). A possessive is
# no header ("SURGEON'S BRIEF OP NOTE").
_TAIL = (r"(?![A-Za-z0-9/]|['’]s\b)(?P<tail>(?:[ \t]*\([^()\n]{1,40}\)(?=[ \t]*:)|[ \t]+#?\d{1,2}(?=[ \t]*:)"
         r"|[ \t]*/[ \t]*[A-Za-z][A-Za-z '()-]{0,40}(?=[ \t]*:))?"
         r"[ \t]*(?::|-(?=[ \t])|—|–|\.{3,}:?|…+:?)?)")


def _first_letters(header: str) -> set[str]:
    """The letters a header can begin with: its first, or, when it opens with a group of
    alternatives ("(procedure|technique) and findings"), the first of each."""
    if not header.startswith("("):
        return {header[0].lower()}
    depth = 0
    for i, c in enumerate(header):
        depth += c == "("
        depth -= c == ")"
        if depth == 0:
            return {alt[:1].lower() for alt in header[1:i].split("|") if alt[:1].isalpha()}
    return {header[0].lower()}


class SectionMatcher:
    """Header candidates are line starts and sentence starts; each is tried only against the
    headers that begin with its first letter (one small regex per letter), which keeps the
    sectionizer near tokenizer speed on long notes."""

    def __init__(self, sections: SectionFile, header_rules: Optional[Sequence[Any]] = None,
                 speller: Optional[Speller] = None, date: Optional[re.Pattern[str]] = None) -> None:
        """`header_rules`: medspaCy SectionRules (literal = the header as written in
        sections.yaml, category); by default those of `sections`. `speller`: one-edit
        correction of header words ("Dsecription:"), none by default. `date`: a written date
        (vocabulary.yaml date_regex); in a run-on note a label whose value opens with one holds
        only the date ("DOS 12/3/2024 S/p CRPP ..."), none by default."""
        self._speller = speller
        if header_rules is None:
            header_rules = section_rule_objects_of(sections)
        by_letter: dict[str, list[tuple[tuple[int, int], str, str]]] = {}
        for rule in header_rules:
            words = rule.literal.split()
            entry = ((len(words), len(rule.literal)), _header_regex(rule.literal), rule.category)
            for letter in _first_letters(rule.literal):
                by_letter.setdefault(letter, []).append(entry)
        self._regexes: dict[str, tuple[re.Pattern[str], list[str]]] = {}
        for letter, entries in by_letter.items():
            # Most words first, then longest: "procedures done" must be tried before "procedure(s)"
            # (whose optional tail would match "Procedures" alone and hide the longer header).
            entries.sort(key=lambda e: e[0], reverse=True)
            alternatives = [(rx, category) for _, rx, category in entries]
            body = "|".join(f"({rx})" for rx, _ in alternatives)
            self._regexes[letter] = (re.compile(f"(?P<hdr>{body}){_TAIL}", re.IGNORECASE), [c for _, c in alternatives])
        self._fields = frozenset(sections.roles.field_sections)
        self._short_fields = frozenset(sections.roles.short_field_sections)
        self._side_fields = frozenset(sections.roles.side_field_sections)
        self._clause_stop_fields = frozenset(sections.roles.clause_stop_field_sections)
        self._titles = frozenset(sections.roles.title_sections)
        self._label_fields = frozenset(sections.roles.label_field_sections)
        self._date = date
        # A field's value ends at its first sentence end when the note has no line layout to end it
        # (in a note that starts its sentences in lower case, before a lower-case word too), or at
        # one of layout.field_stop_marks standing alone: a bulleted note run together keeps its
        # bullets ("• Anesthesia: WALANT • Why today: – tenting ...", "Anaes: GA (LMA) → left thumb").
        marks = "".join(re.escape(m) for m in sections.layout.field_stop_marks)
        stop_mark = rf"|[ \t](?=[{marks}][ \t])" if marks else ""
        self._field_stop = {
            False: re.compile(r"[.;](?=[ \t]+[A-Z0-9])" + stop_mark),
            True: re.compile(r"[.;](?=[ \t]+[A-Za-z0-9])" + stop_mark),
        }
        bullets = "".join(re.escape(m) for m in sections.layout.bullet_marks)
        self._bullet_before = re.compile(rf"(?<!\S)([{bullets}])[ \t]*$") if bullets else None
        self._opening_marks = [re.compile(r"(?<!\d)" + re.escape(pair[0])) for pair in sections.layout.speech_marks]
        self._long_title = sections.long_title_chars
        self._layout = sections.layout
        self._operation = sections.operation_section
        self._narrative = frozenset(sections.roles.narrative_sections)
        self._history = frozenset(sections.roles.history_sections)
        self._addenda = frozenset(sections.roles.addendum_sections)
        word = sections.layout.inline_correction_header
        self._inline_correction = re.compile(rf"[-–—][ \t]+(?=(?i:{re.escape(word)})[ \t]*:)") if word else None
        cues = "(?:" + "|".join(sections.description_cues) + ")"
        self._cue = re.compile(
            r"^[ \t]*(?:[-*•·>]+[ \t]*|\(?\d{1,2}[.)][ \t]*)?" + cues,
            re.IGNORECASE | re.MULTILINE,
        )
        # A note without line layout starts the operation at a sentence start instead of a line start.
        self._cue_runon = re.compile(
            r"(?:(?<=[.!?;])|(?<=[.!?;][ \t])|(?<=[.!?;][ \t]{2}))[ \t]*(?:[-*•·→]+[ \t]*)?" + cues,
            re.IGNORECASE | re.MULTILINE,
        )

    def find(self, text: str) -> list[tuple[str, int, int, int]]:
        found: list[tuple[str, int, int]] = []
        inline: set[int] = set()  # corrections inside a line ("... error -- correction: ring finger."): one sentence each
        starts = header_candidates(text)
        if self._inline_correction is not None:
            # An inline correction after a dash ("... a booking error -- correction: ring finger").
            starts = sorted(set(starts).union(m.end() for m in self._inline_correction.finditer(text)))
        # A note on one line is run together whatever its length (a short note pasted into one
        # field: "Anaesth: digital block Findings: wire migrated ...").
        runon = len(text) >= self._layout.runon_line_chars * (text.count("\n") + 1) or "\n" not in text.strip()
        if runon:
            starts = sorted(set(starts).union(runon_candidates(text)))
        positions = deque(starts)
        lines = Lines(text)
        seen: set[int] = set()
        covered = 0  # where the last header found ends: "POSTOPERATIVE DIAGNOSIS:" holds no "DIAGNOSIS:"
        while positions:
            pos = positions.popleft()
            if pos in seen or pos >= len(text) or pos < covered:
                continue
            seen.add(pos)
            hit = self._match(text, pos)
            if hit is None:
                continue
            header, start, end, tail, category = hit
            # A header inside a quotation belongs to the document quoted ('Op note: "Plan: K-wires to be
            # removed at 4 weeks ..."'), not to this one.
            if start and text[start - 1] in _QUOTES:
                continue
            line_start = lines.start_of(start)
            before = text[line_start:start]
            if "<" in before:
                before = _TAG.sub("", before)
            at_line_start = not before.strip(" \t-*•·>0123456789.()")
            colon = tail.strip() != ""
            line_end = lines.end_of(end)
            # Only the start of the line's rest matters; never slice a run-on line to its end.
            rest = text[end: min(len(text) if line_end < 0 else line_end, end + self._layout.header_rest_chars)]
            rest_blank = _BLANK_REST.match(text, end) is None
            if len(header) <= self._layout.short_header_chars:
                # "S:", "A/P:" but never "A 1 cm...": at a line start, or mid-line in capitals in a
                # note without line layout ("... Dr. X S: 3 wks s/p ... intact. O: pin cap off").
                ok = tail.strip() == ":" and (at_line_start or (runon and (header.isupper() or len(header) > 1)))
            elif at_line_start:
                # "History 47 year old ...", "Technique Dorsal incision ...": a header in title case
                # with no colon, followed straight by a capital or a number ("Procedure was
                # performed" stays a sentence).
                titled = header[:1].isupper() and not header.isupper() and _TITLED_NEXT.match(rest) is not None
                # "Provider reply 05/23/2025 (M. Smith MD): ...": a label dated before its colon.
                dated = category in self._addenda and _DATED_LABEL.match(text, start + len(header)) is not None
                # "--- Procedure Narrative ---", "=== HISTORY ===": a header framed by a rule.
                framed = _RULE_REST.match(rest) is not None
                ok = colon or rest_blank or titled or dated or framed or (header.isupper() and any(c.islower() for c in rest))
            else:
                # Run-on dictation: "...done. PROCEDURE: ..." or "...same. PROCEDURE removal of ..."
                # A lower-case header after a title-case word is the end of a phrase ("Left side:
                # tq 250 ..." is the left hand's paragraph, not a side field without a side).
                ok = (colon and (header[:1].isupper() or (runon and not self._ends_phrase(text, start)))) or (
                    colon and category in self._addenda and header.lower() == self._layout.inline_correction_header
                ) or (
                    header.isupper() and any(c.islower() for c in rest[: self._layout.runon_header_rest_chars])
                ) or (
                    # A note run together from lines: "... reasonable. Operation Patient awake ..."
                    # keeps a title-case header after a sentence end, followed by a capital.
                    runon and header[:1].isupper() and _AFTER_STOP.search(text, max(0, start - _AFTER_STOP_CHARS), start) is not None
                    and _CAPITAL_NEXT.match(rest) is not None
                )
            # A history header before a quotation ('Interval history: "14 months s/p ORIF ..."')
            # files the quoted history; any other header there is a speaker's label.
            opens = rest if colon and category not in self._history else ""
            if not ok or self._quoted("" if runon else before, opens):
                continue
            if at_line_start and not colon and not rest_blank and _RULE_REST.match(rest) is not None:
                end += len(rest)  # the closing rule is the header's, and the field opens below it
            found.append((category, start, end))
            if not at_line_start and category in self._addenda and header.islower():
                inline.add(start)
            covered = end
            # Headers may follow each other with nothing between ("OPERATIVE REPORT PREOPERATIVE
            # DIAGNOSIS left ..."): try again where this one ends.
            after = end
            while after < len(text) and text[after] in " \t":
                after += 1
            positions.appendleft(after)
        found.sort(key=lambda f: f[1])
        # A run-on note that starts its sentences in lower case ("... DOS 11/19/2024. under GA the
        # right index was prepped ..."): a full stop ends a field before a lower-case word too.
        lower_style = runon and len(_LOWER_AFTER_STOP.findall(text)) > len(_UPPER_AFTER_STOP.findall(text))
        sections: list[tuple[str, int, int, int]] = []
        first = found[0][1] if found else len(text)
        if first > 0 or not found:
            sections.append(("body", 0, 0, first))
        titles_seen: set[str] = set()
        held: Optional[str] = None  # a paragraph held to the next header in a run-on note
        for i, (cat, start, end) in enumerate(found):
            stop = found[i + 1][1] if i + 1 < len(found) else len(text)
            if start in inline:
                line_end = text.find("\n", end, stop)
                line_end = stop if line_end < 0 else line_end
                sentence = self._field_stop[lower_style].search(text, end, line_end)
                field_end = sentence.end() if sentence else line_end
            elif runon and cat in self._titles and cat in titles_seen:
                # A title named a second time in a note without line layout ("Procedure: removal
                # ..." in the heading, then "Procedure: Right side first ..." after the indications)
                # holds its paragraph to the next header, as its line would have.
                field_end = stop
                held = cat
            else:
                if cat not in self._short_fields:
                    held = None
                field_end = self._field_end(text, cat, end, self._next_bullet(text, start, end, stop) if runon else stop,
                                            runon, lower_style)
            # A label's date is its whole value; what follows on its line ("DOS 8/4/2025 HWR L MF P1 --
            # 2 lag screws out, ...") is the note going on.
            if cat in self._label_fields and self._date is not None:
                value = _BLANKS.match(text, end, field_end).end()
                dated = self._date.match(text, value, field_end)
                if dated is not None:
                    field_end = dated.end()
            titles_seen.add(cat)
            if cat in self._titles and field_end - end > self._long_title:
                cat = self._operation  # a narrative under "PROCEDURE:" is the description
            if cat in self._narrative:
                if runon:
                    cue = self._cue_runon.search(text, end, stop)
                else:
                    cue = self._cue.search(text, text.find("\n", end, stop) + 1 or stop, stop) if "\n" in text[end:stop] else None
                if cue is not None:
                    # The operation begins inside a history paragraph with no header of its own.
                    sections.append((cat, start, end, cue.start()))
                    sections.append((self._operation, cue.start(), cue.start(), stop))
                    continue
            if cat in self._label_fields and (
                field_end - end > self._layout.administrative_value_chars if not runon
                else len(_LOWER_WORD.findall(text, end, field_end)) >= self._layout.runon_administrative_words
            ):
                sections.append(("body", start, end, stop))  # narrative after a label
                continue
            sections.append((cat, start, end, field_end))
            if field_end < stop and text[field_end:stop].strip():
                # Narrative after a one-line field ("Anes: local" then the operation) is body. In a
                # run-on note, a short field inside a held paragraph ("... close 4-0 nylon.
                # Tourniquet 22 min. Then the left: ...") hands the rest back to that paragraph.
                resumed = held if held is not None and cat in self._short_fields else "body"
                sections.append((resumed, field_end, field_end, stop))
        return sections

    def _value_stop(self, text: str, start: int, stop: int, lower_style: bool) -> Optional[re.Match[str]]:
        """The first sentence end of a field's value in text[start:stop]. A value that opens a
        numbered list ("Procedures: 1. Arthrodesis left small finger PIP ... 2. Removal of hardware")
        runs over its items: neither "1." nor the stop before "2." ends it."""
        listed = _LIST_NUMBER.match(text, start)
        lo = listed.end() if listed else start
        while True:
            end = self._field_stop[lower_style].search(text, lo, stop)
            if end is None or not listed:
                return end
            if _ITEM_DOT.search(text, max(lo, end.start() - _ITEM_NUMBER_CHARS), end.end()) is not None:
                lo = end.end()  # the dot of "... wire) 2. Extensor tenolysis": the next item's number
                continue
            item = _LIST_NUMBER.match(text, end.end())
            if item is None:
                return end
            lo = item.end()

    def _next_bullet(self, text: str, start: int, end: int, stop: int) -> int:
        """A field that opens a bulleted item ("... - consent: risks incl infection - R index
        prepped ...") ends where the next item opens with the same bullet: a list run together
        keeps its bullets. `stop` when the header has no bullet before it."""
        if self._bullet_before is None:
            return stop
        opened = self._bullet_before.search(text, max(0, start - self._layout.word_lookback_chars), start)
        if opened is None:
            return stop
        item = text.find(f" {opened.group(1)} ", end, stop)
        return stop if item < 0 else item

    def _quoted(self, before: str, rest: str) -> bool:
        """The header opens a quotation (`Surgeon: "..."`) or stands inside one on its line."""
        opened = rest.lstrip()[:1]
        for (mark_open, mark_close), opening in zip(self._layout.speech_marks, self._opening_marks):
            if opened == mark_open:
                return True
            if mark_open not in before:
                continue
            # A straight quote opens and closes with one character: an odd count leaves one open. A
            # mark right after a digit is an inch sign (0.045" K-wire), not a quotation. (A run-on
            # note is one line: the caller passes no `before`, parity over a whole note means nothing.)
            marks = len(opening.findall(before))
            left_open = marks - (before.count(mark_close) if mark_close != mark_open else 0)
            if (left_open & 1) if mark_close == mark_open else left_open > 0:
                return True
        return False

    def _ends_phrase(self, text: str, start: int) -> bool:
        """A title-case word stands right before `start` (a lower-case header there ends a phrase)."""
        lo = max(0, start - self._layout.word_lookback_chars)
        return _TITLE_WORD_BEFORE.search(text, lo, start) is not None

    def _match(self, text: str, pos: int) -> Optional[tuple[str, int, int, str, str]]:
        """(header as written, its start, the end of header and tail, the tail, its category)."""
        entry = self._regexes.get(text[pos].lower())
        m = entry[0].match(text, pos) if entry is not None else None
        if m is not None:
            index = next(i for i, v in enumerate(m.groups()[1:-1]) if v is not None)
            return m.group("hdr"), m.start("hdr"), m.end(), m.group("tail"), entry[1][index]
        return self._misspelt(text, pos)

    def _misspelt(self, text: str, pos: int) -> Optional[tuple[str, int, int, str, str]]:
        """A header with a typing slip before its colon ("Dsecription:", "Inndication:"): its words
        one edit from header words; found only with the colon, so prose is never re-read."""
        if self._speller is None:
            return None
        words = _WORDS_BEFORE_COLON.match(text, pos)
        if words is None:
            return None
        fixed = [self._speller.correct(w.lower()) or w.lower() for w in words.group(1).split()]
        if fixed == [w.lower() for w in words.group(1).split()]:
            return None
        corrected = " ".join(fixed)
        entry = self._regexes.get(corrected[0])
        m = entry[0].match(corrected + text[words.end(1): words.end()]) if entry is not None else None
        if m is None or m.end("hdr") != len(corrected):
            return None
        index = next(i for i, v in enumerate(m.groups()[1:-1]) if v is not None)
        return words.group(1), pos, words.end(), text[words.end(1): words.end()], entry[1][index]

    def _field_end(self, text: str, category: str, header_end: int, stop: int, runon: bool = False, lower_style: bool = False) -> int:
        """A field section ends with its line, or, when the header stands alone, at a blank line;
        in a note without line layout, at its first sentence end."""
        if category not in self._fields:
            return stop
        if runon:
            if category in self._side_fields:
                # "Laterality: [ ] Right [x] Left 2 tiny incisions, both K-wires removed": the side
                # and a few words, then the note goes on.
                cut = _WORD_END.search(text, min(stop, header_end + self._layout.runon_side_field_chars), stop)
                stop = cut.start() if cut else stop
            if category in self._clause_stop_fields:
                clause = clause_start(text, header_end, stop, self._layout.word_lookback_chars)
                stop = clause if clause is not None else stop
                # A field of plain words ends at its first sentence end, bullet or arrow however
                # short the stretch to the next header ("Anaes: GA (LMA) → left thumb P1 # → ...").
                end = self._value_stop(text, header_end, stop, lower_style)
                if end is not None:
                    return end.end()
            if category not in self._short_fields and stop - header_end <= self._layout.runon_field_chars:
                return stop  # a short stretch before the next header is all this field's value
            end = self._value_stop(text, header_end, stop, lower_style)
            return end.end() if end else stop
        line_end = text.find("\n", header_end, stop)
        if category in self._clause_stop_fields:
            # "Anes: WALANT. Dorsal 3 cm incision, plate + screws removed.": a field of plain words
            # ends at its first sentence end; the rest of its line is the operation.
            end = self._value_stop(text, header_end, stop if line_end < 0 else line_end, False)
            if end is not None and text[header_end:end.start()].strip():
                return end.end()
        if line_end < 0:
            return stop
        if text[header_end:line_end].strip():
            # A value carried on to an indented line in lower case ("Risks: pin-site infection, pin\n
            # breakage, stiffness") is still the field's: the writer's own wrap, not the next line.
            while line_end < stop:
                carried = _CARRIED_ON.match(text, line_end)
                if carried is None or text[line_end - 1] in ".:;!?":
                    break
                next_end = text.find("\n", carried.end(), stop)
                line_end = stop if next_end < 0 else next_end
            return line_end
        blank = re.search(r"\n[ \t]*\n", text[line_end:stop])
        return line_end + blank.start() if blank else stop


@Language.factory("notecheck_sectionizer", default_config={"rules_dir": None})
def make_sectionizer(nlp: Language, name: str, rules_dir: Optional[str]) -> "Sectionizer":
    return Sectionizer(nlp, name, rules_dir=rules_dir)


class Sectionizer:
    def __init__(self, nlp: Language, name: str = "notecheck_sectionizer", *, rules_dir: Optional[str] = None) -> None:
        register_extensions()
        self.name = name
        rules = load_rules(rules_dir)
        self.section_rules = section_rule_objects(rules)
        words = {w for r in rules.sections.rules for h in r.headers for w in h.lower().split() if w.isalpha()}
        speller = Speller(words, rules.known_words, rules.normalization.fuzzy_min_length)
        self.matcher = SectionMatcher(rules.sections, self.section_rules, speller, rules.vocabulary.date)
        self.spoken = SpokenMarks(rules.normalization)
        layout = rules.sections.layout
        marks = None
        if layout.encounter_entry_marks:
            marks = re.compile(whole_words(layout.encounter_entry_marks).pattern, re.IGNORECASE)
        self.side_columns = SideColumns(layout.side_column_labels, "laterality_field")
        self.timeline = Timeline(layout.encounter_date_labels, "history", "plan", rules.sections.operation_section,
                                 layout.timeline_min_entries, marks)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        # Dictated punctuation ("procedure colon ... period new line"): headers and field ends are
        # found on a view of the same length with the marks written in.
        punctuated = self.spoken.punctuated(text)
        if punctuated is not text:
            text = doc.user_data[PUNCTUATED_KEY] = punctuated
        sections = self.timeline.apply(text, self.matcher.find(text), doc.user_data.get(ENCOUNTER_KEY))
        doc._.set(SECTIONS, self.side_columns.apply(text, sections))
        return doc
