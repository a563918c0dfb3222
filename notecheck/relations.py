"""patterns/relations.yaml as validated data: the links extractors make between mentions.

The windows, linking words and generic-type resolution used to be literals in the extractors;
here they are data a rule author can read and change, and the regexes they imply are built
once at load, not per note.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from notecheck.word_regex import alternation


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActImplant(_Strict):
    max_gap: int = Field(ge=1, le=60)
    governing_gap: int = Field(ge=0, le=20)
    governing_prepositions: list[str] = Field(min_length=1)
    governing_determiners: list[str]
    # "Took it out thru the old incision": a removal whose object is a pronoun takes the hardware
    # the sentence before it named.
    pronoun_objects: list[str] = []
    pronoun_after: int = Field(default=2, ge=0, le=5)
    # "the proximal segment ... segment removed w/ needle driver": in a note that affirms broken
    # hardware, a removal whose object is a piece of it takes the hardware named last before it.
    fragment_objects: list[str] = []
    fragment_before: int = Field(default=16, ge=0, le=30)
    fragment_after: int = Field(default=3, ge=0, le=10)
    fragment_lookback_sentences: int = Field(default=3, ge=1, le=10)

    @cached_property
    def governing(self) -> re.Pattern[str]:
        """What may stand between a nominal act and the implant it governs ("removal of the")."""
        dets = alternation(self.governing_determiners)
        return re.compile(
            rf"^\s*(?:{alternation(self.governing_prepositions)})\s+" + (rf"(?:(?:{dets})\s+)?" if dets else ""),
            re.I,
        )


class DigitBone(_Strict):
    digit_before: int = Field(ge=0, le=10)
    digit_after: int = Field(ge=0, le=10)
    linking_words: list[str]
    chain_gap: int = Field(ge=0, le=10)

    @cached_property
    def linking(self) -> re.Pattern[str]:
        """Only linking words between a bone and the digit after it ("P1 of the ring finger")."""
        return re.compile(rf"^[\s,]*(?:(?:{alternation(self.linking_words)})[\s,]+)*$", re.I)


class LongSentence(_Strict):
    """A removal sentence longer than `tokens` (a dictation run together with commas) gives the
    site only within `reach` tokens of what it removed, not from every aside it holds."""
    tokens: int = Field(ge=20, le=1000)
    reach: int = Field(ge=5, le=200)


class SideAnatomy(_Strict):
    side_before: int = Field(ge=0, le=20)
    side_after: int = Field(ge=0, le=20)
    qualifies_within: int = Field(ge=0, le=20)
    addendum_lookback: int = Field(ge=1, le=20)
    cue_weight: int = Field(ge=1, le=10)
    capitals_weight: int = Field(ge=0, le=10)
    capitals_min_letters: int = Field(ge=1, le=10)


class Rays(_Strict):
    ordinal_before: int = Field(ge=1, le=10)
    number_after: int = Field(ge=1, le=10)
    between_words: list[str]
    bone_prefixes: list[str]
    # Ray words that name a ray right after the bone only when written in capitals ("MC IV").
    capitals_after: list[str] = []


class Counts(_Strict):
    lookback: int = Field(ge=1, le=20)
    bare_number_below: int = Field(ge=2, le=100)
    suffix_chars: int = Field(ge=1, le=40)
    each_regex: str
    each_chars: int = Field(ge=1, le=40)
    size_regex: str
    site_sentences_before: int = Field(ge=0, le=5)
    singular_endings: list[str]

    @field_validator("each_regex", "size_regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"regex does not compile ({exc})") from None
        return value

    @cached_property
    def each(self) -> re.Pattern[str]:
        return re.compile(self.each_regex, re.I)

    @cached_property
    def size(self) -> re.Pattern[str]:
        return re.compile(self.size_regex)


class Procedures(_Strict):
    fixation_gap: int = Field(ge=0, le=30)
    # Characters before a procedure's name read for vocabulary.part_of_words ("as part of the wrist").
    part_of_chars: int = Field(default=40, ge=0, le=200)
    # Characters after a procedure's name read for vocabulary.with_removal_words ("repair of nonunion
    # left fifth metacarpal with removal of failed plate").
    with_removal_chars: int = Field(default=60, ge=0, le=200)
    always_same_site: list[str]
    fused_today_values: list[str] = []


class Foot(_Strict):
    min_words: int = Field(ge=1, le=10)
    hand_ratio: int = Field(ge=1, le=10)


ImplantTypeValue = Literal[
    "k_wire", "pin", "wire", "screw", "plate", "staple", "suture_anchor", "external_fixator",
    "rod_or_nail", "joint_implant", "other",
]


class GenericType(_Strict):
    default: ImplantTypeValue
    prefer: list[ImplantTypeValue] = []


class ImplantTypes(_Strict):
    generic: dict[str, GenericType]
    ambiguous_without_bones: list[str]
    untyped: str
    # Generic words that count only when the note also names this type.
    needs_named: dict[str, ImplantTypeValue] = {}
    # Generic words that count only in a note that says a hand word ("spacer" elsewhere is not ours).
    needs_hand_words: list[str] = []
    removal_acts: list[str] = Field(min_length=1)
    families: list[list[ImplantTypeValue]] = []

    def family(self, value: str) -> frozenset[str]:
        """The types a note may call `value` by (itself alone when it has no family)."""
        return next((frozenset(f) for f in self.families if value in f), frozenset((value,)))

    def resolve(self, value: str, note_values: set[str]) -> str:
        """A generic implant word's type, given the implant values the note names."""
        rule = self.generic.get(value)
        if rule is None:
            return value
        return next((kind for kind in rule.prefer if kind in note_values), rule.default)


class Relations(_Strict):
    version: str
    kind: Literal["relations"]
    act_implant: ActImplant
    digit_bone: DigitBone
    side_anatomy: SideAnatomy
    long_sentence: LongSentence = LongSentence(tokens=80, reach=25)
    # A description that names one other digit in at least this many sentences outweighs headers
    # cloned from another case (extract/sites.py _description_over_headers).
    cloned_header_sentences: int = Field(default=2, ge=2, le=10)
    rays: Rays
    counts: Counts
    procedures: Procedures
    foot: Foot
    implant_types: ImplantTypes

    def check_values(self, values_by_label: dict[str, set[str]]) -> Optional[str]:
        """The first value this file names that no target rule file defines, so renaming a value in
        a target file fails at load instead of silently unlinking a relation."""
        wanted = {
            "IMPLANT": set(self.implant_types.generic) | set(self.implant_types.ambiguous_without_bones)
            | set(self.implant_types.needs_named) | set(self.implant_types.needs_hand_words)
            | {self.implant_types.untyped},
            "ACT": set(self.implant_types.removal_acts),
            "PROC": set(self.procedures.always_same_site),
        }
        for label, values in wanted.items():
            unknown = values - values_by_label.get(label, set())
            if unknown:
                return f"{label} values {sorted(unknown)} are not defined by any target rule file"
        return None
