"""Rule files: pydantic models for everything in `patterns/`, validated at load.

An unknown key, a value outside a file's vocabulary, a regex that does not compile or a rule
with nothing to match fails with a `RuleFileError` naming the file and the rule, so a typo in a
rule file never degrades silently into a rule that matches nothing (Presidio #1766).
"""
from __future__ import annotations

import hashlib
import re
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from notecheck.relations import Relations
from notecheck.word_regex import whole_words
from notecheck.vocabularies import LABEL_VOCABULARIES, Anesthesia, Bone, Digit, Hand, Modifier, Region, Severity
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


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def join_alternatives(value: Any) -> Any:
    """A regex may be written as a list of its alternatives, one a line, so that a review diff
    shows the one that changed: ["(?i)a", "b"] reads as "(?i)(?:a)|(?:b)". A global flag group
    at the start of the first alternative applies to the whole (Python allows it only there)."""
    if not isinstance(value, list):
        return value
    if not value or not all(isinstance(part, str) and part for part in value):
        raise ValueError("a regex list needs one or more non-empty strings")
    flags = _GLOBAL_FLAGS.match(value[0])
    prefix = flags.group(0) if flags else ""
    parts = [value[0][len(prefix):], *value[1:]]
    return prefix + "|".join(f"(?:{part})" for part in parts)


# A regex as a string or as a list of alternatives (see scripts/format_rules.py).
Regex = Annotated[str, BeforeValidator(join_alternatives)]


class Near(_Strict):
    labels: list[str]
    window: int = Field(ge=1, le=30)


class MatchRule(_Strict):
    """The medspaCy rule triad: literals (phrase match on lower case), token patterns, or a regex."""

    id: str
    literals: list[str] = []
    patterns: list[list[dict[str, Any]]] = []
    regex: Optional[Regex] = None
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
    # The requirement may also stand this many sentences before: a bare "Healed." or "# united."
    # follows the sentence that names the fracture.
    requires_sentences_before: int = Field(default=0, ge=0, le=2)
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
        # A label whose values reach the result is closed by the result's vocabulary, not only by
        # this file's `values` list, which a typo could enter in both places.
        for rule in self.rules:
            label = self.label_of(rule.value)
            vocabulary = LABEL_VOCABULARIES.get(label)
            if vocabulary is not None and rule.value not in vocabulary:
                raise ValueError(f"rule {rule.id!r}: value {rule.value!r} is not in the {label} vocabulary {sorted(vocabulary)}")
        for value in self.values:
            vocabulary = LABEL_VOCABULARIES.get(self.label_of(value))
            if vocabulary is not None and value not in vocabulary:
                raise ValueError(f"values: {value!r} is not in the {self.label_of(value)} vocabulary {sorted(vocabulary)}")
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
    description_sections: list[str]
    operative_context_sections: list[str]
    setting_sections: list[str]
    short_field_sections: list[str] = []
    # Fields that state the operative side outright ("Laterality: Right").
    side_field_sections: list[str]
    clause_stop_field_sections: list[str] = []
    # Fields that hold a label's short value (a name, a date); a long value is narrative (layout
    # administrative_value_chars).
    label_field_sections: list[str] = []


