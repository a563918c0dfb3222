"""The rule triad compiled once: literals (PhraseMatcher on lower case), token patterns (Matcher)
and regexes (over the text, expanded to token boundaries), all returning (key, start, end)."""
from __future__ import annotations

import re
from re import _constants as sre_constants, _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any, Optional, Sequence

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from pipelines.extensions import doc_text

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
        # (key, regex, anchors, the regex without IGNORECASE for lower-cased ASCII text or None)
        self.regexes: list[tuple[str, re.Pattern[str], tuple[str, ...], Optional[re.Pattern[str]]]] = []
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
                regex = re.compile(rule.regex)
                self.regexes.append((key, regex, tuple(rule.anchors), case_folded(regex)))

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
            text = doc_text(doc)
            lower = text.lower()
            # str.isascii() is O(1); on ASCII text lower() keeps every offset.
            ascii_text = text.isascii()
            for key, regex, anchors, folded in self.regexes:
                seen = set()
                rx, subject = (folded, lower) if folded is not None and ascii_text else (regex, text)
                for lo, hi in _windows(lower, anchors, len(text)):
                    for m in rx.finditer(subject, lo, hi):
                        if (m.start(), m.end()) in seen:
                            continue
                        seen.add((m.start(), m.end()))
                        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                        if span is not None and len(span):
                            out.append((key, span.start, span.end))
        return out


def case_folded(regex: re.Pattern[str]) -> Optional[re.Pattern[str]]:
    """`regex` without its leading (?i), to run on lower-cased ASCII text: the same matches at the
    same offsets, ~1.5-3x faster, because re compares every character of a case-insensitive pattern
    through a case mapping. None when the pattern is not "(?i)" followed by a pattern free of
    upper-case letters and of other flags (only such a pattern means the same on lower-cased text)."""
    source = regex.pattern
    if not isinstance(source, str) or not source.startswith("(?i)") or regex.flags & ~(re.IGNORECASE | re.UNICODE):
        return None
    try:
        parsed = sre_parser.parse(source[4:])
    except re.error:
        return None
    if parsed.state.flags & ~re.UNICODE or not _case_free(parsed):
        return None
    return re.compile(source[4:])


def _case_free(node: Any) -> bool:
    """No upper-case character and no inline flag anywhere in a parsed pattern."""
    if isinstance(node, sre_parser.SubPattern):
        return all(_case_free(item) for item in node.data)
    if not isinstance(node, tuple) or len(node) != 2 or not isinstance(node[0], sre_constants._NamedIntConstant):
        return all(_case_free(x) for x in node) if isinstance(node, (list, tuple)) else True
    op, av = node
    if op in (sre_constants.LITERAL, sre_constants.NOT_LITERAL):
        return chr(av) == chr(av).lower()
    if op is sre_constants.RANGE:
        return all(chr(c) == chr(c).lower() for c in range(av[0], av[1] + 1))
    if op is sre_constants.SUBPATTERN and (av[1] or av[2]):
        return False  # (?i:...) / (?-i:...) inside
    return _case_free(av) if isinstance(av, (list, tuple, sre_parser.SubPattern)) else True


_REACH = 250  # characters a regex match may extend either side of its anchor


def _windows(lower: str, anchors: tuple[str, ...], length: int) -> list[tuple[int, int]]:
    """Where an anchored regex can match: around each anchor occurrence (str.find runs in C;
    Python's re scans a leading alternation position by position, which costs ~0.1 ms a rule
    on a 3 KB note)."""
    if not anchors:
        return [(0, length)]
    points = []
    for anchor in anchors:
        i = lower.find(anchor)
        while i >= 0:
            points.append(i)
            i = lower.find(anchor, i + 1)
    windows: list[tuple[int, int]] = []
    for p in sorted(points):
        lo, hi = max(0, p - _REACH), min(length, p + _REACH)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows
