"""A question reported in quotation marks (blind batch b78's failure class): the quotation opened
after "whether" is what was asked, not a finding; a closing mark still ends the question's clause."""
from __future__ import annotations

from notecheck.checker import Checker


def _indications(checker: Checker, note: str) -> list[str]:
    return sorted(i.value for i in checker.check(note).findings.indications)


def test_a_quoted_question_is_not_a_migration(checker: Checker) -> None:
    note = (
        "OR note. R thumb P1 CRPP 4 weeks ago, one buried wire, index plan was removal in the OR at 4 weeks.\n"
        'Mum asked whether the wire "has moved". It has not moved on XR; healed.\n'
        "Under GA: 3 mm incision over the wire end, wire removed intact.\n"
    )
    assert "migration" not in _indications(checker, note)
    assert checker.check(note).findings.planned_status.value == "planned"


def test_a_finding_after_the_closing_mark_still_counts(checker: Checker) -> None:
    note = (
        'Pt asks whether "it will ever stop aching" - the plate is prominent and painful over the L index P1.\n'
        "Under WALANT the old incision was reopened and the plate and 4 screws removed.\n"
    )
    assert "prominence" in _indications(checker, note)
