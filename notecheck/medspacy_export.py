"""`notecheck rules export --medspacy DIR`: notecheck's rules as medspaCy 1.3.1 JSON resources.

Writes, loadable by stock medspaCy components (`rules=` path for ConText and the sectionizer;
`TargetMatcher.add(TargetRule.from_json(path))` for the target matcher, whose `rules=` argument
fails in 1.3.1 because it adds before its matcher exists):

- `target_rules.json`  {"target_rules": [...]}: category = the span label (IMPLANT, ACT, ...);
  metadata = value, rule id and notecheck's constraints (sections, requires_near, ...), which
  stock medspaCy keeps but does not apply;
- `context_rules.json` {"context_rules": [...]}: one rule per trigger; metadata = rule id and the
  constraints medspaCy's JSON format has no key for (terminating words, sections);
- `section_patterns.json` {"section_rules": [...]}: one rule per header;
- `manifest.json`: notecheck's rules_version and the counts.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from notecheck.medspacy_rules import context_rule_objects, section_rule_objects, target_rule_objects
from notecheck.rules import load_rules

FILES = {"target_rules": "target_rules.json", "context_rules": "context_rules.json", "section_rules": "section_patterns.json"}


def _plain(rule: Any) -> dict[str, Any]:
    """A rule's to_dict with sets as sorted lists, so the files are byte-stable across runs."""
    out = {}
    for key, value in sorted(rule.to_dict().items()):
        if isinstance(value, (set, frozenset)):
            value = sorted(value)
        elif key in ("allowed_types", "excluded_types") and isinstance(value, list):
            value = sorted(value)
        out[key] = value
    return out


def export_medspacy(directory: Path, rules_dir: Optional[str] = None) -> dict[str, int]:
    """Write the three resources and a manifest into `directory` (created if missing)."""
    rules = load_rules(rules_dir)
    objects = target_rule_objects(rules, keyed=False)
    groups = {
        "target_rules": objects.lower + objects.exact,
        "context_rules": context_rule_objects(rules),
        "section_rules": section_rule_objects(rules),
    }
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for key, found in groups.items():
        payload = {key: [_plain(r) for r in found]}
        (directory / FILES[key]).write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        counts[key] = len(found)
    manifest = {"notecheck_rules_version": rules.version, "medspacy": "1.3.1", "files": FILES, "counts": counts}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return counts
