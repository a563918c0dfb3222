"""The long-running commands: `notecheck serve` (the HTTP service, service/) and `notecheck listen`
(HL7 v2 over MLLP, notecheck/interchange/). Both stop cleanly on SIGTERM or Ctrl-C."""
from __future__ import annotations

import os
from typing import Annotated, Optional

import typer

from notecheck.cli.options import RULES_HELP, rules_dir

SERVE_EXAMPLES = """[bold]Examples[/bold]

  notecheck serve
  notecheck serve --host 0.0.0.0 --port 8080 --workers 4
  NOTECHECK_API_KEY=secret notecheck serve
"""

LISTEN_EXAMPLES = """[bold]Examples[/bold]

  notecheck listen --mllp 127.0.0.1:2575 --out results.jsonl
  notecheck listen --mllp 0.0.0.0:2575 --out results/ --accept-type OPNOTE
"""


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(metavar="N", help="server processes")] = 1,
    rules: Annotated[Optional[str], typer.Option(
        "--rules", parser=rules_dir, metavar="DIR", help=RULES_HELP)] = None,
) -> int:
    """Start the HTTP service (/v1/check, /docs) and the scribe page at /."""
    from service.run import serve as run_service

    if rules:
        # Every server process reads its settings (NOTECHECK_RULES_DIR) from the environment.
        os.environ["NOTECHECK_RULES_DIR"] = rules
    return run_service(host, port, workers)


def listen(
    mllp: Annotated[str, typer.Option(metavar="HOST:PORT", help="address to listen on (port 0: any free port)")],
    out: Annotated[str, typer.Option(
        metavar="PATH",
        help="results: a .jsonl file (appended) or a folder (one .json per message)")],
    idle_timeout: Annotated[float, typer.Option(
        metavar="SECONDS",
        help="close a connection silent this many seconds")] = 300.0,
    accept_type: Annotated[Optional[list[str]], typer.Option(
        metavar="CODE",
        help="a local TXA-2 / OBR-4 code to accept besides OP and the LOINC operative-note codes (repeatable)")] = None,
    max_bytes: Annotated[int, typer.Option(
        metavar="BYTES",
        help="largest note text (and message) accepted")] = 1_000_000,
) -> int:
    """Receive HL7 v2 over MLLP, ACK each message, write results."""
    from notecheck.interchange.cli_entry import ListenArgs, run_listen

    return run_listen(ListenArgs(mllp=mllp, out=out, idle_timeout=idle_timeout, accept_type=accept_type or [],
                                 max_bytes=max_bytes))
