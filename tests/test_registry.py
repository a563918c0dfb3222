"""The rule registry owns every rule file: a rules directory given to the CLI, the audit or the
service is what every part reads (findings, messages, fees, titles), and the version echoed in
results and /healthz changes with any rule file."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from notecheck.checker import Checker
from notecheck.cli import main
from notecheck.registry import load_registry
from notecheck.rules import RuleFileError
from patterns import PATTERNS_DIR

# A finger removal billed with the wrong code: the claim draws `billed_20680_for_hand`.
NOTE = """PROCEDURE: Removal of two K-wires, right small finger proximal phalanx.
INDICATIONS: Fracture healed; wires prominent and painful.
DESCRIPTION: Under digital block a 5 mm stab incision was made over each wire end. Both K-wires
were removed intact. The wound was closed with one 5-0 nylon suture.
"""
NEW_MESSAGE = "Site-specific code wanted here (custom rules message)."
NEW_FEE = 123.45


@pytest.fixture(scope="module")
def custom_rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rules = tmp_path_factory.mktemp("rules") / "patterns"
    shutil.copytree(PATTERNS_DIR, rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    coding = yaml.safe_load((rules / "coding.yaml").read_text(encoding="utf-8"))
    coding["fees"]["26320"] = NEW_FEE
    coding["denial_risks"]["billed_20680_for_hand"]["message"] = NEW_MESSAGE
    (rules / "coding.yaml").write_text(yaml.safe_dump(coding, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return rules


def test_version_is_a_hash_of_the_rule_files(custom_rules: Path) -> None:
    packaged, custom = load_registry(), load_registry(custom_rules)
    assert packaged.version != custom.version
    assert packaged.version.split("+")[0] == custom.version.split("+")[0]  # same package version
    assert Checker(str(custom_rules)).check(NOTE).rules_version == custom.version


def test_the_audit_report_uses_the_rules_dir_fee_and_message(custom_rules: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n1.txt").write_text(NOTE, encoding="utf-8")
    claims = tmp_path / "claims.csv"
    claims.write_text("note_id,billed_cpt,billed_units,billed_modifiers\nn1,20680,1,RT\n", encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["audit", str(notes), "--out", str(out), "--claims", str(claims), "--workers", "1",
                 "--quiet", "--rules", str(custom_rules)]) == 0
    report = out.read_text(encoding="utf-8")
    assert NEW_MESSAGE in report
    assert "123.45" in report  # the fee table (and the note's amount) come from the rules dir
    assert load_registry(custom_rules).version in report

    default_out = tmp_path / "default.html"
    assert main(["audit", str(notes), "--out", str(default_out), "--claims", str(claims), "--workers", "1", "--quiet"]) == 0
    assert NEW_MESSAGE not in default_out.read_text(encoding="utf-8")


def test_the_service_uses_the_rules_dir_message_and_reports_its_version(custom_rules: Path) -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    with TestClient(create_app(Settings(rules_dir=str(custom_rules)))) as client:
        assert client.get("/healthz").json()["rules_version"] == load_registry(custom_rules).version
        body = {"text": NOTE, "billed_cpt": "20680", "billed_units": 1, "billed_modifiers": ["RT"]}
        result = client.post("/v1/check", json=body).json()
    messages = {r["id"]: r["message"] for r in result["denial_risks"]}
    assert messages["billed_20680_for_hand"] == NEW_MESSAGE
    assert result["rules_version"] == load_registry(custom_rules).version


def test_a_bad_rules_dir_is_a_one_line_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, broken, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (broken / "relations.yaml").write_text("version: '1'\nkind: relations\n", encoding="utf-8")
    note = tmp_path / "n.txt"
    note.write_text(NOTE, encoding="utf-8")
    assert main(["check", str(note), "--rules", str(broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "relations.yaml" in err


def test_relations_must_name_values_the_target_rules_define(tmp_path: Path) -> None:
    rules = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    relations = yaml.safe_load((rules / "relations.yaml").read_text(encoding="utf-8"))
    relations["procedures"]["always_same_site"].append("tenolysys")
    (rules / "relations.yaml").write_text(yaml.safe_dump(relations), encoding="utf-8")
    with pytest.raises(RuleFileError, match="relations.yaml: PROC values \\['tenolysys'\\]"):
        load_registry(rules)
