"""Requests per second against one `claimdex serve` worker, driven by wrk, a compiled client.

Usage: python -m bench.throughput [--seconds 10] [--connections 16] [--index]

Ingests the seed and the gold documents into a fresh SQLite file, serves it with one worker
on loopback, and drives three requests in turn with `wrk` (Debian's package `wrk`): GraphQL's
floor `{ __typename }`, the headline query (DosingAdvice for LDN, first page of 20 per list)
and a search for "microglia". With --index, search ranks by the top-k index. Client and
server share the machine's cores. Prints a markdown table; every run is bounded in time.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.extraction import SEED
from bench.run import HEADLINE, machine
from bench.serving import UNLIMITED, prepare, served, wrk

SEARCH = """query Search($query: String!) { search(query: $query, first: 20) {
  nodes { score snippet source { seconds url } } } }"""
REQUESTS: list[tuple[str, dict[str, object]]] = [
    ("`{ __typename }`", {"query": "{ __typename }"}),
    (
        "headline: DosingAdvice for LDN, first page",
        {"query": HEADLINE, "variables": {"name": "LDN"}},
    ),
    ("search: microglia, first 20", {"query": SEARCH, "variables": {"query": "microglia"}}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--index", action="store_true")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench.throughput needs wrk: apt-get install wrk")
    from db import search_index

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        database = f"sqlite:///{scratch / 'claimdex.db'}"
        prepare(database, [str(SEED), str(SEED.parent.parent / "tests" / "gold")], cwd=scratch)
        environment = dict(UNLIMITED)
        if arguments.index:
            environment[search_index.LOCATION] = str(scratch / "index")
            subprocess.run(
                [str(Path(sys.executable).parent / "claimdex"), "search-index"],
                env=os.environ | environment | {"DATABASE_URL": database},
                cwd=scratch, check=True, capture_output=True,
            )  # fmt: skip
        lines = [
            *machine(),
            "",
            f"| request ({arguments.connections} connections, {arguments.seconds} s, one worker) "
            "| requests/s | p50 ms | p99 ms | failed |",
            "|---|---|---|---|---|",
        ]
        with served(scratch, database=database, environment=environment) as (_, base):
            for name, body in REQUESTS:
                answer = httpx.post(base + "/graphql", json=body).json()
                if answer.get("errors") or not answer.get("data"):
                    raise RuntimeError(f"{name}: the server answered {answer}")
                found = wrk(
                    base + "/graphql", body, arguments.seconds, arguments.connections, scratch
                )
                lines.append(
                    f"| {name} | {found.rate:.0f} | {found.p50:.1f} | {found.p99:.1f} | "
                    f"{found.failed} |"
                )
        lines.append(f"- load average over the last minute at the end: {os.getloadavg()[0]:.1f}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
