"""The command line itself (notecheck/cli/, CONTRACT.md §4): every usage error is one line on stderr
and exit 2 (never click's usage box), `--help` shows examples, shell completion is produced, and
output that is piped, or asked plain by NO_COLOR, carries no ANSI escape code."""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from notecheck.cli import main
from notecheck.cli.options import with_implied_values

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_notes"
STEM = "hwr_001_left_ring_p1_kwires_staged"
ESC = "\x1b"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


# ---- usage errors: one line, exit 2 -----------------------------------------------------------------------

# fmt: off
BAD_USAGE = [
    pytest.param([], "Missing command", "notecheck --help", id="no-command"),
    pytest.param(["chek", "n.txt"], "Did you mean 'check'", "notecheck --help", id="misspelt-command"),
    pytest.param(["check"], "PATH", "notecheck check --help", id="check-without-path"),
    pytest.param(["check", "n.txt", "--format", "xml"], "--format", "notecheck check --help", id="check-bad-choice"),
    pytest.param(["check", "n.txt", "--bogus"], "--bogus", "notecheck check --help", id="check-unknown-option"),
    pytest.param(["check", "n.txt", "--max-bytes"], "--max-bytes", "notecheck check --help", id="check-option-without-value"),
    pytest.param(["check", "n.txt", "--billed-line", "1:2:3:4"], "CPT:UNITS:MODS", "notecheck check --help", id="check-bad-billed-line"),
    pytest.param(["check", "n.txt", "--index-date", "yesterday"], "YYYY-MM-DD", "notecheck check --help", id="check-bad-date"),
    pytest.param(["audit", "notes"], "--out", "notecheck audit --help", id="audit-without-out"),
    pytest.param(["audit", "notes", "--out", "o.jsonl", "--engine", "hadoop"], "--engine", "notecheck audit --help", id="audit-bad-engine"),
    pytest.param(["audit", "notes", "--out", "o.jsonl", "--workers", "many"], "--workers", "notecheck audit --help", id="audit-bad-int"),
    pytest.param(["eval"], "GOLD_DIR", "notecheck eval --help", id="eval-without-dir"),
    pytest.param(["eval", "gold", "--seed", "x"], "--seed", "notecheck eval --help", id="eval-bad-seed"),
    pytest.param(["serve", "--port", "http"], "--port", "notecheck serve --help", id="serve-bad-port"),
    pytest.param(["listen", "--mllp", "127.0.0.1:0"], "--out", "notecheck listen --help", id="listen-without-out"),
    pytest.param(["rules"], "Missing command", "notecheck rules --help", id="rules-without-subcommand"),
    pytest.param(["rules", "export"], "--medspacy", "notecheck rules export --help", id="rules-export-without-dir"),
    pytest.param(["rules", "export", "--medspacy"], "--medspacy", "notecheck rules export --help", id="rules-export-option-without-value"),
]
# fmt: on


@pytest.mark.parametrize("argv, names, pointer", BAD_USAGE)
def test_usage_errors_are_one_line_and_exit_2(capsys, argv: list[str], names: str, pointer: str) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("notecheck: error: ") and names in err
    assert f"(see {pointer})" in err  # the --help of the command concerned
    for box in ("╭", "│", "Usage:", "Traceback", "Value error"):
        assert box not in err


