"""The closed vocabularies of a result (CONTRACT.md §1, and the README's extensions) as Literal
types, and the vocabulary of every rule label whose values reach a result.

The result models use these types, so `Result.model_json_schema()` and the service's OpenAPI list
the allowed values of each field; `notecheck.rules` checks every target rule's value against
`LABEL_VOCABULARIES` at load, so a typo in a rule file fails there, naming the file and the rule,
instead of failing a note (or, before these types, reaching the result as a free string).
"""
from __future__ import annotations

from typing import Any, Literal, get_args

# ---- CONTRACT.md §1 ----------------------------------------------------------------------------------

ImplantType = Literal[
    "k_wire", "pin", "wire", "screw", "plate", "staple", "suture_anchor", "external_fixator",
    "rod_or_nail", "joint_implant", "other",
]
Region = Literal["finger", "hand", "wrist", "forearm", "other"]
Side = Literal["left", "right", "bilateral"]
Hand = Literal["left", "right"]  # the side of one digit, bone or claim line
Digit = Literal["thumb", "index", "middle", "ring", "small"]
Bone = Literal[
    "metacarpal", "proximal_phalanx", "middle_phalanx", "distal_phalanx", "carpal", "radius", "ulna", "other"
]
Indication = Literal[
    "prominence", "pain", "irritation", "infection", "migration", "loosening", "breakage", "exposure",
    "fracture_healed", "staged_removal", "stiffness", "patient_request", "other",
]
ApproachType = Literal["open", "percutaneous"]
PlannedStatus = Literal["planned", "unplanned"]
Complexity = Literal[
    "scar_tissue", "embedded_hardware", "broken_or_stripped_hardware", "neurovascular_proximity",
    "tendon_adhesions", "extended_time", "infection_debridement", "other",
]
Cpt = Literal["26320", "20680", "20670"]
Modifier = Literal["LT", "RT", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "58", "78", "79", "22"]
Status = Literal["met", "partial", "missing", "not_applicable"]
Severity = Literal["high", "medium", "low"]

# ---- extensions (README "Result extensions") ------------------------------------------------------------

Anesthesia = Literal["general", "mac", "local", "regional", "walant", "no_anesthesia"]
Setting = Literal["operating_room", "procedure_room", "clinic"]
Depth = Literal["deep", "superficial"]
SameSiteProcedure = Literal["revision", "fusion", "amputation", "arthroplasty", "refixation", "tenolysis", "capsulotomy"]
# 20694: an external fixator came off under anesthesia; the others explain a code or unit choice.
ProcedureFlag = Literal["20694", "wrist_hand_ambiguity", "units_above_mue"]

# ---- rule labels --------------------------------------------------------------------------------------
# Values a label's rules may carry besides the result's own: the extractors resolve them before a
# value reaches a result (a generic "wire" becomes a k_wire or a wire by its bone, a "phalanx" is
# bound to its digit, a closure mention is its own finding, "pulled" is percutaneous).
GenericImplant = Literal["hardware", "wire_generic", "pin_generic", "nail_generic", "staple_generic", "spacer_generic"]
GenericBone = Literal["phalanx"]
GenericRegion = Literal["other_site"]
ApproachCue = Literal["incision", "pulled"]
DepthCue = Literal["closure"]
SubstantialCue = Literal["substantial"]


def values(*types: Any) -> frozenset[str]:
    """The strings of one or more Literal types."""
    return frozenset(v for t in types for v in get_args(t))


# The vocabulary of each target label (a file's `label`, or one of its `groups`) whose values
# reach a result. Labels not listed (ACT, JOINT, HANDED, SUPPRESS, ...) only steer extraction and
# are closed by their file's own `values`.
LABEL_VOCABULARIES: dict[str, frozenset[str]] = {
    "IMPLANT": values(ImplantType, GenericImplant),
    "SIDE": values(Side),
    "DIGIT": values(Digit),
    "BONE": values(Bone, GenericBone),
    "REGION": values(Region, GenericRegion),
    "INDICATION": values(Indication),
    "APPROACH": values(ApproachType, ApproachCue),
    "COMPLEXITY": values(Complexity),
    "SUBSTANTIAL": values(SubstantialCue),
    "ANESTHESIA": values(Anesthesia),
    "SETTING": values(Setting),
    "DEPTH": values(Depth, DepthCue),
    "PROC": values(SameSiteProcedure),
}
