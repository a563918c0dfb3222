"""Target matcher: every rule file of `patterns/` matched in one pass into doc.spans["notecheck"].

Phrase rules (literals, and IN-list token patterns expanded into phrases) run in two medspaCy
TargetMatchers, one on NORM (lower case and the normalizer's spellings) and one case-exact on ORTH,
with `prune=False` and span-group output; token patterns that are not phrase sets and the regexes
run in notecheck's anchored RuleMatcher. The post-filter below then applies to all of them.

Spans carry label (IMPLANT, ACT, SIDE, DIGIT, ...), kb_id (the value, e.g. "k_wire") and id (the
rule id) — strings only. Within a label the longest match wins; across labels spans may overlap
(medspaCy #78). Suppressor spans ("pin tract", "left in place", "volar plate") remove the targets of
the label they name, and rules may require a section, a word of another label in the same
sentence, or one within a few tokens.
"""

from bisect import bisect_right
from operator import itemgetter
from typing import Optional

import numpy as np
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from notecheck.medspacy_rules import KEY_SEP, target_rule_objects
from notecheck.rules import TargetRule, load_rules
from pipelines.extensions import EXPLAIN_KEY, RULES_VERSION, SECTIONS, SPANS_KEY, TARGET_DROPS_KEY, doc_text, register_extensions
from pipelines.matching import RuleMatcher
from pipelines.medspacy_adapter import phrase_check, register_medspacy_extensions

SUPPRESS = "SUPPRESS"
_NONE: frozenset[int] = frozenset()
# Span groups the two medspaCy TargetMatchers write into; read and removed at once.
NORM_GROUP = "nc_phrases_norm"
ORTH_GROUP = "nc_phrases_orth"


# Labels that only say why, how and how hard hardware came out: notecheck.extract reads them
# only once a removal is found, and a removal needs an IMPLANT mention or an act that names its
# own object ("HWR"). In a note with neither (four in five MTSamples reports) their regexes are
# not run and their phrase matches are dropped: the result is the same, ~6% faster.
DEFAULT_REMOVAL_ONLY = ["INDICATION", "COMPLEXITY", "SUBSTANTIAL", "APPROACH", "PLANNING", "DESIGN"]
# What opens that gate: a label, or "label:value".
DEFAULT_REMOVAL_CUES = ["IMPLANT", "ACT:removal_and_implant"]


@Language.factory(
    "notecheck_targets",
    default_config={"rules_dir": None, "removal_only": DEFAULT_REMOVAL_ONLY, "removal_cues": DEFAULT_REMOVAL_CUES},
)
def make_target_matcher(
    nlp: Language, name: str, rules_dir: Optional[str], removal_only: list[str], removal_cues: list[str]
) -> "TargetMatcher":
    return TargetMatcher(nlp, name, rules_dir=rules_dir, removal_only=removal_only, removal_cues=removal_cues)


def sentence_ids(doc: Doc) -> np.ndarray:
    starts = doc.to_array([SENT_START]).astype(np.int64).ravel() == 1
    if len(starts):
        starts[0] = True
    return np.cumsum(starts) - 1


def section_at(sections: list[tuple[str, int, int, int]], starts: list[int], char: int) -> str:
    i = bisect_right(starts, char) - 1
    return sections[i][0] if i >= 0 else "body"