class Layout(_Strict):
    runon_line_chars: int = Field(ge=80)
    header_rest_chars: int = Field(ge=1, le=200)
    runon_header_rest_chars: int = Field(ge=1, le=200)
    short_header_chars: int = Field(ge=0, le=10)
    runon_field_chars: int = Field(ge=0, le=2000)
    runon_side_field_chars: int = Field(default=32, ge=8, le=200)
    # An administrative field ("Patient:", "Surgeon:") whose value runs longer than this on its line
    # is narrative written after a label, read as body.
    administrative_value_chars: int = Field(default=120, ge=20, le=1000)
    # In a run-on note: lower-case words in an administrative value that make it narrative.
    runon_administrative_words: int = Field(default=6, ge=2, le=100)
    soft_wrap_lookback_chars: int = Field(ge=1, le=20)
    # A line this long carried on to an indented line is wrapped prose, not a list item.
    hanging_line_chars: int = Field(default=40, ge=10, le=200)
    # The header of a correction dictated inside a line ("... booking error -- correction: ring finger.").
    inline_correction_header: str = ""
    word_lookback_chars: int = Field(ge=8, le=200)
    sentence_abbreviations: list[str]
    sentence_end_units: list[str] = []
    # Quotation marks as "<open><close>" pairs: a header right before an opening mark, or inside an
    # open quotation, is not a section header (sections.yaml says why).
    speech_marks: list[Annotated[str, Field(min_length=2, max_length=2)]] = []
    # Single characters that end a field's value where they stand alone (bullets, dashes, arrows).
    field_stop_marks: list[Annotated[str, Field(min_length=1, max_length=1)]] = []
    # Single characters that open a list item: a field opened by one ends where the next item opens.
    bullet_marks: list[Annotated[str, Field(min_length=1, max_length=1)]] = []
    # Words no sentence ends with: a wrapped line ending with one goes on at the next line even
    # when that line starts with a capital ("... removed from the\nK-wire tract").
    wrap_continuation_words: list[str] = []
    # Labels that give this encounter's date ("Claim date of service: 06/12/2024"): in a note that
    # tells a course one dated entry a line (at least timeline_min_entries), entries dated before it
    # are history and after it the plan (pipelines/timeline.py).
    encounter_date_labels: list[str] = []
    timeline_min_entries: int = Field(default=3, ge=2, le=50)
    # Words that mark one entry of such a timeline as this encounter's when no label dates the note.
    encounter_entry_marks: list[str] = []
    # Column headers of a pipe table whose cells give the side ("Procedure | Side | Anes").
    side_column_labels: list[str] = []


