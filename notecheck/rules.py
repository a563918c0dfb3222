"""Rule files: pydantic models for everything in `patterns/`, validated at load.

An unknown key, a value outside a file's vocabulary, a regex that does not compile or a rule
with nothing to match fails with a `RuleFileError` naming the file and the rule, so a typo in a
rule file never degrades silently into a rule that matches nothing (Presidio #1766).
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from notecheck.errors import Location, describe_validation, dotted
from patterns import PATTERNS_DIR


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file and the rule."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(regex: Optional[str]) -> None:
    if regex is None:
        return
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        raise ValueError(f"regex does not compile ({exc})") from None
    if compiled.groupindex:
        raise ValueError("named groups are reserved; use (?:...)")


class Near(_Strict):
    labels: list[str]
    window: int = Field(ge=1, le=30)


class MatchRule(_Strict):
    """The medspaCy rule triad: literals (phrase match on lower case), token patterns, or a regex."""

    id: str
    literals: list[str] = []
    patterns: list[list[dict[str, Any]]] = []
    regex: Optional[str] = None
    # The regex runs only on a note that contains one of these lower-case strings: a C-speed
    # substring test that spares most notes a slow alternation.
    anchors: list[str] = []

    @model_validator(mode="after")
    def _has_something_to_match(self) -> "MatchRule":
        if not (self.literals or self.patterns or self.regex):
            raise ValueError("a rule needs literals, patterns or a regex")
        if any(not lit.strip() for lit in self.literals):
            raise ValueError("empty literal")
        _check_regex(self.regex)
        if self.anchors and not self.regex:
            raise ValueError("anchors only apply to a regex")
        if any(a != a.lower() or not a.strip() for a in self.anchors):
            raise ValueError("anchors must be non-empty lower-case strings")
        return self


class TargetRule(MatchRule):
    value: str
    sections: Optional[list[str]] = None
    not_sections: Optional[list[str]] = None
    requires_in_sentence: Optional[list[str]] = None
    requires_near: Optional[Near] = None


class TargetFile(_Strict):
    version: str
    kind: Literal["target_rules"]
    label: str
    plurals: bool = False
    # false: spans of this file only serve other rules' requirements and are not emitted.
    emit: bool = True
    values: list[str]
    groups: dict[str, list[str]] = {}
    rules: list[TargetRule]

    @model_validator(mode="after")
    def _values_known(self) -> "TargetFile":
        allowed = set(self.values)
        for rule in self.rules:
            if rule.value not in allowed:
                raise ValueError(f"rule {rule.id!r}: value {rule.value!r} is not one of {sorted(allowed)}")
        for group, members in self.groups.items():
            unknown = set(members) - allowed
            if unknown:
                raise ValueError(f"group {group!r}: unknown values {sorted(unknown)}")
        return self

    def label_of(self, value: str) -> str:
        for group, members in self.groups.items():
            if value in members:
                return group
        return self.label


ContextCategory = Literal[
    "NEGATED", "HYPOTHETICAL", "HISTORICAL", "FUTURE", "OTHER_PERSON", "NO_EFFECT", "CONSENT", "PSEUDO", "TERMINATE"
]


class ContextRule(MatchRule):
    category: ContextCategory
    direction: Literal["forward", "backward", "bidirectional", "none"] = "none"
    max_scope: Optional[int] = Field(default=None, ge=1, le=60)
    allowed_labels: Optional[list[str]] = None
    excluded_labels: Optional[list[str]] = None
    terminated_by: list[str] = []
    sections: Optional[list[str]] = None


class ContextFile(_Strict):
    version: str
    kind: Literal["context_rules"]
    rules: list[ContextRule]


class SectionRule(_Strict):
    id: str
    category: str
    headers: list[str]


class SectionRoles(_Strict):
    removal_sections: list[str]
    title_sections: list[str]
    header_sections: list[str]
    history_sections: list[str]
    other_person_sections: list[str]
    plan_sections: list[str]
    placed_hardware_sections: list[str]
    removed_hardware_sections: list[str]
    field_sections: list[str]
    narrative_sections: list[str]
    indication_sections: list[str]
    indication_fallback_sections: list[str]
    operative_sections: list[str]
    done_today_sections: list[str] = []
    addendum_sections: list[str] = []


class SectionFile(_Strict):
    version: str
    kind: Literal["section_rules"]
    rules: list[SectionRule]
    roles: SectionRoles
    description_cues: list[str] = []
    long_title_chars: int = Field(default=600, ge=100)

    @model_validator(mode="after")
    def _roles_name_known_sections(self) -> "SectionFile":
        for cue in self.description_cues:
            _check_regex(cue)
        known = {r.category for r in self.rules} | {"body"}
        for role, cats in self.roles.model_dump().items():
            unknown = set(cats) - known
            if unknown:
                raise ValueError(f"role {role!r}: unknown sections {sorted(unknown)}")
        return self


class Vocabulary(_Strict):
    version: str
    kind: Literal["vocabulary"]
    numbers: dict[str, int]
    count_skip_words: list[str]
    count_suffix_regex: str
    rays: dict[str, int]
    digit_rays: dict[str, int]
    bone_regions: dict[str, str]
    rule_regions: dict[str, str]
    region_values: dict[str, str]
    provisional_words: list[str]
    old_hardware_words: list[str]
    foot_words_regex: str
    hand_words_regex: str
    indications_read_anywhere: list[str]
    joint_bones: dict[str, list[str]]
    complication_indications: list[str]
    fusion_words_regex: str
    consent_risk_indications: list[str]
    wish_yields_to: list[str]
    past_act_suffixes: list[str]
    correction_cues: list[str]
    corrected_side_before: list[str]
    wrong_side_before: list[str]
    healed_state_window: int


TARGET_FILES = (
    "implants.yaml", "acts.yaml", "anatomy.yaml", "indications.yaml", "approach.yaml",
    "depth.yaml", "procedure.yaml", "complexity.yaml", "bone_context.yaml", "handedness.yaml", "suppressors.yaml",
)


def _load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise RuleFileError(f"{path.name}: rule file not found in {path.parent}") from None
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{path.name}: not valid YAML ({exc.__class__.__name__})") from None


def _describe(exc: ValidationError, data: Any) -> str:
    """Name the rule (by id) that failed, not just its list index."""

    def where(loc: Location) -> str:
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            try:
                return f"rule {data['rules'][loc[1]].get('id', loc[1])!r}" + (f" field {dotted(loc[2:])}" if loc[2:] else "")
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
        return dotted(loc)

    return describe_validation(exc, where=where, limit=1)


def _check_token_patterns(obj: Any, path: Path) -> None:
    """spaCy's own pattern validation, at load time, so the error names the file."""
    rules = [r for r in getattr(obj, "rules", []) if getattr(r, "patterns", None)]
    if not rules:
        return
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    for rule in rules:
        try:
            matcher.add(rule.id, rule.patterns)
        except (ValueError, KeyError, TypeError) as exc:
            first = str(exc).strip().splitlines()[0][:200]
            raise RuleFileError(f"{path.name}: rule {rule.id!r}: bad token pattern ({first})") from None


