"""Normalise the rule files in patterns/ so that a review diff shows one changed literal per line.

    python scripts/format_rules.py            # rewrite patterns/*.yaml in place
    python scripts/format_rules.py --check    # exit 1 (and name the files) if any would change
    python scripts/format_rules.py FILE ...   # only these files

Every collection is written in block style, one item per line; a list of strings is sorted
case-insensitively unless a comment above its key (or above a key that contains it) says why
its order matters: "# Order matters: ..." (every list below) or "# Order matters for literals: ..."
(only the lists under those keys). A `regex` (or `*_regex`) too long for a line becomes a list
of its top-level alternatives (the loader joins them, see notecheck.rules.join_alternatives),
and a string still too long is wrapped inside double quotes: prose at spaces (a YAML line break
folds to one space), a regex after a "|" with an escaped line break (which adds nothing).
Comments and blank lines stay before the key or item they preceded. The rewrite is checked:
the file must load to the same data (lists compared as sorted where they were sorted, a split
regex as its joined text), and no comment may be lost.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

PATTERNS = Path(__file__).resolve().parent.parent / "patterns"
WIDTH = 120
STR_TAG = "tag:yaml.org,2002:str"
# "# Order matters: why" keeps every list under the next key in order; "# Order matters for
# literals, anchors: why" only the lists under those keys.
ORDER_MARK = re.compile(r"^#\s*order matters\b(?:\s+for\s+(?P<keys>[\w, ]+?))?\s*:", re.IGNORECASE)
Order = Union[bool, frozenset]  # True: every list keeps its order; a set: lists under these keys


def declared_order(comments: list[str]) -> Order:
    found: Order = False
    for comment in comments:
        m = ORDER_MARK.match(comment)
        if m:
            keys = m.group("keys")
            found = combine(found, frozenset(k.strip() for k in keys.split(",")) if keys else True)
    return found


def combine(a: Order, b: Order) -> Order:
    if a is True or b is True:
        return True
    return frozenset(a or ()) | frozenset(b or ()) or False


def keeps_order(ordered: Order, key: str) -> bool:
    return ordered is True or (isinstance(ordered, frozenset) and key in ordered)


def is_regex_key(key: str) -> bool:
    return key == "regex" or key.endswith("_regex")


def split_alternatives(regex: str) -> list[str]:
    """The top-level alternatives of `regex` ("|" outside groups and character classes)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if regex[i + 1: i + 2] == "^":
                i += 1
            if regex[i + 1: i + 2] == "]":  # a "]" first in a class is a literal
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(regex[start:i])
            start = i + 1
        i += 1
    parts.append(regex[start:])
    return parts


# ---- reading: the node tree plus the comment and blank lines that precede each key or item ----

@dataclass
class Source:
    lines: list[str]
    trivia: dict[int, list[str]] = field(default_factory=dict)  # start line -> comments/blanks before it
    tail: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)

    def take(self, line: int) -> list[str]:
        if line in self.used:
            return []
        self.used.add(line)
        return self.trivia.get(line, [])


def _anchor_lines(node: Node, out: set[int]) -> None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            out.add(key.start_mark.line)
            _anchor_lines(value, out)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            out.add(item.start_mark.line)
            _anchor_lines(item, out)


def read_source(text: str) -> tuple[Node, Source]:
    root = yaml.compose(text)
    if not isinstance(root, MappingNode):
        raise ValueError("a rule file is a mapping")
    lines = text.splitlines()
    anchors: set[int] = set()
    _anchor_lines(root, anchors)
    covered = _covered_lines(root)
    src = Source(lines)
    pending: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if number in covered:
            continue
        if not stripped or stripped.startswith("#"):
            pending.append(stripped)
        elif number in anchors and pending:
            src.trivia[number], pending = pending, []
    while pending and not pending[-1]:
        pending.pop()
    src.tail = pending
    return root, src


def _covered_lines(node: Node) -> set[int]:
    """Lines strictly inside a multi-line scalar or flow collection (no comment may live there)."""
    out: set[int] = set()

    def walk(n: Node) -> None:
        if isinstance(n, ScalarNode) or getattr(n, "flow_style", False):
            out.update(range(n.start_mark.line + 1, n.end_mark.line + (1 if n.end_mark.column else 0)))
            return
        for child in (n.value if isinstance(n, SequenceNode) else [c for kv in n.value for c in kv]):
            walk(child)

    walk(node)
    return out