class TargetMatcher:
    def __init__(
        self, nlp: Language, name: str = "notecheck_targets", *, rules_dir: Optional[str] = None,
        removal_only: Optional[list[str]] = None, removal_cues: Optional[list[str]] = None,
    ) -> None:
        register_extensions()
        self.name = name
        rules = load_rules(rules_dir)
        self.version = rules.version
        self.rules: dict[str, TargetRule] = {}
        self.hidden = {f.label for f in rules.targets if not f.emit}
        for target_file in rules.targets:
            for rule in target_file.rules:
                self.rules[rule.id] = rule
        register_medspacy_extensions()
        from medspacy.target_matcher import TargetMatcher as MedspacyTargetMatcher

        objects = target_rule_objects(rules, phrase_ok=phrase_check(nlp))
        # One matcher of each kind for every file: one pass over the doc, not ten.
        self.phrases = []
        for attr, group, found in (("NORM", NORM_GROUP, objects.lower), ("ORTH", ORTH_GROUP, objects.exact)):
            if not found:
                continue
            matcher = MedspacyTargetMatcher(
                nlp, name=f"{name}_{attr.lower()}", phrase_matcher_attr=attr,
                result_type="group", span_group_name=group, prune=False,
            )
            matcher.add(found)
            self.phrases.append((group, matcher))
        # Residual suppressors (regexes, ~0.3 ms a note) run only when a target of the label
        # they suppress was found: without one they cannot change the result.
        self.removal_only = frozenset(DEFAULT_REMOVAL_ONLY if removal_only is None else removal_only)
        cues = DEFAULT_REMOVAL_CUES if removal_cues is None else removal_cues
        self._cue_labels = frozenset(c for c in cues if ":" not in c)
        self._cue_values = frozenset(tuple(c.split(":", 1)) for c in cues if ":" in c)
        residual: list = []
        gated: list = []
        suppressors: dict[str, list] = {}
        for keyed, plural in zip(objects.residual, objects.residual_plurals):
            label, value, _ = keyed[0].split(KEY_SEP, 2)
            if label == SUPPRESS:
                suppressors.setdefault(value, []).append((keyed, plural))
            else:
                (gated if label in self.removal_only else residual).append((keyed, plural))
        self.matcher = RuleMatcher(nlp, [k for k, _ in residual], plurals=[p for _, p in residual])
        self.gated = RuleMatcher(nlp, [k for k, _ in gated], plurals=[p for _, p in gated])
        self.suppressors = {
            label: RuleMatcher(nlp, [k for k, _ in group], plurals=[p for _, p in group]) for label, group in suppressors.items()
        }
        self._split = {r.category: tuple(r.category.split(KEY_SEP, 2)) for r in objects.lower + objects.exact}
        self._split.update({key: tuple(key.split(KEY_SEP, 2)) for key, _ in objects.residual})
        # Span(label=str) hashes its three strings on every span; hash them once here.
        strings = nlp.vocab.strings
        self._hashes = {parts: tuple(strings.add(part) for part in parts) for parts in self._split.values()}

    def removal_possible(self, found: set[tuple[str, int, int]]) -> bool:
        """Whether the matches hold what a removal needs (DEFAULT_REMOVAL_CUES)."""
        split = self._split
        return any(split[key][0] in self._cue_labels or split[key][:2] in self._cue_values for key, _, _ in found)

    def matches(self, doc: Doc, gated_out: Optional[list[tuple[str, int, int]]] = None) -> list[tuple[str, int, int]]:
        """(key, start, end) of every rule match, each once, in text order. Matches of the
        removal-only labels in a note where no removal is possible go to `gated_out` instead
        (when given: the explanation runs those rules too, to say what was left out)."""
        found: set[tuple[str, int, int]] = set()
        for group, matcher in self.phrases:
            matcher(doc)
            found.update((span.label_, span.start, span.end) for span in doc.spans[group])
            del doc.spans[group]
        found.update(self.matcher(doc))
        if not self.removal_only or self.removal_possible(found):
            found.update(self.gated(doc))
        else:
            split, only = self._split, self.removal_only
            out = {m for m in found if split[m[0]][0] in only}
            found -= out
            if gated_out is not None:
                gated_out.extend(sorted(out | set(self.gated(doc)), key=itemgetter(1, 2, 0)))
        labels = {self._split[key][0] for key, _, _ in found}
        for label, suppressor in self.suppressors.items():
            if label in labels:
                found.update(suppressor(doc))
        return sorted(found, key=itemgetter(1, 2, 0))

    def __call__(self, doc: Doc) -> Doc:
        doc._.set(RULES_VERSION, self.version)
        raw: list[tuple[str, str, str, int, int]] = []
        split = self._split
        # Only for an explanation: every match the post-filter drops, and why (primitives).
        drops = _Drops(doc, self.hidden) if doc.user_data.get(EXPLAIN_KEY) else None
        gated_out: Optional[list[tuple[str, int, int]]] = [] if drops is not None else None
        for key, start, end in self.matches(doc, gated_out):
            label, value, rule_id = split[key]
            raw.append((label, value, rule_id, start, end))
        if drops is not None:
            for key, start, end in gated_out or ():
                drops.add((*split[key], start, end), "no_hardware")
            doc.user_data[TARGET_DROPS_KEY] = drops.rows  # the post-filter below appends to it
        if not raw:
            doc.spans[SPANS_KEY] = []
            return doc
        sections = doc._.get(SECTIONS) or [("body", 0, 0, len(doc_text(doc)))]
        section_starts = [s[1] for s in sections]
        suppressors: dict[str, list[tuple[int, int, str]]] = {}
        candidates = []
        for item in raw:
            if item[0] == SUPPRESS:
                suppressors.setdefault(item[1], []).append((item[3], item[4], item[2]))
            else:
                candidates.append(item)
        # Token-occupancy sets keep every test linear in the note (a 1 MB note has ~10^4 spans).
        suppressed: dict[str, set[int]] = {}
        for label, spans in suppressors.items():
            cover = suppressed.setdefault(label, set())
            for s_start, s_end, _ in spans:
                cover.update(range(s_start, s_end))
        kept = []
        for item in candidates:
            label, value, rule_id, start, end = item
            cover = suppressed.get(label)
            if cover and not cover.isdisjoint(range(start, end)):
                if drops is not None:
                    drops.suppressed(item, suppressors[label])
                continue
            rule = self.rules[rule_id]
            if rule.sections or rule.not_sections:
                section = section_at(sections, section_starts, doc[start].idx)
                if rule.sections and section not in rule.sections:
                    if drops is not None:
                        drops.add(item, "section", detail=section)
                    continue
                if rule.not_sections and section in rule.not_sections:
                    if drops is not None:
                        drops.add(item, "not_section", detail=section)
                    continue
            kept.append((label, value, rule_id, start, end))
        # Context requirements are tested before overlapping spans compete, so that a longer span
        # whose requirement fails never displaces a shorter one that stands on its own.
        tokens_of: dict[str, set[int]] = {}
        for o in kept:
            tokens_of.setdefault(o[0], set()).update(range(o[3], o[4]))
        sent = None
        sentences_of: dict[str, set[int]] = {}
        required = []
        for item in kept:
            label, value, rule_id, start, end = item
            rule = self.rules[rule_id]
            if rule.requires_near:
                # Near means near in the same sentence: "...over the plate. Failed therapy" is not
                # a failed plate.
                if sent is None:
                    sent = sentence_ids(doc).tolist()
                window = rule.requires_near.window
                here = sent[start]
                near = [t for t in range(max(0, start - window), min(len(doc), end + window)) if sent[t] == here]
                if all(tokens_of.get(w, _NONE).isdisjoint(near) for w in rule.requires_near.labels):
                    if drops is not None:
                        drops.add(item, "requires_near", detail=f"{'/'.join(rule.requires_near.labels)} within {window}")
                    continue
            if rule.requires_in_sentence:
                if sent is None:
                    sent = sentence_ids(doc).tolist()
                if not sentences_of:
                    for o in kept:
                        sentences_of.setdefault(o[0], set()).add(sent[o[3]])
                reach = range(sent[start] - rule.requires_sentences_before, sent[start] + 1)
                if not any(not sentences_of.get(w, _NONE).isdisjoint(reach) for w in rule.requires_in_sentence):
                    if drops is not None:
                        drops.add(item, "requires_in_sentence", detail="/".join(rule.requires_in_sentence))
                    continue
            required.append(item)
        hashes = self._hashes
        final = []
        for label, value, rule_id, start, end in _longest_per_label(required, drops):
            if label not in self.hidden:
                label_hash, value_hash, id_hash = hashes[label, value, rule_id]
                final.append(Span(doc, start, end, label=label_hash, kb_id=value_hash, span_id=id_hash))
        doc.spans[SPANS_KEY] = final  # drops.rows went to TARGET_DROPS_KEY above and keeps filling
        return doc


