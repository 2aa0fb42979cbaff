"""Settings: the environment first, then an optional Secrets Manager secret for what it leaves unset.

Every function reads the same names (ARCHITECTURE §3). A value is validated when it is present, so a
malformed setting fails at load with a message naming it; a missing one fails only when a caller asks
for it with ``Settings.require`` (the migrate function, say, never needs a Discord key).
Secret values are wrapped in ``Secret`` so they cannot leak through a repr, a log line or a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

from loyal_companion.errors import ConfigError

DEFAULT_DISCORD_API_BASE: Final = "https://discord.com/api/v10"
# Where the model server offers OpenAI's moderation endpoint, messages and crisis replies are also checked
# there (safety/moderation.py); MODERATION_MODEL=off turns it off.
DEFAULT_MODERATION_MODEL: Final = "omni-moderation-latest"

# Environment names, in the order they are documented.
SETTING_NAMES: Final = (
    "DATABASE_URL",
    "DISCORD_PUBLIC_KEY",
    "DISCORD_APPLICATION_ID",
    "DISCORD_BOT_TOKEN",
    "DISCORD_API_BASE",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "EMBEDDINGS_MODEL",
    "EMBEDDINGS_DIMENSIONS",
    "MODERATION_MODEL",
    "CONVERSATION_QUEUE_URL",
    "WAKE_SCHEDULE",
)

# Guards against abuse and runaway cost: plain numbers, from the environment only (0 = no limit).
LIMIT_DEFAULTS: Final = {
    "TURNS_PER_MINUTE": 6,
    "DAILY_TOKENS_PER_PERSON": 60_000,
    "DAILY_TOKENS_PER_SERVER": 600_000,
    "DAILY_TOKENS_ALL": 0,  # everyone together (the stack's parameter sets one; 0 = no deployment-wide cap)
}

DEFAULT_DISCORD_REQUESTS_PER_SECOND: Final = 45.0
MAX_DISCORD_REQUESTS_PER_SECOND: Final = 10_000.0

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_SCHEDULE_NAME = re.compile(r"[0-9A-Za-z_.-]{1,64}")
_SNOWFLAKE = re.compile(r"[0-9]{15,21}")
_PLACEHOLDERS = frozenset({"changeme", "change-me", "replace-me", "todo", "xxx", "placeholder"})


class Secret:
    """A string that never shows itself by accident (repr, str, f-strings, logging)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Attribute names are the environment names in lower case."""

    database_url: Secret | None = None
    discord_public_key: str | None = None
    discord_application_id: str | None = None
    discord_bot_token: Secret | None = None
    discord_api_base: str = DEFAULT_DISCORD_API_BASE
    openai_api_key: Secret | None = None
    openai_base_url: str | None = None
    openai_model: str | None = None
    # Relating facts to a message by meaning (pgvector): the embeddings model on the same server as the
    # chat model, and optionally the vector size to ask for (text-embedding-3-* accept "dimensions").
    embeddings_model: str | None = None
    embeddings_dimensions: int | None = None
    # The moderation model on the same server as the chat model ("off": none); None: the default.
    moderation_model: str | None = None
    conversation_queue_url: str | None = None
    # The EventBridge Scheduler one-time schedule that wakes the proactive run (set by the template).
    wake_schedule: str | None = None
    turns_per_minute: int = LIMIT_DEFAULTS["TURNS_PER_MINUTE"]
    daily_tokens_per_person: int = LIMIT_DEFAULTS["DAILY_TOKENS_PER_PERSON"]
    daily_tokens_per_server: int = LIMIT_DEFAULTS["DAILY_TOKENS_PER_SERVER"]
    daily_tokens_all: int = LIMIT_DEFAULTS["DAILY_TOKENS_ALL"]
    # Bot-token Discord calls per second from one process (Discord's global limit is 50 unless raised).
    discord_requests_per_second: float = DEFAULT_DISCORD_REQUESTS_PER_SECOND
    # Where each value came from ("env", "secret" or "default"), for diagnostics that show no values.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def require(self, name: str) -> Any:
        """The value of setting ``name`` (either case), or a ConfigError naming it."""
        attr = name.lower()
        value = getattr(self, attr)
        if value is None:
            raise ConfigError(
                name.upper(),
                "is not set; put it in the environment or in the secret named by SECRETS_ARN",
            )
        return value

    @property
    def moderation(self) -> str | None:
        """The moderation model to ask, or None (no model server, or turned off)."""
        if not self.model_configured or (self.moderation_model or "").lower() in ("off", "none", "0"):
            return None
        return self.moderation_model or DEFAULT_MODERATION_MODEL

    @property
    def model_configured(self) -> bool:
        """True when a language model is reachable by configuration (a key, or a local server URL)."""
        return self.openai_api_key is not None or self.openai_base_url is not None


SecretLoader = Callable[[str], Mapping[str, Any]]


def load_settings(environ: Mapping[str, str], secret_loader: SecretLoader | None = None) -> Settings:
    """Build Settings from ``environ``; ``SECRETS_ARN`` (if set) fills what the environment leaves unset.

    ``secret_loader`` turns an ARN into the secret's JSON object; the default reads Secrets Manager
    through Powertools, cached for the container's life.
    """
    raw: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name in SETTING_NAMES:
        value = environ.get(name, "").strip()
        if value:
            raw[name] = value
            sources[name] = "env"

    arn = environ.get("SECRETS_ARN", "").strip()
    if arn and len(raw) < len(SETTING_NAMES):
        loader = secret_loader or _read_secret
        secret = loader(arn)
        if not isinstance(secret, Mapping):
            raise ConfigError("SECRETS_ARN", "the secret is not a JSON object")
        for name in SETTING_NAMES:
            if name in raw:
                continue
            stored = secret.get(name.lower())
            if stored is None or stored == "":
                continue
            if not isinstance(stored, str | int):
                raise ConfigError(name, "the secret holds a value that is not a string")
            raw[name] = str(stored).strip()
            sources[name] = "secret"

    settings = _validated(raw, sources)
    limits = {name: LIMIT_DEFAULTS[name] for name in LIMIT_DEFAULTS}
    for name in LIMIT_DEFAULTS:
        value = environ.get(name, "").strip()
        if not value:
            continue
        if not value.isdigit():
            raise ConfigError(name, "must be a whole number (0 means no limit)")
        limits[name] = int(value)
    pace = environ.get("DISCORD_REQUESTS_PER_SECOND", "").strip()
    requests_per_second = DEFAULT_DISCORD_REQUESTS_PER_SECOND
    if pace:
        try:
            requests_per_second = float(pace)
        except ValueError:
            requests_per_second = -1.0
        if not 0 < requests_per_second <= MAX_DISCORD_REQUESTS_PER_SECOND:
            raise ConfigError(
                "DISCORD_REQUESTS_PER_SECOND",
                f"must be a number above 0 and at most {MAX_DISCORD_REQUESTS_PER_SECOND:.0f} "
                f"(default {DEFAULT_DISCORD_REQUESTS_PER_SECOND:.0f})",
            )
    return replace(
        settings,
        discord_requests_per_second=requests_per_second,
        turns_per_minute=limits["TURNS_PER_MINUTE"],
        daily_tokens_per_person=limits["DAILY_TOKENS_PER_PERSON"],
        daily_tokens_per_server=limits["DAILY_TOKENS_PER_SERVER"],
        daily_tokens_all=limits["DAILY_TOKENS_ALL"],
    )


def _validated(raw: Mapping[str, str], sources: dict[str, str]) -> Settings:
    for name, value in raw.items():
        if value.lower() in _PLACEHOLDERS:
            raise ConfigError(name, "holds a placeholder value; set the real one")

    values: dict[str, Any] = {}
    if "DATABASE_URL" in raw:
        values["database_url"] = Secret(normalise_database_url(raw["DATABASE_URL"]))
    if "DISCORD_PUBLIC_KEY" in raw:
        key = raw["DISCORD_PUBLIC_KEY"]
        if not _HEX64.fullmatch(key):
            raise ConfigError(
                "DISCORD_PUBLIC_KEY", "must be 64 hexadecimal characters (the portal's public key)"
            )
        values["discord_public_key"] = key.lower()
    if "DISCORD_APPLICATION_ID" in raw:
        app_id = raw["DISCORD_APPLICATION_ID"]
        if not _SNOWFLAKE.fullmatch(app_id):
            raise ConfigError("DISCORD_APPLICATION_ID", "must be the numeric application id")
        values["discord_application_id"] = app_id
    if "DISCORD_BOT_TOKEN" in raw:
        values["discord_bot_token"] = Secret(raw["DISCORD_BOT_TOKEN"])
    if "DISCORD_API_BASE" in raw:
        values["discord_api_base"] = _http_url("DISCORD_API_BASE", raw["DISCORD_API_BASE"]).rstrip("/")
    else:
        sources["DISCORD_API_BASE"] = "default"
    if "OPENAI_API_KEY" in raw:
        values["openai_api_key"] = Secret(raw["OPENAI_API_KEY"])
    if "OPENAI_BASE_URL" in raw:
        values["openai_base_url"] = _http_url("OPENAI_BASE_URL", raw["OPENAI_BASE_URL"]).rstrip("/")
    if "OPENAI_MODEL" in raw:
        values["openai_model"] = raw["OPENAI_MODEL"]
    if "EMBEDDINGS_MODEL" in raw:
        if "OPENAI_API_KEY" not in raw and "OPENAI_BASE_URL" not in raw:
            raise ConfigError(
                "EMBEDDINGS_MODEL",
                "needs a model server: set OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server)",
            )
        values["embeddings_model"] = raw["EMBEDDINGS_MODEL"]
    if "EMBEDDINGS_DIMENSIONS" in raw:
        size = raw["EMBEDDINGS_DIMENSIONS"]
        if not size.isdigit() or not 1 <= int(size) <= 16000:
            raise ConfigError("EMBEDDINGS_DIMENSIONS", "must be a whole number of dimensions (1 to 16000)")
        if "EMBEDDINGS_MODEL" not in raw:
            raise ConfigError("EMBEDDINGS_DIMENSIONS", "is set but EMBEDDINGS_MODEL is not")
        values["embeddings_dimensions"] = int(size)
    if "MODERATION_MODEL" in raw:
        values["moderation_model"] = raw["MODERATION_MODEL"]
    if "CONVERSATION_QUEUE_URL" in raw:
        values["conversation_queue_url"] = _http_url("CONVERSATION_QUEUE_URL", raw["CONVERSATION_QUEUE_URL"])
    if "WAKE_SCHEDULE" in raw:
        if not _SCHEDULE_NAME.fullmatch(raw["WAKE_SCHEDULE"]):
            raise ConfigError("WAKE_SCHEDULE", "is not a schedule name (1 to 64 of A-Z a-z 0-9 - _ .)")
        values["wake_schedule"] = raw["WAKE_SCHEDULE"]
    return Settings(**values, sources=dict(sources))


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosted Postgres hands out and return the pg8000 form SQLAlchemy needs."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigError("DATABASE_URL", "is not a URL (expected postgresql+pg8000://user:password@host/db)")
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql+pg8000"
    if scheme != "postgresql+pg8000":
        raise ConfigError("DATABASE_URL", f"uses the driver '{scheme}'; this project uses postgresql+pg8000")
    normalised = f"{scheme}://{rest}"
    parts = urlsplit(normalised)
    if not parts.path.strip("/"):
        raise ConfigError("DATABASE_URL", "names no database (add /<dbname> after the host)")
    return normalised


def _http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(name, "must be an http(s) URL")
    return value


def _read_secret(arn: str) -> Mapping[str, Any]:
    # Imported here: only containers that use a secret pay for Powertools Parameters.
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.exceptions import (
        GetParameterError,
        TransformParameterError,
    )

    try:
        value = parameters.get_secret(arn, transform="json", max_age=3600)
    except TransformParameterError as exc:
        raise ConfigError("SECRETS_ARN", "the secret is not valid JSON") from exc
    except GetParameterError as exc:
        raise ConfigError(
            "SECRETS_ARN", f"the secret could not be read ({type(exc.__cause__).__name__})"
        ) from exc
    if not isinstance(value, Mapping):
        raise ConfigError("SECRETS_ARN", "the secret is not a JSON object")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The container's settings, read once (environment and secret) and reused by every invocation."""
    import os

    return load_settings(os.environ)


