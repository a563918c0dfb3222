"""Episode-of-care documents: a course of treatment told in date order, one dated entry a line
("05/28/2024 - CRPP left index P2, two buried K-wires", "- 2020 L small finger P1 fx, wires pulled
in clinic", "06/12/2024 - Unplanned return to the procedure room ..."), written for an appeal, an
insurer or a hand-over. Which entry is this encounter's is read from the note's own date ("Claim date
of service: 06/12/2024", "Date of this op note: 10/15/2024"): an entry dated before it tells the
history, one dated after it the plan or the follow-up, and the entry on it the operation. Without a
timeline (fewer than `min_entries` dated entries) or without the encounter's date, the sections stay
as the sectionizer found them.

An entry runs from its date over the lines that carry it on (indented, or in lower case) to the
next entry, a header that opens a line or the end of the note. Headers inside a
past or later entry ("06/10/2024 - Urgent clinic visit ... Exam: radial K-wire backed out") belong
to that entry; the encounter's own entry keeps the headers it holds ("10/15/2024 OPERATIVE NOTE /
Procedure: ... / Technique: ...") and is filed as the operation up to the first of them.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Optional

from pipelines.lines import Lines

Section = tuple[str, int, int, int]
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
# A date as the timeline writes it: m/d/y, y-m-d, m/y, "Mar 10, 2025", "10 Mar 2025", a bare year.
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?!\d)")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{4})(?!\d)")
_NAMED = re.compile(r"(?i)(?:(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})|([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))")
_YEAR = re.compile(r"((?:19|20)\d{2})(?![\d/.-])")
_YEARS = re.compile(r"(?:19|20)\d{2}[ \t]*[-–][ \t]*((?:19|20)\d{2})(?![\d/.-])")  # "2022-2023": up to its last year
# A line that opens with what may be a date (a numbered list's "1." is none). Led by the line
# break, a literal re skips to; the note's first line is matched on its own.
_DATE_AHEAD = (r"(?=\d{1,4}[/.-]\d|(?:19|20)\d\d\b|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3}|"
               r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)")
_ENTRY = re.compile(r"\n[ \t]*(?:[-*•·>][ \t]*)?" + _DATE_AHEAD)
_FIRST_ENTRY = re.compile(r"[ \t]*(?:[-*•·>][ \t]*)?" + _DATE_AHEAD)


def parse_date(text: str, pos: int) -> tuple[Optional[tuple[int, ...]], int]:
    """The date that starts at `pos` as (year, month, day), (year, month) or (year,) (a span of
    years by its last), and where it ends; (None, pos) when none starts there."""
    m = _ISO.match(text, pos)
    if m:
        return (int(m.group(1)), int(m.group(2)), int(m.group(3))), m.end()
    m = _NUMERIC.match(text, pos)
    if m:
        year = int(m.group(3))
        return (year + 2000 if year < 100 else year, int(m.group(1)), int(m.group(2))), m.end()
    m = _MONTH_YEAR.match(text, pos)
    if m and 1 <= int(m.group(1)) <= 12:
        return (int(m.group(2)), int(m.group(1))), m.end()
    m = _NAMED.match(text, pos)
    if m:
        day, month, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        if month.lower() in _MONTHS:
            return (int(year), _MONTHS[month.lower()], int(day)), m.end()
    m = _YEARS.match(text, pos) or _YEAR.match(text, pos)
    if m:
        return (int(m.group(1)),), m.end()
    return None, pos


def _when(entry: tuple[int, ...], encounter: tuple[int, ...]) -> Optional[int]:
    """-1 before the encounter, 1 after it, 0 on its day; None when the entry's precision cannot tell
    ("05/2024" in an encounter of May 2024)."""
    n = len(entry)
    if entry[:n] != encounter[:n]:
        return -1 if entry[:n] < encounter[:n] else 1
    return 0 if n == len(encounter) else None


class Timeline:
    def __init__(self, encounter_labels: list[str], history: str, plan: str, operation: str, min_entries: int = 3,
                 entry_marks: Optional[re.Pattern[str]] = None) -> None:
        """`encounter_labels`: the labels that give this encounter's date ("date of service");
        `history`, `plan` and `operation`: the sections past, later and this encounter's entries
        are filed under; `entry_marks`: words that mark an entry as this encounter's when no label
        dates the note ("02/26/2024 Surgery #3: ... <-- encounter for today's coding query")."""
        labels = "|".join(re.escape(label) for label in sorted(encounter_labels, key=len, reverse=True))
        self._label = re.compile(rf"(?i)\b(?:{labels})\b[ \t]*[:.=-]?[ \t]*") if labels else None
        self._marks = entry_marks
        self._history, self._plan, self._operation, self._min = history, plan, operation, min_entries

    def encounter_date(self, text: str) -> Optional[tuple[int, ...]]:
        if self._label is None:
            return None
        for m in self._label.finditer(text):
            date, _ = parse_date(text, m.end())
            if date is not None and len(date) == 3:
                return date
        return None

    def apply(self, text: str, sections: list[Section], claimed: Optional[tuple[int, int, int]] = None) -> list[Section]:
        """The sections with a timeline's entries filed; `claimed`: the date of service the claim
        codes, which names this encounter's entry before the note's own date labels do (a letter
        dated 3/20 that tells the removal of 3/12 being billed)."""
        entries: list[tuple[int, tuple[int, ...]]] = []
        first = _FIRST_ENTRY.match(text)
        for m in ([first] if first else []) + list(_ENTRY.finditer(text)):
            start = m.start() + (text[m.start()] == "\n")  # the line's start, after its break
            date, end = parse_date(text, m.end())
            if date is None or (end < len(text) and text[end].isalnum()):
                continue
            # A date that opens a line because the sentence before it wrapped ("... ORIF on\n06/12/2023
            # (Dr. X). Fx went on to heal") is no entry: the line before ends mid-sentence.
            this_line = text.rfind("\n", 0, start)
            previous_start = text.rfind("\n", 0, max(this_line, 0)) + 1
            previous_line = text[previous_start:max(this_line, 0)].rstrip()
            if this_line > 0 and previous_line and (previous_line[-1].isalpha() or previous_line[-1] == ",") and not (
                    entries and entries[-1][0] >= previous_start):
                continue
            entries.append((start, date))
        if len(entries) < self._min and text.count("\n") < self._min:
            entries = _runon_entries(text)  # the same timeline with its line breaks gone
        if len(entries) < self._min:
            return sections
        lines = Lines(text)  # line ends found once: a find per entry is quadratic in a note run together
        encounter = claimed or self.encounter_date(text)
        if encounter is None and self._marks is not None:
            marked = [date for start, date in entries if len(date) == 3
                      and self._marks.search(text, start, _line_end(lines, text, start)) is not None]
            encounter = marked[0] if len(marked) == 1 else None
        if encounter is None:
            return sections
        heads = sorted(head for _, head, head_end, _ in sections if head_end > head)
        line_heads = [h for h in heads if not text[lines.start_of(h): h].strip()]
        spans: list[tuple[int, int, str]] = []
        for i, (start, date) in enumerate(entries):
            when = _when(date, encounter)
            if when is None:
                continue  # "05/2024" in an encounter of May 2024: undecidable, left as found
            stop = entries[i + 1][0] if i + 1 < len(entries) else len(text)
            end = _entry_end(lines, text, start, stop)
            if when == 0:
                # This encounter's entry is the operation, up to the first header it holds
                # ("10/15/2024 OPERATIVE NOTE / Procedure: ... / Technique: ...", "... Plan: wound
                # check"): those sections stay as they are.
                later = bisect_right(heads, start)
                end = min(end, heads[later]) if later < len(heads) else end
                spans.append((start, end, self._operation))
                continue
            # A past or later entry ends at a header that opens a line ("Subjective:" after the
            # timeline); one inside its line ("... visit. Exam: wire backed out") is the entry's.
            later = bisect_right(line_heads, start)
            end = min(end, line_heads[later]) if later < len(line_heads) else end
            spans.append((start, end, self._history if when < 0 else self._plan))
        return overlay(sections, spans) if spans else sections


# A full date right after a sentence end: an entry of a timeline run together on one line ("...
# shaft fracture. 02/22/2025 - CRPP right middle finger ...").
_RUNON_DATE = re.compile(r"(?:(?<=[.!?;][ \t])|(?<=[.!?;][ \t]{2})|(?<=[|~][ \t]))(?=\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})")


def _runon_entries(text: str) -> list[tuple[int, tuple[int, ...]]]:
    entries = []
    for m in _RUNON_DATE.finditer(text):
        date, end = parse_date(text, m.start())
        if date is not None and len(date) == 3 and (end >= len(text) or not text[end].isalnum()):
            entries.append((m.start(), date))
    return entries


def _entry_end(lines: Lines, text: str, start: int, stop: int) -> int:
    """An entry goes on over lines that are indented or start in lower case (its own wrapped
    text); a line that starts flush with a capital ("Now c/o L IF pain ...") is the note again."""
    end = _line_end(lines, text, start)
    while end < stop:
        following = text[end + 1: end + 2]
        next_end = _line_end(lines, text, end + 1)
        if not following or not (following in " \t" or following.islower()) or not text[end + 1: next_end].strip():
            break
        end = next_end
    return min(end, stop)


def _line_end(lines: Lines, text: str, pos: int) -> int:
    end = lines.end_of(pos)
    return len(text) if end < 0 else end


def overlay(sections: list[Section], spans: list[tuple[int, int, str]]) -> list[Section]:
    """The sections with each span filed under its category, cutting the sections it crosses."""
    out: list[Section] = []
    pieces = sorted(spans)
    for category, head_start, head_end, stop in sections:
        cursor = head_start
        for start, end, cat in pieces:
            if end <= cursor or start >= stop:
                continue
            if start > cursor:
                out.append((category, cursor, head_end if cursor == head_start else cursor, start))
            out.append((cat, max(start, cursor), max(start, cursor), min(end, stop)))
            cursor = min(end, stop)
        if cursor < stop:
            out.append((category, cursor, head_end if cursor == head_start else cursor, stop))
    return out
