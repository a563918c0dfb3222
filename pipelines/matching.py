"""The rule triad compiled once: literals (PhraseMatcher on lower case), token patterns (Matcher)
and regexes (over the text, expanded to token boundaries), all returning (key, start, end)."""
from __future__ import annotations

import re
from typing import Optional, Sequence

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from pipelines.anchored import AnchorFilter, AnchorWindows, boundary_first, case_folded
from pipelines.extensions import lower_text, regex_text
from pipelines.leading import Searchable, led

from notecheck.medspacy_rules import phrase_expansion, plural_forms
from notecheck.rules import MatchRule

__all__ = ["RuleMatcher", "phrase_expansion", "plural_forms"]

class RuleMatcher:
    """Matches a list of (key, rule) pairs; `key` is any string the caller decodes."""

    def __init__(
        self, nlp: Language, keyed_rules: Sequence[tuple[str, MatchRule]], plurals: bool | Sequence[bool] = False
    ) -> None:
        self.vocab = nlp.vocab
        # NORM is the lower-case form unless the normalizer read a variant spelling ("kay wire").
        self.phrase = PhraseMatcher(nlp.vocab, attr="NORM")
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.matcher = Matcher(nlp.vocab, validate=True)
        # (key, regex, anchors, the regex without IGNORECASE for lower-cased ASCII text or None),
        # both searched with their opening assertions tested in Python (pipelines.leading)
        self.regexes: list[tuple[str, Searchable, tuple[str, ...], Optional[Searchable]]] = []
        self._has_phrases = self._has_orth = self._has_patterns = False
        flags = [plurals] * len(keyed_rules) if isinstance(plurals, bool) else list(plurals)
        for (key, rule), plural in zip(keyed_rules, flags):
            if rule.literals:
                forms: list[str] = []
                for lit in rule.literals:
                    forms.extend(plural_forms(lit.lower()) if plural else [lit.lower()])
                self.phrase.add(key, list(nlp.tokenizer.pipe(dict.fromkeys(forms))))
                self._has_phrases = True
            slow = []
            for pattern in rule.patterns:
                expansion = phrase_expansion(pattern)
                if expansion is None:
                    slow.append(pattern)
                    continue
                attr, phrases = expansion
                target = self.phrase if attr == "LOWER" else self.orth
                target.add(key, [Doc(nlp.vocab, words=words) for words in phrases])
                if attr == "LOWER":
                    self._has_phrases = True
                else:
                    self._has_orth = True
            if slow:
                slow = [[{("NORM" if k == "LOWER" else k): v for k, v in token.items()} for token in p] for p in slow]
                try:
                    self.matcher.add(key, slow)
                except (ValueError, KeyError) as exc:
                    raise ValueError(f"rule {rule.id!r}: bad token pattern ({str(exc).splitlines()[0][:200]})") from None
                self._has_patterns = True
            if rule.regex:
                regex = re.compile(boundary_first(rule.regex))
                self.regexes.append((key, led(regex), tuple(rule.anchors), led(case_folded(regex))))

        self.anchor_filter = AnchorFilter(a for _, _, anchors, _ in self.regexes for a in anchors)

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        strings = self.vocab.strings
        found: list[tuple[int, int, int]] = []
        if self._has_phrases:
            found.extend(self.phrase(doc))
        if self._has_orth:
            found.extend(self.orth(doc))
        if self._has_patterns:
            found.extend(self.matcher(doc))
        # One string lookup per distinct rule key, not per match.
        keys: dict[int, str] = {}
        out = []
        for match_id, start, end in found:
            key = keys.get(match_id)
            if key is None:
                key = keys[match_id] = strings[match_id]
            out.append((key, start, end))
        if self.regexes:
            text = regex_text(doc)
            lower = lower_text(text)
            # str.isascii() is O(1); on ASCII text lower() keeps every offset.
            ascii_text = text.isascii()
            windows = AnchorWindows(lower, self.anchor_filter.absent(lower))
            for key, regex, anchors, folded in self.regexes:
                seen = set()
                rx, subject = (folded, lower) if folded is not None and ascii_text else (regex, text)
                for lo, hi in windows.around(anchors):
                    for m in rx.finditer(subject, lo, hi):
                        if (m.start(), m.end()) in seen:
                            continue
                        seen.add((m.start(), m.end()))
                        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                        if span is not None and len(span):
                            out.append((key, span.start, span.end))
        return out
