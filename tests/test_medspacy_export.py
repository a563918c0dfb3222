"""`notecheck rules export --medspacy DIR`: medspaCy JSON resources that stock medspaCy loads."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from medspacy.context import ConTextRule
from medspacy.section_detection import SectionRule
from medspacy.target_matcher import TargetRule

from notecheck.cli import main
from notecheck.medspacy_export import export_medspacy
from pipelines.medspacy_adapter import register_medspacy_extensions

NOTE = (
    "PREOPERATIVE DIAGNOSIS: Retained hardware, left ring finger.\n"
    "PROCEDURE: Removal of K-wire, left ring finger.\n"
    "INDICATIONS: No infection.\n"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("medspacy_rules")
    export_medspacy(out)
    return out


def test_files_load_with_medspacy_rule_classes(exported) -> None:
    manifest = json.loads((exported / "manifest.json").read_text())
    counts = manifest["counts"]
    assert len(TargetRule.from_json(str(exported / "target_rules.json"))) == counts["target_rules"] > 3000
    assert len(ConTextRule.from_json(str(exported / "context_rules.json"))) == counts["context_rules"] > 500
    assert len(SectionRule.from_json(str(exported / "section_patterns.json"))) == counts["section_rules"] > 200
    assert manifest["notecheck_rules_version"]


def test_export_is_byte_stable(exported, tmp_path) -> None:
    export_medspacy(tmp_path)
    for name in ("target_rules.json", "context_rules.json", "section_patterns.json"):
        assert (tmp_path / name).read_bytes() == (exported / name).read_bytes(), name


def test_stock_components_run_the_exported_rules(exported) -> None:
    """A medspaCy user's pipeline: stock target matcher, ConText and sectionizer from the files."""
    register_medspacy_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    # medspaCy 1.3.1's TargetMatcher(rules=path) calls add() before its matcher exists; .add() works.
    nlp.add_pipe("medspacy_target_matcher").add(TargetRule.from_json(str(exported / "target_rules.json")))
    nlp.add_pipe("medspacy_context", config={"rules": str(exported / "context_rules.json")})
    nlp.add_pipe("medspacy_sectionizer", config={"rules": str(exported / "section_patterns.json")})
    doc = nlp(NOTE)
    ents = {(e.label_, e._.target_rule.metadata["value"]) for e in doc.ents}
    assert ("IMPLANT", "k_wire") in ents and ("ACT", "removal") in ents
    infection = [e for e in doc.ents if e.label_ == "INDICATION" and e.text == "infection"]
    assert infection and infection[0]._.is_negated is False  # span_attrs map only medspaCy's categories
    assert any(m.category == "NEGATED" for m in infection[0]._.modifiers)
    assert {"preoperative_diagnosis", "procedure", "indications"} <= {s.category for s in doc._.sections}


def test_cli_export(tmp_path, capsys) -> None:
    assert main(["rules", "export", "--medspacy", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "context_rules.json").exists()
    assert "context_rules" in capsys.readouterr().out


def test_cli_export_to_a_file_is_a_usage_error(tmp_path, capsys) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["rules", "export", "--medspacy", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a directory" in err