def required(name: str) -> Any:
    """Setting ``name`` of this container, read again once (environment and secret) when it is missing: a
    warm container that read the secret before an operator filled it picks the new value up at once instead
    of failing until Lambda replaces it."""
    try:
        return get_settings().require(name)
    except ConfigError:
        clear_settings_cache()
        return get_settings().require(name)


def clear_settings_cache() -> None:
    """Forget the cached settings (tests, and `lc` commands that change the environment)."""
    get_settings.cache_clear()
    try:
        from aws_lambda_powertools.utilities import parameters
    except ImportError:  # pragma: no cover - powertools is a runtime dependency
        return
    parameters.clear_caches()  # type: ignore[no-untyped-call]


def describe(settings: Settings) -> dict[str, str]:
    """Which settings are present and where from, without a single value: safe to log."""
    out: dict[str, str] = {}
    for f in fields(settings):
        if f.name == "sources" or f.name.upper() in LIMIT_DEFAULTS:
            continue
        env_name = f.name.upper()
        out[env_name] = settings.sources.get(env_name, "unset")
    return out


# What the deployed functions cannot run without; the model is optional (the offline responder, labelled).
REQUIRED_IN_SECRET: Final = (
    "DATABASE_URL",
    "DISCORD_PUBLIC_KEY",
    "DISCORD_APPLICATION_ID",
    "DISCORD_BOT_TOKEN",
)


