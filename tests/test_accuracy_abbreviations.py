"""Notes written almost entirely in abbreviations (blind batch b93's failure class): K/W for the
K-wire, 'Idx <date>:' labelling the index operation's line."""
from __future__ import annotations

from notecheck.checker import Checker

from claim_lines import claim_lines as _lines


def test_kw_with_a_slash_and_an_idx_label(checker: Checker) -> None:
    note = (
        "PAEDS HAND -- planned K/W removal\n12 y/o F. Date of op: 29.10.2024\n"
        "Idx 01.10.2024: CRPP L RF P1 base # (Salter II), K/W x1, buried. Plan then: K/W out under GA at 4/52.\n"
        "GA. Small stab over the wire end, RF radial base P1. K/W removed intact.\n"
    )
    assert _lines(checker, note) == [("26320", ["F3", "LT"])]


def test_kw_out_through_a_nick(checker: Checker) -> None:
    note = (
        "mallet # L MF -- K/W out\n17/3/25 minor ops. Idx 3/2/25: bony mallet P3, 1 x K/W thru fragment, buried.\n"
        "Digital blk 1% lido. Left MF. 2 mm nick over wire end dorsum P3, K/W out w/ mosquito. Steri.\n"
    )
    assert _lines(checker, note) == [("26320", ["F2", "LT"])]


def test_a_side_letter_before_a_numbered_metacarpal(checker: Checker) -> None:
    note = (
        "ROH L MC2 & MC3\nORIF L MC2 + MC3 shaft #s (2 dorsal plates) 08/2023. Both healed. Plates palpable, irritating.\n"
        "GA. Single incision between MC2 and MC3. MC2: plate + 5 screws out. MC3: plate + 6 screws out. Closure 4-0.\n"
    )
    assert _lines(checker, note) == [("26320", ["LT"]), ("26320", ["LT"])]
