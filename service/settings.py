"""Service settings, read once from the environment.

Every knob has a safe default so that `notecheck serve` with no environment is a loopback-only
service with the contract's limits. A malformed value is a start-up error with a one-line
message, never a silently ignored setting.
"""
from __future__ import annotations

import os
from typing import Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from notecheck.errors import Location, describe_validation
from notecheck.reader import DEFAULT_MAX_BYTES

ENV_PREFIX = "NOTECHECK_"

# Checker.check validates every note against the reader's default limit, so that limit is the
# largest note the checker accepts: a larger NOTECHECK_MAX_NOTE_BYTES would be capped there
# silently (a 422 for notes the service promised to take), so it is refused at start-up instead.
CHECKER_MAX_NOTE_BYTES = DEFAULT_MAX_BYTES

# Environment variable -> Settings field. Listed explicitly so that a typo in a field name cannot
# silently turn into an unread variable, and so the README can point at one table.
ENV_FIELDS: dict[str, str] = {
    "NOTECHECK_API_KEY": "api_key",
    "NOTECHECK_MAX_NOTE_BYTES": "max_note_bytes",
    "NOTECHECK_MAX_BATCH": "max_batch",
    "NOTECHECK_MAX_BATCH_BYTES": "max_batch_bytes",
    "NOTECHECK_CORS_ORIGINS": "cors_origins",
    "NOTECHECK_CHECK_WORKERS": "check_workers",
    "NOTECHECK_CHECK_THREADS": "check_threads",
    "NOTECHECK_RECYCLE_STRINGS": "recycle_strings",
    "NOTECHECK_RECYCLE_NOTES": "recycle_notes",
    "NOTECHECK_READY_WAIT": "ready_wait",
    "NOTECHECK_SHUTDOWN_TIMEOUT": "shutdown_timeout",
    "NOTECHECK_LOG_LEVEL": "log_level",
    "NOTECHECK_CHECK_BUDGET_S": "check_budget_s",
    "NOTECHECK_BATCH_BUDGET_S": "batch_budget_s",
    "NOTECHECK_HEADER_TIMEOUT": "header_timeout",
    "NOTECHECK_BODY_TIMEOUT": "body_timeout",
    "NOTECHECK_KEEP_ALIVE_TIMEOUT": "keep_alive_timeout",
    "NOTECHECK_MAX_CONNECTIONS": "max_connections",
    "NOTECHECK_RULES_DIR": "rules_dir",
}


def _env_name(loc: Location) -> str:
    field = str(loc[0])
    return next((name for name, f in ENV_FIELDS.items() if f == field), field)


class SettingsError(ValueError):
    """A bad environment value; the message names the variable, never a secret."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: Optional[str] = Field(
        default=None, description="When set, every /v1/ request must carry it (Bearer or X-API-Key)."
    )
    max_note_bytes: int = Field(
        default=DEFAULT_MAX_BYTES, ge=1, description="Largest note text, UTF-8 bytes."
    )
    max_batch: int = Field(default=100, ge=1, description="Most notes in one /v1/check/batch request.")
    max_batch_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1, description="Largest /v1/check/batch request body, bytes."
    )
    cors_origins: tuple[str, ...] = Field(
        default=(), description="Origins allowed to call the API from a browser; empty = CORS off."
    )
    check_workers: int = Field(
        default=1, ge=1, le=64, description="Worker processes (one pipeline each) when --workers is not given."
    )
    # One checking thread per process: spaCy holds the GIL for nearly all of its work, so more
    # threads add no throughput, only contention; processes (check_workers) are what scale.
    check_threads: int = Field(default=1, ge=1, le=32)
    # A long-lived pipeline grows its StringStore (and tokenizer cache) with every unseen token
    # string; past this many new strings the Checker is rebuilt and swapped in (about 0.3 s).
    recycle_strings: int = Field(default=10_000, ge=100)
    # Backstop for growth that does not show up as new strings.
    recycle_notes: int = Field(default=50_000, ge=1)
    ready_wait: float = Field(
        default=30.0, ge=0, description="Seconds a /v1/ request waits for a loading pipeline before 503."
    )
    shutdown_timeout: float = Field(
        default=30.0, ge=0, description="Seconds in-flight requests get to finish on shutdown."
    )
    log_level: str = Field(default="info")
    # Checking is CPU-bound and runs on the worker's one check thread: a note that takes longer
    # than this is abandoned (503) so that it cannot hold every other request on that worker.
    check_budget_s: float = Field(
        default=10.0, gt=0, le=3600, description="Seconds one note may take to check before 503 (/v1/check)."
    )
    # A batch has one budget for the whole request (each note also stays within check_budget_s):
    # per note, 100 notes could hold the worker for 100 budgets.
    batch_budget_s: float = Field(
        default=60.0, gt=0, le=3600, description="Seconds one /v1/check/batch request may take before 503."
    )
    header_timeout: float = Field(
        default=10.0, gt=0, le=600, description="Seconds a client has to send a request's line and headers."
    )
    body_timeout: float = Field(
        default=60.0, gt=0, le=3600, description="Seconds a client has to send a request's whole body."
    )
    keep_alive_timeout: float = Field(
        default=5.0, gt=0, le=600, description="Seconds an idle keep-alive connection is kept open."
    )
    max_connections: int = Field(
        default=256, ge=1, le=100_000, description="Open connections one worker accepts; more get 503."
    )

    rules_dir: Optional[str] = Field(
        default=None, description="A rules directory (a copy of patterns/) to check with; default: the packaged rules."
    )

    @field_validator("rules_dir")
    @classmethod
    def _rules_dir_exists(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not os.path.isdir(value):
            raise ValueError("not a directory")
        return value

    @property
    def max_check_body(self) -> int:
        """Body limit for /v1/check: the note plus room for JSON escaping and the claim fields.

        JSON escaping can at most double a mostly-ASCII note (newlines, quotes); the exact note
        limit is enforced again on the decoded text, so this bound only stops huge uploads early.
        """
        return 2 * self.max_note_bytes + 64 * 1024

    @field_validator("api_key", mode="before")
    @classmethod
    def _trimmed_key(cls, value: object) -> object:
        # A key read from a file or a secret store often ends in a newline; clients never send
        # one, so an untrimmed key would lock everyone out without a word.
        if isinstance(value, str):
            value = value.strip()
            if not value:
                # Set but blank is a mistake (an empty secret), not a wish to run without a key.
                raise ValueError("blank after trimming whitespace; unset it to run without a key")
        return value

    @field_validator("max_note_bytes")
    @classmethod
    def _within_the_checker_limit(cls, value: int) -> int:
        if value > CHECKER_MAX_NOTE_BYTES:
            raise ValueError(f"at most {CHECKER_MAX_NOTE_BYTES:,}, the largest note the checker accepts")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # An allow-list means named origins; "*" would expose the API (and its key) to any page.
        for origin in value:
            if origin == "*" or not origin.startswith(("http://", "https://")):
                raise ValueError("origins must be full http(s):// origins, not '*'")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"critical", "error", "warning", "info", "debug"}:
            raise ValueError("one of critical, error, warning, info, debug")
        return value

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if environ is None else environ
        values = {field: env[name] for name, field in ENV_FIELDS.items() if name in env}
        try:
            return cls(**values)
        except ValidationError as exc:
            # Named by environment variable; pydantic's text leaves out the input (maybe the API key).
            raise SettingsError(f"bad {describe_validation(exc, where=_env_name, limit=1)}") from None