# ---- writing ----

def _plain_ok(s: str) -> bool:
    if not s or s != s.strip() or any(c in s for c in "#\"'\\\t\n") or len(s) > 80:
        return False
    try:
        return yaml.safe_load(f"k: {s}") == {"k": s} and yaml.safe_load(f"- {s}") == [s]
    except yaml.YAMLError:
        return False


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\u2028": "\\L", "\u2029": "\\P", "\x85": "\\N"}


def _quoted_units(s: str) -> list[str]:
    """The double-quoted form of `s` as units that a line break may separate."""
    return [_ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 32 else c) for c in s]


def scalar_text(node: ScalarNode) -> str:
    if node.tag != STR_TAG:
        return node.value if node.value != "" else "null"
    return node.value if _plain_ok(node.value) else '"' + "".join(_quoted_units(node.value)) + '"'


def _wrap_prose(units: list[str], first: int, rest: int) -> Optional[list[str]]:
    """Break at single spaces (a folded line break reads back as one space)."""
    lines, current, room = [], "", first
    words = "".join(units).split(" ")
    if any(not w for w in words):
        return None
    for word in words:
        if current and len(current) + 1 + len(word) > room:
            lines.append(current)
            current, room = word, rest
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def _wrap_escaped(units: list[str], first: int, rest: int) -> list[str]:
    """Break between units with an escaped line break ("\\" at the end: adds nothing), after a
    "|" where one fits, never next to a space (the next line's indent is stripped). `first` and
    `rest` are the characters a line may hold besides its closing quote or backslash."""
    lines, room, i = [], first, 0
    while sum(len(u) for u in units[i:]) > room:
        best, used = None, 0
        for j in range(i + 1, len(units)):
            used += len(units[j - 1])
            if used > room:
                break
            if units[j - 1] == " " or units[j] == " ":
                continue
            score = 3 if units[j - 1] == "|" else 2 if units[j - 1] == ")" else 1
            if best is None or score >= best[0]:
                best = (score, j)
        if best is None:
            break
        lines.append("".join(units[i: best[1]]) + "\\")
        i, room = best[1], rest
    lines.append("".join(units[i:]))
    return lines


def scalar_lines(node: ScalarNode, prefix: str, indent: int, width: int, regex: bool) -> list[str]:
    text = scalar_text(node)
    if len(prefix) + len(text) <= width or node.tag != STR_TAG:
        return [prefix + text]
    units = _quoted_units(node.value)
    cont = indent + 2
    # One character of every line goes to a quote or the escaping backslash.
    first, rest = width - len(prefix) - 2, width - cont - 1
    body = None if regex else _wrap_prose(units, first, rest)
    if body is None:
        body = _wrap_escaped(units, first, rest)
    body[0] = '"' + body[0]
    body[-1] = body[-1] + '"'
    return [prefix + body[0]] + [" " * cont + b for b in body[1:]]


