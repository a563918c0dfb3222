"""Spelling normalizer: sets `token.norm_` so that the matchers, which read NORM, see the word the
rules know while every offset and quote stays the note's own.

- Variants of several words ("kay wire", "meta carpal", "lido cane") become one token whose NORM
  is the canonical word; single-word variants ("heeled", "palatable") keep their token.
- A word that is not correctly spelt clinical English (`known_words.txt`) and lies one edit (a
  letter dropped, doubled, changed, or two swapped) from exactly one rule word of at least
  `fuzzy_min_length` letters reads as that word ("remvoed", "compresion", "prominance").

Lookups are hash probes (the rule words' one-letter deletions are indexed once), so the cost is
one dict lookup per token plus a few dozen probes per unknown long word.
"""

import re
import string
from typing import Iterable, Optional

import numpy as np
from spacy.attrs import IS_ALPHA, LENGTH, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import filter_spans

from notecheck.rules import RuleSet, load_rules
from notecheck.word_regex import alternation
from pipelines.anchored import case_folded
from pipelines.extensions import NORMALIZED_TEXT_KEY, SPOKEN_STOPS_KEY, doc_text, lower_text, register_extensions


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance exactly 1 (a transposition counts as one edit)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        if len(diff) == 1:
            return True
        # One transposition of neighbours ("remvoed") is one edit.
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1  # algorithm: two neighbouring positions
        return swapped and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return short in _deletions(long_)


def slips(words: Iterable[str]) -> dict[str, str]:
    """Every slip of each word by a letter added or two neighbours swapped, mapped to the word; a slip
    of two words ("wires"/"wrist") maps to neither."""
    found: dict[str, set[str]] = {}
    for word in words:
        for i in range(len(word) + 1):
            for letter in string.ascii_lowercase:
                found.setdefault(word[:i] + letter + word[i:], set()).add(word)
        for i, (a, b) in enumerate(zip(word, word[1:])):  # neighbours a, b at i, i + 1
            if a != b:
                found.setdefault(word[:i] + b + a + word[i + len(a + b):], set()).add(word)
    return {slip: next(iter(targets)) for slip, targets in found.items() if len(targets) == 1 and slip not in targets}


def rule_words(rules: RuleSet) -> set[str]:
    """Every alphabetic word of every literal the target and ConText rules match."""
    literals: list[str] = []
    for rule in [r for f in rules.targets for r in f.rules] + list(rules.context.rules):
        literals.extend(rule.literals)
        for pattern in rule.patterns:
            for token in pattern:
                for attr in ("LOWER", "NORM"):
                    spec = token.get(attr)
                    if isinstance(spec, str):
                        literals.append(spec)
                    elif isinstance(spec, dict) and isinstance(spec.get("IN"), list):
                        literals.extend(v for v in spec["IN"] if isinstance(v, str))
    words = set()
    for literal in literals:
        for word in literal.lower().replace("-", " ").replace("/", " ").split():
            if word.isalpha():
                words.add(word)
    return words


class Speller:
    """The fuzzy half: unknown long words mapped to the single rule word one edit away."""

    def __init__(self, targets: Iterable[str], known: frozenset[str], min_length: int,
                 ocr_confusions: Optional[dict[str, list[str]]] = None) -> None:
        self.min_length = min_length
        # (what OCR wrote, the letters it stands for): "rn" for "m"
        self.ocr = [(seen, meant) for meant, groups in (ocr_confusions or {}).items() for seen in groups]
        words = set(targets)
        self.targets = {w for w in words if len(w) >= min_length}
        self.known = known | words  # a rule word of any length is spelt right ("screw")
        self.dictionary = known  # correctly spelt clinical English (the rules also list typos)
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.targets:
            for d in _deletions(word):
                self._by_deletion.setdefault(d, set()).add(word)

    def correct(self, word: str) -> Optional[str]:
        if len(word) < self.min_length or word in self.known or not word.isalpha():
            return None
        read_back = self._read_back(word)
        if read_back is not None:
            return read_back
        candidates = set(self._by_deletion.get(word, ()))  # a letter dropped
        if len(word) > self.min_length:
            candidates.update(w for w in _deletions(word) if w in self.targets)  # a letter added
        for d in _deletions(word):  # a letter changed, two swapped
            candidates.update(self._by_deletion.get(d, ()))
        close = {c for c in candidates if one_edit(word, c)}
        if len(close) > 1:
            # The rules spell some typos on purpose ("promient"); a slip one edit from both a
            # listed typo and the real word ("promnent") is the real word.
            close = {c for c in close if c in self.dictionary} or close
        return next(iter(close)) if len(close) == 1 else None

    def _read_back(self, word: str) -> Optional[str]:
        """The one rule word `word` becomes when one OCR confusion in it is read back, if one."""
        found = set()
        for seen, meant in self.ocr:
            i = word.find(seen)
            while i >= 0:
                candidate = word[:i] + meant + word[i + len(seen):]
                if candidate in self.targets:
                    found.add(candidate)
                i = word.find(seen, i + 1)
        return next(iter(found)) if len(found) == 1 else None


@Language.factory("notecheck_normalizer", default_config={"rules_dir": None})
def make_normalizer(nlp: Language, name: str, rules_dir: Optional[str]) -> "Normalizer":
    return Normalizer(nlp, name, rules_dir=rules_dir)


class Normalizer:
    def __init__(self, nlp: Language, name: str = "notecheck_normalizer", *, rules_dir: Optional[str] = None) -> None:
        register_extensions()
        self.name = name
        rules = load_rules(rules_dir)
        spec = rules.normalization
        self.single: dict[str, str] = {}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._canonical: dict[int, str] = {}
        for canonical, variants in spec.variants.items():
            for variant in variants:
                tokens = nlp.tokenizer(variant)
                if len(tokens) == 1:
                    self.single[tokens[0].lower_] = canonical
                else:
                    key = nlp.vocab.strings.add(f"norm:{canonical}")
                    self._canonical[key] = canonical
                    self.phrases.add(f"norm:{canonical}", [tokens])
        self.speller = Speller(rule_words(rules), rules.known_words, spec.fuzzy_min_length, spec.ocr_confusions)
        # Slips of the short words are listed variants, found by the same hash lookup.
        for slip, canonical in slips(spec.fuzzy_short_words).items():
            if slip not in self.speller.known:
                self.single.setdefault(slip, canonical)
        self.homophones = {w.lower(): (h.reads, frozenset(h.before), frozenset(h.after), frozenset(h.never_before))
                           for w, h in spec.homophones.items()}
        self._single_hashes = np.array(sorted({hash_string(w) for w in (*self.single, *self.homophones)}), dtype=np.uint64)
        self._known_hashes = np.array(sorted({hash_string(w) for w in self.speller.known}), dtype=np.uint64)
        words = alternation(spec.spoken_stops, blank=r"[ \t]+")
        # Led by "[ \t]" (not by the lookbehind) so that re skips to the next blank in C.
        self._spoken = re.compile(r"(?i)[ \t](?<=[a-z0-9)%][ \t])[ \t]*(?:" + words + r")[ \t,]+(?=[a-z])")
        self._spoken_folded = case_folded(self._spoken)
        # A spoken stop can only match where every word of one of them occurs.
        self._spoken_words = [tuple(w.lower() for w in stop.split()) for stop in spec.spoken_stops]
        self._noun_after = frozenset(spec.period_noun_after)
        self._spoken_min = spec.spoken_stop_min

    def spoken_stops(self, text: str) -> list[int]:
        """Where spoken full stops end sentences, when the note is dictated that way."""
        lower = lower_text(text)
        if not any(all(w in lower for w in words) for words in self._spoken_words):
            return []
        stops = []
        # On ASCII text the case-folded regex over the lower-cased text (same offsets, faster).
        spoken, subject = (self._spoken_folded, lower) if self._spoken_folded is not None and text.isascii() else (self._spoken, text)
        for m in spoken.finditer(subject):
            # The word before the stop word ("the recovery period" is a noun, not a full stop);
            # matches are separated by whitespace, so these backward scans stay linear overall.
            word_start = max(text.rfind(c, 0, m.start()) for c in " \t\n") + 1
            if text[word_start: m.start()].lower().strip(",;:") in self._noun_after:
                continue
            stops.append(m.end())
        return stops if len(stops) >= self._spoken_min else []

    def _homophone(self, doc: Doc, i: int, text: str) -> Optional[str]:
        reads, before, after, never = self.homophones[text]
        following = _neighbour(doc, i, 1)
        if following not in never and (following in before or _neighbour(doc, i, -1) in after):
            return reads
        return None

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        stops = self.spoken_stops(doc_text(doc))
        if stops:
            doc.user_data[SPOKEN_STOPS_KEY] = stops
        matches = self.phrases(doc, as_spans=True)
        edits: list[tuple[int, int, str]] = []  # (start char, end char, canonical word)
        if matches:
            with doc.retokenize() as retokenizer:
                for span in filter_spans(matches):
                    canonical = self._canonical[span.label]
                    retokenizer.merge(span, attrs={"NORM": canonical})
                    edits.append((span.start_char, span.end_char, canonical))
        single, correct = self.single, self.speller.correct
        # One vectorised pass picks the few tokens worth a look (a listed variant, or a long
        # alphabetic word that is not known): a Python loop over every token cost ~10% of a check.
        attrs = doc.to_array([LOWER, IS_ALPHA, LENGTH])
        lower = attrs[:, 0]
        # The binary search over ~18,000 known words only for long alphabetic tokens.
        long_words = np.flatnonzero((attrs[:, 1] == 1) & (attrs[:, 2] >= self.speller.min_length))
        unknown = long_words[~_members(lower[long_words], self._known_hashes)]
        for i in sorted({*np.flatnonzero(_members(lower, self._single_hashes)).tolist(), *unknown.tolist()}):
            token = doc[i]
            text = token.lower_
            canonical = single.get(text)
            if canonical is None and text in self.homophones:
                canonical = self._homophone(doc, i, text)
            if canonical is None and len(text) >= self.speller.min_length and token.is_alpha:
                canonical = correct(text)
            if canonical is not None:
                token.norm_ = canonical
                edits.append((token.idx, token.idx + len(token), canonical))
        if edits:
            normalized = _written_as(doc_text(doc), edits)
            if normalized is not None:
                doc.user_data[NORMALIZED_TEXT_KEY] = normalized
        return doc


def _neighbour(doc: Doc, i: int, step: int) -> str:
    """The lower-case word next to token i (step -1 before, +1 after), past blanks and commas."""
    j = i + step
    while 0 <= j < len(doc) and (doc[j].is_space or doc[j].text == ","):
        j += step
    return doc[j].lower_ if 0 <= j < len(doc) else ""


def _written_as(text: str, edits: list[tuple[int, int, str]]) -> Optional[str]:
    """`text` with each edit's words replaced by its canonical word padded with spaces to the same
    length; an edit whose canonical word is longer is left as written. None when nothing changed."""
    parts, at = [], 0
    for start, end, canonical in sorted(edits):
        if len(canonical) > end - start or start < at or text[start:end].lower() == canonical:
            continue
        parts.append(text[at:start])
        parts.append(canonical.ljust(end - start))
        at = end
    if not parts:
        return None
    parts.append(text[at:])
    return "".join(parts)


def _members(values: np.ndarray, sorted_hashes: np.ndarray) -> np.ndarray:
    """values[i] in sorted_hashes, for every i, by binary search."""
    if not len(sorted_hashes):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_hashes, values), len(sorted_hashes) - 1)
    return sorted_hashes[at] == values
