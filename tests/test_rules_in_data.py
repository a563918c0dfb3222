"""Rules are data: no clinical word list, regex of words or window size is written in the Python
that reads notes. The extractors, the checklist and the pipeline components that read text take
every word and every distance from `patterns/` (through the rule registry), so a rule author
changes behaviour in one reviewed file and renaming a word in YAML never silently diverges from
a copy in Python. Allowed: integers 0 and 1, field indices, numbers on a line that says `# algorithm:` why, slice caps on evidence lists (how much evidence a
finding shows, not how text is read), and the contract's own vocabulary values (CONTRACT.md §1)."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator, get_args

import pytest

from notecheck import models

ROOT = Path(__file__).resolve().parents[1]
TEXT_READERS = sorted(
    [*(ROOT / "notecheck" / "extract").glob("*.py"), *(ROOT / "notecheck" / "coding").glob("*.py"),
     ROOT / "notecheck" / "checklist.py",
     *(ROOT / "pipelines" / name for name in ("sentences.py", "sectionizer.py", "normalizer.py"))]
)
REGEX_CALLS = {"compile", "match", "search", "fullmatch", "findall", "finditer", "sub", "split"}
WORD = re.compile(r"^[a-z][a-z'/ -]*$")


def _contract_values() -> set[str]:
    values: set[str] = set()
    for name in dir(models):
        for arg in get_args(getattr(models, name)):
            if isinstance(arg, str):
                values.add(arg)
    return values


CONTRACT = _contract_values()


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _allowed_positions(tree: ast.AST) -> set[int]:
    """Evidence caps (`evidence[:6]`), field indices (`key[2]`, `attrs[:, 2]`) and the values of a
    type (`Literal["office", "asc"]`: a file schema's closed vocabulary, not a word list)."""
    allowed = set()
    for n in ast.walk(tree):
        if not isinstance(n, ast.Subscript):
            continue
        if isinstance(n.value, ast.Name) and n.value.id == "Literal":
            allowed.update(id(e) for e in ast.walk(n.slice))
            continue
        if isinstance(n.slice, ast.Slice) and n.slice.upper is not None and n.slice.lower is None:
            allowed.add(id(n.slice.upper))
        elif isinstance(n.slice, ast.Constant):
            allowed.add(id(n.slice))
        elif isinstance(n.slice, ast.Tuple):
            allowed.update(id(e) for e in n.slice.elts if isinstance(e, ast.Constant))
    return allowed


def _regex_words(pattern: str) -> list[str]:
    """Words a regex spells out, outside escapes, character classes and group syntax."""
    stripped = re.sub(r"\\.|\[(?:\\.|[^\]])*\]|\(\?P<\w+>|\(\?P=\w+\)|\(\?[:=!<>]*|\(\?[aiLmsux]+\)", " ", pattern)
    return re.findall(r"[A-Za-z]{3,}", stripped)


def _violations(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docs, caps = _docstrings(tree), _allowed_positions(tree)
    # A line that says why its number is an algorithm's, not a rule's ("# algorithm: ...").
    explained = {i + 1 for i, line in enumerate(source.splitlines()) if "# algorithm:" in line}
    where = path.relative_to(ROOT)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and type(node.value) is int and node.value > 1 and id(node) not in caps
                and node.lineno not in explained):
            yield f"{where}:{node.lineno}: number {node.value} (a window or threshold belongs in patterns/)"
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and id(node) not in caps:
            words = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            clinical = [w for w in words if WORD.match(w) and w not in CONTRACT]
            if len(words) >= 2 and clinical:
                yield f"{where}:{node.lineno}: word list {clinical[:4]} (belongs in patterns/)"
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in REGEX_CALLS
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                and id(node.args[0]) not in docs):
            words = _regex_words(node.args[0].value)
            if words:
                yield f"{where}:{node.lineno}: regex of words {words[:4]} (belongs in patterns/)"


@pytest.mark.parametrize("path", TEXT_READERS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_word_lists_regexes_of_words_or_windows_in_python(path: Path) -> None:
    found = list(_violations(path))
    assert not found, "\n".join(found)


def test_the_check_itself_catches_each_kind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('import re\nX = ("of", "the")\nY = re.compile(r"removal of")\nZ = a.gap <= 4\nok = e[:6]\n')
    found = list(_violations_at(bad))
    assert [f.split(": ", 1)[1].split(" ")[0] for f in found] == ["word", "regex", "number"]


def _violations_at(path: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return sorted(_violations(path), key=lambda f: int(f.split(":")[1]))
    finally:
        ROOT = saved
