"""Settings from CLAIMDEX_* variables: names, defaults, production's defaults, and errors that
name the variable and what it should be."""

import ipaddress
import os
from pathlib import Path

import pytest

from api.settings import Settings


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CLAIMDEX_ variable of the shell running the tests leaks in."""
    for variable in [name for name in os.environ if name.startswith("CLAIMDEX_")]:
        monkeypatch.delenv(variable)


def test_defaults() -> None:
    settings = Settings.from_env()
    assert (settings.production, settings.introspection, settings.graphiql) == (False, True, True)
    assert (settings.max_depth, settings.rate_per_minute, settings.max_list) == (10, 600, 1000)
    assert (settings.redis_url, settings.trusted_proxies, settings.api_tokens) == (None, (), ())


def test_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in {
        "CLAIMDEX_MAX_DEPTH": " 12 ",
        "CLAIMDEX_RATE_LIMIT": "3",
        "CLAIMDEX_MAX_BODY_BYTES": "",  # empty: the default
        "CLAIMDEX_API_TOKENS": "one, two,,",
        "CLAIMDEX_CORS_ORIGINS": "https://app.example.org",
        "CLAIMDEX_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
        "CLAIMDEX_TRUSTED_DOCUMENTS": "documents.json",
        "CLAIMDEX_REDIS_URL": "rediss://cache:6379/0",
    }.items():
        monkeypatch.setenv(variable, value)
    settings = Settings.from_env()
    assert (settings.max_depth, settings.rate_per_minute) == (12, 3)
    assert settings.max_body_bytes == 5 * 1024 * 1024
    assert settings.api_tokens == ("one", "two")
    assert settings.cors_origins == ("https://app.example.org",)
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1"),
    )
    assert settings.trusted_documents == Path("documents.json")
    assert settings.redis_url == "rediss://cache:6379/0"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"CLAIMDEX_ENV": "production"}, (True, False, False)),
        ({"CLAIMDEX_ENV": " Production ", "CLAIMDEX_GRAPHIQL": "yes"}, (True, False, True)),
        ({"CLAIMDEX_ENV": "staging", "CLAIMDEX_INTROSPECTION": "off"}, (False, False, True)),
    ],
)
def test_production_turns_introspection_and_graphiql_off(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], expected: tuple[bool, ...]
) -> None:
    for variable, value in variables.items():
        monkeypatch.setenv(variable, value)
    settings = Settings.from_env()
    assert (settings.production, settings.introspection, settings.graphiql) == expected


def test_keywords_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMDEX_MAX_LIST", "7")
    monkeypatch.setenv("CLAIMDEX_ENV", "production")
    settings = Settings(max_list=5, production=False, rate_per_minute=0)
    assert (settings.max_list, settings.rate_per_minute, settings.introspection) == (5, 0, True)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CLAIMDEX_MAX_DEPTH", "x", "CLAIMDEX_MAX_DEPTH='x' is not a whole number"),
        ("CLAIMDEX_RATE_LIMIT", "2.5", "CLAIMDEX_RATE_LIMIT='2.5' is not a whole number"),
        ("CLAIMDEX_GRAPHIQL", "maybe", "CLAIMDEX_GRAPHIQL='maybe' is not true or false"),
    ],
)
def test_a_malformed_variable_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError) as raised:
        Settings.from_env()
    assert str(raised.value).startswith(message)


def test_a_redis_url_is_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMDEX_REDIS_URL", "cache:secret@127.0.0.1:6379")
    with pytest.raises(ValueError, match="CLAIMDEX_REDIS_URL must start with") as raised:
        Settings.from_env()
    assert "secret" not in str(raised.value)
