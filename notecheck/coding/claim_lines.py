"""One claim line per distinct site, one unit each, with its modifiers (DOMAIN decisions 4 and 7,
CONTRACT.md §1 "Claim lines")."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from notecheck.models import ClaimLine, Digit, Findings, Hand
from notecheck.rules import CodingRules

@dataclass(frozen=True)
class LineSite:
    """The site one claim line bills: a digit, a metacarpal or a hand (the extractors' own site
    is where the note says the hardware was; this is how the claim counts it)."""

    label: str
    side: Optional[Hand]
    digit: Optional[Digit] = None


def _note_side(f: Findings) -> Optional[Hand]:
    return f.laterality.value if f.laterality.value in ("left", "right") else None


def _bone_sites(f: Findings, bones: list[str]) -> list[LineSite]:
    """One line per bone of `bones` the removal names, on its own side (else the note's)."""
    note_side = _note_side(f)
    found = {(b.value, b.side or note_side) for b in f.bones if b.value in bones}
    return [LineSite(label=f"{side or ''} {bone}".strip(), side=side) for bone, side in sorted(found, key=str)]


def line_sites(f: Findings, rules: CodingRules) -> list[LineSite]:
    note_side = _note_side(f)
    # "Bilateral small finger P1 K-wire removal": a site named once with no side of its own is that
    # site on each hand (26320 has no bilateral modifier: one line per side).
    both: list[Optional[Hand]] = ["left", "right"] if f.laterality.value == "bilateral" else [note_side]

    def sides_of(own: Optional[Hand]) -> list[Optional[Hand]]:
        return [own] if own else both

    out: list[LineSite] = []
    digit_rays = set()
    for d in f.digits:
        name = "thumb" if d.value == "thumb" else f"{d.value} finger"
        for side in sides_of(d.side):
            digit_rays.add((rules.digit_rays[d.value], side))
            out.append(LineSite(label=f"{side or ''} {name}".strip(), side=side, digit=d.value))
    seen = set()
    for b in f.bones:
        if b.value != "metacarpal":
            continue
        for side in sides_of(b.side):
            if (b.ray, side) in digit_rays or (b.ray, side) in seen:
                continue  # the same ray's construct is already the digit's line
            seen.add((b.ray, side))
            what = f"{rules.ray_names[b.ray]} metacarpal" if b.ray else "metacarpal"
            out.append(LineSite(label=f"{side or ''} {what}".strip(), side=side))
    if not out:
        # Radius and ulna (or a carpal bone) are distinct anatomic sites: one unit each (NCCI Ch. IV
        # unit of service for 20670/20680: "an additional unit ... only if implant(s) are removed
        # from a distinct and separate anatomic site"; CPT Assistant June 2009: separate fractures
        # at different anatomical sites).
        forearm = _bone_sites(f, rules.wrist_bones)
        if len(forearm) > 1:
            return forearm
        region = f.region[0].value if f.region else "hand"
        for side in both:
            out.append(LineSite(label=f"{side or ''} {region}".strip(), side=side))
    return out


def build_lines(cpt: str, f: Findings, rules: CodingRules, extra: list[str], forearm_cpt: Optional[str] = None) -> list[ClaimLine]:
    """`forearm_cpt`: the code of a separate forearm site beside the hand's (selection.Selection)."""
    sites = line_sites(f, rules)
    lines = [_line(cpt, site, rules, extra) for site in sites]
    if forearm_cpt:
        # Only on a side the hand lines share: a forearm bone of the other side beside a finger
        # removal is more often an operation told in passing than a second removal.
        sides = {hand_site.side for hand_site in sites}
        lines += [_line(forearm_cpt, site, rules, extra) for site in _bone_sites(f, rules.separate_from_hand_bones)
                  if site.side in sides or site.side is None]
    return lines


def _line(cpt: str, site: LineSite, rules: CodingRules, extra: list[str]) -> ClaimLine:
    mods = []
    if site.side:
        mods.append(rules.side_modifiers[site.side])
    if site.digit and site.side and cpt == "26320":
        mods.append(rules.finger_modifiers[site.side][site.digit])
    mods.extend(extra)
    return ClaimLine(cpt=cpt, units=1, modifiers=mods, site=site.label)