def load_model(model: type[BaseModel], path: Path) -> Any:
    data = _load_yaml(path)
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(f"{path.name}: {_describe(exc, data)}") from None
    _check_token_patterns(obj, path)
    ids = [r.id for r in getattr(obj, "rules", [])]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuleFileError(f"{path.name}: duplicate rule ids {dupes}")
    return obj


class Normalization(_Strict):
    version: str
    kind: Literal["normalization"]
    variants: dict[str, list[str]]
    fuzzy_min_length: int = Field(ge=4)
    spoken_stops: list[str]
    spoken_stop_min: int = Field(ge=1)
    period_noun_after: list[str]

    @field_validator("variants")
    @classmethod
    def _single_token_canonical(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for canonical, variants in value.items():
            if not canonical.strip() or " " in canonical or canonical != canonical.lower():
                raise ValueError(f"canonical word {canonical!r} must be one lower-case word")
            if any(v != v.lower() or not v.strip() for v in variants):
                raise ValueError(f"variants of {canonical!r} must be non-empty lower-case strings")
        return value


class RuleSet(_Strict):
    """Everything the pipeline reads from a patterns directory."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    directory: str
    targets: list[TargetFile]
    context: ContextFile
    sections: SectionFile
    vocabulary: Vocabulary
    normalization: Normalization
    known_words: frozenset[str]

    @property
    def version(self) -> str:
        """The package version and a hash of every rule file's bytes: it changes whenever any rule
        file does (the files' own `version:` fields never did), so two results with the same
        rules_version were produced by the same rules."""
        return rules_fingerprint(self.directory)


@lru_cache(maxsize=8)
def rules_fingerprint(directory: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("notecheck")
    except PackageNotFoundError:
        package = "dev"
    digest = hashlib.sha256()
    for path in sorted(Path(directory).iterdir()):
        if path.suffix in (".yaml", ".txt") and path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{package}+{digest.hexdigest()[:12]}"


@lru_cache(maxsize=8)
def load_rules(directory: Optional[str] = None) -> RuleSet:
    """Load and validate every rule file in `directory` (default: the packaged patterns)."""
    base = Path(directory) if directory else PATTERNS_DIR
    targets = [load_model(TargetFile, base / name) for name in TARGET_FILES]
    labels = {f.label_of(v) for f in targets for v in f.values} | {f.label for f in targets}
    for f, name in zip(targets, TARGET_FILES):
        for rule in f.rules:
            needed = (rule.requires_in_sentence or []) + (rule.requires_near.labels if rule.requires_near else [])
            unknown = set(needed) - labels
            if unknown:
                raise RuleFileError(f"{name}: rule {rule.id!r}: unknown labels {sorted(unknown)}")
    return RuleSet(
        directory=str(base),
        targets=targets,
        context=load_model(ContextFile, base / "context.yaml"),
        sections=load_model(SectionFile, base / "sections.yaml"),
        vocabulary=load_model(Vocabulary, base / "vocabulary.yaml"),
        normalization=load_model(Normalization, base / "normalization.yaml"),
        known_words=_load_words(base / "known_words.txt"),
    )


def _load_words(path: Path) -> frozenset[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise RuleFileError(f"{path.name}: word list not found in {path.parent}") from None
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


class RiskText(_Strict):
    severity: Literal["high", "medium", "low"]
    message: str


class CodingRules(_Strict):
    version: str
    kind: Literal["coding_rules"]
    related_index_ranges: list[tuple[int, int]]
    global_window: dict[Literal["before", "after"], int]
    mue: dict[str, int]
    fees: dict[str, float]
    finger_modifiers: dict[Literal["left", "right"], dict[str, str]]
    side_modifiers: dict[Literal["left", "right"], str]
    hand_bones: list[str]
    wrist_bones: list[str]
    global_modifiers: list[str]
    assistant_modifiers: list[str]
    removal_codes: list[str]
    percutaneous_types: list[str]
    superficial_types: list[str]
    integral_procedures: list[str]
    factors_without_statement: int
    separately_coded_procedures: list[str]
    factors_of_separate_procedures: list[str]
    denial_risks: dict[str, RiskText]
    # Risks that rest on the documented side: lowered to a review question when the note's
    # sides conflict.
    side_dependent_risks: list[str] = []

    @property
    def all_finger_modifiers(self) -> frozenset[str]:
        return frozenset(code for table in self.finger_modifiers.values() for code in table.values())


class IcdMapping(_Strict):
    code: str
    why: str


class Icd10Rules(_Strict):
    version: str
    kind: Literal["icd10_rules"]
    codes: dict[str, str]
    fixation_indications: dict[str, IcdMapping]
    joint_indications: dict[str, IcdMapping]
    other_device_indications: dict[str, IcdMapping]
    stiffness: dict[Literal["left", "right"], str]

    @model_validator(mode="after")
    def _codes_described(self) -> "Icd10Rules":
        for table in (self.fixation_indications, self.joint_indications, self.other_device_indications):
            for key, mapping in table.items():
                if mapping.code not in self.codes:
                    raise ValueError(f"{key}: code {mapping.code} has no description in `codes`")
        return self


class ChecklistText(_Strict):
    title: str
    description: str
    weight: float = Field(gt=0)
    required: bool = True
    # A core item must be fully met for the note to be ready to sign (partial is not enough).
    core: bool = False
    scored: bool = True
    messages: dict[Literal["partial", "missing"], str]


class ChecklistRules(_Strict):
    version: str
    kind: Literal["checklist"]
    ready_threshold: int = Field(ge=0, le=100)
    items: dict[str, ChecklistText]


@lru_cache(maxsize=8)
def load_coding(directory: Optional[str] = None) -> tuple[CodingRules, Icd10Rules, ChecklistRules]:
    base = Path(directory) if directory else PATTERNS_DIR
    return (
        load_model(CodingRules, base / "coding.yaml"),
        load_model(Icd10Rules, base / "icd10.yaml"),
        load_model(ChecklistRules, base / "checklist.yaml"),
    )
