"""Meaning-preserving transformations of a note's text, for the robustness evaluation.

Each transformation is a pure function `(text, seed) -> text`: the same text and seed always give
the same output (the random ones seed a private generator from the name, the seed and a hash of the
text; nothing global is touched). Each keeps what a coder reads from the note — act, implant, site,
side, time, negation, numbers and dates — and changes only its surface: layout, case, header names,
list form, abbreviation, national spelling, typing slips and dictation artifacts.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Literal, Optional

Transform = Callable[[str, int], str]


def _rng(name: str, seed: int, text: str) -> random.Random:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return random.Random(f"{name}:{seed}:{digest}")


def is_shouting(text: str) -> bool:
    """Mostly upper-case letters: an ALL CAPS note, where case says nothing about acronyms."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _sentence_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 80):pos].rstrip(" \t")  # a bounded look back keeps rewriting linear
    return not before or before[-1] in ".!?:\n"


# ---- line breaks removed, ALL CAPS ---------------------------------------------------------------------------------

def runon(text: str, seed: int = 0) -> str:
    """Every line break (with the blanks around it) becomes one space: a transcription with no layout."""
    return re.sub(r"[ \t]*(?:\r?\n|\r)\s*", " ", text).strip()


def wrap(text: str, seed: int = 0) -> str:
    """Every line longer than a fixed width broken at the last blank before it, as a transcription
    service or a fixed-width export prints a note: line breaks fall inside phrases ("guide\nwire",
    "left\nindex finger"). The width (48-72 characters) is seeded; indentation is kept."""
    width = _rng("wrap", seed, text).randint(48, 72)
    out: list[str] = []
    for line in text.split("\n"):
        while len(line) > width:
            cut = line.rfind(" ", 0, width + 1)
            indent = len(line) - len(line.lstrip(" \t"))
            if cut <= indent:
                break
            out.append(line[:cut].rstrip(" \t"))
            line = line[cut + 1:].lstrip(" \t")
        out.append(line)
    return "\n".join(out)


def allcaps(text: str, seed: int = 0) -> str:
    """The whole note upper-cased, as some EHR exports and dictation templates print it."""
    return text.upper()


# ---- section headers renamed ---------------------------------------------------------------------------------------

# Header (as written, lower-cased, blanks collapsed) -> synonyms that name the same section.
_HEADER_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("procedure", "procedures", "procedure performed", "procedures performed", "procedure(s)",
      "procedure(s) performed", "operation", "operation performed", "operations performed", "name of procedure",
      "name of operation", "title of procedure", "proc", "operative procedure", "procedure today"),
     ("Operation performed", "Procedure today", "Procedures done", "Surgery performed")),
    (("indications", "indication", "indications for procedure", "indications for surgery",
      "indications for operation", "reason for procedure", "reason for surgery", "clinical indication"),
     ("Reason for surgery", "Indication for operation", "Clinical indication")),
    (("findings", "operative findings", "intraoperative findings"),
     ("Intraoperative findings", "Findings at surgery", "Operative findings")),
    (("description of procedure", "procedure description", "description of operation", "details of procedure",
      "details of operation", "operative details", "operative technique", "technique", "procedure in detail",
      "procedure details", "narrative", "operative description", "description", "steps", "operative narrative"),
     ("Technique", "Details of the operation", "Operative narrative", "Description of surgery")),
    (("preoperative diagnosis", "pre-operative diagnosis", "preop diagnosis", "pre-op diagnosis",
      "preoperative diagnoses", "pre-op dx", "preop dx", "pre-procedure diagnosis"),
     ("Pre-op diagnosis", "Preoperative diagnoses", "Diagnosis before surgery")),
    (("postoperative diagnosis", "post-operative diagnosis", "postop diagnosis", "post-op diagnosis",
      "postoperative diagnoses", "post-op dx", "postop dx", "post-procedure diagnosis"),
     ("Post-op diagnosis", "Postoperative diagnoses", "Diagnosis after surgery")),
    (("diagnosis", "dx"), ("Diagnoses", "Clinical diagnosis")),
    (("anesthesia", "anaesthesia", "anesthetic", "anaesthetic", "anes", "anesth", "anesthesia type",
      "type of anesthesia"),
     ("Anesthetic", "Type of anesthesia", "Anesthesia used")),
    (("complications", "complication", "intraoperative complications"),
     ("Intraoperative complications", "Complications encountered")),
    (("estimated blood loss", "ebl", "blood loss"), ("Blood loss", "Estimated blood loss")),
    (("disposition", "dispo"), ("Discharge", "Disposition and condition")),
    (("plan", "postoperative plan", "post-op plan", "follow-up", "follow up"),
     ("Follow-up plan", "Postoperative plan", "Aftercare")),
    (("history", "hx", "history of present illness", "hpi", "clinical history", "brief history", "background"),
     ("Clinical history", "History of present illness", "Background")),
    (("implants removed", "implant(s) removed", "hardware removed"),
     ("Hardware removed", "Implants explanted", "Removed hardware")),
    (("specimens", "specimen"), ("Specimens sent", "Pathology")),
    (("exam", "examination", "physical exam"), ("Examination", "Physical exam")),
    (("laterality", "side"), ("Side", "Laterality")),
    (("date of surgery", "date of operation", "date of procedure", "dos"),
     ("Date of operation", "Operation date", "Surgery date")),
)
_HEADER_SYNONYMS = {h: syns for heads, syns in _HEADER_GROUPS for h in heads}
_HEADER_LINE = re.compile(r"^(?P<lead>[ \t]*(?:[-*\u2022][ \t]*)?)(?P<head>[A-Za-z][A-Za-z /()&'-]{0,48}?)[ \t]*:", re.M)


