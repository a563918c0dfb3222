"""The "Why" section of the terminal view (`notecheck check --explain`): decisions first (code,
planned status, 58/78/79, 22, each modifier), then every field with each rule match kept (✔) or
dropped (✘) and the reason, so a wrong field leads straight to the rule behind it."""
from __future__ import annotations

import textwrap

from notecheck.explain.models import Decision, Explanation, Fact, MentionTrace

_MAX_FACT_QUOTES = 3


def _quote(fact: Fact) -> str:
    quotes = [f"\"{e.text}\" {e.start}-{e.end}" for e in fact.evidence[:_MAX_FACT_QUOTES]]
    return f"{fact.name} = {fact.value}" + (f" ({'; '.join(quotes)})" if quotes else "")


def explanation_lines(explanation: Explanation, width: int = 100, color: bool = False) -> list[str]:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    def wrap(text: str, first: str, indent: str) -> list[str]:
        return textwrap.wrap(text.replace("\n", " "), width=width, initial_indent=first, subsequent_indent=indent) or [first]

    def decision(title: str, d: Decision) -> list[str]:
        out = wrap(f"{title}: {d.outcome or 'none'} [{d.branch}] {d.reason}", "  ", "      ")
        read = [_quote(f) for f in d.facts]
        if read:
            out += wrap("read: " + " · ".join(read), "      ", "        ")
        if d.rules:
            out += wrap("rules: " + ", ".join(d.rules), "      ", "        ")
        return out

    def mention(m: MentionTrace) -> list[str]:
        mark = paint("✔", "32") if m.kept else paint("✘", "31")
        where = f"{m.section} {m.start}-{m.end}"
        rule = f"{m.rule_file or '?'} {m.rule_id}"
        out = wrap(f"{mark} \"{m.text}\" {m.label}={m.value}  ({where}; {rule})", "    ", "        ")
        return out + wrap(m.reason, "        ", "        ")

    out = [paint("Why (--explain)", "1"), f"  rules {explanation.rules_version}"]
    out += decision("Code", explanation.code)
    out += decision("Planned status", explanation.planned_status)
    out += decision("Global period (58/78/79)", explanation.global_period)
    out += decision("Modifier 22", explanation.modifier_22)
    told = {"modifier 22", f"modifier {explanation.global_period.outcome}"}
    for d in explanation.modifiers:
        if d.subject not in told:
            out += decision(d.subject[:1].upper() + d.subject[1:], d)
    for f in explanation.fields:
        out.append("")
        out.append(paint(f"{f.field} = {f.value}", "1"))
        for d in f.decisions:
            out += decision("decided", d)
        for m in f.mentions:
            out += mention(m)
        if not f.mentions:
            out.append("    (no rule matched)")
    if explanation.rules_used:
        out.append("")
        out.append(paint("Rules involved", "1"))
        for use in explanation.rules_used:
            out += wrap(", ".join(use.ids), f"  {use.file}: ", "      ")
    return out
