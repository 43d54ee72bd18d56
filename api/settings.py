"""Server settings, each from an environment variable, read once when the app is made."""

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _number(variable: str, default: int) -> int:
    raw = os.environ.get(variable)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{variable}={raw!r} is not a whole number") from None


def _flag(variable: str, default: bool) -> bool:
    raw = os.environ.get(variable)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(variable: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(variable, "").split(",") if item.strip())


def _networks(variable: str) -> tuple[Network, ...]:
    found = []
    for item in _list(variable):
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"{variable}: {item!r} is not an IP address or network; "
                "expected entries such as 10.0.0.5 or 10.0.0.0/8"
            ) from None
    return tuple(found)


def _redis_url(variable: str) -> str | None:
    raw = os.environ.get(variable, "").strip()
    if raw and not raw.startswith(("redis://", "rediss://")):
        # The URL is not repeated: it may hold a password.
        raise ValueError(
            f"{variable} must start with redis:// or rediss://, as in redis://127.0.0.1:6379/0"
        )
    return raw or None


@dataclass(frozen=True)
class Settings:
    production: bool = False
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
    rate_per_minute: int = 600
    max_list: int = 1000
    statement_timeout_ms: int = 2000
    redis_url: str | None = None  # where workers share rate limits; None: each counts alone
    trusted_proxies: tuple[Network, ...] = ()  # peers whose X-Forwarded-For is believed
    max_ingests: int = 2  # ingest child processes at once, per worker
    api_tokens: tuple[str, ...] = ()
    trusted_documents: Path | None = None
    cors_origins: tuple[str, ...] = field(default=())

    @classmethod
    def from_env(cls) -> "Settings":
        """CLAIMDEX_ENV=production turns introspection and GraphiQL off (unless
        CLAIMDEX_INTROSPECTION / CLAIMDEX_GRAPHIQL say otherwise) and masks errors."""
        production = os.environ.get("CLAIMDEX_ENV", "").strip().lower() == "production"
        trusted = os.environ.get("CLAIMDEX_TRUSTED_DOCUMENTS")
        return cls(
            production=production,
            introspection=_flag("CLAIMDEX_INTROSPECTION", not production),
            graphiql=_flag("CLAIMDEX_GRAPHIQL", not production),
            max_depth=_number("CLAIMDEX_MAX_DEPTH", 10),
            max_aliases=_number("CLAIMDEX_MAX_ALIASES", 15),
            max_tokens=_number("CLAIMDEX_MAX_TOKENS", 2000),
            max_cost=_number("CLAIMDEX_MAX_COST", 10_000),
            max_duplicate_fields=_number("CLAIMDEX_MAX_DUPLICATE_FIELDS", 5),
            max_directives=_number("CLAIMDEX_MAX_DIRECTIVES", 10),
            max_batch=_number("CLAIMDEX_MAX_BATCH", 5),
            max_body_bytes=_number("CLAIMDEX_MAX_BODY_BYTES", 5 * 1024 * 1024),
            rate_per_minute=_number("CLAIMDEX_RATE_LIMIT", 600),
            max_list=_number("CLAIMDEX_MAX_LIST", 1000),
            statement_timeout_ms=_number("CLAIMDEX_STATEMENT_TIMEOUT_MS", 2000),
            redis_url=_redis_url("CLAIMDEX_REDIS_URL"),
            trusted_proxies=_networks("CLAIMDEX_TRUSTED_PROXIES"),
            max_ingests=_number("CLAIMDEX_MAX_INGESTS", 2),
            api_tokens=_list("CLAIMDEX_API_TOKENS"),
            trusted_documents=Path(trusted) if trusted else None,
            cors_origins=_list("CLAIMDEX_CORS_ORIGINS"),
        )