def _header_key(head: str) -> str:
    return re.sub(r"\s+", " ", head.strip().lower())


def _title(words: str) -> str:
    small = {"of", "the", "and", "at", "for", "a"}
    return " ".join(w if i and w in small else w[:1].upper() + w[1:] for i, w in enumerate(words.split(" ")))


def headers(text: str, seed: int = 0) -> str:
    """Section headers at a line start renamed to a synonym ("Procedure:" -> "Operation performed:"),
    in the header's own case style."""
    rng = _rng("headers", seed, text)

    def swap(m: re.Match[str]) -> str:
        head = m.group("head")
        key = _header_key(head)
        choices = [s for s in _HEADER_SYNONYMS.get(key, ()) if _header_key(s) != key]
        if not choices:
            return m.group(0)
        new = rng.choice(choices)
        if head.isupper():
            new = new.upper()
        elif all(w[:1].isupper() for w in head.split() if w.isalpha() and len(w) > 3) and " " in head.strip():
            new = _title(new)
        return f"{m.group('lead')}{new}:"

    return _HEADER_LINE.sub(swap, text)


# ---- bullets <-> prose ---------------------------------------------------------------------------------------------

_BULLET = re.compile(r"^[ \t]*(?:[-*\u2022\u00b7]|\d{1,2}[.)])[ \t]+(?=\S)")
_NO_SPLIT_AFTER = {"dr", "mr", "mrs", "ms", "no", "approx", "vs", "e.g", "i.e", "st", "fig", "cf", "etc"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[ \t]+(?=[A-Z(\"'])")
_INLINE_HEADER = re.compile(r"^(?P<head>[A-Za-z][A-Za-z /()&'-]{0,48}:)[ \t]*")


def split_sentences(line: str) -> list[str]:
    """Sentences of one line: split after . ! ? before a capital, not after a title or "No."."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(line):
        word = re.findall(r"[A-Za-z.]+$", line[start:m.start()].rstrip(".!?"))
        if word and word[0].lower().strip(".") in _NO_SPLIT_AFTER:
            continue
        out.append(line[start:m.start()].strip())
        start = m.end()
    out.append(line[start:].strip())
    return [s for s in out if s]


def _to_prose(lines: list[str]) -> list[str]:
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            out.append(" ".join(item if item[-1] in ".!?:;" else item + "." for item in run))
            run.clear()

    for line in lines:
        m = _BULLET.match(line)
        if m:
            run.append(line[m.end():].rstrip())
        else:
            flush()
            out.append(line)
    flush()
    return out


def _to_bullets(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        m = _INLINE_HEADER.match(line)
        head, body = (m.group("head"), line[m.end():]) if m else ("", line)
        sentences = split_sentences(body)
        if len(sentences) < 2:
            out.append(line)
            continue
        if head:
            out.append(head)
        out.extend(f"- {s}" for s in sentences)
    return out


def bullets(text: str, seed: int = 0) -> str:
    """A note with bulleted or numbered lines gets them joined into prose; a note without gets each
    paragraph of two or more sentences split into one bullet per sentence (its header on its own line)."""
    lines = text.splitlines()
    has_bullets = any(_BULLET.match(line) for line in lines)
    new = _to_prose(lines) if has_bullets else _to_bullets(lines)
    return "\n".join(new) + ("\n" if text.endswith("\n") else "")


# ---- rewrite rules: abbreviations, national spelling, dictation -----------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One rewrite: text matching `pattern` (whole words; case-insensitive unless `exact_case`)
    becomes `out`, a trailing plural "s" carried across when `plural`. `style` says how `out` takes
    case: "match" copies the matched text's (Fracture -> Fx, FRACTURE -> FX); "acronym" keeps `out`
    as written (ORIF, K-wire), upper-cased only in an ALL CAPS note; "from_acronym" writes `out` as
    written but capitalised at a sentence start, since an acronym's capitals say nothing about the
    sentence. `not_in_caps`: the pattern is ambiguous in an ALL CAPS note (OR = or), leave it there."""

    pattern: str
    out: str
    plural: bool = False
    exact_case: bool = False
    style: Literal["match", "acronym", "from_acronym"] = "match"
    not_in_caps: bool = False


def pair(a: str, a_out: str, b: str, b_out: str, *, plural: bool = False, a_exact_case: bool = False,
         acronym: bool = False, a_not_in_caps: bool = False) -> tuple[Rule, Rule]:
    """Two interchangeable forms as two rules, each rewriting one into the other. `acronym`: `a` is
    an abbreviation whose case is fixed."""
    return (
        Rule(a, b_out, plural, a_exact_case, "from_acronym" if acronym else "match", a_not_in_caps),
        Rule(b, a_out, plural, False, "acronym" if acronym else "match"),
    )


class Rewriter:
    """Applies many rules in one left-to-right pass (an occurrence is rewritten once, so swapping A
    with B and B with A in the same text is safe), each occurrence with probability `p`."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)
        alternatives = []
        for i, r in enumerate(self.rules):
            body = r.pattern if r.exact_case else f"(?i:{r.pattern})"
            plural = rf"(?P<s{i}>s)?" if r.plural else ""
            alternatives.append(rf"(?P<r{i}>{body}{plural})")
        self.regex = re.compile(r"(?<![\w/&-])(?:" + "|".join(alternatives) + r")(?![\w/&-])")

    def __call__(self, text: str, rng: Optional[random.Random] = None, p: float = 1.0) -> str:
        shouting = is_shouting(text)

        def replace(m: re.Match[str]) -> str:
            i = int((m.lastgroup or "r0")[1:])
            rule, found = self.rules[i], m.group(0)
            if (rule.not_in_caps and shouting) or (rng is not None and rng.random() >= p):
                return found
            plural = "s" if rule.plural and m.group(f"s{i}") else ""
            out = rule.out
            if shouting:
                out = out.upper()
            elif rule.style == "match":
                if len(found) > 1 and found.isupper():
                    out = out.upper()
                elif found[:1].isupper():
                    out = out[:1].upper() + out[1:]
            elif rule.style == "from_acronym" and _sentence_start(text, m.start()):
                out = out[:1].upper() + out[1:]
            return out + (plural.upper() if shouting else plural)

        return self.regex.sub(replace, text)


_HAND = (r"(?=[ \t]+(?i:thumb|index|middle|long|ring|small|little|hand|wrist|forearm|fingers?|digits?|"
         r"1st|2nd|3rd|4th|5th|first|second|third|fourth|fifth|upper extremity)\b)")

ABBREVIATIONS = Rewriter(rule for pair_ in (
    pair(r"K[- ]?wire", "K-wire", r"Kirschner[- ]wire", "Kirschner wire", plural=True, acronym=True),
    pair(r"ORIF", "ORIF", r"open reduction,? (?:and |with )?internal fixation", "open reduction and internal fixation",
         a_exact_case=True, acronym=True),
    pair(r"CRPP", "CRPP", r"closed reduction,? (?:and |with )?percutaneous pinning",
         "closed reduction and percutaneous pinning", a_exact_case=True, acronym=True),
    pair(r"MCP", "MCP", r"metacarpophalangeal", "metacarpophalangeal", a_exact_case=True, acronym=True),
    pair(r"PIP", "PIP", r"proximal interphalangeal", "proximal interphalangeal", a_exact_case=True, acronym=True),
    pair(r"DIP", "DIP", r"distal interphalangeal", "distal interphalangeal", a_exact_case=True, acronym=True),
    pair(r"CMC", "CMC", r"carpometacarpal", "carpometacarpal", a_exact_case=True, acronym=True),
    pair(r"IP(?=[ \t]+joint)", "IP", r"interphalangeal(?=[ \t]+joint)", "interphalangeal", a_exact_case=True, acronym=True),
    pair(r"MC", "MC", r"metacarpal", "metacarpal", plural=True, a_exact_case=True, acronym=True),
    pair(r"(?:L|Lt\.?)" + _HAND, "L", r"left" + _HAND, "left", a_exact_case=True, acronym=True),
    pair(r"(?:R|Rt\.?)" + _HAND, "R", r"right" + _HAND, "right", a_exact_case=True, acronym=True),
    pair(r"(?:fx|Fx|FX)", "fx", r"fracture", "fracture", a_exact_case=True),
    pair(r"(?:pt|Pt)", "pt", r"patient", "patient", a_exact_case=True),
    pair(r"s/p", "s/p", r"status post", "status post"),
    pair(r"w/o", "w/o", r"without", "without"),
    pair(r"I&D", "I&D", r"incision and drainage", "incision and drainage", acronym=True),
    pair(r"EBL", "EBL", r"estimated blood loss", "estimated blood loss", a_exact_case=True, acronym=True),
    pair(r"ROM", "ROM", r"range of motion", "range of motion", a_exact_case=True, acronym=True),
    pair(r"HWR", "HWR", r"hardware removal", "hardware removal", a_exact_case=True, acronym=True),
    pair(r"approx\.?", "approx.", r"approximately", "approximately"),
    pair(r"fluoro", "fluoro", r"fluoroscopy", "fluoroscopy"),
    pair(r"OR", "OR", r"operating room", "operating room", a_exact_case=True, acronym=True, a_not_in_caps=True),
) for rule in pair_)


def abbreviations(text: str, seed: int = 0) -> str:
    """Every abbreviation written out and every full form abbreviated (K-wire <-> Kirschner wire,
    ORIF, CRPP, MCP/PIP/DIP/CMC/IP, MC <-> metacarpal, L/R <-> left/right before a hand word, fx, pt,
    s/p, w/o, I&D, EBL, ROM, HWR, approx., fluoro, OR)."""
    return ABBREVIATIONS(text)


_IZE_STEMS = ("cauter", "steril", "local", "mobil", "immobil", "stabil", "visual", "util", "recogn", "organ",
              "minim", "anesthet", "normal", "neutral", "character")


def _ize_pairs() -> list[tuple[Rule, Rule]]:
    out = []
    for stem in _IZE_STEMS:
        for end in ("e", "ed", "es", "ing", "ation", "ations"):
            american = f"{stem}iz{end}"
            british = f"anaesthetis{end}" if stem == "anesthet" else f"{stem}is{end}"
            out.append(pair(american, american, british, british))
    return out


# American <-> British (word, or phrase that names the same thing: little finger = small finger).
_NATIONAL = (
    ("anesthesia", "anaesthesia", False), ("anesthetic", "anaesthetic", True),
    ("anesthesiologist", "anaesthetist", True), ("hematoma", "haematoma", True), ("hemostasis", "haemostasis", False),
    ("hemostat", "haemostat", True), ("hemostatic", "haemostatic", False), ("hemorrhage", "haemorrhage", False),
    ("edema", "oedema", False), ("edematous", "oedematous", False), ("tumor", "tumour", True), ("center", "centre", True),
    ("centered", "centred", False), ("color", "colour", False), ("orthopedic", "orthopaedic", True),
    ("pediatric", "paediatric", False), ("fiber", "fibre", True), ("ischemia", "ischaemia", False),
    ("ischemic", "ischaemic", False), ("etiology", "aetiology", False), ("millimeter", "millimetre", True),
    ("centimeter", "centimetre", True), ("gray", "grey", False), ("favor", "favour", False),
    ("labeled", "labelled", False), ("counseled", "counselled", False), ("artifact", "artefact", True),
    ("maneuver", "manoeuvre", True), ("lidocaine", "lignocaine", False), ("epinephrine", "adrenaline", False),
    ("acetaminophen", "paracetamol", False), ("in the operating room", "in theatre", False),
    ("to the operating room", "to theatre", False), ("operating room", "operating theatre", True),
    ("small finger", "little finger", True),
)
SPELLING = Rewriter(rule for pair_ in (
    *(pair(us, us, uk, uk, plural=plural) for us, uk, plural in _NATIONAL),
    *_ize_pairs(),
) for rule in pair_)


def spelling(text: str, seed: int = 0) -> str:
    """American spellings and terms made British and British ones American (anesthesia/anaesthesia,
    hematoma/haematoma, edema/oedema, -ize/-ise, operating room/theatre, small/little finger,
    lidocaine/lignocaine, ...)."""
    return SPELLING(text)


# ---- typing slips --------------------------------------------------------------------------------------------------

TYPO_RATE = 0.05
# Never touched: negation and its kin, function and time words, numbers and dates in words.
PROTECTED = frozenset("""
no not none never without negative negatively denies denied deny absent absence neither nor cannot unable
free nothing nowhere nobody refused declined unremarkable normal
about above after again against along among around because before below between beyond could during every
other their there these those through under until where which while would should within being having further
prior since still whether again later earlier previous previously today yesterday tomorrow
three seven eight first second third fourth fifth sixth seventh eighth ninth tenth eleven twelve twenty thirty
forty fifty sixty hundred twice single double triple several
january february march april august september october november december monday tuesday wednesday thursday
friday saturday sunday
""".split())
_WORD = re.compile(r"(?<![\w'-])[A-Za-z]{5,}(?![\w'-])")


def _slip(word: str, rng: random.Random) -> str:
    """One realistic slip inside the word (never its first or last letter): two neighbours swapped,
    a letter dropped, or a letter doubled."""
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        spots = [i for i in range(1, len(word) - 2) if word[i].lower() != word[i + 1].lower()]
        if spots:
            i = rng.choice(spots)
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    i = rng.randrange(1, len(word) - 1)
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def typos(text: str, seed: int = 0) -> str:
    """Typing slips on about one content word in twenty (at least one) of five letters or more:
    never on negation, function, number or date words, on acronyms, or on words touching digits;
    never into another word of the same note."""
    rng = _rng("typos", seed, text)
    shouting = is_shouting(text)
    vocabulary = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    spots = [m for m in _WORD.finditer(text)
             if m.group(0).lower() not in PROTECTED and (shouting or not m.group(0).isupper())]
    if not spots:
        return text
    chosen = {m.start() for m in spots if rng.random() < TYPO_RATE} or {rng.choice(spots).start()}
    out, last = [], 0
    for m in spots:
        if m.start() not in chosen:
            continue
        word = m.group(0)
        for _ in range(5):
            slipped = _slip(word, rng)
            if slipped != word and slipped.lower() not in vocabulary:
                break
        else:
            continue
        out.append(text[last:m.start()])
        out.append(slipped)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


# ---- speech recognition ------------------------------------------------------------------------------------------

SPEECH_RATE = 0.7
PERIOD_RATE = 0.25
# What dictation software writes for a spoken term: misheard splits and homophones.
DICTATION = Rewriter([
    Rule(r"K[- ]?wire", "kay wire", plural=True, style="from_acronym"),
    Rule(r"Kirschner", "Kershner"),
    Rule(r"Steinmann", "Stineman"),
    Rule(r"metacarpal", "meta carpal", plural=True),
    Rule(r"metacarpophalangeal", "meta carpophalangeal"),
    Rule(r"interphalangeal", "inter phalangeal"),
    Rule(r"subcutaneous", "sub cutaneous"),
    Rule(r"percutaneous", "per cutaneous"),
    Rule(r"percutaneously", "per cutaneously"),
    Rule(r"lidocaine", "lido cane"),
    Rule(r"callus", "callous"),
    Rule(r"site", "sight", plural=True),
    Rule(r"healed", "heeled"),
    Rule(r"healing", "heeling"),
    Rule(r"palpable", "palatable"),
])
_SPOKEN_PERIOD = re.compile(r"(?<=[A-Za-z0-9)])\.(?=[ \t]+[A-Za-z])")


def speech(text: str, seed: int = 0) -> str:
    """Dictation-software artifacts: terms heard as other words ("kay wire", "meta carpal", "lido cane"),
    homophones ("callous", "sight", "heeled", "palatable"), and "period" written out as a word in
    place of some full stops."""
    rng = _rng("speech", seed, text)
    out = DICTATION(text, rng, SPEECH_RATE)
    word = " PERIOD" if is_shouting(text) else " period"
    return _SPOKEN_PERIOD.sub(lambda m: word if rng.random() < PERIOD_RATE else m.group(0), out)


# ---- raw dictation -------------------------------------------------------------------------------------------------

# Punctuation as raw speech recognition writes what the surgeon said: after a word, every colon,
# comma and full stop (line ends included) becomes its spoken name. Times ("10:30"), decimals,
# dates and thousands are left alone.
_SAID_COLON = re.compile(r"(?<=[A-Za-z)])[ \t]*:(?=[ \t\n]|$)")
_SAID_COMMA = re.compile(r"(?<=[A-Za-z0-9)]),(?=[ \t\n])")
# A full stop after a word of three or more characters: "Rt.", "Dr." and "fx." are abbreviations
# a surgeon says as words, not stops.
_SAID_STOP = re.compile(r"(?<=[A-Za-z0-9)]{3})\.(?=[ \t]*(?:\n|$)|[ \t]+[A-Za-z])")


def dictation(text: str, seed: int = 0) -> str:
    """Raw dictation: every colon, comma and full stop written as the word said for it ("procedure
    colon removal of plate comma right small finger period"), as speech recognition delivers a
    note nobody punctuated. Deterministic: a dictating surgeon says every one."""
    shout = is_shouting(text)

    def said(word: str) -> str:
        return " " + (word.upper() if shout else word)

    out = _SAID_COLON.sub(said("colon"), text)
    out = _SAID_COMMA.sub(said("comma"), out)
    return _SAID_STOP.sub(said("period"), out)


TRANSFORMS: dict[str, Transform] = {
    "runon": runon,
    "allcaps": allcaps,
    "headers": headers,
    "bullets": bullets,
    "abbreviations": abbreviations,
    "spelling": spelling,
    "typos": typos,
    "speech": speech,
    "dictation": dictation,
    "wrap": wrap,
}


def select(names: str) -> list[str]:
    """Comma-separated transformation names, or "all"; raises ValueError naming the unknown ones."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    if not wanted or wanted == ["all"]:
        return list(TRANSFORMS)
    unknown = [n for n in wanted if n not in TRANSFORMS]
    if unknown:
        raise ValueError(f"unknown transformation(s) {', '.join(unknown)}; choose from {', '.join(TRANSFORMS)} or all")
    return list(dict.fromkeys(wanted))
