"""Rule-file validation (issue 2 "Rules as data", STYLE.md C4 lesson 1): a copy of patterns/ is
corrupted one way at a time and loading it must fail loudly, naming the file and the rule.

The corruptions are applied to whatever rules the files hold today (the first rule of a file,
any rule with a regex, ...) so the table does not depend on particular rule ids.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import yaml

from notecheck.rules import load_coding, load_rules
from patterns import PATTERNS_DIR
from pipelines import build_pipeline


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    load_rules.cache_clear()
    load_coding.cache_clear()
    yield
    load_rules.cache_clear()
    load_coding.cache_clear()


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


# ---- corruptions: each edits the copied directory and returns (file name, rule id or None) ----

Corruption = Callable[[Path], tuple[str, Optional[str]]]


def _first_rule(name: str, edit: Callable[[dict, dict], None]) -> Corruption:
    def apply(d: Path) -> tuple[str, Optional[str]]:
        data = _read(d / name)
        rule = data["rules"][0]
        edit(data, rule)
        _write(d / name, data)
        return name, rule["id"]
    return apply


def _rule_where(name: str, predicate: Callable[[dict], bool], edit: Callable[[dict], None]) -> Corruption:
    def apply(d: Path) -> tuple[str, Optional[str]]:
        data = _read(d / name)
        rule = next(r for r in data["rules"] if predicate(r))
        edit(rule)
        _write(d / name, data)
        return name, rule["id"]
    return apply


def _unknown_key(data: dict, rule: dict) -> None:
    rule["colour"] = "red"


def _value_outside_vocabulary(data: dict, rule: dict) -> None:
    rule["value"] = "titanium_cage"


def _nothing_to_match(data: dict, rule: dict) -> None:
    for key in ("literals", "patterns", "regex"):
        rule.pop(key, None)


def _duplicate_id(name: str) -> Corruption:
    def apply(d: Path) -> tuple[str, Optional[str]]:
        data = _read(d / name)
        data["rules"][1]["id"] = data["rules"][0]["id"]
        _write(d / name, data)
        return name, data["rules"][0]["id"]
    return apply


def _bad_regex(rule: dict) -> None:
    rule["regex"] = r"(?i)\bbroken(\s+screw"


def _named_group(rule: dict) -> None:
    rule["regex"] = r"(?i)\b(?P<what>screw)\b"


def _bad_token_pattern(rule: dict) -> None:
    rule["patterns"] = [[{"LOWERR": "wire"}]]


def _bad_token_pattern_op(rule: dict) -> None:
    rule["patterns"] = [[{"LOWER": "k"}, {"OP": "++"}]]


def _unknown_near_label(rule: dict) -> None:
    rule["requires_near"] = {"labels": ["IMPLANTZ"], "window": 5}


def _unknown_sentence_label(rule: dict) -> None:
    rule["requires_in_sentence"] = ["BONE_CONTEXTT"]


def _bad_yaml(name: str) -> Corruption:
    def apply(d: Path) -> tuple[str, Optional[str]]:
        with (d / name).open("a", encoding="utf-8") as fh:
            fh.write("\n  - id: broken.indent\n value: [unclosed\n")
        return name, None
    return apply


def _missing(name: str) -> Corruption:
    def apply(d: Path) -> tuple[str, Optional[str]]:
        (d / name).unlink()
        return name, None
    return apply


def _context_bad_category(data: dict, rule: dict) -> None:
    rule["category"] = "MAYBE"


def _context_bad_direction(data: dict, rule: dict) -> None:
    rule["direction"] = "sideways"


def _section_role_unknown(d: Path) -> tuple[str, Optional[str]]:
    data = _read(d / "sections.yaml")
    data["roles"]["removal_sections"].append("operative_poetry")
    _write(d / "sections.yaml", data)
    return "sections.yaml", "removal_sections"


def _has(key: str) -> Callable[[dict], bool]:
    return lambda rule: bool(rule.get(key))


# fmt: off
RULE_CORRUPTIONS = [
    pytest.param(_first_rule("implants.yaml", _unknown_key), id="unknown-key-implants"),
    pytest.param(_first_rule("anatomy.yaml", _unknown_key), id="unknown-key-anatomy"),
    pytest.param(_first_rule("context.yaml", _unknown_key), id="unknown-key-context"),
    pytest.param(_first_rule("implants.yaml", _value_outside_vocabulary), id="value-outside-vocabulary-implants"),
    pytest.param(_first_rule("indications.yaml", _value_outside_vocabulary), id="value-outside-vocabulary-indications"),
    pytest.param(_first_rule("complexity.yaml", _value_outside_vocabulary), id="value-outside-vocabulary-complexity"),
    pytest.param(_rule_where("acts.yaml", _has("regex"), _bad_regex), id="bad-regex-acts"),
    pytest.param(_first_rule("indications.yaml", lambda d, r: _bad_regex(r)), id="bad-regex-indications"),
    pytest.param(_first_rule("implants.yaml", lambda d, r: _named_group(r)), id="named-group-in-regex"),
    pytest.param(_first_rule("acts.yaml", _nothing_to_match), id="nothing-to-match-acts"),
    pytest.param(_first_rule("context.yaml", _nothing_to_match), id="nothing-to-match-context"),
    pytest.param(_duplicate_id("implants.yaml"), id="duplicate-id-implants"),
    pytest.param(_duplicate_id("context.yaml"), id="duplicate-id-context"),
    pytest.param(_bad_yaml("indications.yaml"), id="bad-yaml-indications"),
    pytest.param(_bad_yaml("sections.yaml"), id="bad-yaml-sections"),
    pytest.param(_missing("approach.yaml"), id="missing-file-approach"),
    pytest.param(_missing("context.yaml"), id="missing-file-context"),
    pytest.param(_rule_where("indications.yaml", _has("requires_near"), _unknown_near_label), id="unknown-label-requires-near"),
    pytest.param(_first_rule("complexity.yaml", lambda d, r: _unknown_near_label(r)), id="unknown-label-requires-near-added"),
    pytest.param(_rule_where("indications.yaml", _has("requires_in_sentence"), _unknown_sentence_label), id="unknown-label-requires-in-sentence"),
    pytest.param(_first_rule("context.yaml", _context_bad_category), id="context-unknown-category"),
    pytest.param(_first_rule("context.yaml", _context_bad_direction), id="context-unknown-direction"),
    pytest.param(_section_role_unknown, id="sections-role-names-unknown-section"),
]

# Token patterns are compiled by spaCy's Matcher, so they may only fail when the pipeline is built.
PIPELINE_CORRUPTIONS = [
    pytest.param(_rule_where("anatomy.yaml", _has("patterns"), _bad_token_pattern), id="bad-token-pattern-attr-anatomy"),
    pytest.param(_rule_where("acts.yaml", _has("patterns"), _bad_token_pattern_op), id="bad-token-pattern-op-acts"),
    pytest.param(_first_rule("implants.yaml", lambda d, r: _bad_token_pattern(r)), id="bad-token-pattern-added-implants"),
]
# fmt: on


def _assert_names(message: str, file_name: str, rule_id: Optional[str]) -> None:
    assert file_name in message, f"message does not name {file_name}: {message}"
    if rule_id is not None:
        assert rule_id in message, f"message does not name rule {rule_id!r}: {message}"
    assert len(message) < 2000


def test_pristine_copy_loads(rules_dir: Path):
    """The copy itself is valid, so every failure below comes from its corruption."""
    rules = load_rules(str(rules_dir))
    assert rules.directory == str(rules_dir)
    nlp = build_pipeline(str(rules_dir))
    assert len(nlp("Removal of two K-wires, left ring finger.").spans["notecheck"]) > 0


@pytest.mark.parametrize("corrupt", RULE_CORRUPTIONS)
def test_load_rules_rejects(rules_dir: Path, corrupt: Corruption):
    file_name, rule_id = corrupt(rules_dir)
    with pytest.raises(ValueError) as info:
        load_rules(str(rules_dir))
    _assert_names(str(info.value), file_name, rule_id)


@pytest.mark.parametrize("corrupt", RULE_CORRUPTIONS + PIPELINE_CORRUPTIONS)
def test_build_pipeline_rejects(rules_dir: Path, corrupt: Corruption):
    file_name, rule_id = corrupt(rules_dir)
    with pytest.raises(ValueError) as info:
        build_pipeline(str(rules_dir))
    _assert_names(str(info.value), file_name, rule_id)


def test_error_does_not_leak_a_traceback_chain(rules_dir: Path):
    """A rule-file error is one readable message, not a pydantic dump of every field."""
    _first_rule("implants.yaml", _unknown_key)(rules_dir)
    with pytest.raises(ValueError) as info:
        load_rules(str(rules_dir))
    assert "\n" not in str(info.value).strip()


def test_cache_does_not_hide_a_fix(rules_dir: Path):
    """After cache_clear a repaired directory loads again (load_rules is lru-cached by path)."""
    original = (rules_dir / "implants.yaml").read_text(encoding="utf-8")
    _first_rule("implants.yaml", _unknown_key)(rules_dir)
    with pytest.raises(ValueError):
        load_rules(str(rules_dir))
    (rules_dir / "implants.yaml").write_text(original, encoding="utf-8")
    load_rules.cache_clear()
    assert load_rules(str(rules_dir)).targets


# ---- coding rule files (patterns/coding.yaml, icd10.yaml, checklist.yaml) ----------------------

def _coding_edit(name: str, edit: Callable[[dict], str]) -> Callable[[Path], tuple[str, str]]:
    def apply(d: Path) -> tuple[str, str]:
        data = _read(d / name)
        key = edit(data)
        _write(d / name, data)
        return name, key
    return apply


def _risk_bad_severity(data: dict) -> str:
    risk_id = next(iter(data["denial_risks"]))
    data["denial_risks"][risk_id]["severity"] = "catastrophic"
    return risk_id


def _risk_unknown_key(data: dict) -> str:
    risk_id = next(iter(data["denial_risks"]))
    data["denial_risks"][risk_id]["colour"] = "red"
    return risk_id


def _icd_undescribed_code(data: dict) -> str:
    key = next(iter(data["fixation_indications"]))
    data["fixation_indications"][key]["code"] = "T99.999Z"
    return key


def _checklist_unknown_key(data: dict) -> str:
    item = next(iter(data["items"]))
    data["items"][item]["colour"] = "red"
    return item


# fmt: off
CODING_CORRUPTIONS = [
    pytest.param(_coding_edit("coding.yaml", _risk_bad_severity), id="coding-risk-bad-severity"),
    pytest.param(_coding_edit("coding.yaml", _risk_unknown_key), id="coding-risk-unknown-key"),
    pytest.param(_coding_edit("icd10.yaml", _icd_undescribed_code), id="icd10-code-without-description"),
    pytest.param(_coding_edit("checklist.yaml", _checklist_unknown_key), id="checklist-unknown-key"),
]
# fmt: on


@pytest.mark.parametrize("corrupt", CODING_CORRUPTIONS)
def test_load_coding_rejects(rules_dir: Path, corrupt):
    file_name, key = corrupt(rules_dir)
    with pytest.raises(ValueError) as info:
        load_coding(str(rules_dir))
    _assert_names(str(info.value), file_name, key)


def test_every_rule_id_is_unique_across_target_files():
    """Spans carry the rule id only (STYLE.md C4 lesson 4), so an id must identify one rule."""
    rules = load_rules()
    ids = [r.id for f in rules.targets for r in f.rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert dupes == []
    assert all(re.fullmatch(r"[a-z0-9_.\-]+", i) for i in ids)