class SectionFile(_Strict):
    version: str
    kind: Literal["section_rules"]
    rules: list[SectionRule]
    roles: SectionRoles
    description_cues: list[str] = []
    long_title_chars: int = Field(default=600, ge=100)
    # The section the operation's own description is filed under when the sectionizer finds it
    # without a header of its own (a long "PROCEDURE:" narrative, a time-out line in a history).
    operation_section: str
    layout: Layout

    @model_validator(mode="after")
    def _roles_name_known_sections(self) -> "SectionFile":
        for cue in self.description_cues:
            _check_regex(cue)
        known = {r.category for r in self.rules} | {"body"}
        if self.operation_section not in known:
            raise ValueError(f"operation_section: unknown section {self.operation_section!r}")
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
    count_suffix_regex: Regex
    rays: dict[str, int]
    digit_rays: dict[str, int]
    bone_regions: dict[Bone, Region]
    rule_regions: dict[str, Region]
    region_values: dict[str, Region]
    provisional_words: list[str]
    old_hardware_words: list[str]
    foot_words_regex: Regex
    hand_words_regex: Regex
    indications_read_anywhere: list[str]
    unspecific_indications: list[str] = []
    when_not_why_indications: list[str] = []
    joint_bones: dict[str, list[str]]
    complication_indications: list[str]
    fusion_words_regex: Regex
    fused_today_regex: Optional[Regex] = None
    fusion_wish_regex: Optional[Regex] = None
    date_regex: Regex
    inline_item_regex: Regex
    consent_risk_indications: list[str]
    wish_yields_to: list[str]
    past_act_suffixes: list[str]
    today_words: list[str] = []
    # Words right before a procedure that make this removal a step of it ("removed ... as part of the
    # wrist arthrodesis"): the procedure is done today, at the removal's site.
    part_of_words: list[str] = []
    # Words right after a procedure's name that make the removal one of its steps ("amputation left
    # small finger with removal of the two k-wires"): the procedure is done today, at that site.
    with_removal_words: list[str] = []
    plan_future_words: list[str] = []
    correction_cues: list[str]
    # An addendum that corrects the history or another operation, not this one ("Correction to
    # history: the 2019 plate is in the LEFT radius. No change to the procedure.").
    history_correction_cues: list[str] = []
    # A block the note marks as copied from an earlier note, up to its end marker or a blank line.
    copied_block_regex: Optional[Regex] = None
    # An addendum that withdraws the operation told above ("hardware was not removed, procedure abandoned").
    addendum_void_regex: Optional[Regex] = None
    # Words one of which every copied block holds (lower case): the regex runs only in a note that has one.
    copied_block_anchors: list[str] = []
    # A line that disowns the line above it ("^^ wrong template, disregard", "THE ABOVE WAS
    # PRE-POPULATED"): the line above tells nothing of this operation. Its anchors (lower case) first.
    disowned_above_regex: Optional[Regex] = None
    disowned_above_anchors: list[str] = []
    # A plan section that records the operation as done today ("Done today in office proc rm:").
    plan_done_today_cues: list[str] = []
    corrected_side_before: list[str]
    wrong_side_before: list[str]
    healed_state_window: int
    # The case was called off ("case cancelled", "cxld", "no procedure performed"): a removal the
    # note names only as the booked procedure ("here for removal of plate") did not happen.
    cancellation_regex: Optional[Regex] = None
    staged_plan_rules: list[str] = []
    # Words that make a told plan an option, not a staged removal ("consider removal in 4-6 wks if sx persist").
    staged_option_words: list[str] = []
    plan_overtaken_rules: list[str] = []
    plan_kept_words: list[str] = []
    # Words that name a plate spanning the wrist from the radius to a metacarpal ("dorsal spanning
    # bridge plate"): one construct, coded once as 20680, not two sites (findings.spanning_plate).
    spanning_plate_words: list[str] = []

    @cached_property
    def correction_cue(self) -> re.Pattern[str]:
        """Any correction cue as a whole word, compiled once per rule set, not once per note."""
        return whole_words(self.correction_cues)

    def word_regex(self, name: str) -> Optional[re.Pattern[str]]:
        """One of this file's word lists as a whole-word regex, compiled once per rule set;
        None for an empty list."""
        cache = self.__dict__.setdefault("_word_regexes", {})
        if name not in cache:
            words = getattr(self, name)
            cache[name] = whole_words(words) if words else None
        return cache[name]

    @cached_property
    def date(self) -> re.Pattern[str]:
        return re.compile(self.date_regex)

    @cached_property
    def inline_item(self) -> re.Pattern[str]:
        return re.compile(self.inline_item_regex)

    @cached_property
    def fusion_words(self) -> re.Pattern[str]:
        return re.compile(self.fusion_words_regex)

    @cached_property
    def fused_today(self) -> Optional[re.Pattern[str]]:
        return re.compile(self.fused_today_regex) if self.fused_today_regex else None

    @cached_property
    def fusion_wish(self) -> Optional[re.Pattern[str]]:
        return re.compile(self.fusion_wish_regex) if self.fusion_wish_regex else None

    @cached_property
    def copied_block(self) -> Optional[re.Pattern[str]]:
        return re.compile(self.copied_block_regex) if self.copied_block_regex else None

    @cached_property
    def disowned_above(self) -> Optional[re.Pattern[str]]:
        return re.compile(self.disowned_above_regex) if self.disowned_above_regex else None

    @cached_property
    def addendum_void(self) -> Optional[re.Pattern[str]]:
        return re.compile(self.addendum_void_regex) if self.addendum_void_regex else None

    @cached_property
    def cancellation(self) -> Optional[re.Pattern[str]]:
        return re.compile(self.cancellation_regex) if self.cancellation_regex else None


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


class Homophone(_Strict):
    """A real word dictation software writes for another ("lift" for left, "played" for plate): read
    as that word only beside the words that show it is meant so ("lift index finger", "the played")."""
    reads: str
    before: list[str] = []  # words right after it that show the meaning ("lift" + "index")
    after: list[str] = []  # words right before it that show the meaning ("the" + "played")
    never_before: list[str] = []  # words right after it that keep its own meaning ("scrub" + "nurse")


