"""The rooms of notecheck and what each may import. A note travels rules -> pipeline (Doc) ->
extract (findings) -> coding and checklist -> checker -> outlets (CLI, renderers, audit, Spark,
HL7/FHIR, evaluation, service). A room may import the rooms before it, never those after it,
and the outlets reach the pipeline and the extractors only through the Checker."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RULES = ("patterns", "notecheck.rules", "notecheck.relations", "notecheck.registry", "notecheck.coding.ncci")
# room -> (its modules, the modules it must not import)
ROOMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rules": (RULES, ("pipelines", "notecheck.medspacy_rules", "notecheck.extract", "notecheck.checker", "notecheck.audit", "service")),
    # medspacy_rules turns the rules into medSpaCy rule objects for the pipeline's components.
    "pipeline": (("pipelines", "notecheck.medspacy_rules"), ("notecheck.extract", "notecheck.coding.", "notecheck.checker", "notecheck.audit",
                                  "notecheck.spark", "notecheck.interchange", "service")),
    "extract": (("notecheck.extract",), ("notecheck.coding.", "notecheck.checker", "notecheck.audit", "service")),
    "coding": (("notecheck.coding", "notecheck.checklist"), ("pipelines", "notecheck.extract", "notecheck.checker",
                                                             "notecheck.audit", "service")),
    "outlets": (("notecheck.audit", "notecheck.spark", "notecheck.interchange", "notecheck.evaluation",
                 "notecheck.render_html", "notecheck.render_text", "notecheck.cli", "service"),
                ("pipelines", "notecheck.extract")),
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p.rstrip(".") or module.startswith(p if p.endswith(".") else p + ".") for p in prefixes)


def _imports(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


SOURCES = [p for d in ("notecheck", "pipelines", "patterns", "service") for p in sorted((ROOT / d).rglob("*.py"))]


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_rooms_import_only_the_rooms_before_them(room: str) -> None:
    members, forbidden = ROOMS[room]
    found = []
    for path in SOURCES:
        module = _module(path)
        if not _in(module, members) or (room != "rules" and _in(module, RULES)):
            continue
        found += [f"{module} imports {name}" for name in _imports(path) if _in(name, forbidden)]
    assert not found, "\n".join(found)