def test_a_real_process_gets_the_same_line_and_exit_code() -> None:
    proc = subprocess.run([sys.executable, "-m", "notecheck.cli", "check", "n.txt", "--format", "xml"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("notecheck: error: Invalid value for '--format': 'xml' is not one of 'text', 'json', 'html', "
                           "'fhir'. (see notecheck check --help)\n")


def test_usage_errors_come_before_the_slow_part(capsys, monkeypatch) -> None:
    """A bad option is refused by the parser: the checker (seconds to load) is never built."""
    def refuse(*args, **kwargs):
        raise AssertionError("the Checker was built for a command line that cannot run")

    monkeypatch.setattr("notecheck.checker.Checker", refuse)
    code, _, err = run(["check", str(SAMPLES / f"{STEM}.txt"), "--billed-units", "two"], capsys)
    assert code == 2 and "--billed-units" in err


# ---- --help -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["check"], ["eval"], ["audit"], ["serve"], ["listen"], ["rules", "export"]])
def test_help_shows_examples(capsys, command: list[str]) -> None:
    code, out, err = run([*command, "--help"], capsys)
    assert code == 0 and err == ""
    assert "Examples" in out
    examples = out[out.index("Examples"):]
    assert f"notecheck {' '.join(command)} " in examples
    assert ESC not in out  # captured, not a terminal


def test_help_lists_the_commands_and_h_is_help(capsys) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for name in ("check", "eval", "audit", "serve", "listen", "rules"):
        assert re.search(rf"^\W*{name}\s", out, re.M), name
    assert "--install-completion" in out and "--show-completion" in out
    code, short, _ = run(["check", "-h"], capsys)
    assert code == 0 and "--format" in short and "--billed-line" in short


# ---- shell completion -------------------------------------------------------------------------------------

@pytest.mark.parametrize("shell, marker", [("bash", "complete -o default -F _notecheck_completion notecheck"),
                                           ("zsh", "#compdef notecheck"), ("fish", "complete --command notecheck")])
def test_completion_script_is_produced(capsys, monkeypatch, shell: str, marker: str) -> None:
    # typer's switch that makes --show-completion take the shell's name instead of detecting it.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    code, out, err = run(["--show-completion", shell], capsys)
    assert code == 0 and err == ""
    assert marker in out and "_NOTECHECK_COMPLETE" in out


@pytest.mark.parametrize("words, cword, expected", [
    ("notecheck ch", 1, {"check"}),
    ("notecheck check n.txt --format ", 4, {"text", "json", "html", "fhir"}),
    ("notecheck audit notes --engine ", 4, {"local", "spark"}),
    ("notecheck rules ", 2, {"export"}),
])
def test_completion_completes_commands_and_choices(capsys, monkeypatch, words: str, cword: int, expected: set[str]) -> None:
    monkeypatch.setenv("_NOTECHECK_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(cword))
    code, out, _ = run([], capsys)
    assert code == 0
    assert set(out.split()) == expected


# ---- plain output off a terminal and with NO_COLOR ---------------------------------------------------------

@pytest.fixture
def one_note_gold(tmp_path: Path) -> Path:
    for suffix in (".txt", ".json"):
        shutil.copy(SAMPLES / f"{STEM}{suffix}", tmp_path / f"{STEM}{suffix}")
    return tmp_path


@pytest.fixture
def shared_checker(checker, monkeypatch):
    monkeypatch.setattr("notecheck.checker.Checker", lambda *a, **k: checker)
    return checker


def test_eval_tables_piped_are_plain_text(one_note_gold: Path, shared_checker, capsys) -> None:
    code, out, err = run(["eval", str(one_note_gold)], capsys)
    assert code == 0, err
    assert ESC not in out and ESC not in err and "\r" not in err  # no colour, no progress bar
    lines = out.splitlines()
    header = next(line for line in lines if line.split()[:2] == ["field", "precision"])
    assert header.split() == ["field", "precision", "recall", "F1", "tp", "fp", "fn"]
    total = next(line for line in lines if line.startswith("ALL (micro)"))
    assert len(total.split()) == 8 and all(0.0 <= float(x) <= 1.0 for x in total.split()[2:5])
    assert all(line == line.rstrip() for line in lines)


def test_eval_on_a_terminal_is_coloured_unless_no_color(one_note_gold: Path, shared_checker, monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    tty = Terminal()
    monkeypatch.setattr(sys, "stdout", tty)
    assert main(["eval", str(one_note_gold)]) == 0
    assert "\x1b[1m" in tty.getvalue()  # bold headers
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    monkeypatch.setattr(sys, "stdout", plain)
    assert main(["eval", str(one_note_gold)]) == 0
    assert ESC not in plain.getvalue() and "ALL (micro)" in plain.getvalue()


def test_eval_json_on_stdout_is_only_json(one_note_gold: Path, shared_checker, capsys) -> None:
    code, out, _ = run(["eval", str(one_note_gold), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["total"]["notes"] == 1


def test_check_text_on_a_terminal_with_no_color_is_plain(shared_checker, monkeypatch) -> None:
    tty = Terminal()
    monkeypatch.setattr(sys, "stdout", tty)
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["check", str(SAMPLES / f"{STEM}.txt")]) in (0, 1)
    assert ESC not in tty.getvalue() and "Checklist" in tty.getvalue()


def test_audit_progress_never_reaches_a_pipe(tmp_path: Path, capsys) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text(json.dumps({"note_id": "a", "text": (SAMPLES / f"{STEM}.txt").read_text(encoding="utf-8")}) + "\n",
                     encoding="utf-8")
    code, out, err = run(["audit", str(notes), "--out", str(tmp_path / "o.jsonl"), "--workers", "1"], capsys)
    assert code == 0 and out == ""
    assert ESC not in err and "\r" not in err and "━" not in err
    assert all(line.startswith("notecheck audit: ") for line in err.splitlines())


# ---- options whose value may be left out -------------------------------------------------------------------

@pytest.mark.parametrize("argv, expected", [
    (["eval", "d", "--json"], ["eval", "d", "--json", "-"]),
    (["eval", "d", "--json", "out.json"], ["eval", "d", "--json", "out.json"]),
    (["eval", "d", "--json", "-"], ["eval", "d", "--json", "-"]),
    (["eval", "d", "--json", "--misses"], ["eval", "d", "--json", "-", "--misses"]),
    (["eval", "d", "--perturb", "--seed", "2"], ["eval", "d", "--perturb", "all", "--seed", "2"]),
    (["eval", "d", "--perturb", "typos"], ["eval", "d", "--perturb", "typos"]),
    (["eval", "d", "--", "--json"], ["eval", "d", "--", "--json"]),
    (["check", "n.txt", "--json"], ["check", "n.txt", "--json"]),  # only eval has them
])
def test_bare_optional_values_get_their_implied_value(argv: list[str], expected: list[str]) -> None:
    assert with_implied_values(argv) == expected
