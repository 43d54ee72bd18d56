"""Server settings, each from an environment variable, read once when the app is made."""

import ipaddress
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# What a variable's value must look like, by pydantic's error type, for the message naming it.
EXPECTED = {
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "bool_parsing": "is not true or false (expected 1, true, yes, on, 0, false, no or off)",
}


def _items(raw: object) -> object:
    """A comma-separated variable as its items; a value given in code passes as it is."""
    if isinstance(raw, str):
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    return raw


class Settings(BaseSettings):
    """Each field reads CLAIMDEX_<FIELD> unless it names its variable; an empty variable is
    unset. Keywords given in code (as tests give them) win over the environment."""

    model_config = SettingsConfigDict(
        env_prefix="CLAIMDEX_",
        env_ignore_empty=True,
        frozen=True,
        validate_by_name=True,
    )

    production: Annotated[bool, Field(validation_alias="CLAIMDEX_ENV")] = False
    introspection: bool = True
    graphiql: bool = True
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 10_000
    max_duplicate_fields: int = 5
    max_directives: int = 10
    max_batch: int = 5
    max_body_bytes: int = 5 * 1024 * 1024
    rate_per_minute: Annotated[int, Field(validation_alias="CLAIMDEX_RATE_LIMIT")] = 600
    max_list: int = 1000
    statement_timeout_ms: int = 2000
    redis_url: str | None = None  # where workers share rate limits; None: each counts alone
    # Peers whose X-Forwarded-For is believed.
    trusted_proxies: Annotated[tuple[Network, ...], NoDecode] = ()
    max_ingests: int = 2  # ingest child processes at once, per worker
    max_subscribers: int = 1000  # subscriptions open at once, per worker
    # A WebSocket with no subscription that sends nothing this long is closed; 0: never.
    subscription_idle_seconds: Annotated[float, Field(ge=0)] = 300.0
    # Processes per worker that build answers of more than heavy_values values (api/heavy.py);
    # 0: every answer is built in the server's process.
    heavy_workers: Annotated[int, Field(ge=0)] = 1
    heavy_values: Annotated[int, Field(ge=1)] = 2000
    # `claimdex ingest`'s extraction processes; 0: one per core.
    ingest_workers: Annotated[int, Field(ge=0)] = 0
    api_tokens: Annotated[tuple[str, ...], NoDecode] = ()
    trusted_documents: Path | None = None
    # Trusted documents of a shape api/compiled.py knows run as one SQL statement each.
    compiled_documents: bool = True
    # Automatic persisted queries kept, the least recently used dropped first; 0: none.
    persisted_queries_max: int = 1000
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()

    @classmethod
    def from_env(cls) -> "Settings":
        """CLAIMDEX_ENV=production turns introspection and GraphiQL off (unless
        CLAIMDEX_INTROSPECTION / CLAIMDEX_GRAPHIQL say otherwise) and masks errors. A
        malformed variable is named with its value and what it should be."""
        try:
            return cls()
        except ValidationError as error:
            raise ValueError(_described(error)) from None

    @model_validator(mode="before")
    @classmethod
    def _production_defaults(cls, values: Any) -> Any:
        """Production turns introspection and GraphiQL off unless their variables say."""
        if not isinstance(values, dict):
            return values
        environment = values.get("production", values.get("CLAIMDEX_ENV", False))
        if isinstance(environment, str):
            environment = environment.strip().lower() == "production"
        values = {key: value for key, value in values.items() if key != "CLAIMDEX_ENV"}
        values["production"] = environment
        for name in ("introspection", "graphiql"):
            values.setdefault(name, not environment)
        return values

    @field_validator("api_tokens", "cors_origins", mode="before")
    @classmethod
    def _listed(cls, raw: object) -> object:
        return _items(raw)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, raw: object) -> object:
        items = _items(raw)
        if not isinstance(raw, str) or not isinstance(items, tuple):
            return items
        found = []
        for item in items:
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network; "
                    "expected entries such as 10.0.0.5 or 10.0.0.0/8"
                ) from None
        return tuple(found)

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_url(cls, raw: object) -> object:
        if isinstance(raw, str):
            raw = raw.strip() or None
        if isinstance(raw, str) and not raw.startswith(("redis://", "rediss://")):
            # The URL is not repeated: it may hold a password.
            raise ValueError(
                "must start with redis:// or rediss://, as in redis://127.0.0.1:6379/0"
            )
        return raw


def variables() -> list[str]:
    """Every environment variable the settings are read from."""
    return [_variable(field) for field in Settings.model_fields]


def _variable(field: str) -> str:
    """The environment variable that sets `field`: its alias where it has one."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else f"CLAIMDEX_{field.upper()}"


def _described(error: ValidationError) -> str:
    """Each bad variable on a line: its name, its value (unless it may hold a secret), and
    what it should be."""
    lines = []
    for problem in error.errors():
        located = str(problem["loc"][0]) if problem["loc"] else ""
        variable = located if located.startswith("CLAIMDEX_") else _variable(located)
        if problem["type"] in EXPECTED:
            lines.append(f"{variable}={problem['input']!r} {EXPECTED[problem['type']]}")
        elif problem["type"] == "value_error":
            reason = str(problem.get("ctx", {}).get("error", problem["msg"]))
            separator = ":" if variable == "CLAIMDEX_TRUSTED_PROXIES" else ""
            lines.append(f"{variable}{separator} {reason}")
        else:
            lines.append(f"{variable}: {problem['msg']}")
    return "\n".join(lines)
