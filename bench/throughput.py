"""Requests per second against one `claimdex serve` worker, driven by wrk, a compiled client.

Usage: python -m bench.throughput [--seconds 10] [--connections 16] [--index] [--profile]

Ingests the seed and the gold documents into a fresh SQLite file, serves it with one worker
on loopback, and drives three requests in turn with `wrk` (Debian's package `wrk`): GraphQL's
floor `{ __typename }`, the headline query (DosingAdvice for LDN, first page of 20 per list)
and a search for "microglia". With --index, search ranks by the top-k index. Client and
server share the machine's cores. Prints a markdown table; every run is bounded in time.
With --profile, py-spy samples the server's threads while wrk drives each request and the
table of where its busy time went follows (threads waiting for work left out).
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
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy")
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
            "| requests/s | p50 ms | p99 ms | server CPU ms a request | failed |",
            "|---|---|---|---|---|---|",
        ]
        profiles = []
        with served(scratch, database=database, environment=environment) as (server, base):
            for name, body in REQUESTS:
                answer = httpx.post(base + "/graphql", json=body).json()
                if answer.get("errors") or not answer.get("data"):
                    raise RuntimeError(f"{name}: the server answered {answer}")
                sampler = (
                    sampled(server.pid, arguments.seconds, scratch / "samples.txt")
                    if arguments.profile
                    else None
                )
                found = wrk(
                    base + "/graphql",
                    body,
                    arguments.seconds,
                    arguments.connections,
                    scratch,
                    server=server.pid,
                )
                lines.append(
                    f"| {name} | {found.rate:.0f} | {found.p50:.1f} | {found.p99:.1f} | "
                    f"{found.cpu_ms:.2f} | {found.failed} |"
                )
                if sampler is not None:
                    sampler.wait(timeout=arguments.seconds + 60)
                    profiles.append((name, shares(scratch / "samples.txt")))
        lines.append(f"- load average over the last minute at the end: {os.getloadavg()[0]:.1f}")
        for name, parts in profiles:
            lines += ["", f"Where the server's busy time went, {name} (py-spy):", ""]
            lines += ["| part | share |", "|---|---|"]
            lines += [f"| {part} | {share:.0%} |" for part, share in parts]
    sys.stdout.write("\n".join(lines) + "\n")


# Parts of a request, each known by marks in its frames. A sampled stack counts under the
# part of its innermost frame that has a mark; the first part whose marks match a frame wins.
PARTS = [
    ("SQLite running the statement and returning its rows", ("do_execute", "fetchall")),
    ("opening and closing connections", ("_create_connection", "_close_connection")),
    ("the session, connection checkout and time limit", ("orm/session.py", "pool/", "time_limit")),
    ("SQL compilation and the ORM around the statement", ("sqlalchemy/",)),
    ("building the answer from the rows", ("api/compiled.py", "db/answers.py", "db/search.py")),
    ("strawberry: parsing, validation and execution", ("strawberry/", "graphql/")),
    ("the hop to a worker thread and its event loop", ("run_here", "anyio/")),
    ("the access log", ("logging/",)),
    (
        "the middleware (metrics, rate limit, body limit, CORS, ETag)",
        ("api/metrics.py", "api/guards.py", "api/caching.py", "cors.py", "prometheus_client/"),
    ),
    ("HTTP: uvicorn, Starlette routing and the response", ("uvicorn/", "starlette/", "api/app.py")),
]
IDLE = ("Condition.wait", "_PollLikeSelector.select", "EpollSelector.select", "wait (")


def sampled(pid: int, seconds: int, output: Path) -> subprocess.Popen[bytes]:
    """py-spy recording process `pid` for `seconds` into `output`, in its raw stack format."""
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid),
         "--duration", str(seconds), "--rate", "50", "--nonblocking", "--format", "raw",
         "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def shares(samples: Path) -> list[tuple[str, float]]:
    """The share of the busy samples in `samples` that fell in each of PARTS, largest first."""
    counted: dict[str, int] = {}
    for line in samples.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            continue
        part = next(
            (
                name
                for frame in reversed(frames)
                for name, marks in PARTS
                if any(mark in frame for mark in marks)
            ),
            "other",
        )
        counted[part] = counted.get(part, 0) + int(count)
    busy = sum(counted.values()) or 1
    return sorted(
        ((part, count / busy) for part, count in counted.items()), key=lambda item: -item[1]
    )


if __name__ == "__main__":
    main()
