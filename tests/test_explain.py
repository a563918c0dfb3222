"""`--explain` (issue 12): every rule match of a field, kept or dropped with its recorded reason
(ConText trigger, section role, target post-filter, extractor), and why the code, modifiers and
planned status came out so. Without the flag nothing changes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from spacy.tokens import Doc

from notecheck import trace
from notecheck.checker import Checker
from notecheck.cli import main
from notecheck.explain import ExplainedResult, Explanation
from notecheck.explain.models import FieldExplanation, MentionTrace
from notecheck.models import ClaimContext, Result
from pipelines.extensions import CONTEXT_CANCELLED_KEY, EXPLAIN_KEY, TARGET_DROPS_KEY
from test_service_logging import MARKED, assert_no_marker, records  # noqa: F401  (records is a fixture)

SAMPLES = Path(__file__).resolve().parents[1] / "sample_notes"

STAGED = (
    "PROCEDURE: Removal of two K-wires, left ring finger proximal phalanx.\n"
    "INDICATIONS: The wires were placed as temporary fixation at the index surgery and are now prominent.\n"
    "HISTORY: Removal of a plate from the right wrist.\n"
    "DESCRIPTION: A 1 cm incision was made over the wire ends. Both K-wires were removed intact. "
    "No screw was removed. Skin closed with 5-0 nylon.\n"
)
MIGRATED = (
    "PROCEDURE: Removal of K-wire, right small finger proximal phalanx.\n"
    "INDICATIONS: The K-wire has migrated and backed out of the bone.\n"
    "DESCRIPTION: In the operating room an incision was made and the K-wire was removed.\n"
)
PSEUDO = (
    "PROCEDURE: Removal of K-wires, right small finger.\n"
    "DESCRIPTION: The previously placed K-wires in the small finger proximal phalanx were removed.\n"
)
DATES = ClaimContext(removal_date="2026-03-02", index_surgery_date="2026-02-02")


def field(explanation: Explanation, name: str) -> FieldExplanation:
    return next(f for f in explanation.fields if f.field == name)


def mention(f: FieldExplanation, text: str, label: str | None = None) -> MentionTrace:
    found = [m for m in f.mentions if m.text == text and (label is None or m.label == label)]
    assert found, f"no {label or ''} mention {text!r} in {f.field}: {[m.text for m in f.mentions]}"
    return found[0]


@pytest.fixture(scope="module")
def staged(checker: Checker) -> ExplainedResult:
    result = checker.check(STAGED, DATES, explain=True)
    assert isinstance(result, ExplainedResult)
    return result


def test_negated_implant_is_dropped_with_its_context_rule(staged: ExplainedResult) -> None:
    screw = mention(field(staged.explanation, "implants"), "screw", "IMPLANT")
    assert not screw.kept
    negation = next(c for c in screw.causes if c.kind == "context")
    assert (negation.code, negation.rule_file) == ("NEGATED", "context.yaml")
    assert negation.rule_id and negation.trigger is not None
    assert STAGED[negation.trigger.start:negation.trigger.end] == negation.trigger.text == "No"
    assert negation.rule_id in screw.reason and "NEGATED" in screw.reason
    assert "screw" not in [i.type for i in staged.findings.implants]


def test_history_section_act_is_dropped_with_its_section(staged: ExplainedResult) -> None:
    implants = field(staged.explanation, "implants")
    act = next(m for m in implants.mentions if m.label == "ACT" and m.section == "history")
    assert not act.kept
    role = next(c for c in act.causes if c.kind == "section_role")
    assert (role.code, role.section, role.rule_file, role.rule_id) == (
        "HISTORICAL", "history", "sections.yaml", "roles.history_sections")
    assert "history" in act.reason
    # The plate of that history sentence is dropped because of that act, which the cause names.
    plate = mention(implants, "plate", "IMPLANT")
    linked = next(c for c in plate.causes if c.kind == "extractor")
    assert not plate.kept and linked.by is not None and linked.by.start == act.start
    assert linked.by_rule_id == act.rule_id


def test_kept_mentions_are_the_findings_evidence(staged: ExplainedResult) -> None:
    implants = field(staged.explanation, "implants")
    kept = {(m.start, m.end) for m in implants.mentions if m.kept and m.label == "IMPLANT"}
    assert kept == {(e.start, e.end) for i in staged.findings.implants for e in i.evidence}
    assert implants.value == "k_wire x2"
    for m in (m for f in staged.explanation.fields for m in f.mentions):
        assert STAGED[m.start:m.end] == m.text and m.reason


def test_58_names_the_planned_status_evidence(staged: ExplainedResult) -> None:
    g = staged.explanation.global_period
    assert (g.outcome, g.branch) == ("58", "58")
    planned = next(f for f in g.facts if f.name == "planned_status")
    assert planned.value == "planned" and [e.text for e in planned.evidence] == ["temporary fixation"]
    decided = next(f for f in g.facts if f.name == "planned status decided by")
    assert decided.value.startswith("staged_removal:")
    assert set(staged.explanation.planned_status.rules) <= set(g.rules) and staged.explanation.planned_status.rules
    days = next(f for f in g.facts if f.name == "days_after_index")
    assert (days.value, days.source) == ("28", "claim")
    assert [m.reason for m in staged.explanation.modifiers if m.outcome == "58"] == [g.reason]


def test_78_names_the_complication_that_made_it_unplanned(checker: Checker) -> None:
    result = checker.check(MIGRATED, DATES, explain=True)
    g = result.explanation.global_period
    assert g.outcome == "78"
    planned = next(f for f in g.facts if f.name == "planned_status")
    assert planned.value == "unplanned" and any("migrated" in e.text for e in planned.evidence)
    assert result.explanation.planned_status.branch == "complication"
    assert result.explanation.planned_status.outcome == "unplanned"


def test_global_period_without_dates_says_so(checker: Checker) -> None:
    g = checker.check(STAGED, explain=True).explanation.global_period
    assert (g.outcome, g.branch) == (None, "undecidable")
    assert {f.name: f.value for f in g.facts}["removal_date"] == "not given"


def test_code_and_side_modifiers_name_what_they_read(staged: ExplainedResult) -> None:
    code = staged.explanation.code
    assert (code.outcome, code.branch) == ("26320", "removal")
    read = {f.name: f for f in code.facts}
    assert read["digits"].value == "ring" and read["digits"].evidence
    assert any(r.startswith("coding.yaml: ") for r in code.rules)
    by_code = {d.outcome: d for d in staged.explanation.modifiers}
    assert list(by_code) == [m.code for m in staged.modifiers]
    assert by_code["LT"].rules == ["coding.yaml: side_modifiers.left"]
    assert by_code["F3"].rules == ["coding.yaml: finger_modifiers.left.ring"]


def test_target_filter_drops_name_the_suppressor(staged: ExplainedResult) -> None:
    index = mention(field(staged.explanation, "digits"), "index", "DIGIT")
    cause = index.causes[0]
    assert not index.kept and cause.kind == "target_filter" and cause.code == "suppressed"
    # "at the index surgery": "index surgery" and "at the index" both name the index operation.
    assert cause.by is not None and cause.by.text in ("index surgery", "at the index")
    assert cause.by_rule_id == "sup.index_procedure" and cause.by_rule_file == "suppressors.yaml"


def test_pseudo_trigger_that_cancelled_a_modifier_is_shown(checker: Checker) -> None:
    act = mention(field(checker.check(PSEUDO, explain=True).explanation, "implants"), "removed", "ACT")
    cancelled = [c for c in act.causes if c.kind == "context_cancelled"]
    assert act.kept and cancelled
    assert cancelled[0].by is not None and cancelled[0].by.text == "previously placed"
    assert cancelled[0].by_rule_id and cancelled[0].by_rule_id in act.reason


def test_rules_used_group_every_named_rule_by_file(staged: ExplainedResult) -> None:
    files = {u.file: set(u.ids) for u in staged.explanation.rules_used}
    named = {(m.rule_file, m.rule_id) for f in staged.explanation.fields for m in f.mentions}
    assert all(rule in files[file] for file, rule in named if file)
    assert {"context.yaml", "sections.yaml", "suppressors.yaml", "coding.yaml"} <= set(files)


@pytest.mark.parametrize("name", ["hwr_001_left_ring_p1_kwires_staged.txt", "hwr_024_right_index_p3_pin_patient_request.txt"])
def test_without_the_flag_nothing_changes(checker: Checker, name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    plain = checker.check(text, DATES)
    assert type(plain) is Result and "explanation" not in plain.model_dump()
    explained = checker.check(text, DATES, explain=True)
    assert Result.model_validate(explained.model_dump(exclude={"explanation"})).model_dump_json() == plain.model_dump_json()
    # Nothing is recorded without the flag, and no recording outlives the explained check.
    doc = checker.doc(text)
    assert not {EXPLAIN_KEY, TARGET_DROPS_KEY, CONTEXT_CANCELLED_KEY} & set(doc.user_data)
    assert trace._CURRENT.get() is None
    explained_doc = checker.doc(text, explain=True)
    assert [(s.label_, s.start, s.end, s.id_) for s in explained_doc.spans["notecheck"]] == [
        (s.label_, s.start, s.end, s.id_) for s in doc.spans["notecheck"]]
    assert explained_doc._.nc_modifiers == doc._.nc_modifiers


def test_explained_doc_round_trips(checker: Checker) -> None:
    doc = checker.doc(STAGED, explain=True)
    assert doc.user_data[TARGET_DROPS_KEY]
    back = Doc(checker.nlp.vocab).from_bytes(doc.to_bytes())
    assert [tuple(row) for row in back.user_data[TARGET_DROPS_KEY]] == doc.user_data[TARGET_DROPS_KEY]  # msgpack: lists


# -- command line ------------------------------------------------------------------------------


def test_cli_explain_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = tmp_path / "note.txt"
    note.write_text(STAGED, encoding="utf-8")
    main(["check", str(note), "--no-color", "--explain", "--removal-date", "2026-03-02", "--index-date", "2026-02-02"])
    out = capsys.readouterr().out
    assert "Why (--explain)" in out and "Global period (58/78/79): 58" in out
    assert "✘ \"screw\" IMPLANT=screw" in out and "context.yaml" in out

    main(["check", str(note), "--format", "json", "--explain"])
    explained = json.loads(capsys.readouterr().out)
    Explanation.model_validate(explained["explanation"])
    main(["check", str(note), "--format", "json"])
    plain = json.loads(capsys.readouterr().out)
    assert "explanation" not in plain
    explained.pop("explanation")
    assert explained == plain


def test_cli_explain_refuses_formats_it_cannot_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = tmp_path / "note.txt"
    note.write_text(STAGED, encoding="utf-8")
    assert main(["check", str(note), "--format", "html", "--explain"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--explain" in err


# -- service -----------------------------------------------------------------------------------


def test_service_explain_flag(checker: Checker) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from service.app import create_app

    body = {"text": STAGED, "removal_date": "2026-03-02", "index_surgery_date": "2026-02-02"}
    with TestClient(create_app(checker_factory=lambda: checker)) as client:
        plain = client.post("/v1/check", json=body)
        off = client.post("/v1/check?explain=false", json=body)
        on = client.post("/v1/check?explain=true", json=body)
        bad = client.post("/v1/check?explain=perhaps", json=body)
        spec = client.get("/openapi.json").json()
    assert plain.status_code == off.status_code == on.status_code == 200
    assert plain.content == off.content and "explanation" not in plain.json()
    explained = on.json()
    assert Explanation.model_validate(explained.pop("explanation")).global_period.outcome == "58"
    assert explained == plain.json()
    assert bad.status_code == 422 and STAGED[:20] not in bad.text
    assert {"Explanation", "ExplainedResult"} <= set(spec["components"]["schemas"])
    assert any(p["name"] == "explain" for p in spec["paths"]["/v1/check"]["post"]["parameters"])


def test_service_explanation_never_reaches_a_log(checker: Checker, records) -> None:  # noqa: F811 (fixture)
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app(checker_factory=lambda: checker)) as client:
        response = client.post("/v1/check?explain=true", json={"text": MARKED})
    assert response.status_code == 200 and response.json()["explanation"]["fields"]
    assert_no_marker(records.all())



def test_provisional_wire_and_its_act_are_dropped(checker: Checker) -> None:
    note = ("PROCEDURE: Open reduction and internal fixation, left small finger proximal phalanx fracture.\n"
            "DESCRIPTION: Two 0.045 K-wires were placed across the fracture. A provisional K-wire was removed "
            "after screw fixation.\n")
    implants = field(checker.check(note, explain=True).explanation, "implants")
    assert implants.value == "none"
    wire = mention(implants, "K-wire", "IMPLANT")
    assert not wire.kept and [c.code for c in wire.causes if c.kind == "extractor"] == ["removal_act", "provisional"]
    act = mention(implants, "removed", "ACT")
    assert not act.kept and "dropped" in act.reason
