"""The terminal view (notecheck/render_text.py and `notecheck check`): missing items and their
fixes first, then the checklist, evidence with sections, code and modifiers with reasons; colour
only on a terminal, never with NO_COLOR or --no-color; wrapped to the terminal width."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from notecheck.models import ClaimContext
from notecheck.render_text import render_text, use_color, write_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_notes"
GAPS_NOTE = SAMPLES / "hwr_017_right_ring_p1_plate_decoy_scar.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(s: str) -> str:
    return ANSI.sub("", s)


def squash(s: str) -> str:
    """The text without its layout: wrapping may break lines at spaces and after hyphens."""
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def gaps_result(checker):
    text = GAPS_NOTE.read_text(encoding="utf-8")
    # A billed claim with the wrong finger modifier, so there are denial risks to show.
    ctx = ClaimContext(billed_cpt="20680", billed_units=2, billed_modifiers="LT F3")
    result = checker.check(text, ctx, "op-17")
    assert any(c.status in ("missing", "partial") for c in result.checklist)
    assert result.denial_risks
    return result


class FakeStream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_plain_output_lists_the_gaps_first_then_checklist_evidence_and_code(gaps_result):
    out = render_text(gaps_result, color=False, width=100)
    assert "\x1b" not in out
    lines = out.splitlines()
    assert lines[0].startswith("op-17: score ") and "documentation gaps" in lines[0]
    add, checklist, code = out.index("What to add"), out.index("\nChecklist"), out.index("\nCode: ")
    assert add < checklist < code
    gaps_part = squash(out[add:checklist])
    for item in gaps_result.checklist:
        if item.status in ("missing", "partial"):
            assert squash(f"{item.title}: {item.message}") in gaps_part
        else:
            assert f"{item.title}:" not in gaps_part
    checklist_part = out[checklist:code]
    for item in gaps_result.checklist:
        assert re.search(rf"{item.status.replace('_', ' ')}\s+{re.escape(item.title)}", checklist_part)
        for ev in item.evidence[:2]:
            quote = ev.text.replace("\n", " ")
            assert squash(f"\"{quote}\" ({ev.section.replace('_', ' ')}, chars {ev.start}-{ev.end})") in squash(checklist_part)
    tail = squash(out[code:])
    assert squash(f"Code: {gaps_result.procedure.suggested_cpt}") in tail
    for line in gaps_result.claim_lines:
        assert squash(f"line: {line.cpt} x{line.units} {' '.join(line.modifiers)} [{line.site}]") in tail
    for m in gaps_result.modifiers:
        assert squash(f"{m.code} {m.reason}") in tail
    for icd in gaps_result.icd10_suggestions:
        assert icd.code in tail
    assert "Denialrisks" in tail
    for risk in gaps_result.denial_risks:
        assert squash(f"{risk.severity.upper()} {risk.id}: {risk.message}") in tail


def test_ready_note_has_no_gap_section(checker):
    path = SAMPLES / "hwr_001_left_ring_p1_kwires_staged.txt"
    ctx = ClaimContext(removal_date="2026-03-20", index_surgery_date="2026-02-13", index_cpt="26727")
    result = checker.check(path.read_text(encoding="utf-8"), ctx, path.stem)
    out = render_text(result, color=False, width=100)
    if result.ready_to_sign and not any(c.status in ("missing", "partial") for c in result.checklist):
        assert "What to add" not in out
        assert "ready to sign" in out.splitlines()[0]


def test_colour_output_paints_statuses_and_strips_to_the_plain_text(gaps_result):
    coloured = render_text(gaps_result, color=True, width=100)
    assert "\x1b[" in coloured
    # Same words; the line breaks may differ (textwrap counts the colour codes of the status icons).
    assert squash(plain(coloured)) == squash(render_text(gaps_result, color=False, width=100))
    statuses = {i.status for i in gaps_result.checklist}
    if "missing" in statuses:
        assert "\x1b[31m✘ missing\x1b[0m" in coloured
    if "partial" in statuses:
        assert "\x1b[33m◐ partial\x1b[0m" in coloured
    assert "\x1b[32m✔ met\x1b[0m" in coloured
    assert "\x1b[1;31mWhat to add\x1b[0m" in coloured
    for code in re.findall(r"\x1b\[([0-9;]*)m", coloured):
        assert code in {"0", "31", "32", "33", "90", "1;31", "1;32", "1;33", "1;90"}


@pytest.mark.parametrize("width", [60, 72, 100])
def test_wraps_to_the_given_width(gaps_result, width):
    for color in (False, True):
        out = render_text(gaps_result, color=color, width=width)
        body = plain(out).splitlines()[1:]  # the heading line is checked separately below
        too_long = [line for line in body if len(line) > width]
        assert not too_long, too_long
    # Wrapping only moves line breaks: the messages come back whole.
    joined = squash(render_text(gaps_result, color=False, width=width))
    for item in gaps_result.checklist:
        if item.status in ("missing", "partial"):
            assert squash(item.message) in joined


def test_narrow_width_wraps_long_messages(gaps_result):
    narrow = render_text(gaps_result, color=False, width=60)
    wide = render_text(gaps_result, color=False, width=110)
    assert len(narrow.splitlines()) > len(wide.splitlines())
    assert squash(narrow) == squash(wide)


def test_heading_wraps_too(gaps_result):
    result = gaps_result.model_copy(update={"note_id": "a-rather-long-note-identifier-from-the-ehr-export-0001"})
    out = render_text(result, color=False, width=60)
    assert all(len(line) <= 60 for line in out.splitlines())


def test_use_color_needs_a_terminal_and_no_opt_out(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(FakeStream(tty=True)) is True
    assert use_color(FakeStream(tty=False)) is False
    assert use_color(io.StringIO()) is False
    assert use_color(FakeStream(tty=True), no_color=True) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(FakeStream(tty=True)) is False


def test_write_text_colours_only_a_terminal(gaps_result, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty, pipe = FakeStream(tty=True), FakeStream(tty=False)
    write_text(gaps_result, tty)
    write_text(gaps_result, pipe)
    assert "\x1b[" in tty.getvalue()
    assert "\x1b" not in pipe.getvalue()
    flagged = FakeStream(tty=True)
    write_text(gaps_result, flagged, no_color=True)
    assert "\x1b" not in flagged.getvalue()
    monkeypatch.setenv("NO_COLOR", "yes")
    env_off = FakeStream(tty=True)
    write_text(gaps_result, env_off)
    assert "\x1b" not in env_off.getvalue()


def _cli(args: list[str], env_extra: dict[str, str], tty: bool) -> tuple[int, str]:
    """Run `notecheck check ...` in a subprocess, stdout on a pseudo-terminal or a pipe."""
    script = Path(sys.executable).with_name("notecheck")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "notecheck.cli"]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(env_extra)
    if not tty:
        proc = subprocess.run(cmd + args, capture_output=True, env=env, timeout=120)
        return proc.returncode, proc.stdout.decode("utf-8")
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(cmd + args, stdout=slave, stderr=subprocess.PIPE, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=120)
    finally:
        os.close(master)
    return proc.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_cli_colours_a_terminal_and_respects_no_color_and_no_color_flag():
    args = ["check", str(GAPS_NOTE)]
    code, on_tty = _cli(args, {"COLUMNS": "100"}, tty=True)
    assert code == 1, "documentation gaps exit 1"
    assert "\x1b[" in on_tty and "What to add" in on_tty
    code, flagged = _cli(args + ["--no-color"], {"COLUMNS": "100"}, tty=True)
    assert code == 1 and "\x1b" not in flagged
    assert squash(flagged) == squash(plain(on_tty))
    code, env_off = _cli(args, {"COLUMNS": "100", "NO_COLOR": "1"}, tty=True)
    assert code == 1 and "\x1b" not in env_off
    code, piped = _cli(args, {"COLUMNS": "100"}, tty=False)
    assert code == 1 and "\x1b" not in piped
    assert piped == flagged


def test_cli_wraps_to_the_terminal_width():
    code, narrow = _cli(["check", str(GAPS_NOTE), "--note-id", "op-17"], {"COLUMNS": "64"}, tty=False)
    assert code == 1
    assert all(len(line) <= 64 for line in narrow.splitlines()), narrow
    _, wide = _cli(["check", str(GAPS_NOTE), "--note-id", "op-17"], {"COLUMNS": "110"}, tty=False)
    assert len(narrow.splitlines()) > len(wide.splitlines())
    assert squash(narrow) == squash(wide)
