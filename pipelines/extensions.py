"""The custom attributes notecheck sets, registered once and holding primitives only.

medspaCy stores rule objects, Spans and graphs in extensions, which breaks `Doc.to_bytes()` and
`nlp.pipe(n_process=2)`; here every value is a list of tuples of str/int, so msgpack handles it.
"""
import threading
from typing import Optional

from spacy.tokens import Doc, Span

SPANS_KEY = "notecheck"

# (category, header_start, header_end, section_end) in characters; the text before the first
# header is category "body" with an empty header.
SECTIONS = "nc_sections"
# What ConText found, keyed by span identity rather than list position (a component or caller
# that adds, drops or reorders doc.spans[SPANS_KEY] cannot shift a negation onto another span):
# one record (label, value, rule_id, start_char, end_char, triggers) per span with at least one
# trigger, each trigger (category, rule_id, start_char, end_char). Stored, so it is serialized.
SPAN_MODIFIERS = "nc_span_modifiers"
# Read-only view for consumers: one list of triggers per span of doc.spans[SPANS_KEY] in the
# group's current order, looked up by identity; None when ConText has not run.
MODIFIERS = "nc_modifiers"

Trigger = tuple[str, str, int, int]
SpanKey = tuple[str, str, str, int, int]
RULES_VERSION = "nc_rules_version"
# Doc.text joins every token anew on each access (~0.5 ms for a 600-token note); the components
# and the extractor share one copy in doc.user_data (a plain str, so serialization is unchanged).
TEXT_KEY = "nc_text"
# The note as written, when the pipeline reads it with its wrapped lines joined (pipelines/wraps.py):
# evidence is quoted from it. Absent when the two are the same text.
ORIGINAL_TEXT_KEY = "nc_original_text"
# Character offsets where a spoken full stop ("... intact period the second ...") ends a sentence,
# found by the normalizer and read by the sentence splitter (a list of ints: serializable).
SPOKEN_STOPS_KEY = "nc_spoken_stops"
# A note dictated with its punctuation as words: the same text with the marks written in
# (pipelines/spoken.py), set by the sectionizer and read by ConText's terminators.
PUNCTUATED_KEY = "nc_punctuated"
# The text the rule regexes read: doc_text with each word the normalizer read as another
# ("screeds" as "screws", "rernoval" as "removal") written as that word and padded with spaces to
# its length, so offsets stay the note's. Absent when the normalizer changed no word (or only into
# longer ones).
NORMALIZED_TEXT_KEY = "nc_normalized_text"
# Set in doc.user_data by a caller that wants an explanation (`notecheck check --explain`): the
# target matcher and ConText then also record what they dropped or cancelled, as lists of tuples
# of str/int under the keys below. Unset (every ordinary check), nothing is recorded.
EXPLAIN_KEY = "nc_explain"
# The date of service the claim codes, as (year, month, day), when the caller gives one: in a note
# that tells a course in dated entries, the entry on this date is the operation (pipelines/timeline.py).
ENCOUNTER_KEY = "nc_encounter"
# (label, value, rule_id, start_char, end_char, reason, by_rule_id, by_start_char, by_end_char,
# detail): a rule match the post-filter dropped; reason is suppressed, section, not_section,
# requires_near, requires_in_sentence or overlapped (a longer, or equally long earlier, match of the
# same label won); by_* is the suppressor or the match that won.
TARGET_DROPS_KEY = "nc_target_drops"
# (span_index, category, rule_id, start_char, end_char, pseudo_rule_id, pseudo_start, pseudo_end):
# a ConText trigger that would have modified span `span_index` but lies inside a PSEUDO trigger.
CONTEXT_CANCELLED_KEY = "nc_context_cancelled"


def doc_text(doc: Doc) -> str:
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def regex_text(doc: Doc) -> str:
    """What the rule regexes search: the normalized text when there is one (NORMALIZED_TEXT_KEY)."""
    normalized = doc.user_data.get(NORMALIZED_TEXT_KEY)
    return normalized if normalized is not None else doc_text(doc)


def original_text(doc: Doc) -> str:
    """The note as written: what evidence quotes (the same offsets as doc_text)."""
    original = doc.user_data.get(ORIGINAL_TEXT_KEY)
    return original if original is not None else doc_text(doc)


class _LastLower(threading.local):
    """The last text lower-cased, per thread (service threads check notes concurrently)."""

    text: Optional[str] = None
    lower = ""


_LAST_LOWER = _LastLower()


def lower_text(text: str) -> str:
    """`text.lower()`, computed once per note: the normalizer, ConText and every rule matcher
    (up to seven a note) read the lower-cased text of the same str object (doc_text). Keyed by
    identity, so another string, even an equal one, is lowered anew."""
    last = _LAST_LOWER
    if last.text is not text:
        last.lower = text.lower()
        last.text = text
    return last.lower


def span_key(span: Span) -> SpanKey:
    """A span's identity: label, value, rule id and character offsets."""
    return (span.label_, span.kb_id_, span.id_, span.start_char, span.end_char)


def modifiers_by_span(doc: Doc) -> Optional[list[list[Trigger]]]:
    """The getter of doc._.nc_modifiers (module level, so spawn workers can pickle it)."""
    records = doc._.get(SPAN_MODIFIERS)
    if records is None:
        return None
    # After Doc.from_bytes the records are lists: keys and triggers become tuples again.
    found = {tuple(r[:5]): [tuple(t) for t in r[5]] for r in records}
    return [list(found.get(span_key(span), ())) for span in doc.spans.get(SPANS_KEY, [])]


def register_extensions() -> None:
    for name, default in ((SECTIONS, None), (SPAN_MODIFIERS, None), (RULES_VERSION, None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    if not Doc.has_extension(MODIFIERS):
        Doc.set_extension(MODIFIERS, getter=modifiers_by_span)
