"""HL7 v2 and FHIR R4 interchange (CONTRACT.md §6): messages and resources in, results (native or
FHIR) out. Pure and web-free: the CLI, the audit, the service routes and the MLLP listener all call
into here. Nothing in this package logs or prints note text; errors name fields, sizes and types.
"""