class Normalization(_Strict):
    version: str
    kind: Literal["normalization"]
    variants: dict[str, list[str]]
    fuzzy_min_length: int = Field(ge=4)
    # Rule words shorter than fuzzy_min_length that a slip is still read as, when the slip only adds a
    # letter or swaps two (a changed letter would turn "place" into "plate").
    fuzzy_short_words: list[str] = []
    # Letter groups a scanner's OCR reads for others ("rn" for "m": "rernoval"): an unknown word that
    # becomes a rule word when one group is read back is that word.
    ocr_confusions: dict[str, list[str]] = {}
    # The mark each dictated punctuation word stands for (normalization.yaml says how each is read).
    spoken_marks: dict[Literal[".", "\n", ":", ","], list[str]] = {}
    spoken_stop_min: int = Field(ge=1)
    period_noun_after: list[str]
    homophones: dict[str, Homophone] = {}

    @property
    def spoken_stops(self) -> list[str]:
        """The dictated words that end a sentence: those said for a full stop or a line break."""
        return [w for mark in (".", "\n") for w in self.spoken_marks.get(mark, [])]

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
    relations: Relations
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
    relations = load_model(Relations, base / "relations.yaml")
    values_by_label: dict[str, set[str]] = {}
    for f in targets:
        for v in f.values:
            values_by_label.setdefault(f.label_of(v), set()).add(v)
    problem = relations.check_values(values_by_label)
    if problem:
        raise RuleFileError(f"relations.yaml: {problem}")
    return RuleSet(
        directory=str(base),
        relations=relations,
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
    severity: Severity
    message: str


class CodingRules(_Strict):
    version: str
    kind: Literal["coding_rules"]
    # How a claim line names a metacarpal ("2nd metacarpal").
    ray_names: dict[int, str]
    # Filled from vocabulary.yaml at load (one source for which ray each digit is).
    digit_rays: dict[Digit, int] = {}
    # Filled from vocabulary.yaml at load: the indications that make a removal unplanned.
    complication_indications: list[str] = []
    related_index_ranges: list[tuple[int, int]]
    global_window: dict[Literal["before", "after"], int]
    operating_room_anesthesia: list[Anesthesia]
    fees: dict[str, float]
    finger_modifiers: dict[Hand, dict[Digit, Modifier]]
    side_modifiers: dict[Hand, Modifier]
    hand_bones: list[str]
    wrist_bones: list[str]
    # Forearm bones whose hardware is a site of its own beside hand hardware removed in the same
    # operation (a carpal bone may share one construct with a metacarpal; the radius does not).
    separate_from_hand_bones: list[str] = []
    # The implants of a plate that spans the wrist (findings.spanning_plate): with only these out of the
    # radius and a metacarpal, the two sites are one construct.
    spanning_plate_types: list[str] = []
    global_modifiers: list[Modifier]
    assistant_modifiers: list[str]
    removal_codes: list[str]
    percutaneous_types: list[str]
    superficial_types: list[str]
    superficial_office_types: list[str] = []
    superficial_when_stated_types: list[str] = []
    integral_procedures: list[str]
    factors_without_statement: int
    separately_coded_procedures: list[str]
    factors_of_separate_procedures: list[str]
    factors_not_counted_without_statement: list[str] = []
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
    vocabulary = load_model(Vocabulary, base / "vocabulary.yaml")
    coding = load_model(CodingRules, base / "coding.yaml")
    return (
        coding.model_copy(update={"digit_rays": vocabulary.digit_rays,
                                  "complication_indications": list(vocabulary.complication_indications)}),
        load_model(Icd10Rules, base / "icd10.yaml"),
        load_model(ChecklistRules, base / "checklist.yaml"),
    )
