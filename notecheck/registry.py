"""The rule registry: the one owner of every rule file.

Built once per rules directory (Presidio's RecognizerRegistry is the model) and handed to the
pipeline, the extractors, coding, the checklist, the renderers, the audit workers and the
service, so a `Checker(rules_dir)` is honoured by everything that reads a rule. Its version is
the package version plus a hash of every rule file's bytes: it is echoed in every result, in the
audit summary and in `/healthz`, and it changes whenever any rule file does.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from notecheck.coding.ncci import NcciRules, load_ncci
from notecheck.rules import ChecklistRules, CodingRules, Icd10Rules, RuleSet, load_coding, load_rules, rules_fingerprint
from patterns import PATTERNS_DIR


@dataclass(frozen=True)
class RuleRegistry:
    directory: str
    rules: RuleSet  # what the pipeline and extractors read: targets, ConText, sections, relations
    coding: CodingRules
    icd10: Icd10Rules
    checklist: ChecklistRules
    ncci: NcciRules

    @property
    def version(self) -> str:
        return rules_fingerprint(self.directory)

    def checklist_titles(self) -> dict[str, str]:
        return {item_id: item.title for item_id, item in self.checklist.items.items()}

    def checklist_descriptions(self) -> dict[str, str]:
        return {item_id: item.description for item_id, item in self.checklist.items.items()}


def registry_dir(directory: Optional[str | Path]) -> str:
    """The directory a registry reads: `directory` resolved, or the packaged `patterns/`."""
    return str(Path(directory).resolve()) if directory else str(PATTERNS_DIR)


def load_registry(directory: Optional[str | Path] = None) -> RuleRegistry:
    """The registry of `directory` (default: the packaged `patterns/`), built once per process."""
    return _load(registry_dir(directory))


@lru_cache(maxsize=8)
def _load(directory: str) -> RuleRegistry:
    coding, icd10, checklist = load_coding(directory)
    return RuleRegistry(
        directory=directory,
        rules=load_rules(directory),
        coding=coding,
        icd10=icd10,
        checklist=checklist,
        ncci=load_ncci(directory),
    )
