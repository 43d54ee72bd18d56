"""Rate limits shared through Redis by every worker, per client behind trusted proxies."""

import asyncio
import logging
from ipaddress import ip_network
from pathlib import Path

import httpx
import pytest
import redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Scope

from api.guards import RateLimit, client_address
from api.settings import Settings
from tests.conftest import free_port, running, serving

PROXIES = (ip_network("10.0.0.0/8"), ip_network("2001:db8:1::/48"))


def worker(per_minute: int, **options: object) -> Starlette:
    """One worker's app: a single route behind the rate limit."""
    route = Route("/", lambda _request: JSONResponse({"ok": True}))
    return Starlette(
        routes=[route], middleware=[Middleware(RateLimit, per_minute=per_minute, **options)]
    )


def answers(
    calls: list[tuple[Starlette, dict[str, str]]], peer: str = "192.0.2.1"
) -> list[httpx.Response]:
    """The answers to GET / sent in order, each to its app with its headers, from `peer`; one
    event loop for all, as a server has."""

    async def send() -> list[httpx.Response]:
        found = []
        async with running(list({id(app): app for app, _ in calls}.values())):
            for app, headers in calls:
                transport = httpx.ASGITransport(app=app, client=(peer, 4711))
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                    found.append(await client.get("/", headers=headers))
        return found

    return asyncio.run(send())


def statuses(calls: list[tuple[Starlette, dict[str, str]]], peer: str = "192.0.2.1") -> list[int]:
    return [answer.status_code for answer in answers(calls, peer)]


def test_two_workers_sharing_redis_share_one_budget(redis_url: str, redis_prefix: str) -> None:
    one, two = (worker(3, redis_url=redis_url, key_prefix=redis_prefix) for _ in range(2))
    found = answers([(one, {}), (two, {}), (one, {}), (two, {}), (one, {})])
    assert [answer.status_code for answer in found] == [200, 200, 200, 429, 429]
    refused = found[3]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "CLAIMDEX_RATE_LIMIT" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def test_without_redis_each_worker_counts_alone() -> None:
    one, two = worker(2), worker(2)
    calls = [(one, {}), (one, {}), (two, {}), (two, {}), (one, {}), (two, {})]
    assert statuses(calls) == [200, 200, 200, 200, 429, 429]


def test_forwarded_for_counts_from_a_trusted_proxy(redis_url: str, redis_prefix: str) -> None:
    app = worker(2, redis_url=redis_url, key_prefix=redis_prefix, trusted_proxies=PROXIES)
    alice = {"X-Forwarded-For": "198.51.100.7, 10.0.0.9"}
    bob = {"X-Forwarded-For": "198.51.100.8"}
    calls = [(app, alice), (app, alice), (app, alice), (app, bob)]
    assert statuses(calls, peer="10.0.0.2") == [200, 200, 429, 200]


def test_forwarded_for_is_ignored_from_an_untrusted_peer(redis_url: str, redis_prefix: str) -> None:
    app = worker(2, redis_url=redis_url, key_prefix=redis_prefix, trusted_proxies=PROXIES)
    forged = [(app, {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(3)]
    assert statuses(forged, peer="203.0.113.5") == [200, 200, 429]


def test_an_unreachable_redis_fails_open_to_the_worker_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = worker(2, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="api.guards"):
        assert statuses([(app, {}), (app, {}), (app, {})]) == [200, 200, 429]
    assert "Redis did not answer" in caplog.text


def test_two_servers_share_limits_set_in_the_environment(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `claimdex serve` processes over one Redis, as CLAIMDEX_REDIS_URL sets; one client
    behind the proxy at 127.0.0.1, with an address no other run uses at once."""
    monkeypatch.setenv("CLAIMDEX_REDIS_URL", redis_url)
    monkeypatch.setenv("CLAIMDEX_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("CLAIMDEX_RATE_LIMIT", "2")
    client = f"2001:db8:ffff::{free_port():x}"
    headers = {"X-Forwarded-For": client}
    try:
        with serving(tmp_path) as one, serving(tmp_path) as two:
            codes = [httpx.get(base + "/healthz", headers=headers).status_code
                     for base in (one, two, one)]  # fmt: skip
        assert codes == [200, 200, 429]
    finally:
        keys = redis.Redis.from_url(redis_url)
        for key in keys.scan_iter(match=f"*{client}*"):
            keys.delete(key)
        keys.close()


def scope(peer: str, forwarded: str | None = None) -> Scope:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (peer, 4711), "headers": headers}


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("198.51.100.1", "192.0.2.9", "198.51.100.1"),  # an untrusted peer's header is a claim
        ("10.0.0.2", None, "10.0.0.2"),  # a proxy that sends no header is the client
        ("10.0.0.2", "192.0.2.9", "192.0.2.9"),
        # Right to left: a client may write anything left of what the proxies add.
        ("10.0.0.2", "forged, 192.0.2.9, 10.1.2.3", "192.0.2.9"),
        ("10.0.0.2", "10.9.9.9, 10.1.2.3", "10.9.9.9"),  # all proxies: the first is the client
        ("10.0.0.2", "192.0.2.9:5123", "192.0.2.9"),  # ports dropped
        ("10.0.0.2", "[2001:db8::7]:5123", "2001:db8::7"),
        ("2001:db8:1::5", "2001:db8::7", "2001:db8::7"),
        ("::ffff:10.0.0.2", "192.0.2.9", "192.0.2.9"),  # a dual-stack socket's IPv4 peer
    ],
)
def test_client_address(peer: str, forwarded: str | None, client: str) -> None:
    assert client_address(scope(peer, forwarded), PROXIES) == client


def test_a_malformed_trusted_proxy_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMDEX_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal")
    with pytest.raises(ValueError, match="'proxy.internal' is not an IP address"):
        Settings.from_env()


def test_a_redis_url_must_be_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMDEX_REDIS_URL", "127.0.0.1:6379")
    with pytest.raises(ValueError, match="must start with redis://"):
        Settings.from_env()
