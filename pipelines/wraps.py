"""Line breaks that a fixed-width export or a transcription service put inside sentences
("... over a guide\\nwire", "left small\\nfinger middle phalanx"), read as the spaces they replaced.

spaCy makes a line break a token of its own, so a phrase broken by one no longer matches ("nail
plate" became a removed plate, "small finger" a middle finger), and a rule that reads a stretch
of one line stops at it. `unwrap` gives the text with those breaks turned into spaces: the same
length, so every offset holds; the pipeline reads it, and evidence is quoted from the original.

A break between two neighbouring words of one of the rules' phrases ("small" | "finger", "guide" |
"wire") is a wrap in any note. Elsewhere, a break is a wrap, not the writer's, when the next line's
first word would not have fitted on the line (the line plus that word is longer than the note's longest line: the wrapper moved it), the
line ends no sentence, clause or field, and the next line opens no field, list item or bullet;
and the next line goes on with a lower-case word or a number, or follows a comma or a word no
sentence ends with ("the", "of", "left": sections.yaml layout.wrap_continuation_words).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from notecheck.rules import RuleSet

# What opens a line of its own: a bullet or arrow, a numbered item, a header with its colon.
# ("(x2) + R index P1" goes on a line; "(1) removal of ..." and "(b) the ring finger" open one.)
# A header in lower case is a short one ("plan:", "dx:"): "arthroplasty left index MCP joint: removal
# of ..." is a wrapped title going on.
_OPENS_ITEM = re.compile(r"[ \t]*(?:[-*•·▪◦‣→>=#\[]|\((?:\d{1,2}|[a-z])\)|\d{1,2}[.)](?:[ \t]|$)|[A-Z][\w/&()' .-]{0,40}:"
                         r"|[a-z][\w/&()'.-]*(?:[ \t][\w/&()'.-]+){0,2}[ \t]*:)")
_FIRST_WORD = re.compile(r"\S+")
_LAST_WORD = re.compile(r"(\S+)$")
_ENDS_CLAUSE = frozenset(".:;!?")
_TAB_BETWEEN_WORDS = re.compile(r"(?<=\S)\t(?=\S)")


def tabs_as_spaces(text: str) -> str:
    """A tab between two words (a tab-delimited export run together, "index\tORIF") read as the
    space it stands for: spaCy makes a tab a token of its own, so a phrase broken by one no longer
    matches. Same length, so every offset holds; the text itself when it has none."""
    return _TAB_BETWEEN_WORDS.sub(" ", text) if "\t" in text else text


_HL7_BREAK = "\\.br\\"
# HL7's repetition separator standing for a line break; "~4 mm", "~ 30 min", "~.5" are "about".
_SEPARATOR_TILDE = re.compile(r"~(?![ \t]*[\d.+-])")
_MIN_SEPARATORS = 3


def escaped_breaks(text: str) -> str:
    """Line breaks an HL7 v2 export left in the text as characters, read as the breaks they stand
    for: the formatted-text escape "\\.br\\" (four spaces and a break, the same five characters)
    and, in a note whose lines were joined with "~" (at least three, and more than its line
    breaks), every "~" that does not mean "about". Without them the note is one line: headers run
    together and a "~" splits no sentence. Same length, so every offset holds; the text itself
    when it has neither."""
    if _HL7_BREAK in text:
        text = text.replace(_HL7_BREAK, "    \n")
    if "~" in text:
        separators = _SEPARATOR_TILDE.findall(text)
        if len(separators) >= _MIN_SEPARATORS and len(separators) > text.count("\n"):
            text = _SEPARATOR_TILDE.sub("\n", text)
    return text


def phrase_pairs(literals: Iterable[str]) -> frozenset[tuple[str, str]]:
    """Every pair of neighbouring words inside the rules' multi-word phrases, lower-cased."""
    pairs = set()
    for literal in literals:
        words = literal.lower().split()
        pairs.update(zip(words, words[1:]))
    return frozenset(pairs)


class Unwrapper:
    def __init__(self, continuation_words: Iterable[str], pairs: frozenset[tuple[str, str]] = frozenset(),
                 slack: int = 16, min_full_lines: int = 3) -> None:
        """`pairs`: neighbouring words of the rules' phrases (`phrase_pairs`): a break between two
        of them ("right small\nfinger", "guide\nwire") falls inside a phrase, in any note. `slack`:
        how far short of the note's longest line a wrapped line may end (the word that did not fit
        is at most this long, most of the time); `min_full_lines`: lines that reach that far before
        the note counts as wrapped to a column."""
        self.continuation = frozenset(w.lower() for w in continuation_words)
        self.pairs = pairs
        self.slack = slack
        self.min_full_lines = min_full_lines

    @classmethod
    def for_rules(cls, rules: "RuleSet") -> "Unwrapper":
        """The reader of a rule set: its continuation words and the pairs of every target and
        ConText literal."""
        literals = [lit for f in rules.targets for r in f.rules for lit in r.literals]
        literals += [lit for r in rules.context.rules for lit in r.literals]
        return cls(rules.sections.layout.wrap_continuation_words, phrase_pairs(literals))

    def __call__(self, text: str) -> str:
        if "\n" not in text or "\r" in text:
            return text
        lines = text.split("\n")
        width = max(map(len, lines))
        # A wrapped note fills its lines to near one width, again and again; a note typed line by
        # line has one longest line and no column. Lines cut at exactly the width, mid-word as
        # often as not ("Removal o\nf buried K-wires"), were cut by characters: a space there
        # would split the word, so such a note is read as it is (but for breaks inside a phrase).
        near = width - self.slack
        full = sum(1 for line in lines if len(line) >= near)
        exact = sum(1 for line in lines if len(line) == width)
        column = full >= self.min_full_lines and exact * 2 < full
        if not column and not self.pairs:
            return text
        joins: list[int] = []
        pos = 0
        for line, following in zip(lines, lines[1:]):
            at = pos + len(line)  # the line break
            pos = at + 1
            body = line
            # Blanks either side would leave a run of spaces, which spaCy makes a token too.
            # (Any blank: a form feed or a no-break space at a line's edge is one too.)
            if not body or body[-1] in _ENDS_CLAUSE or body[-1].isspace() or not following or following[0].isspace():
                continue
            if _OPENS_ITEM.match(following):
                continue
            first = _FIRST_WORD.match(following).group(0)
            last = _LAST_WORD.search(body).group(1)
            if (last.lower(), first.lower().rstrip(",.;:)")) in self.pairs:
                joins.append(at)  # the break falls inside a phrase of the rules
                continue
            if not column or len(body) < near or len(body) + 1 + len(first) <= width:
                continue  # short of the column, or the word would have fitted: the writer broke it
            lead = following[0]
            if not (lead.islower() or lead.isdigit() or lead == "("):
                if body[-1] != "," and last.lower() not in self.continuation:
                    continue
            joins.append(at)
        if not joins:
            return text
        chars = list(text)
        for at in joins:
            chars[at] = " "
        return "".join(chars)