def check_secret_document(document: Any) -> tuple[bool, list[str]]:
    """Whether ``document`` (the app secret's JSON) gives the functions what they need, read by the same
    loader they use; lines that say what is set and what is wrong, never a value."""
    if not isinstance(document, Mapping):
        return False, ['the secret must be one JSON object: {"database_url": "…", …}']
    known = {name.lower() for name in SETTING_NAMES}
    lines = [
        f"unknown key {key!r}: the keys are the setting names in lower case ({', '.join(sorted(known))})"
        for key in document
        if key not in known
    ]
    try:
        settings = load_settings({"SECRETS_ARN": "(this file)"}, secret_loader=lambda _arn: document)
    except ConfigError as exc:
        return False, [*lines, str(exc)]
    present = describe(settings)
    ok = not lines
    for name in SETTING_NAMES:
        if name in ("CONVERSATION_QUEUE_URL", "WAKE_SCHEDULE"):
            continue  # the template sets them
        state = "set" if present.get(name, "unset") != "unset" else "not set"
        if state == "not set" and name in REQUIRED_IN_SECRET:
            state, ok = "MISSING (required)", False
        lines.append(f"{name.lower():<24} {state}")
    if not settings.model_configured:
        lines.append("no model configured: replies come from the offline responder, labelled as such")
    return ok, lines
