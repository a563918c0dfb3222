"""Pipeline assembly: the spaCy components notecheck runs, in order, built from `patterns/`.

    tokenizer (clinical) -> notecheck_normalizer -> notecheck_sectionizer -> notecheck_sentences -> notecheck_targets
    -> notecheck_context -> notecheck_medspacy_adapter

The phrase rules run in medspaCy's TargetMatcher; every rule is a medspaCy rule object
(`notecheck.medspacy_rules`); the adapter at the end leaves only primitives on the Doc.

No statistical model is loaded: everything is rules, so there is nothing to download.
"""
from __future__ import annotations

from typing import Optional

from spacy.lang.en import English
from spacy.language import Language

from pipelines import context, medspacy_adapter, normalizer, sectionizer, sentences, target_matcher  # noqa: F401  (register factories)
from pipelines.extensions import MODIFIERS, SECTIONS, SPANS_KEY, register_extensions
from pipelines.medspacy_adapter import register_medspacy_extensions
from pipelines.tokenizer import create_clinical_tokenizer

PIPE_NAMES = (
    "notecheck_normalizer", "notecheck_sectionizer", "notecheck_sentences", "notecheck_targets", "notecheck_context",
    "notecheck_medspacy_adapter",
)

__all__ = ["build_pipeline", "PIPE_NAMES", "SPANS_KEY", "SECTIONS", "MODIFIERS"]


def build_pipeline(rules_dir: Optional[str] = None) -> Language:
    """A ready `Language`; `rules_dir` overrides the packaged `patterns/` directory."""
    register_extensions()
    # Before any add_pipe: spaCy's factory lookup imports medspaCy through its entry points, and
    # medspaCy's import side effects (warning filters, lambda getters) must be undone right away.
    register_medspacy_extensions()
    nlp = English()
    nlp.tokenizer = create_clinical_tokenizer()(nlp)
    config = {"rules_dir": rules_dir}
    nlp.add_pipe("notecheck_normalizer", config=config)
    nlp.add_pipe("notecheck_sectionizer", config=config)
    nlp.add_pipe("notecheck_sentences", config=config)
    nlp.add_pipe("notecheck_targets", config=config)
    nlp.add_pipe("notecheck_context", config=config)
    nlp.add_pipe("notecheck_medspacy_adapter")
    return nlp
