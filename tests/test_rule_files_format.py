"""The rule files stay reviewable: short lines, one literal per line, sorted unless the file says
why order matters, and exactly what scripts/format_rules.py writes."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from notecheck.rules import MatchRule, join_alternatives
from patterns import PATTERNS_DIR

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted(PATTERNS_DIR.glob("*.yaml"))
LIMIT = 120
ORDER_MARK = re.compile(r"^\s*#\s*order matters\b(?:\s+for\s+(?P<keys>[\w, ]+?))?\s*:", re.IGNORECASE)
ALL = "*"


def _formatter():
    spec = importlib.util.spec_from_file_location("format_rules", ROOT / "scripts" / "format_rules.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("format_rules", module)
    spec.loader.exec_module(module)
    return module


def _declared_order(lines: list[str], key_line: int) -> set[str]:
    """Keys whose lists keep their order ("*": all), from the comment lines just above a key that
    start with "Order matters:" or "Order matters for literals, ...:"."""
    keys: set[str] = set()
    n = key_line - 1
    while n >= 0 and lines[n].strip().startswith("#"):
        m = ORDER_MARK.match(lines[n])
        if m:
            keys |= {k.strip() for k in m.group("keys").split(",")} if m.group("keys") else {ALL}
        n -= 1
    return keys


def _unsorted_lists(node: Node, lines: list[str], ordered: frozenset[str] = frozenset(), key: str = "") -> list[str]:
    found = []
    if isinstance(node, MappingNode):
        for k, v in node.value:
            found += _unsorted_lists(v, lines, ordered | _declared_order(lines, k.start_mark.line), str(k.value))
    elif isinstance(node, SequenceNode):
        scalars = [i for i in node.value if isinstance(i, ScalarNode)]
        keep = ALL in ordered or key in ordered or key == "regex" or key.endswith("_regex")
        if scalars and len(scalars) == len(node.value) and not keep:
            values = [i.value for i in scalars if i.tag.endswith(":str")]
            if values == [i.value for i in scalars] and values != sorted(values, key=lambda v: (v.casefold(), v)):
                found.append(f"{key} (line {node.start_mark.line + 1})")
        for item in node.value:
            # A list of scalars inside a list is a tuple (a token pattern, a range): its order is its meaning.
            if isinstance(item, MappingNode):
                found += _unsorted_lists(item, lines, ordered, key)
    return found


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_no_line_over_the_limit(path: Path) -> None:
    long = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if len(line) > LIMIT]
    assert not long, f"{path.name}: lines over {LIMIT} characters: {long[:10]}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_literal_lists_are_block_lists_sorted_unless_order_is_declared(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    root = yaml.compose(text)
    assert _unsorted_lists(root, text.splitlines()) == []
    flow = [n for n, line in enumerate(text.splitlines(), 1)
            if not line.lstrip().startswith("#") and re.search(r"(?::|^\s*-)\s+[\[{]\s*[^\]}\s]", line)]
    assert not flow, f"{path.name}: flow collections on lines {flow[:10]}"


def test_formatter_check_passes_on_the_rule_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert _formatter().main(["--check"]) == 0, capsys.readouterr().out


def test_the_order_check_sees_an_unsorted_list_and_honours_a_declared_order() -> None:
    text = (
        "a:\n  - pin\n  - K-wire\n# Order matters: shown in this order.\nb:\n  - zeta\n  - alpha\n"
        "# Order matters for literals: first added wins.\nrules:\n  - literals: [zeta, alpha]\n    anchors: [z, a]\n"
    )
    root = yaml.compose(text)
    assert _unsorted_lists(root, text.splitlines()) == ["a (line 2)", "anchors (line 11)"]


def test_formatter_sorts_splits_wraps_and_keeps_comments(tmp_path: Path) -> None:
    fmt = _formatter()
    long_regex = "(?i)\\b(?:" + "|".join(f"word{n}" for n in range(30)) + ")\\b|\\bother\\s+thing\\b"
    message = " ".join(["a long user message"] * 12)
    source = (
        "# head comment\n"
        "version: \"1\"\n"
        "rules:\n"
        "  # the rule\n"
        f"  - {{id: r1, literals: [pin, \"K-wire\", anchor], regex: \"{long_regex.replace(chr(92), chr(92) * 2)}\"}}\n"
        f"message: \"{message}\"\n"
        "# Order matters: kept as written.\n"
        "options: [zeta, alpha]\n"
        "# Order matters for literals: the first added wins.\n"
        "context: [{literals: [zeta, alpha], sections: [plan, body]}]\n"
    )
    out = fmt.format_text(source)
    assert max(len(line) for line in out.splitlines()) <= LIMIT
    assert "# head comment" in out and "  # the rule" in out
    assert fmt.format_text(out) == out  # idempotent
    data = yaml.safe_load(out)
    rule = data["rules"][0]
    assert rule["literals"] == ["anchor", "K-wire", "pin"]
    assert rule["regex"] == ["(?i)\\b(?:" + "|".join(f"word{n}" for n in range(30)) + ")\\b", "\\bother\\s+thing\\b"]
    assert data["message"] == message
    assert data["options"] == ["zeta", "alpha"]
    assert data["context"] == [{"literals": ["zeta", "alpha"], "sections": ["body", "plan"]}]


def test_a_regex_list_joins_as_alternatives_with_leading_flags_for_the_whole() -> None:
    assert join_alternatives(["(?i)\\bpin\\b", "k-?wire"]) == "(?i)(?:\\bpin\\b)|(?:k-?wire)"
    rule = MatchRule(id="x", regex=["(?i)pin", "wire"])
    assert re.search(rule.regex, "K-WIRE") and re.search(rule.regex, "Pin")
    with pytest.raises(ValueError):
        MatchRule(id="x", regex=[])
    with pytest.raises(ValueError):  # flags only at the start of the first alternative
        MatchRule(id="x", regex=["pin", "(?i)wire"])
