"""`notecheck` on the command line (typer + rich).

- `root`: the typer `app` and `main`, which runs it with the contract's exit codes and one-line errors.
- `check`, `evaluate`, `audit`, `rules`, `servers`: one module per command (its options, help
  examples and the call into the engine); `options`: the values the CLI parses itself;
  `stdout`: flushing stdout while a failure can still be reported.
"""
from notecheck.cli.root import app, main

__all__ = ["app", "main"]