@dataclass
class Writer:
    src: Source
    width: int
    out: list[str] = field(default_factory=list)

    def trivia(self, line: int, indent: int) -> None:
        for t in self.src.take(line):
            self.out.append(" " * indent + t if t else "")

    def mapping(self, node: MappingNode, indent: int, ordered: Order, first_prefix: Optional[str] = None) -> None:
        for n, (key, value) in enumerate(node.value):
            self.trivia(key.start_mark.line, indent)
            keep_order = combine(ordered, declared_order(self.src.trivia.get(key.start_mark.line, [])))
            lead = first_prefix if (n == 0 and first_prefix is not None) else " " * indent
            self.value(value, lead + scalar_text(key) + ":", indent, keep_order, str(key.value))

    def value(self, node: Node, head: str, indent: int, ordered: Order, key: str) -> None:
        if isinstance(node, ScalarNode):
            self.out.extend(scalar_lines(node, head + " ", indent, self.width, is_regex_key(key)))
        elif isinstance(node, SequenceNode) and not node.value:
            self.out.append(head + " []")
        elif isinstance(node, MappingNode) and not node.value:
            self.out.append(head + " {}")
        elif isinstance(node, SequenceNode):
            self.out.append(head)
            keep = is_regex_key(key) or keeps_order(ordered, key)
            self.sequence(node, indent + 2, keep, ordered, is_regex_key(key))
        else:
            self.out.append(head)
            self.mapping(node, indent + 2, ordered)

    def sequence(self, node: SequenceNode, indent: int, keep: bool, ordered: Order, regex: bool,
                 first_prefix: Optional[str] = None) -> None:
        items = list(node.value)
        if not keep and items and all(isinstance(i, ScalarNode) and i.tag == STR_TAG for i in items):
            items.sort(key=lambda i: (i.value.casefold(), i.value))
        for n, item in enumerate(items):
            self.trivia(item.start_mark.line, indent)
            lead = first_prefix if (n == 0 and first_prefix is not None) else " " * indent
            if isinstance(item, ScalarNode):
                self.out.extend(scalar_lines(item, lead + "- ", indent, self.width, regex))
            elif not item.value:
                self.out.append(lead + "- " + ("[]" if isinstance(item, SequenceNode) else "{}"))
            elif isinstance(item, MappingNode):
                self.mapping(item, indent + 2, ordered, lead + "- ")
            else:
                # A list of scalars inside a list is a tuple (a range): its order is its meaning.
                flat = all(isinstance(i, ScalarNode) for i in item.value)
                self.sequence(item, indent + 2, keep or flat, ordered, False, lead + "- ")


def _split_long_regexes(node: Node, width: int, indent: int = 0) -> None:
    """Turn a too-long `regex: "a|b"` into a list node of its alternatives, in place."""
    if isinstance(node, SequenceNode):
        for item in node.value:
            _split_long_regexes(item, width, indent + 2)
        return
    if not isinstance(node, MappingNode):
        return
    for n, (key, value) in enumerate(node.value):
        if (isinstance(value, ScalarNode) and value.tag == STR_TAG and is_regex_key(key.value)
                and indent + len(key.value) + 2 + len(scalar_text(value)) > width):
            parts = split_alternatives(value.value)
            if len(parts) > 1:
                assert "|".join(parts) == value.value
                items = [ScalarNode(STR_TAG, p, value.start_mark, value.end_mark, style='"') for p in parts]
                node.value[n] = (key, SequenceNode("tag:yaml.org,2002:seq", items, value.start_mark, value.end_mark))
        else:
            _split_long_regexes(value, width, indent + 2)


def format_text(text: str, width: int = WIDTH) -> str:
    root, src = read_source(text)
    _split_long_regexes(root, width)
    writer = Writer(src, width)
    writer.mapping(root, 0, False)
    if src.tail:
        writer.out.extend(src.tail)
    result = "\n".join(writer.out) + "\n"
    _verify(text, result)
    return result


def _canonical(data: Any, key: str = "") -> Any:
    """Data as the loader reads it, with string lists compared as sets of order and a regex list
    as its alternatives joined."""
    if isinstance(data, dict):
        return {k: _canonical(v, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        if is_regex_key(key) and all(isinstance(x, str) for x in data):
            return "|".join(data)
        items = [_canonical(x) for x in data]
        if items and all(isinstance(x, str) for x in items):
            return sorted(items)
        return items
    return data


def _verify(before: str, after: str) -> None:
    old, new = _canonical(yaml.safe_load(before)), _canonical(yaml.safe_load(after))
    if old != new:
        raise ValueError("formatting would change the data; refusing")
    comments = lambda t: sorted(ln.strip() for ln in t.splitlines() if ln.strip().startswith("#"))  # noqa: E731
    if comments(before) != comments(after):
        raise ValueError("formatting would lose a comment; refusing")


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="rule files (default: patterns/*.yaml)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    parser.add_argument("--width", type=int, default=WIDTH)
    args = parser.parse_args(argv)
    files = args.files or sorted(PATTERNS.glob("*.yaml"))
    unformatted = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            formatted = format_text(text, args.width)
        except (ValueError, yaml.YAMLError) as exc:
            print(f"{path.name}: {exc}", file=sys.stderr)
            return 2
        if formatted != text:
            unformatted.append(path)
            if not args.check:
                path.write_text(formatted, encoding="utf-8")
    for path in unformatted:
        print(f"{'would reformat' if args.check else 'reformatted'} {path.name}")
    return 1 if (args.check and unformatted) else 0


if __name__ == "__main__":
    sys.exit(main())
