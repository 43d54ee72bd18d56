"""Requests per second for the headline query against `claimdex serve`, by database and workers.

Usage: python -m bench.serving [--seconds 10] [--clients 16]
Ingests the seed and the gold documents into a fresh SQLite file and a fresh PostgreSQL
database (TEST_DATABASE_URL's server), then drives each setup over loopback and prints a
markdown table. Loopback only; every run is bounded in time.
"""

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
QUERY = """query DosingAdvice($name: String!) { medication(name: $name) { name aliases
  mentions { text source { seconds } }
  dosages { value unit text source { seconds timestamp url text episode { title url } } }
  warnings { text source { seconds timestamp url } } } }"""


# Benchmarks turn the rate limit off, since every client comes from one address, and raise the
# list and cost limits, since one measure is the whole answer for the corpus's most common
# drug: tens of thousands of claims, which a server refuses by default (page it instead).
UNLIMITED = {
    "CLAIMDEX_RATE_LIMIT": "0",
    "CLAIMDEX_MAX_LIST": "1000000",
    "CLAIMDEX_MAX_COST": "100000000",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def user_environment() -> dict[str, str]:
    """The environment a user's shell would give claimdex: no DATABASE_URL of the tests."""
    return {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}


def claimdex(*args: str, cwd: Path, database: str | None = None) -> subprocess.Popen[bytes]:
    """`claimdex args` started in `cwd` with its output discarded, over `database`, else as a
    user runs it (claimdex.db in `cwd`)."""
    env = user_environment() | ({} if database is None else {"DATABASE_URL": database})
    return subprocess.Popen(
        [str(BIN / "claimdex"), *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare(database: str, documents: list[str], *, cwd: Path) -> None:
    """Brings `database` to the newest schema and ingests `documents` into it, as a user would
    with the CLI."""
    for command in (["db", "upgrade"], ["ingest", *documents]):
        if claimdex(*command, database=database, cwd=cwd).wait() != 0:
            raise RuntimeError(f"claimdex {command[0]} failed on {database}")


async def drive(url: str, clients: int, seconds: float) -> tuple[int, int, list[float]]:
    """(requests, errors, latencies in ms) from `clients` concurrent loops for `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    body = {"query": QUERY, "variables": {"name": "LDN"}}

    async def client(session: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                response = await session.post(url, json=body)
                if response.status_code != 200 or "errors" in response.json():
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    return len(latencies), errors, latencies


@contextmanager
def served(
    cwd: Path,
    *,
    database: str | None = None,
    port: int | None = None,
    workers: int = 1,
    environment: dict[str, str] | None = None,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`claimdex serve` in `cwd` on a free loopback port (or `port`), once it answers
    /healthz: (process, base URL). Over `database`, else as a user runs it (claimdex.db in
    `cwd`); `environment` adds variables. Stopped on leaving. The one way benchmarks and tests
    start a server."""
    port = port or free_port()
    env = user_environment() | (environment or {})
    if database is not None:
        env["DATABASE_URL"] = database
    server = subprocess.Popen(
        [str(BIN / "claimdex"), "serve", "--port", str(port), "--workers", str(workers)],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/healthz")
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    raise RuntimeError(
                        f"claimdex serve exited with {server.returncode} before answering"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"claimdex serve did not answer at {base} in 60 s") from None
                time.sleep(0.2)
        yield server, base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def measure(database: str, workers: int, folder: Path, clients: int, seconds: float) -> str:
    with served(folder, database=database, workers=workers, environment=UNLIMITED) as (_, base):
        url = base + "/graphql"
        asyncio.run(drive(url, clients, 1.0))  # warm up every worker
        count, errors, latencies = asyncio.run(drive(url, clients, seconds))
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    kind = database.split(":", 1)[0].split("+")[0]
    return (
        f"| {kind} | {workers} | {count / seconds:.0f} | {statistics.median(latencies):.1f} "
        f"| {p99:.1f} | {errors} |"
    )


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Driven:
    """What wrk measured: requests a second, latency percentiles in ms, failed answers, and
    the server's CPU time per request in ms when its process was named (steadier than the
    rate when client and server share the cores)."""

    rate: float
    p50: float
    p99: float
    failed: int
    cpu_ms: float | None = None


def cpu_seconds(pid: int) -> float:
    """User and system CPU time that process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(
    url: str,
    body: Mapping[str, object] | None,
    seconds: int,
    connections: int,
    scratch: Path,
    server: int | None = None,
) -> Driven:
    """`url` driven by wrk (Debian's package `wrk`, a compiled client) for `seconds` over
    `connections` connections: a POST of `body` as JSON, or a GET without one. `server`: the
    process whose CPU time per request is measured."""
    command = ["wrk", "--latency", "-t2", f"-c{connections}", f"-d{seconds}s"]
    if body is not None:
        script = scratch / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(json.dumps(body))}\n"
            'wrk.headers["Content-Type"] = "application/json"\n',
            encoding="utf-8",
        )
        command += ["-s", str(script)]
    used = cpu_seconds(server) if server is not None else 0.0
    report = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    used = cpu_seconds(server) - used if server is not None else 0.0
    rate = re.search(r"Requests/sec:\s+([\d.]+)", report)
    latencies = {
        share: float(value) * UNITS[unit] for share, value, unit in LATENCY.findall(report)
    }
    failures = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    if rate is None or set(latencies) != {"50", "99"}:
        raise RuntimeError(f"wrk's report has no rate or latencies:\n{report}")
    answered = re.search(r"(\d+) requests in", report)
    return Driven(
        float(rate[1]),
        latencies["50"],
        latencies["99"],
        int(failures[1]) if failures else 0,
        1000 * used / int(answered[1]) if server is not None and answered else None,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        sqlite = f"sqlite:///{folder / 'bench.db'}"
        name = f"claimdex_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        postgres = POSTGRES.rsplit("/", 1)[0] + "/" + name
        try:
            documents = [str(ROOT / "seeds"), str(ROOT / "tests" / "gold")]
            for database in (sqlite, postgres):
                prepare(database, documents, cwd=folder)
            rows = [
                measure(database, workers, folder, options.clients, options.seconds)
                for database in (sqlite, postgres)
                for workers in (1, 2)
            ]
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    out = sys.stdout
    out.write(
        f"Headline query (DosingAdvice for LDN), {options.clients} clients, "
        f"{options.seconds:.0f} s each, {os.cpu_count()} cores shared by server and client\n\n"
    )
    out.write("| database | workers | requests/s | p50 ms | p99 ms | errors |\n")
    out.write("|---|---|---|---|---|---|\n")
    for row in rows:
        out.write(row + "\n")


if __name__ == "__main__":
    main()