Match = tuple[str, str, str, int, int]  # label, value, rule_id, start token, end token


class _Drops:
    """The post-filter's drops as rows of primitives (TARGET_DROPS_KEY); labels that are never
    emitted (helpers of other rules' requirements) are left out."""

    def __init__(self, doc: Doc, hidden: set[str]) -> None:
        self.doc, self.hidden = doc, hidden
        self.rows: list[tuple[str, str, str, int, int, str, str, int, int, str]] = []
        self._suppressor_at: dict[str, dict[int, tuple[int, int, str]]] = {}

    def _chars(self, start: int, end: int) -> tuple[int, int]:
        return self.doc[start].idx, self.doc[end - 1].idx + len(self.doc[end - 1])

    def add(self, item: Match, reason: str, by: Optional[tuple[str, int, int]] = None, detail: str = "") -> None:
        label, value, rule_id, start, end = item
        if label in self.hidden:
            return
        by_rule, by_start, by_end = ("", -1, -1) if by is None else (by[0], *self._chars(by[1], by[2]))
        self.rows.append((label, value, rule_id, *self._chars(start, end), reason, by_rule, by_start, by_end, detail))

    def suppressed(self, item: Match, suppressors: list[tuple[int, int, str]]) -> None:
        label, start, end = item[0], item[3], item[4]
        at = self._suppressor_at.get(label)
        if at is None:  # token -> suppressor, built once per label: linear in the note
            at = self._suppressor_at[label] = {t: s for s in reversed(suppressors) for t in range(s[0], s[1])}
        s_start, s_end, s_rule = next(at[t] for t in range(start, end) if t in at)
        self.add(item, "suppressed", (s_rule, s_start, s_end))


def _longest_per_label(items: list[Match], drops: Optional[_Drops] = None) -> list[Match]:
    taken: dict[str, set[int]] = {}
    winners: dict[tuple[str, int], Match] = {}
    out = []
    for item in sorted(items, key=lambda i: (i[0], i[3] - i[4], i[3])):
        label, _, _, start, end = item
        occupied = taken.setdefault(label, set())
        tokens = range(start, end)
        if not occupied.isdisjoint(tokens):
            if drops is not None:
                winner = next(winners[(label, t)] for t in tokens if (label, t) in winners)
                drops.add(item, "overlapped", (winner[2], winner[3], winner[4]))
            continue
        occupied.update(tokens)
        if drops is not None:
            winners.update(((label, t), item) for t in tokens)
        out.append(item)
    out.sort(key=lambda i: (i[3], i[4], i[0]))
    return out
