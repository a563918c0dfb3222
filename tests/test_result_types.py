"""Typed results (issue 12 "Results weaker than their data"): every closed vocabulary of a result is
a Literal type, so the JSON schema and the service's OpenAPI list the allowed values, a value
outside it cannot enter a result, and a rule file that would produce one fails at load, naming
the file and the rule."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, get_args

import pytest
import yaml
from pydantic import ValidationError

from notecheck.models import ClaimLine, Findings, Result, ValueFinding
from notecheck.rules import RuleFileError, load_coding, load_rules
from notecheck.vocabularies import (
    LABEL_VOCABULARIES, Anesthesia, Complexity, Depth, Indication, Modifier, Region, SameSiteProcedure, Setting,
)
from patterns import PATTERNS_DIR

# Findings field -> the vocabulary of its items' `value`.
VALUE_FIELDS = {
    "region": Region, "indications": Indication, "complexity_factors": Complexity, "anesthesia": Anesthesia,
    "setting": Setting, "depth": Depth, "same_site_procedures": SameSiteProcedure,
}


def _enum(schema: dict, ref: str, prop: str) -> list[str]:
    node = schema["$defs"][ref.rsplit("/", 1)[-1]]["properties"][prop]
    node = node.get("items", node)
    return node["enum"]


def _item_ref(schema: dict, model: str, field: str) -> str:
    return schema["$defs"][model]["properties"][field]["items"]["$ref"]


@pytest.mark.parametrize("field, vocabulary", VALUE_FIELDS.items())
def test_schema_lists_the_values_of_every_value_field(field: str, vocabulary):
    schema = Result.model_json_schema()
    assert _enum(schema, _item_ref(schema, "Findings", field), "value") == list(get_args(vocabulary))


def test_schema_lists_modifiers_codes_and_flags():
    schema = Result.model_json_schema()
    modifiers = list(get_args(Modifier))
    assert _enum(schema, "ClaimLine", "modifiers") == modifiers
    assert _enum(schema, "ModifierSuggestion", "code") == modifiers
    assert _enum(schema, "ClaimLine", "cpt") == ["26320", "20680", "20670"]
    assert "20694" in _enum(schema, "Procedure", "flags")


def test_service_openapi_lists_the_values():
    from service.app import create_app

    openapi = create_app().openapi()
    components = openapi["components"]["schemas"]
    assert components["RegionFinding"]["properties"]["value"]["enum"] == list(get_args(Region))
    assert components["IndicationFinding"]["properties"]["value"]["enum"] == list(get_args(Indication))
    assert components["ClaimLine"]["properties"]["modifiers"]["items"]["enum"] == list(get_args(Modifier))


def test_plain_value_finding_is_typed_when_it_joins_findings():
    """The extractors build plain ValueFindings; Findings checks them against the field's vocabulary."""
    found = Findings(region=[ValueFinding(value="finger")], indications=[ValueFinding(value="prominence")])
    assert type(found.region[0]).__name__ == "RegionFinding"
    assert found.model_dump()["region"] == [{"value": "finger", "evidence": []}]
    with pytest.raises(ValidationError, match="region"):
        Findings(region=[ValueFinding(value="elbow")])
    with pytest.raises(ValidationError, match="indications"):
        Findings(indications=[ValueFinding(value="prominance")])


def test_claim_line_refuses_an_unknown_modifier():
    with pytest.raises(ValidationError):
        ClaimLine(cpt="26320", modifiers=["LT", "F10"], site="left small finger")


# ---- rule values outside their label's vocabulary fail at load --------------------------------------------

@pytest.fixture
def rules_dir(tmp_path: Path):
    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    load_rules.cache_clear()
    load_coding.cache_clear()
    yield target
    load_rules.cache_clear()
    load_coding.cache_clear()


def _edit(path: Path, change: Callable[[dict], str]) -> str:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    named = change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return named


