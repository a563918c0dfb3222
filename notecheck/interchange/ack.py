"""HL7 v2 original-mode acknowledgements: MSA-1 AA / AE / AR, MSA-2 = the inbound MSH-10, and for
AE/AR an ERR segment (v2.5: ERR-2 location, ERR-3 table 0357 code, ERR-4 severity, ERR-8 a
message that never holds note text). python-hl7's `create_ack` builds MSH and MSA."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Optional

from notecheck.interchange.hl7_escape import Delimiters, encode_text
from notecheck.interchange.hl7_message import AckCode, Hl7Error, Hl7Parsed

APPLICATION = "NOTECHECK"


def new_control_id() -> str:
    # MSH-10 is an ST of at most 20 characters in v2.5.
    return "NC" + uuid.uuid4().hex[:18].upper()


def _err_segment(error: Hl7Error, delims: Delimiters) -> str:
    comp = delims.component
    location = error.location.replace("^", comp)
    code = comp.join([str(error.code), encode_text(error.code_text, delims), "HL70357"])
    severity = "E"
    fields = ["ERR", "", location, code, severity, "", "", "", encode_text(error.message, delims)]
    return delims.field.join(fields)


def build_ack(parsed: Hl7Parsed, code: AckCode, error: Optional[Hl7Error] = None) -> str:
    """The ER7 ACK for a message (segments separated and ended by CR)."""
    if parsed.message is None:
        # No usable MSH: nothing to copy, so the ACK says only that the message was refused.
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        delims = Delimiters()
        msh = f"MSH|^~\\&|{APPLICATION}||||{stamp}||ACK|{new_control_id()}|P|2.5.1"
        segments = [msh, f"MSA|{code}|{encode_text(parsed.control_id, delims)}"]
        if error is not None:
            segments.append(_err_segment(error, delims))
        return "\r".join(segments) + "\r"
    msh_in = parsed.message.segment("MSH")
    application = str(msh_in(5)) if len(msh_in) > 5 and str(msh_in(5)) else APPLICATION
    ack = parsed.message.create_ack(code, message_id=new_control_id(), application=application)
    text = str(ack)
    if error is not None:
        seps = getattr(msh_in, "separators", "\r|~^&")
        delims = Delimiters.from_msh(str(msh_in(1)), str(msh_in(2)))
        text = text.rstrip("\r") + seps[0] + _err_segment(error, delims) + seps[0]
    return text
