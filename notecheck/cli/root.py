"""The `notecheck` command: a typer app of the commands in this package, and `main`, which runs it
with the contract's exit codes (CONTRACT.md §4): every error is one line on stderr and exit 2,
never a traceback and never click's multi-line usage box."""
from __future__ import annotations

import sys
from typing import Any, Optional, Sequence

import typer
from typer.core import TyperGroup

# typer (0.26+) vendors click and raises its own click's exceptions: these are the classes its
# parser raises (pyproject keeps typer within the tested minor version).
from typer._click.exceptions import ClickException

from notecheck.cli import audit, check, evaluate, servers
from notecheck.cli.options import with_implied_values
from notecheck.cli.rules import rules_app
from notecheck.cli.stdout import drop_stdout, flush_stdout
from notecheck.errors import UsageError
from notecheck.reader import NoteInputError

PROG = "notecheck"


class _Interrupted(Exception):
    """Ctrl-C inside a command (typer would turn it into a silent exit 130)."""


class _StdoutClosed(Exception):
    """The reader of stdout went away (typer would exit 1 on a broken pipe)."""


class _Group(TyperGroup):
    """Lets an interrupt and a closed pipe reach `main`, which reports them as before."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise _Interrupted from None
        except BrokenPipeError:
            raise _StdoutClosed from None


app = typer.Typer(
    name=PROG,
    cls=_Group,
    help="Check hand-surgery operative notes for CPT 26320 documentation and coding.",
    epilog="Run [bold]notecheck COMMAND --help[/bold] for a command's options and examples. "
           "Exit codes of check: 0 ready to sign, 1 documentation gaps, 2 usage or input error.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    suggest_commands=True,
)
app.command("check", epilog=check.EXAMPLES)(check.check)
app.command("eval", epilog=evaluate.EXAMPLES)(evaluate.evaluate)
app.command("audit", epilog=audit.EXAMPLES)(audit.audit)
app.add_typer(rules_app)
app.command("serve", epilog=servers.SERVE_EXAMPLES)(servers.serve)
app.command("listen", epilog=servers.LISTEN_EXAMPLES)(servers.listen)


def _usage_line(exc: ClickException, command: Any, args: Sequence[str]) -> str:
    """click's error as one line, pointing at the --help of the command it concerns."""
    # typer checks choices with pydantic, whose ValueError text arrives as "Value error, ...".
    message = " ".join(exc.format_message().replace("Value error, ", "").split())
    ctx = getattr(exc, "ctx", None)
    return f"{PROG}: error: {message} (see {ctx.command_path if ctx is not None else _command_path(command, args)} --help)"


def _command_path(command: Any, args: Sequence[str]) -> str:
    """`notecheck rules export`: the (sub)command words at the head of `args` (for an error the
    parser raised before it had a context to name)."""
    words = [PROG]
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is None:
            break
        words.append(arg)
        command = sub
    return " ".join(words)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command; its exit code (0/1 from check, 0 from the others, 2 on any error)."""
    args = with_implied_values(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name=PROG, standalone_mode=False)
        flush_stdout()
        return code if isinstance(code, int) else 0
    except ClickException as exc:
        print(_usage_line(exc, command, args), file=sys.stderr)
        return 2
    except (UsageError, NoteInputError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except (_StdoutClosed, BrokenPipeError):
        drop_stdout()
        return 0
    except _Interrupted:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:  # typer's shell completion ends with sys.exit, even when embedded
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
