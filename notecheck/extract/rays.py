"""Which ray a metacarpal mention names: "5th MC", "small finger metacarpal", "MC5", "metacarpal 4"."""
from __future__ import annotations

import re
from typing import Optional

from notecheck.extract.mentions import Mention, NoteView

def metacarpal_rays(view: NoteView, bone: Mention) -> list[int]:
    """Every ray the mention names: "MC5" or "metacarpal 4" one, "3rd & 4th metacarpals" two."""
    rays = view.rules.vocabulary.rays
    link = view.rules.relations.rays
    prefixes = tuple(link.bone_prefixes)
    for token in re.findall(r"[a-z0-9]+", bone.text.lower()):
        if token.startswith(prefixes) and token in rays:
            return [rays[token]]
    before = view.lower_tokens(bone.start - link.ordinal_before, bone.start)
    named: list[int] = []
    for token in reversed(before):
        if token in rays and (not token.isdigit() or token == before[-1]):
            named.insert(0, rays[token])
        elif token not in link.between_words:
            break
    if named:
        return named
    after = view.lower_tokens(bone.end, bone.end + link.number_after)
    if after and after[0] in rays and (
        after[0].isdigit() or (after[0] in link.capitals_after and view.doc[bone.end].text.isupper())
    ):
        return [rays[after[0]]]
    return []