def _typo(label: str, typo: str, group: str | None = None) -> Callable[[dict], str]:
    """Give the first rule of `label` a misspelt value and declare it in the file's `values` (and
    its group), so only the label's vocabulary can catch it."""
    def change(data: dict) -> str:
        members = data.get("groups", {}).get(group, data["values"]) if group else data["values"]
        rule = next(r for r in data["rules"] if r["value"] in members)
        rule["value"] = typo
        data["values"].append(typo)
        if group:
            data["groups"][group].append(typo)
        return rule["id"]
    return change


# fmt: off
TYPOS = [
    pytest.param("implants.yaml", _typo("IMPLANT", "k_wrie"), id="implant"),
    pytest.param("indications.yaml", _typo("INDICATION", "prominance"), id="indication"),
    pytest.param("complexity.yaml", _typo("COMPLEXITY", "scar_tisue"), id="complexity"),
    pytest.param("anatomy.yaml", _typo("DIGIT", "pinky", group="DIGIT"), id="digit-group"),
    pytest.param("anatomy.yaml", _typo("SIDE", "leftt", group="SIDE"), id="side-group"),
    pytest.param("procedure.yaml", _typo("ANESTHESIA", "spinal", group="ANESTHESIA"), id="anesthesia-group"),
    pytest.param("approach.yaml", _typo("APPROACH", "opne"), id="approach"),
]
# fmt: on


@pytest.mark.parametrize("file_name, change", TYPOS)
def test_rule_value_outside_its_label_vocabulary_fails_at_load(rules_dir: Path, file_name: str, change):
    rule_id = _edit(rules_dir / file_name, change)
    with pytest.raises(RuleFileError) as info:
        load_rules(str(rules_dir))
    message = str(info.value)
    assert message.startswith(file_name) and repr(rule_id) in message and "vocabulary" in message
    assert "\n" not in message


def test_declared_value_outside_vocabulary_fails_even_unused(rules_dir: Path):
    def change(data: dict) -> str:
        data["values"].append("stapel")
        return "stapel"

    _edit(rules_dir / "implants.yaml", change)
    with pytest.raises(RuleFileError, match=r"implants\.yaml: .*values: 'stapel' is not in the IMPLANT vocabulary"):
        load_rules(str(rules_dir))


def test_labels_that_only_steer_extraction_keep_their_own_values(rules_dir: Path):
    """ACT is not a result vocabulary: a new act value only needs declaring in acts.yaml."""
    def change(data: dict) -> str:
        data["values"].append("exchange")
        data["rules"][0]["value"] = "exchange"
        return data["rules"][0]["id"]

    _edit(rules_dir / "acts.yaml", change)
    assert "ACT" not in LABEL_VOCABULARIES
    assert any(r.value == "exchange" for f in load_rules(str(rules_dir)).targets for r in f.rules)


@pytest.mark.parametrize("file_name, change, where", [
    ("coding.yaml", lambda d: d["side_modifiers"].update(left="LEFT"), "side_modifiers.left"),
    ("coding.yaml", lambda d: d["finger_modifiers"]["right"].update(small="F10"), "finger_modifiers.right.small"),
    ("vocabulary.yaml", lambda d: d["region_values"].update(other_site="elsewhere"), "region_values.other_site"),
    ("vocabulary.yaml", lambda d: d["bone_regions"].update(metacarpal="palm"), "bone_regions.metacarpal"),
])
def test_coding_and_vocabulary_values_that_reach_a_result_are_typed(rules_dir: Path, file_name: str, change, where: str):
    _edit(rules_dir / file_name, lambda d: change(d) or "")
    with pytest.raises(RuleFileError) as info:
        load_rules(str(rules_dir)) if file_name == "vocabulary.yaml" else load_coding(str(rules_dir))
    assert str(info.value).startswith(f"{file_name}: {where}:")


def test_packaged_rules_fit_the_vocabularies():
    rules = load_rules()
    for target in rules.targets:
        for rule in target.rules:
            vocabulary = LABEL_VOCABULARIES.get(target.label_of(rule.value))
            assert vocabulary is None or rule.value in vocabulary
