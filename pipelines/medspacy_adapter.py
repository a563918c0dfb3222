"""Where notecheck meets medspaCy 1.3.1's objects, and where they leave.

- `register_medspacy_extensions()` imports medspaCy (which registers its extensions at import) and
  replaces the extensions it registers with lambda getters by module-level functions that do the
  same: a lambda cannot be pickled, and spaCy sends every registered extension to the worker
  processes of `nlp.pipe(n_process=2)` under the spawn start method (macOS, Windows), so merely
  importing medspaCy broke multiprocessing even for pipelines that never use those extensions.
- `notecheck_medspacy_adapter`, the last component: medspaCy's TargetMatcher sets
  `span._.target_rule` (a TargetRule object) on every span it creates, which `Doc.to_bytes()` cannot
  serialize. Our results are already primitives (doc.spans with label/kb_id/id strings, tuples in
  doc._.nc_*), so the adapter deletes every object-valued medspaCy extension value from the Doc.
- importing medSpaCy turns every warning of the process off; `register_medspacy_extensions()`
  restores the filters.
- `phrase_check(nlp)`: whether a phrase given as words can be handed to medspaCy, which tokenizes
  its literals itself.
"""

import warnings
from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span

# medspaCy extensions whose values are objects (rules, modifiers, graphs, sections); written into
# doc.user_data as ("._.", name, start_char, end_char) keys.
OBJECT_EXTENSIONS = frozenset({"target_rule", "modifiers", "context_graph", "sections", "section", "data"})


def _span_section(span: Span):
    return span[0]._.section


def _span_section_span(span: Span):
    return span[0]._.section_span


def _span_section_category(span: Span):
    return span[0]._.section_category


def _span_section_title(span: Span):
    return span[0]._.section_title


def _span_section_body(span: Span):
    return span[0]._.section_body


def _span_section_parent(span: Span):
    return span[0]._.section_parent


def _span_section_rule(span: Span):
    return span[0]._.section_rule


def _doc_data(kind: str, doc: Doc):
    from medspacy._extensions import get_data

    return get_data(doc, kind)


def _ent_data(doc: Doc):
    return _doc_data("ents", doc)


def _section_data(doc: Doc):
    return _doc_data("section", doc)


def _doc_doc_data(doc: Doc):
    return _doc_data("doc", doc)


def _context_data(doc: Doc):
    return _doc_data("context", doc)


_SPAN_GETTERS: dict[str, Callable] = {
    "section": _span_section, "section_span": _span_section_span, "section_category": _span_section_category,
    "section_title": _span_section_title, "section_body": _span_section_body,
    "section_parent": _span_section_parent, "section_rule": _span_section_rule,
}
_DOC_GETTERS: dict[str, Callable] = {
    "ent_data": _ent_data, "section_data": _section_data, "doc_data": _doc_doc_data, "context_data": _context_data,
}


def _is_lambda(getter: object) -> bool:
    return getattr(getter, "__name__", "") == "<lambda>"


def register_medspacy_extensions() -> None:
    """Import medspaCy and make its extensions picklable (idempotent)."""
    # medspacy.common.medspacy_matcher runs warnings.filterwarnings("ignore") at import, which
    # would silence every warning of the whole process; the filters are restored after it.
    with warnings.catch_warnings():
        import medspacy  # noqa: F401  (registers medspaCy's extensions)
    # Our TargetMatchers hold phrase rules only, so medspaCy's inner token Matcher is empty and
    # spaCy warns (W036) from medspaCy's matcher on every call: silence that one warning there.
    warnings.filterwarnings("ignore", message=r"\[W036\]", module=r"medspacy\.common\.medspacy_matcher")

    for cls, getters in ((Span, _SPAN_GETTERS), (Doc, _DOC_GETTERS)):
        for name, getter in getters.items():
            if cls.has_extension(name) and _is_lambda(cls.get_extension(name)[2]):
                cls.set_extension(name, getter=getter, force=True)
    for cls in (Span, Doc):
        for name in list(_registered(cls)):
            _, method, getter, setter = cls.get_extension(name)
            if any(_is_lambda(f) for f in (method, getter, setter)):
                raise RuntimeError(f"extension {cls.__name__}._.{name} has a lambda; spawn workers cannot pickle it")


def _registered(cls: type) -> list[str]:
    from spacy.tokens.underscore import Underscore

    table = {Doc: Underscore.doc_extensions, Span: Underscore.span_extensions}[cls]
    return list(table)


def strip_object_extensions(doc: Doc) -> Doc:
    """Delete object-valued medspaCy extension values (one pass over doc.user_data)."""
    data = doc.user_data
    stale = [k for k in data if isinstance(k, tuple) and len(k) == 4 and k[0] == "._." and k[1] in OBJECT_EXTENSIONS]
    for key in stale:
        del data[key]
    return doc


@Language.factory("notecheck_medspacy_adapter")
def make_adapter(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    register_medspacy_extensions()
    return strip_object_extensions


def phrase_check(nlp: Language) -> Callable[[list[str], str], bool]:
    """A phrase (as words) may become a medspaCy literal when the tokenizer splits the joined
    words back into the same tokens with the same NORM (ORTH: the same texts); otherwise the
    PhraseMatcher would look for other tokens than the pattern's."""
    tokenizer = nlp.tokenizer
    vocab = nlp.vocab

    def ok(words: list[str], attr: str) -> bool:
        tokens = tokenizer(" ".join(words))
        if [t.text for t in tokens] != words:
            return False
        if attr == "ORTH":
            return True
        return [t.norm for t in tokens] == [vocab[w].norm for w in words]

    return ok
