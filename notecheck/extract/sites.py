"""Where the removed hardware was: digits, bones (with ray), region and side.

Anatomy is read from the sentences that removed something; when they do not name the site, from
the procedure and diagnosis headers, then from the rest of the operative description. A digit or
ordinal that modifies "metacarpal" ("small finger metacarpal", "5th MC") gives the bone its ray
and names no digit; a phalanx takes the ray of the digit beside it.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from notecheck import trace
from notecheck.models import BoneFinding, DigitFinding, Evidence, LateralityFinding, ValueFinding
from notecheck.extract.mentions import Mention, MentionIndex, NoteView
from notecheck.extract.rays import metacarpal_rays
from notecheck.relations import SideAnatomy
from notecheck.rules import RuleSet

PHALANGES = ("proximal_phalanx", "middle_phalanx", "distal_phalanx")
_ANATOMY = ("DIGIT", "BONE", "JOINT", "REGION")


@dataclass
class Site:
    digits: list[DigitFinding] = field(default_factory=list)
    bones: list[BoneFinding] = field(default_factory=list)
    region: list[ValueFinding] = field(default_factory=list)
    laterality: LateralityFinding = field(default_factory=LateralityFinding)


_COMMA_LOOKBACK = 3  # algorithm: a comma and the blanks between it and a side after it
_CLOSES_PHRASE = re.compile(r"[ \t]*(?:[,.;:)\n]|$)")  # ", left," / ", left." / ", left" at the line's end

def site_rays(site: Site, rules: RuleSet, side: Optional[str] = None) -> frozenset[int]:
    """The rays of the removal's site: its fingers and its numbered metacarpals (those on `side`
    only, when given)."""
    digit_rays = rules.vocabulary.digit_rays
    return frozenset({digit_rays[d.value] for d in site.digits if side is None or d.side == side}
                     | {b.ray for b in site.bones if b.ray and (side is None or b.side == side)})


def _usable(m: Mention) -> bool:
    return not m.has("NEGATED", "OTHER_PERSON", "HYPOTHETICAL")


def _pick_scope(view: NoteView, sentences: set[int], removal: bool = True,
                reach: Callable[[Mention], bool] = lambda m: True) -> list[Mention]:
    """Anatomy of the removal: its sentences, else the headers, else the description. When the
    removal sentences name the digit but not the bone ("removal of K-wire, right small finger"),
    the bone comes from the next place that names it for the same digit (usually the diagnosis)."""
    roles = view.rules.sections.roles
    usable = [m for m in view.of(*_ANATOMY) if _usable(m)]
    anatomy = [m for m in usable if m.section not in roles.history_sections]
    # Beyond the removal's own sentences and the headers, anatomy counts only where it sits
    # beside hardware ("the K-wires in the ring finger"), not "pain radiating to the thumbs".
    hardware_sents = {m.sent for m in view.of("IMPLANT") if not m.has("NEGATED")} if removal else {m.sent for m in view.mentions}
    if removal:
        # Hardware said to stay ("that has been solid ... and the screw stays in") is not what came out.
        hardware_sents -= {m.sent for m in view.of("ACT") if m.value == "left_in_place" and m.affirmed} - sentences
    description = set(roles.description_sections)
    headers = [m for m in anatomy if m.section in roles.header_sections]
    own = _in_hardware_items(view, [m for m in anatomy if m.sent in sentences and reach(m)])
    # A title's removal ("PROCEDURE: Removal of K-wires, right ring finger") is a removal sentence of
    # its own; when only headers name the site, a description that names another digit throughout wins.
    cloned = [] if not removal or any(m.section not in roles.header_sections for m in own) else \
        _description_over_headers(view, anatomy, headers)
    # Where the site may be picked, in order of trust.
    site_levels = [
        cloned or own,
        cloned or headers,
        [m for m in anatomy if m.section in description and m.sent in hardware_sents],
        [m for m in anatomy if m.section in roles.indication_sections and m.sent in hardware_sents],
        # Last resort: anywhere outside history, hardware or not ("s/p CRPP L MF P2 ... pins pulled").
        [m for m in anatomy if m.section in description or m.section in roles.indication_sections],
    ]
    # History only completes the bone or digit of a site already picked, never picks it.
    completion_only = [m for m in usable if m.section in roles.history_sections]
    if not removal:
        # Not a removal: the operation's own site, as its title and diagnoses name it (a clinic
        # visit with no operation: as its assessment names the hardware's site).
        titles = set(roles.title_sections)
        for scope in ([m for m in anatomy if m.section in titles], site_levels[1], site_levels[2], site_levels[3]):
            if scope:
                return scope
        return []
    for i, scope in enumerate(site_levels):
        if any(m.label in ("DIGIT", "BONE", "JOINT") for m in scope):
            later = site_levels[i + 1:] + [completion_only]
            if not any(m.label == "BONE" and m.value != "phalanx" for m in scope):
                scope = scope + _bones_for(scope, later, view)
            # "screw ... removed at the tip of the dist phalanx": a phalanx without its finger takes
            # the one finger the note names elsewhere.
            if not any(m.label == "DIGIT" for m in scope) and any(
                m.label == "BONE" and (m.value in PHALANGES or m.value == "phalanx") for m in scope
            ):
                scope = scope + _digit_for(later)
            return scope
    # Nothing outside the history names where hardware came out: the site the history gives the
    # same hardware or its fixation ("Background: ORIF Rt SF P1 with a plate ... Proc: plate + 5
    # screws removed", "S: 4 wk s/p CRPP L ring finger P1 fx ... Pins pulled in clinic today").
    implant_sents = {m.sent for m in view.of("IMPLANT") if m.section in roles.history_sections}
    placement_sents = {m.sent for m in view.of("ACT") if m.value == "placement" and m.section in roles.history_sections}
    for sents in (implant_sents, placement_sents):
        told = [m for m in completion_only if m.sent in sents]
        if any(m.label in ("DIGIT", "BONE", "JOINT") for m in told):
            return told
    return site_levels[0] or site_levels[1]


def _description_over_headers(view: NoteView, anatomy: list[Mention], headers: list[Mention]) -> list[Mention]:
    """A description that names one digit again and again, never the headers' ("PROCEDURE: Removal
    of K-wires, right ring finger" over "a digital block at the base of the right long finger ...
    Time-out confirmed the right long finger ... wire ends at the base of the long finger P1"): the
    headers were cloned from another case, and the description's digit is the site. Its mentions
    are the scope; none when the description does not name one digit at least twice."""
    header_digits = {m.value for m in headers if m.label == "DIGIT"}
    if not header_digits or any(m.label == "BONE" and m.value == "metacarpal" for m in headers):
        return []  # "ring finger (fourth) metacarpal": the digit names the ray, not the site
    description = set(view.rules.sections.roles.description_sections)
    told = [m for m in anatomy if m.section in description and m.affirmed]
    digits = [m for m in told if m.label == "DIGIT"]
    named = {m.value for m in digits}
    enough = view.rules.relations.cloned_header_sentences
    if len(named) != 1 or named & header_digits or len({m.sent for m in digits}) < enough:
        return []
    trace.dropped("anatomy", headers, [], "description_over_headers",
                  "The description names one other digit again and again: the headers were cloned from another case.")
    return told


def _item_starts(view: NoteView, sent: int) -> list[int]:
    """Where the items of a list numbered inline in sentence `sent` start ("(1) ... (2) ..."), or
    nothing when the sentence holds no such list."""
    start, end = view.sentence_bounds(sent)
    starts: list[int] = []
    for m in view.rules.vocabulary.inline_item.finditer(view.text, start, end):
        if int(m.group(1)) == len(starts) + 1:
            starts.append(m.start())
    return starts if len(starts) > 1 else []


def _in_hardware_items(view: NoteView, scope: list[Mention]) -> list[Mention]:
    """A sentence that lists operations inline ("Proc: (1) removal of 2 lag screws, L small finger;
    (2) A1 pulley release, L ring finger"): its anatomy counts only in the items that name
    hardware (and before the first item). A list whose items all name hardware keeps them all."""
    kept: list[Mention] = []
    implants = MentionIndex(m for m in view.of("IMPLANT") if not m.has("NEGATED"))
    by_sentence: dict[int, list[Mention]] = {}
    for m in scope:  # one pass: filtering the scope per sentence was quadratic in a long run-on note
        by_sentence.setdefault(m.sent, []).append(m)
    for sent in sorted(by_sentence):
        mentions = by_sentence[sent]
        starts = _item_starts(view, sent)
        hardware = {bisect_right(starts, m.start_char) for m in implants.in_sentence(sent)} if starts else set()
        if not hardware:
            kept += mentions
            continue
        kept += [m for m in mentions if bisect_right(starts, m.start_char) in hardware | {0}]
    trace.dropped("digits", scope, kept, "other_item", "In an item of an inline numbered list that names no hardware.")
    return kept


def _digit_for(later: list[list[Mention]]) -> list[Mention]:
    """A phalanx removed without its finger named takes the one finger the note names elsewhere."""
    for level in later:
        digits = [m for m in level if m.label == "DIGIT"]
        if digits:
            return digits if len({d.value for d in digits}) == 1 else []
    return []


def _bones_for(scope: list[Mention], later: list[list[Mention]], view: NoteView) -> list[Mention]:
    named = {m.value for m in scope if m.label == "DIGIT"}
    for level in later:
        digits = MentionIndex(m for m in level if m.label == "DIGIT")
        added: list[Mention] = []
        for bone in (m for m in level if m.label == "BONE" and m.value in PHALANGES):
            bound = _bound_digits(bone, digits, view)
            if named and any(d.value not in named for d in bound):
                continue
            if len(named) > 1 and not bound:
                continue
            added.append(bone)
            added.extend(bound)
        if added:
            return added
    return []


def _bound_digits(bone: Mention, digits: MentionIndex, view: NoteView) -> list[Mention]:
    """The digit mentions that modify this bone ("ring finger P1", "P1 of the ring finger",
    "ring and small finger proximal phalanges" -> both)."""
    link = view.rules.relations.digit_bone
    best = None
    for d in digits.around(bone, link.digit_before, link.digit_after):
        overlap = d.start < bone.end and bone.start < d.end  # "thumb base" is a joint naming its digit
        before = overlap or (d.end <= bone.start and bone.start - d.end <= link.digit_before)
        # "P1 of the ring finger": only linking words between the bone and the digit after it.
        after = (bone.end <= d.start and d.start - bone.end <= link.digit_after
                 and link.linking.match(view.text[bone.end_char: d.start_char] + " ") is not None)
        if (before or after) and (best is None or d.gap(bone) < best.gap(bone)):
            best = d
    if best is None:
        return []
    chain = [best]
    while True:
        # Digit mentions never overlap, so the chain grows leftwards one close neighbour at a time.
        left = [d for d in digits.around(chain[0], link.chain_gap, 0)
                if d.end <= chain[0].start and chain[0].start - d.end <= link.chain_gap]
        if not left:
            return chain
        chain.insert(0, max(left, key=lambda d: d.start))


def _side_near(m: Mention, sides: MentionIndex, link: SideAnatomy) -> Optional[str]:
    best = None
    for s in sides.around(m, link.side_before, link.side_after):
        if s.value == "bilateral":
            continue
        if s.start <= m.start < s.end:
            return s.value  # "L index", "L IF": the side's own span takes in the anatomy it names
        if s.end <= m.start and m.start - s.end <= link.side_before or m.end <= s.start and s.start - m.end <= link.side_after:
            if best is None or s.gap(m) < best.gap(m):
                best = s
    return best.value if best else None


def _within_reach(view: NoteView, sentences: set[int], anchors: Sequence[Mention]) -> Callable[[Mention], bool]:
    """Whether a mention of a removal sentence lies within reach of what the sentence removed: always
    in a sentence of ordinary length, within relations.yaml long_sentence.reach tokens in a long one."""
    limits = view.rules.relations.long_sentence
    # Tokens are counted only in sentences long enough in characters to hold that many.
    wide = {s for s in sentences if _span_chars(view.sentence_bounds(s)) > limits.tokens} if anchors else set()
    lengths = Counter(s for s in view.token_sent if s in wide) if wide else Counter()
    long = {s for s, n in lengths.items() if n > limits.tokens}
    if not long:
        return lambda m: True
    near: dict[int, list[tuple[int, int]]] = {}
    for a in anchors:
        if a.sent in long:
            near.setdefault(a.sent, []).append((a.start - limits.reach, a.end + limits.reach))
    return lambda m: m.sent not in long or any(lo <= m.start and m.end <= hi for lo, hi in near.get(m.sent, ()))


def _span_chars(bounds: tuple[int, int]) -> int:
    return bounds[1] - bounds[0]


def find_site(view: NoteView, sentences: set[int], removal: bool, anchors: Sequence[Mention] = ()) -> Site:
    site = Site()
    vocab = view.rules.vocabulary
    link = view.rules.relations.side_anatomy
    reach = _within_reach(view, sentences, anchors)
    scope = _pick_scope(view, sentences, removal, reach)
    trace.scope("anatomy", scope)
    side_list = [m for m in view.of("SIDE") if _usable(m)]
    trace.dropped("laterality", view.of("SIDE"), side_list, "not_usable", "Negated, hypothetical or about another person.")
    sides = MentionIndex(side_list)
    digit_list = [m for m in scope if m.label == "DIGIT"]
    digits = MentionIndex(digit_list)
    bones = [m for m in scope if m.label == "BONE" and m.value != "phalanx"]
    joints = [m for m in scope if m.label == "JOINT"]
    consumed: set[int] = set()
    joint_spans: list[tuple[Mention, Mention]] = []
    bone_items: dict[tuple[str, Optional[int], Optional[str]], BoneFinding] = {}
    digit_items: dict[tuple[str, Optional[str]], DigitFinding] = {}
    for bone in bones:
        bound = _bound_digits(bone, digits, view)
        for digit in bound or [None]:
            rays: list[Optional[int]] = [None]
            if bone.value == "metacarpal":
                rays = list(metacarpal_rays(view, bone)) or [None]
                if digit is not None:
                    consumed.add(id(digit))
                    rays = rays if rays != [None] else [vocab.digit_rays[digit.value]]
            elif bone.value in PHALANGES and digit is not None:
                rays = [vocab.digit_rays[digit.value]]
                _add_digit(digit_items, digit, _side_near(digit, sides, link) or _side_near(bone, sides, link))
                consumed.add(id(digit))
            side = _side_near(bone, sides, link) or (_side_near(digit, sides, link) if digit else None)
            for ray in rays:
                key = (bone.value, ray, side)
                item = bone_items.get(key) or bone_items.setdefault(key, BoneFinding(value=bone.value, ray=ray, side=side))
                item.evidence.append(bone.evidence())
    for joint in joints:
        for digit in _bound_digits(joint, digits, view):
            consumed.add(id(digit))
            if joint.value == "cmc":
                key = ("metacarpal", vocab.digit_rays[digit.value], _side_near(digit, sides, link))
                bone_items.setdefault(key, BoneFinding(value="metacarpal", ray=key[1], side=key[2])).evidence.append(joint.evidence())
            else:
                _add_digit(digit_items, digit, _side_near(digit, sides, link))
                joint_spans.append((joint, digit))
    for digit in digit_list:
        if id(digit) not in consumed:
            _add_digit(digit_items, digit, _side_near(digit, sides, link))
    # A phalanx named without its digit takes the only digit the removal names.
    named = {d.value for d in digit_items.values()} or {m.value for m in digit_list}
    if len(named) == 1:
        only = vocab.digit_rays[next(iter(named))]
        for key in [k for k in bone_items if k[1] is None and k[0] in PHALANGES + ("metacarpal",)]:
            item = bone_items.pop(key)
            item.ray = only
            bone_items.setdefault((key[0], only, key[2]), item)
    # Hardware in a finger joint whose bones the note never names spans both ("PIPJ fusion wires").
    for joint, digit in joint_spans:
        ray = vocab.digit_rays[digit.value]
        if any(k[1] == ray for k in bone_items):
            continue
        for value in vocab.joint_bones.get(joint.value, []):
            if value == "metacarpal":
                continue  # an MCP-joint digit line already covers the ray
            key = (value, ray, _side_near(digit, sides, link))
            bone_items.setdefault(key, BoneFinding(value=value, ray=ray, side=key[2])).evidence.append(joint.evidence())
    site.bones = _merge_bones(list(bone_items.values()))
    site.digits = _merge_digits(list(digit_items.values()))
    merged_digits = site.digits
    # A finger named beside a metacarpal of its own ray, with no phalanx or finger joint, is the
    # metacarpal's ray ("L thumb: anchor removed from the MC base"), not a digit site.
    finger_rays = {vocab.digit_rays[j_digit.value] for j in joints for j_digit in _bound_digits(j, digits, view) if j.value != "cmc"}
    finger_rays |= {b.ray for b in site.bones if b.value in PHALANGES}
    mc_rays = {b.ray for b in site.bones if b.value == "metacarpal" and b.ray}
    site.digits = [d for d in site.digits if vocab.digit_rays[d.value] not in mc_rays or vocab.digit_rays[d.value] in finger_rays]
    if any(vocab.bone_regions.get(b.value) in ("wrist", "forearm") for b in site.bones):
        # Beside a wrist site, a finger with no phalanx or finger joint of its own is a symptom
        # ("catching when she bends the thumb"), not a second site.
        site.digits = [d for d in site.digits if vocab.digit_rays[d.value] in finger_rays]
    if (site.digits or any(b.value in PHALANGES for b in site.bones)) and _about_the_foot(view):
        site.digits = []
        for bone in site.bones:
            if bone.value in PHALANGES:
                bone.value, bone.ray = "other", None
        site.bones = _merge_bones(site.bones)
    trace.dropped_findings("digits", merged_digits, site.digits, "not_a_digit_site",
                           "A finger beside a metacarpal of its own ray, beside a wrist site, or in a note about the foot is not a digit site.")
    site.laterality = _laterality(view, sentences, side_list, scope)
    bound_sides = {item.side for item in [*site.bones, *site.digits]} - {None}
    if site.laterality.value is None and len(bound_sides) == 1:
        # No side outside the site's own words, but the site is named with its side ("Rt SF P1").
        side = next(iter(bound_sides))
        site.laterality = LateralityFinding(value=side, evidence=_side_evidence(site, side))
    if site.laterality.value == "bilateral" and len(bound_sides) == 1:
        # With or without a removal today (a follow-up visit tells the site it checks): the other
        # side's words name other anatomy ("She asks about the R hand ganglion").
        site.laterality = _one_hand_site(view, site, side_list, next(iter(bound_sides))) or site.laterality
    by_side = {side: site_rays(site, view.rules, side) for side in ("left", "right")}
    if site.laterality.value in ("left", "right") and all(by_side.values()) and not by_side["left"] & by_side["right"]:
        # Each hand's own finger or metacarpal is named with its side ("1. RIGHT thumb ... 2. LEFT small
        # finger"), while the removal sentences name only one of them: both hands were operated.
        evidence = [e for item in site.digits for e in item.evidence[:1]]
        site.laterality = LateralityFinding(value="bilateral", evidence=evidence[:6])
    if site.laterality.value in ("left", "right"):
        for item in [*site.bones, *site.digits]:
            item.side = site.laterality.value
        site.digits = _merge_digits(site.digits)
        site.bones = _merge_bones(site.bones)
    corrected = _addendum_digit(view)
    if corrected is not None and removal:
        _apply_digit_correction(site, corrected, vocab.digit_rays[corrected.value])
    site.region = _region(view, site, scope)
    return site


def _addendum_digit(view: NoteView) -> Optional[Mention]:
    """The digit an addendum states as the corrected one ("All references to the left index finger
    should read LEFT MIDDLE FINGER. The index finger was not operated on."), if it corrects one."""
    vocab = view.rules.vocabulary
    link = view.rules.relations.side_anatomy
    addenda = set(view.rules.sections.roles.addendum_sections)
    digits = [m for m in view.of("DIGIT") if m.section in addenda and not m.has("OTHER_PERSON", "HYPOTHETICAL")]
    if not digits or not (any(vocab.correction_cue.search(view.sentence_text(s).lower()) for s in {m.sent for m in digits})
                          or any(_opens_correction(view, m) for m in digits)):
        return None
    side_tokens = {i for s in view.of("SIDE") for i in range(s.start, s.end)}
    scores: dict[str, int] = {}
    best: dict[str, Mention] = {}
    for d in digits:
        # The words before the digit, past its side and any quotes ('reads "left index finger"').
        words: list[str] = []
        i = d.start - 1
        while i >= 0 and len(words) < link.addendum_lookback and view.token_sent[i] == d.sent:
            if i not in side_tokens and not view.doc[i].is_punct:
                words.insert(0, view.doc[i].lower_)
            i -= 1
        before = " ".join(words)
        first = d.text.split()[0]
        # "should read LEFT MIDDLE FINGER": a digit word in capitals (not an abbreviation like "IF").
        score = link.capitals_weight if first.isupper() and len(first) >= link.capitals_min_letters else 0
        if d.has("NEGATED") or any(before.endswith(w) for w in vocab.wrong_side_before):
            score -= link.cue_weight  # "not the index finger", "the index finger was not operated on"
        elif any(before.endswith(w) for w in vocab.corrected_side_before) or _opens_correction(view, d):
            score += link.cue_weight
        scores[d.value] = scores.get(d.value, 0) + score
        best.setdefault(d.value, d)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    # The corrected digit outscores every other; a neutral one wins only over digits the addendum
    # names as wrong ("... was not operated on").
    if len(ranked) > 1 and ranked[1][1] >= ranked[0][1]:
        return None
    if ranked[0][1] < 0 or (ranked[0][1] == 0 and len(ranked) == 1):
        return None
    return best[ranked[0][0]]


def _opens_correction(view: NoteView, d: Mention) -> bool:
    """The digit opens a correction headed so ("... a booking error -- correction: ring finger.")."""
    header = view.rules.sections.layout.inline_correction_header
    for _, start, end, stop in view.sections:
        if start <= d.start_char < stop:
            return bool(header) and view.text[start:end].rstrip(" \t:").lower() == header and not view.text[end:d.start_char].strip(" \t:")
    return False


def _apply_digit_correction(site: Site, corrected: Mention, ray: int) -> None:
    """The corrected digit replaces the ones the body named; phalanges take its ray."""
    kept = [d for d in site.digits if d.value == corrected.value]
    if not kept:
        side = next((d.side for d in site.digits if d.side), None)
        kept = [DigitFinding(value=corrected.value, side=side, evidence=[corrected.evidence()])]
    site.digits = kept
    for bone in site.bones:
        if bone.value in PHALANGES:
            bone.ray = ray
    site.bones = _merge_bones(site.bones)


def _about_the_foot(view: NoteView) -> bool:
    vocab = view.rules.vocabulary
    rule = view.rules.relations.foot
    foot = len(re.findall(vocab.foot_words_regex, view.text))
    return foot >= rule.min_words and foot > rule.hand_ratio * len(re.findall(vocab.hand_words_regex, view.text))


def _add_digit(items: dict, digit: Mention, side: Optional[str]) -> None:
    key = (digit.value, side)
    items.setdefault(key, DigitFinding(value=digit.value, side=side)).evidence.append(digit.evidence())


def _merge_digits(items: list[DigitFinding]) -> list[DigitFinding]:
    """One entry per digit and side; an entry without a side joins the sided one (the nearest,
    when both hands' are named)."""
    sided: dict[tuple[str, Optional[str]], DigitFinding] = {}
    for d in items:
        if d.side:
            if (d.value, d.side) in sided:
                sided[(d.value, d.side)].evidence.extend(d.evidence)
            else:
                sided[(d.value, d.side)] = d
    out = list(sided.values())
    for d in items:
        if d.side:
            continue
        match = [s for (v, _), s in sided.items() if v == d.value]
        if match:
            # Both hands' small fingers named with their sides, then "small finger" alone: it is one
            # of them (the nearest), not a third site.
            near = min(match, key=lambda s: min(abs(e.start - d.evidence[0].start) for e in s.evidence))
            near.evidence.extend(d.evidence)
        else:
            out.append(d)
    return sorted(out, key=lambda d: d.evidence[0].start)


def _merge_bones(items: list[BoneFinding]) -> list[BoneFinding]:
    merged: dict[tuple, BoneFinding] = {}
    for b in sorted(items, key=lambda b: (b.ray is None, b.side is None)):
        twin = next((m for k, m in merged.items() if k[0] == b.value and (b.ray is None or k[1] == b.ray)
                     and (b.side is None or m.side is None or m.side == b.side)), None)
        if twin is not None and (b.ray is None or twin.ray == b.ray):
            twin.evidence.extend(b.evidence)
            twin.side = twin.side or b.side
            continue
        merged[(b.value, b.ray, b.side)] = b
    return sorted(merged.values(), key=lambda b: b.evidence[0].start)


def _side_values(mentions: list[Mention]) -> Optional[str]:
    values = {m.value for m in mentions}
    if "bilateral" in values or {"left", "right"} <= values:
        return "bilateral"
    return next(iter(values)) if values else None


def _anatomy_sides(sides: list[Mention], anatomy: MentionIndex, within: int,
                   view: Optional[NoteView] = None, trailing: int = 0) -> list[Mention]:
    """Sides that qualify a hand structure ("left ring finger", "R SF"), not loose words; with
    `trailing`, also a side after a comma that closes the structure's phrase ("radius plate and
    screws, left"), the structure ending at most `trailing` tokens before the side."""
    out = []
    for s in sides:
        # "Lt wrist": a side span may hold the word it qualifies.
        if s.value == "bilateral" or any(s.start <= a.start and a.start - s.end <= within for a in anatomy.around(s, 0, within)):
            out.append(s)
        elif trailing and view is not None and view.text[max(0, s.start_char - _COMMA_LOOKBACK):s.start_char].rstrip().endswith(",") \
                and _CLOSES_PHRASE.match(view.text, s.end_char) is not None and any(
                a.end <= s.start and s.start - a.end <= trailing for a in anatomy.around(s, trailing, 0)):
            out.append(s)
    return out


def _addendum_side(view: NoteView, sides: list[Mention]) -> Optional[Mention]:
    """The side an addendum states as the corrected one, if it corrects the side at all."""
    vocab = view.rules.vocabulary
    link = view.rules.relations.side_anatomy
    addenda = set(view.rules.sections.roles.addendum_sections)
    scores: dict[str, int] = {}
    best: dict[str, Mention] = {}
    for s in sides:
        # The cue may stand in another sentence of the same addendum ("Correction: the side is
        # LEFT, not right. This is the LEFT middle finger.").
        # (An addendum that corrects the history is read as history by NoteView, so never reaches here.)
        if s.section not in addenda or s.value not in ("left", "right") or not vocab.correction_cue.search(view.section_text(s.start_char).lower()):
            continue
        before = " ".join(view.lower_tokens(s.start - link.addendum_lookback, s.start))
        # "should read LEFT": a side written in capitals is more likely the corrected one.
        score = link.capitals_weight if s.text.isupper() and len(s.text) > 1 else 0
        if any(before.endswith(w) for w in vocab.wrong_side_before):
            score -= link.cue_weight
        elif any(before.endswith(w) for w in vocab.corrected_side_before):
            score += link.cue_weight
        scores[s.value] = scores.get(s.value, 0) + score
        best.setdefault(s.value, s)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if ranked[0][1] <= 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return best[ranked[0][0]]


def _site_index(view: NoteView, scope: list[Mention]) -> MentionIndex:
    """Usable anatomy of the removal's own site (the values its scope names). The "finger" of
    "right ring finger" is the ring finger, not a generic finger any finger removal would share."""
    values = {m.value for m in scope}
    usable = [m for m in view.of(*_ANATOMY) if _usable(m)]
    digit_starts: dict[int, int] = {}  # token end -> earliest start of a digit ending there
    for m in usable:
        if m.label == "DIGIT":
            digit_starts[m.end] = min(m.start, digit_starts.get(m.end, m.start))
    return MentionIndex(m for m in usable if m.value in values
                        and not (m.label == "REGION" and digit_starts.get(m.end, m.start) < m.start))


def _laterality(view: NoteView, sentences: set[int], sides: list[Mention], scope: list[Mention]) -> LateralityFinding:
    corrected = _addendum_side(view, sides)
    if corrected is not None:
        trace.decided("laterality", "addendum_correction", "An addendum corrects the side.", [corrected])
        return LateralityFinding(value=corrected.value, evidence=[corrected.evidence()])
    roles = view.rules.sections.roles
    within = view.rules.relations.side_anatomy.qualifies_within
    headers = set(roles.header_sections)
    anatomy = view.index("ANATOMY:usable", (m for m in view.of(*_ANATOMY) if _usable(m)))
    # A side field ("Laterality: Right") names the side outright; elsewhere in a header a side
    # counts only beside the anatomy it qualifies, and beside the removal's own site when a header
    # names one there ("Diagnoses: 1. Carpal tunnel syndrome, right hand 2. ... plate, left ring
    # finger P1": the plate's side).
    fields = set(roles.side_field_sections)
    site = _site_index(view, scope)
    header_sides = [s for s in sides if s.section in headers and s.section not in fields]
    # A header may also name the side after the site, set off by a comma ("PROCEDURE: Removal of dorsal
    # distal radius plate and screws, left, including ...").
    trailing = view.rules.relations.side_anatomy.side_after + 1
    header_sides = (_anatomy_sides(header_sides, site, within, view, trailing)
                    or _anatomy_sides(header_sides, anatomy, within, view, trailing)) + \
        [s for s in sides if s.section in fields]
    body = [s for s in sides if s.section not in headers and s.section not in roles.history_sections]
    trace.dropped("laterality", [s for s in sides if s.section not in headers], body, "history_section",
                  "A side in a history section (sections.yaml roles.history_sections) tells the past, not this operation.")
    described = [s for s in body if s.sent in sentences]
    beside_anatomy = not described
    if beside_anatomy:
        in_description = [s for s in body if s.section in roles.description_sections]
        described = _anatomy_sides(in_description, anatomy, within)
        # Beside the removal's own site first: "A right thumb A1 pulley release was performed
        # first" does not give its side to the small finger's implant.
        at_site = _anatomy_sides(in_description, site, within)
        if at_site or _side_values(header_sides) in ("left", "right"):
            described = at_site
    header_value = _side_values(header_sides)
    described_value = _side_values(described)
    if beside_anatomy and header_value in ("left", "right") and described_value != header_value and \
            any(s.value == header_value for s in described):
        # The removal's own sentences name no side and the description names both, beside other
        # anatomy ("his RIGHT 4th metacarpal ... not touched", "Left hand: Heberden's nodes"): the
        # single side of the title and diagnosis headers is the one operated on.
        kept = [s for s in described if s.value == header_value]
        trace.dropped("laterality", described, kept, "header_side",
                      "The removal names no side and the description names both; the header's single side decides.")
        described, described_value = kept, header_value
    value = described_value or header_value
    loose: list[Mention] = []
    if value is None:
        loose = _anatomy_sides([s for s in body if s.section not in roles.plan_sections], anatomy, within)
        value = _side_values(loose)
    if value is None and any(m.section in roles.history_sections for m in scope):
        # The site itself was read from the history ("S: L middle finger P1 fx CRPP ..., buried
        # K-wire left in"; the plan only says "wire removal today"): the side that qualifies that
        # same anatomy there is the removal's side.
        site = MentionIndex([m for m in scope if m.section in roles.history_sections])
        loose = _anatomy_sides([s for s in sides if s.section in roles.history_sections], site, within)
        value = _side_values(loose)
    if value is None:
        value, evidence_from = _side_from_dominance(view)
        trace.decided("laterality", "dominance" if value else "no_side",
                      "No side beside the anatomy: read from handedness and dominant/non-dominant hand."
                      if value else "No side is named beside the anatomy, and handedness does not settle it.", evidence_from)
        return LateralityFinding(value=value, evidence=[m.evidence() for m in evidence_from][:4])
    evidence_from = described if described_value else header_sides
    trace.decided("laterality", "described" if described_value else ("header" if header_value else "body"),
                  "Sides told with the removal or beside the anatomy it describes (these win over the headers)."
                  if described_value else ("Sides of the title/diagnosis headers (the description names none)." if header_value
                                           else "Sides beside hand anatomy elsewhere in the note (outside plans)."),
                  described if described_value else (header_sides if header_value else loose))
    conflict = bool(header_value and described_value and header_value != described_value)
    return LateralityFinding(
        value=value, conflict=conflict, header_value=header_value,
        evidence=[m.evidence() for m in evidence_from][:6],
    )


def _one_hand_site(view: NoteView, site: Site, sides: list[Mention], side: str) -> Optional[LateralityFinding]:
    """The removal's digits and bones are named with one side, and the other side qualifies none
    of them: it belongs to other anatomy ("In 2021 I fused his LEFT index DIP ... the screw stays
    in" beside a right small finger removal), so one hand was operated, not both."""
    if any(s.value == "bilateral" for s in sides if s.section not in view.rules.sections.roles.history_sections):
        return None
    values = {d.value for d in site.digits} | {b.value for b in site.bones}
    own = MentionIndex(m for m in view.of(*_ANATOMY) if _usable(m) and m.label != "REGION" and m.value in values)
    within = view.rules.relations.side_anatomy.qualifies_within
    other = [s for s in sides if s.value not in (side, "bilateral")]
    if not values or _anatomy_sides(other, own, within):
        return None
    kept = [s for s in sides if s.value == side]
    trace.decided("laterality", "one_hand_site",
                  "Every digit and bone of the removal is named with one side; the other side qualifies none of them.", kept)
    return LateralityFinding(value=side, evidence=_side_evidence(site, side)[:6])


def _side_evidence(site: Site, side: str) -> list[Evidence]:
    """The first evidence of each digit and bone of the site named with `side`."""
    return [e for item in [*site.digits, *site.bones] if item.side == side for e in item.evidence[:1]]


def _side_from_dominance(view: NoteView) -> tuple[Optional[str], list[Mention]]:
    """"Right-handed ... his dominant hand" -> right; "non-dominant hand" -> the other one."""
    handed = [m for m in view.of("HANDED") if not m.has("OTHER_PERSON")]
    dominance = [m for m in view.of("DOMINANCE") if not m.has("OTHER_PERSON", "NEGATED")]
    sides = {m.value for m in handed}
    kinds = {m.value for m in dominance}
    if len(sides) != 1 or len(kinds) != 1:
        return None, []
    side = next(iter(sides))
    if kinds == {"nondominant"}:
        side = "left" if side == "right" else "right"
    return side, handed[:1] + dominance[:1]


def _region(view: NoteView, site: Site, scope: list[Mention]) -> list[ValueFinding]:
    vocab = view.rules.vocabulary
    regions: dict[str, ValueFinding] = {}

    def add(value: str, evidence) -> None:
        regions.setdefault(value, ValueFinding(value=value)).evidence.extend(evidence)

    if site.digits:
        add("finger", [e for d in site.digits for e in d.evidence[:1]])
    bone_rules = {(m.start_char, m.end_char): m.rule for m in scope if m.label == "BONE"}
    for bone in site.bones:
        rule = next((bone_rules.get((e.start, e.end)) for e in bone.evidence if (e.start, e.end) in bone_rules), None)
        region = vocab.rule_regions.get(rule or "", vocab.bone_regions.get(bone.value, "other"))
        if region == "finger" and site.digits:
            continue
        add(region, bone.evidence[:1])
    if not regions:
        for m in scope:
            if m.label == "REGION":
                add(vocab.region_values.get(m.value, m.value), [m.evidence()])
                break
    return list(regions.values())
