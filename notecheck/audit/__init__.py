"""`notecheck audit`: check many notes into one report, in input order, with nothing lost.

The modules, in the order a note travels through them:

- `inputs`: the notes of a folder (.txt, .docx), a .csv or a .jsonl, as `NoteJob`s, streamed.
- `claims`: the claim-context CSV, joined to notes by `note_id`.
- `pool` / `workers`: worker processes, one `Checker` each, results re-ordered to input order.
- `journal`: the append-only record file, flushed per record, that makes `--resume` exact.
- `summary`: totals, gap rates, denial risks and revenue at risk, built while records stream by.
- `writers` / `report_html`: the final .csv / .html, rendered from the journal atomically.
- `run`: `run_audit(args)`, which the CLI calls (its progress bar: `notecheck.progress`).
"""
