"""medspaCy inside the pipeline: its TargetMatcher runs the phrase rules, every rule is a medspaCy
rule object, and the adapter at the end leaves only primitives, so `Doc.to_bytes()` and
`nlp.pipe(n_process=2)` work under both fork and spawn (issue 11)."""
from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from medspacy.context import ConTextRule
from medspacy.section_detection import SectionRule
from medspacy.target_matcher import TargetMatcher as MedspacyTargetMatcher
from medspacy.target_matcher import TargetRule
from spacy.tokens import Doc, Span
from spacy.tokens.underscore import Underscore

from notecheck.medspacy_rules import context_rule_objects, section_rule_objects, target_rule_objects
from notecheck.rules import load_rules
from pipelines import SPANS_KEY, build_pipeline
from pipelines.medspacy_adapter import OBJECT_EXTENSIONS, strip_object_extensions

ROOT = Path(__file__).resolve().parents[1]
NOTE = (
    "PROCEDURE: Removal of two K-wires, left ring finger proximal phalanx.\n"
    "INDICATIONS: Fracture healed. No infection.\n"
    "DESCRIPTION: Through a 1 cm incision both K-wires were removed intact. The screw was not removed.\n"
)


@pytest.fixture(scope="module")
def nlp(checker):
    return checker.nlp


def _rows(docs) -> list:
    from pipelines import MODIFIERS, SECTIONS

    out = [([(s.label_, s.kb_id_, s.id_, s.start, s.end) for s in d.spans[SPANS_KEY]], d._.get(SECTIONS), d._.get(MODIFIERS)) for d in docs]
    return json.loads(json.dumps(out))


class TestRuleObjects:
    def test_every_target_rule_is_a_medspacy_target_rule(self) -> None:
        """Each rule id of the target files is behind at least one TargetRule or the anchored
        matcher (regexes, non-phrase token patterns), and the run-time categories carry
        label|value|rule id."""
        rules = load_rules()
        objects = target_rule_objects(rules)
        assert all(isinstance(r, TargetRule) for r in objects.lower + objects.exact)
        covered = {r.category.split("|")[2] for r in objects.lower + objects.exact} | {r.id for _, r in objects.residual}
        assert covered == {r.id for f in rules.targets for r in f.rules}
        assert all(r.pattern is None for r in objects.lower + objects.exact), "phrase literals only at run time"
        assert all(not r.literals for _, r in objects.residual)

    def test_in_list_patterns_become_phrases(self) -> None:
        """A token pattern of IN-lists is expanded into phrase literals for the TargetMatcher."""
        rules = load_rules()
        phrase_rule_ids = {r.metadata["rule_id"] for r in target_rule_objects(rules).exact}
        in_list = {r.id for f in rules.targets for r in f.rules if any("IN" in str(p) for p in r.patterns)}
        assert in_list and phrase_rule_ids & in_list

    def test_every_context_and_section_rule_is_a_medspacy_object(self) -> None:
        rules = load_rules()
        context = context_rule_objects(rules)
        assert all(isinstance(r, ConTextRule) for r in context)
        assert {r.metadata["rule_id"] for r in context} == {r.id for r in rules.context.rules}
        sections = section_rule_objects(rules)
        assert all(isinstance(r, SectionRule) for r in sections)
        assert len(sections) == sum(len(r.headers) for r in rules.sections.rules)

    def test_pipeline_components_hold_the_objects(self, nlp) -> None:
        assert all(isinstance(r, ConTextRule) for r in nlp.get_pipe("notecheck_context").context_rules)
        assert all(isinstance(r, SectionRule) for r in nlp.get_pipe("notecheck_sectionizer").section_rules)

    def test_target_matching_runs_in_medspacy_target_matchers(self, nlp) -> None:
        """Two instances: NORM (lower case and normalized spellings) and case-exact ORTH, unpruned."""
        phrases = nlp.get_pipe("notecheck_targets").phrases
        assert [type(m) for _, m in phrases] == [MedspacyTargetMatcher, MedspacyTargetMatcher]
        assert all(m.result_type == "group" and m._prune is False for _, m in phrases)


class TestAdapter:
    def test_no_object_valued_extension_survives(self, nlp) -> None:
        doc = nlp(NOTE)
        assert len(doc.spans[SPANS_KEY]) > 3
        stale = [k for k in doc.user_data if isinstance(k, tuple) and k[:2] == ("._.", "target_rule")]
        assert stale == []
        assert list(doc.spans) == [SPANS_KEY], "the TargetMatchers' span groups are removed"

    def test_adapter_removes_target_rules_set_by_medspacy(self, nlp) -> None:
        doc = nlp.make_doc("a K-wire")
        span = Span(doc, 1, len(doc), label="IMPLANT")
        span._.target_rule = TargetRule("k-wire", "IMPLANT")
        assert any(k[1] in OBJECT_EXTENSIONS for k in doc.user_data if isinstance(k, tuple))
        strip_object_extensions(doc)
        assert span._.target_rule is None
        Doc(nlp.vocab).from_bytes(doc.to_bytes())

    def test_doc_bytes_round_trip(self, nlp) -> None:
        doc = nlp(NOTE)
        restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
        assert _rows([restored]) == _rows([doc])

    def test_registered_extensions_pickle(self, nlp) -> None:
        """spaCy sends the extension registry to spawn workers; medspaCy's lambdas are replaced."""
        pickle.dumps(Underscore.get_state())


def test_building_the_pipeline_keeps_the_process_warning_filters(tmp_path) -> None:
    """Importing medspaCy runs warnings.filterwarnings("ignore"); the pipeline undoes it, and
    running it prints no warning (medspaCy's empty inner Matcher would warn W036 per call)."""
    code = (
        "import warnings\n"
        "from pipelines import build_pipeline\n"
        "nlp = build_pipeline()\n"
        "nlp('Removal of K-wire, left ring finger.')\n"
        "assert not any(f[0] == 'ignore' and f[1] is None and f[2] is Warning for f in warnings.filters), warnings.filters\n"
        "print('ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
    assert "W036" not in proc.stderr and "UserWarning" not in proc.stderr


_PIPE_SCRIPT = """
import json, multiprocessing, sys
from pathlib import Path

def main():
    multiprocessing.set_start_method(sys.argv[1], force=True)
    from pipelines import build_pipeline
    from pipelines.extensions import MODIFIERS, SECTIONS, SPANS_KEY
    nlp = build_pipeline()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[2]).glob("*.txt"))[:8]]
    def rows(docs):
        return [([(s.label_, s.kb_id_, s.id_, s.start, s.end) for s in d.spans[SPANS_KEY]],
                 d._.get(SECTIONS), d._.get(MODIFIERS)) for d in docs]
    one = json.loads(json.dumps(rows(nlp.pipe(texts))))
    two = json.loads(json.dumps(rows(nlp.pipe(texts, n_process=2, batch_size=2))))
    print(json.dumps({"equal": one == two, "docs": len(two), "spans": sum(len(r[0]) for r in two)}))

if __name__ == "__main__":
    main()
"""


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pipe_two_processes_equals_one(tmp_path, method) -> None:
    """nlp.pipe(n_process=2) gives what n_process=1 gives, under fork and under spawn (macOS,
    Windows), with medspaCy imported and its TargetMatcher in the pipeline."""
    script = tmp_path / "pipe_check.py"
    script.write_text(_PIPE_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(script), method, str(ROOT / "sample_notes")],
        capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["docs"] == 8 and result["spans"] > 20
    assert result["equal"] is True
