"""Load test: concurrent clients run the headline queries against `claimdex serve` while an
ingest runs, and the errors and latencies are reported.

Usage: python -m bench.load [--clients 32] [--seconds 20]
Loopback only, bounded in time; a fresh SQLite database in a temporary folder.
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.serving import QUERY, UNLIMITED, claimdex, prepare, served

ROOT = Path(__file__).resolve().parent.parent
READS = [
    ("POST", "/graphql", {"query": QUERY, "variables": {"name": "LDN"}}),
    ("POST", "/graphql", {"query": '{ search(query: "magnesium sleep") { nodes { snippet } } }'}),
    ("POST", "/graphql", {"query": "{ episodes(first: 20) { totalCount nodes { title } } }"}),
    ("GET", "/api/v1/medications/LDN/dosages?format=csv", None),
    ("GET", "/api/v1/search?q=microglia", None),
]


async def clients(base: str, count: int, seconds: float) -> tuple[int, list[str], list[float]]:
    """(requests, error descriptions, latencies in ms) from `count` clients."""
    deadline = time.monotonic() + seconds
    errors: list[str] = []
    latencies: list[float] = []

    async def client(number: int, session: httpx.AsyncClient) -> None:
        pick = random.Random(number)
        while time.monotonic() < deadline:
            method, path, body = pick.choice(READS)
            start = time.perf_counter()
            try:
                response = await session.request(method, base + path, json=body)
                if response.status_code != 200 or (
                    path == "/graphql" and "errors" in response.json()
                ):
                    errors.append(f"{response.status_code} {path}: {response.text[:120]}")
            except httpx.HTTPError as error:
                errors.append(f"{type(error).__name__} {path}")
            latencies.append((time.perf_counter() - start) * 1000)

    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(limits=limits, timeout=60) as session:
        await asyncio.gather(*(client(number, session) for number in range(count)))
    return len(latencies), errors, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        database = f"sqlite:///{folder / 'load.db'}"
        prepare(database, [str(ROOT / "seeds")], cwd=folder)
        with served(folder, database=database, environment=UNLIMITED) as (_, base):
            # An ingest of the gold documents runs while the clients read.
            writer = claimdex("ingest", str(ROOT / "tests" / "gold"), database=database, cwd=folder)
            count, errors, latencies = asyncio.run(clients(base, options.clients, options.seconds))
            if writer.wait(timeout=300) != 0:
                raise RuntimeError("the ingest that ran during the load failed")
    latencies.sort()
    out = sys.stdout
    out.write(
        f"{options.clients} clients for {options.seconds:.0f} s while ingesting: {count} requests "
        f"({count / options.seconds:.0f}/s), {len(errors)} errors, "
        f"p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {latencies[max(0, int(len(latencies) * 0.99) - 1)]:.1f} ms\n"
    )
    for error in errors[:10]:
        out.write(f"  {error}\n")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
