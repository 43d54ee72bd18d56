"""Whether one heavy client holds up everyone else: the headline query's latency alone, then
beside a client that loops over a hundred episodes with all their segments.

Usage: python -m bench.stall [--episodes 200] [--clients 4] [--seconds 15] [--workers 1]
`claimdex serve` on a fresh SQLite file in a temporary folder (the seed, the gold documents and
`--episodes` generated ones); loopback only, bounded in time.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench import corpus
from bench.serving import QUERY, UNLIMITED, claimdex, served

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "{ episodes(first: 100) { nodes { title segments { seconds text url } } } }"


async def _loop(
    session: httpx.AsyncClient, url: str, body: dict[str, object], deadline: float
) -> list[float]:
    """Latencies in ms of one client asking `body` until `deadline`; any error stops the run."""
    latencies = []
    while time.monotonic() < deadline:
        start = time.perf_counter()
        response = await session.post(url, json=body)
        if response.status_code != 200 or "errors" in response.json():
            raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def headline(url: str, clients: int, seconds: float, *, heavy: bool) -> list[float]:
    """The headline query's latencies from `clients` clients, with or without a heavy one."""
    deadline = time.monotonic() + seconds
    headline_body: dict[str, object] = {"query": QUERY, "variables": {"name": "LDN"}}
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=clients + 1)) as s:
        loops = [_loop(s, url, headline_body, deadline) for _ in range(clients)]
        if heavy:
            loops.append(_loop(s, url, {"query": HEAVY}, deadline))
        found = await asyncio.gather(*loops)
    return sorted(latency for latencies in found[:clients] for latency in latencies)


def p99(latencies: list[float]) -> float:
    return latencies[max(0, int(len(latencies) * 0.99) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        generated = folder / "episodes"
        generated.mkdir()
        corpus.write(options.episodes, generated)
        database = f"sqlite:///{folder / 'stall.db'}"
        documents = [str(ROOT / "seeds"), str(ROOT / "tests" / "gold"), str(generated)]
        for command in (["db", "upgrade"], ["ingest", *documents]):
            if claimdex(*command, database=database, cwd=folder).wait() != 0:
                raise RuntimeError(f"claimdex {command[0]} failed")
        with served(folder, database=database, workers=options.workers, environment=UNLIMITED) as (
            _,
            base,
        ):
            url = base + "/graphql"
            asyncio.run(headline(url, options.clients, 1.0, heavy=False))  # warm up
            alone = asyncio.run(headline(url, options.clients, options.seconds, heavy=False))
            beside = asyncio.run(headline(url, options.clients, options.seconds, heavy=True))
    out = sys.stdout
    out.write(
        f"Headline query, {options.clients} clients, {options.workers} worker(s), "
        f"{options.episodes + 8} episodes, {options.seconds:.0f} s each\n\n"
        "| run | requests/s | p50 ms | p99 ms |\n|---|---|---|---|\n"
    )
    for name, latencies in (("alone", alone), ("beside one heavy client", beside)):
        out.write(
            f"| {name} | {len(latencies) / options.seconds:.0f} "
            f"| {statistics.median(latencies):.1f} | {p99(latencies):.1f} |\n"
        )
    out.write(f"\np99 beside the heavy client / p99 alone: {p99(beside) / p99(alone):.2f}\n")


if __name__ == "__main__":
    main()
