"""The rule triad compiled once: literals (PhraseMatcher on lower case), token patterns (Matcher)
and regexes (over the text, expanded to token boundaries), all returning (key, start, end)."""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from notecheck.rules import MatchRule

_ES_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural_forms(literal: str) -> list[str]:
    """The literal plus its regular plural ("screw" -> "screws", "phalanx" is listed by hand)."""
    words = literal.split(" ")
    last = words[-1]
    if not last[-1:].isalpha() or len(last) < 3:
        return [literal]
    if last.endswith(_ES_ENDINGS):
        plural = last + "es"
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return [literal, " ".join(words[:-1] + [plural])]


class RuleMatcher:
    """Matches a list of (key, rule) pairs; `key` is any string the caller decodes."""

    def __init__(
        self, nlp: Language, keyed_rules: Sequence[tuple[str, MatchRule]], plurals: bool | Sequence[bool] = False
    ) -> None:
        self.vocab = nlp.vocab
        self.phrase = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.regexes: list[tuple[str, re.Pattern[str]]] = []
        self._has_phrases = self._has_patterns = False
        flags = [plurals] * len(keyed_rules) if isinstance(plurals, bool) else list(plurals)
        for (key, rule), plural in zip(keyed_rules, flags):
            if rule.literals:
                forms: list[str] = []
                for lit in rule.literals:
                    forms.extend(plural_forms(lit.lower()) if plural else [lit.lower()])
                self.phrase.add(key, list(nlp.tokenizer.pipe(dict.fromkeys(forms))))
                self._has_phrases = True
            if rule.patterns:
                try:
                    self.matcher.add(key, rule.patterns)
                except (ValueError, KeyError) as exc:
                    raise ValueError(f"rule {rule.id!r}: bad token pattern ({str(exc).splitlines()[0][:200]})") from None
                self._has_patterns = True
            if rule.regex:
                self.regexes.append((key, re.compile(rule.regex)))

    def __call__(self, doc: Doc) -> Iterable[tuple[str, int, int]]:
        strings = self.vocab.strings
        if self._has_phrases:
            for match_id, start, end in self.phrase(doc):
                yield strings[match_id], start, end
        if self._has_patterns:
            for match_id, start, end in self.matcher(doc):
                yield strings[match_id], start, end
        for key, regex in self.regexes:
            for m in regex.finditer(doc.text):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None and len(span):
                    yield key, span.start, span.end
