"""`make bench`: throughput, latency, overhead and memory on generated corpora, written to
BENCHMARKS.md with the machine and the command that produced the figures.

Usage: python -m bench.run [--sizes 100 1000] [--repeats 3] [--output BENCHMARKS.md]
Loopback only; every server is stopped at the end; runs are bounded in count and time.
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, event, select, text

from bench import corpus
from bench.extraction import SEED
from bench.serving import POSTGRES, UNLIMITED, claimdex, served, wrk

ROOT = Path(__file__).resolve().parent.parent
# The issue-2 contract's query: every claim about the drug in one answer.
WHOLE = """query DosingAdvice($name: String!) { medication(name: $name) { name aliases
  mentions { text source { seconds } }
  dosages { value unit text source { seconds timestamp url text episode { title url } } }
  warnings { text source { seconds timestamp url } } } }"""
# The same query as an app sends it: the first page of each list (the next pages are the
# same query with `after`). This is the headline the latency and ratio goals are held to.
PAGE = 20
WARM_UP = 5
HEADLINE = (
    WHOLE.replace("mentions {", f"mentions(first: {PAGE}) {{")
    .replace("dosages {", f"dosages(first: {PAGE}) {{")
    .replace("warnings {", f"warnings(first: {PAGE}) {{")
)
SEARCHES = ["magnesium sleep", "side effects", "twice a day", "morning", "kidney function"]
# How often an ingest's processes are read for their peak memory.
PEAK_POLL_SECONDS = 0.05
# Throughput is measured as the goal asks: one worker, 16 connections, a compiled client.
CONNECTIONS = 16
THROUGHPUT_SECONDS = 10


def spread(values: list[float], digits: int = 1) -> str:
    """ "median (min-max)" of repeated measurements."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    low, high = min(values), max(values)
    return f"{statistics.median(values):.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def machine() -> list[str]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        engine = create_engine(POSTGRES)
        with engine.connect() as connection:
            postgres = str(connection.execute(text("SHOW server_version")).scalar_one())
        engine.dispose()
    except Exception:  # noqa: BLE001 - the figure is only reported
        postgres = "not reachable"
    return [
        f"- machine: {os.cpu_count()} cores, {memory:.1f} GiB, {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres}",
    ]


def run_ingest(
    folder: Path, database: str, cwd: Path, workers: int | None = None
) -> tuple[float, float]:
    """(seconds, peak resident MB of its largest process) of `claimdex ingest folder` in a
    child process, with `--workers` when given."""
    start = time.perf_counter()
    chosen = [] if workers is None else ["--workers", str(workers)]
    child = claimdex("ingest", *chosen, str(folder), database=database, cwd=cwd)
    # Read from /proc while it runs, not from wait4's ru_maxrss: Linux carries the parent's
    # high-water mark across the child's exec, so that figure was never below this process's
    # own size (which holds the vocabulary after `extraction_alone`).
    peak = 0.0
    while child.poll() is None:
        for pid in [child.pid, *children(child.pid)]:
            with contextlib.suppress(OSError):  # it may have ended since it was listed
                peak = max(peak, resident_mb(pid, "VmHWM"))
        time.sleep(PEAK_POLL_SECONDS)
    if child.returncode != 0:
        raise RuntimeError(f"claimdex ingest failed on {database}")
    return time.perf_counter() - start, peak


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The command name, in parentheses, may hold spaces: the parent follows it.
            if int(status.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(status.parent.name))
    return found


def extraction_alone(paths: list[Path]) -> float:
    """Seconds to parse and extract every document in this process (vocabulary loaded)."""
    from ingest import lexicon
    from ingest.extract import extract
    from ingest.parse import parse_document

    names = lexicon.load()
    texts = [(path.read_text(encoding="utf-8"), str(path)) for path in paths]
    start = time.perf_counter()
    for content, source in texts:
        extract(parse_document(content, source=source), names=names)
    return time.perf_counter() - start


def common_medication(database: Path) -> str:
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT m.name FROM mentions x JOIN medications m ON m.id = x.medication_id "
            "GROUP BY m.name ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    return str(row[0])


def resident_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS) or at its peak (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def latencies(base: str, query: str, medication: str, count: int) -> list[float]:
    body = {"query": query, "variables": {"name": medication}}
    found = []
    with httpx.Client(timeout=120) as client:
        for _ in range(WARM_UP):  # the first request fills caches: a start-up cost, not latency
            client.post(base + "/graphql", json=body)
        for _ in range(count):
            start = time.perf_counter()
            response = client.post(base + "/graphql", json=body)
            found.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and "errors" not in response.json()
    return found


def requests_per_counted(url: str, body: dict[str, Any], count: int) -> int:
    """Sends `count` requests from 8 concurrent clients; returns `count`."""

    async def drive() -> None:
        left = count

        async def client(session: httpx.AsyncClient) -> None:
            nonlocal left
            while left > 0:
                left -= 1
                response = await session.post(url, json=body)
                assert response.status_code == 200

        async with httpx.AsyncClient(timeout=120) as session:
            await asyncio.gather(*(client(session) for _ in range(8)))

    asyncio.run(drive())
    return count


def requests_per_second(url: str, body: dict[str, Any] | None, seconds: float) -> float:
    async def drive() -> int:
        deadline = time.monotonic() + seconds
        done = 0

        async def client(session: httpx.AsyncClient) -> None:
            nonlocal done
            while time.monotonic() < deadline:
                if body is None:
                    await session.get(url)
                else:
                    await session.post(url, json=body)
                done += 1

        async with httpx.AsyncClient() as session:
            await asyncio.gather(*(client(session) for _ in range(8)))
        return done

    return asyncio.run(drive()) / seconds


def asgi_post(app: Any, body: dict[str, Any]) -> Any:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            return await client.post("/graphql", json=body)

    return asyncio.run(send()).json()


def graphql_against_sql(
    engine: Engine, query: str, medication: str, page: int | None, rounds: int
) -> tuple[float, float, int]:
    """(GraphQL ms, hand-written SQL ms, SQL statements) for `query` in this process: through
    the schema and serialised to JSON, against the same rows fetched by hand with SQLAlchemy
    Core, `page` of each list or all of them, and serialised to JSON: the floor. HTTP is left
    out of both, since it costs the same either way; the HTTP figures above include it."""
    from anyio import CapacityLimiter

    from api.context import Context, Loaders, Reader
    from api.schema import build_schema
    from api.settings import Settings
    from api.writes import Ingests
    from db import models
    from db.engine import session_factory

    # The limits the served benchmarks run under (UNLIMITED): a whole answer is refused else.
    settings = Settings(
        rate_per_minute=0,
        max_list=int(UNLIMITED["CLAIMDEX_MAX_LIST"]),
        max_cost=int(UNLIMITED["CLAIMDEX_MAX_COST"]),
    )
    schema = build_schema(settings)
    sessions = session_factory(engine)
    loop = asyncio.new_event_loop()

    def through_schema() -> str:
        read = Reader(sessions, CapacityLimiter(1))
        ingests = Ingests(database_url=str(engine.url), slots=1)
        context = Context(
            read=read,
            loaders=Loaders(read, settings.max_list),
            write_sessions=sessions,
            ingests=ingests,
        )
        result = loop.run_until_complete(
            schema.execute(query, variable_values={"name": medication}, context_value=context)
        )
        assert not result.errors, result.errors
        return json.dumps({"data": result.data})

    through_schema()
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    through_schema()
    event.remove(engine, "before_cursor_execute", record)
    graph = timed(through_schema, rounds)
    loop.close()

    def by_hand() -> str:
        with engine.connect() as connection:
            found = connection.execute(
                select(models.Medication.id, models.Medication.name).where(
                    models.Medication.name == medication
                )
            ).one()
            rows: dict[str, list[list[Any]]] = {}
            for model in (models.Mention, models.Dosage, models.Warning):
                columns: list[Any] = [model.text, models.Segment.seconds, models.Segment.text,
                                      models.Episode.title, models.Episode.url]  # fmt: skip
                if model is models.Dosage:
                    columns += [models.Dosage.value, models.Dosage.unit]
                claims = (
                    select(*columns)
                    .join(models.Segment, models.Segment.id == model.segment_id)
                    .join(models.Episode, models.Episode.id == model.episode_id)
                    .where(model.medication_id == found.id)
                    .order_by(model.segment_id, model.id)
                    .limit(page)
                )
                rows[model.__tablename__] = [list(row) for row in connection.execute(claims)]
            aliases = (
                connection.execute(
                    select(models.Alias.name).where(models.Alias.medication_id == found.id)
                )
                .scalars()
                .all()
            )
        return json.dumps({"name": found.name, "aliases": list(aliases), **rows})

    hand = timed(by_hand, rounds)
    return graph, hand, len(statements)


def timed(work: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def search_latencies(engine: Engine, rounds: int) -> list[float]:
    from db.engine import session_factory
    from db.search import search_segments

    sessions = session_factory(engine)
    for query in SEARCHES:  # as for HTTP: the first search reads the index from disk
        with sessions() as session:
            search_segments(session=session, query=query, limit=20)
    found = []
    for _ in range(rounds):
        for query in SEARCHES:
            with sessions() as session:
                start = time.perf_counter()
                search_segments(session=session, query=query, limit=20)
                found.append((time.perf_counter() - start) * 1000)
    return found


def index_latencies(engine: Engine, folder: Path, rounds: int) -> tuple[list[float], float, float]:
    """Search latencies as `search_latencies`, ranked by the top-k index that `claimdex
    search-index` would build into `folder`; with the build's seconds and the index's MB."""
    from db import search_index
    from db.engine import session_factory

    start = time.perf_counter()
    search_index.rebuild(sessions=session_factory(engine), folder=folder)
    built = time.perf_counter() - start
    size = sum(path.stat().st_size for path in folder.iterdir()) / 1e6
    os.environ[search_index.LOCATION] = str(folder)
    try:
        return search_latencies(engine, rounds), built, size
    finally:
        os.environ.pop(search_index.LOCATION)


def get_latencies(url: str, count: int) -> list[float]:
    """Milliseconds for each of `count` GETs of `url`, one after another, after a warm-up."""
    with httpx.Client(timeout=60) as client:
        for _ in range(WARM_UP):
            client.get(url).raise_for_status()
        found = []
        for _ in range(count):
            start = time.perf_counter()
            client.get(url).raise_for_status()
            found.append((time.perf_counter() - start) * 1000)
    return found


def status(met: bool) -> str:
    return "met" if met else "short"


def nothing() -> None:
    pass


def postgres_database() -> tuple[str, Callable[[], None]]:
    name = f"claimdex_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return POSTGRES.rsplit("/", 1)[0] + "/" + name, drop


def measure(
    size: int, repeats: int, serve_requests: int, scratch: Path, ratios_only: bool = False
) -> tuple[list[str], list[str]]:
    """The table rows for one corpus size, and the rows of the goals table it measures; with
    `ratios_only` the in-process GraphQL / SQL ratios alone."""
    folder = scratch / f"corpus-{size}"
    paths = corpus.write(size, folder)
    megabytes = sum(path.stat().st_size for path in paths) / 1e6
    segments = sum(path.read_text().count("\n[") for path in paths)
    rows = [f"| corpus | {size} episodes, {segments} segments, {megabytes:.1f} MB |"]
    if ratios_only:
        database_file = scratch / f"sqlite-{size}-0.db"
        for command in (["db", "upgrade"], ["ingest", str(folder)]):
            subprocess.run(
                [str(Path(sys.executable).parent / "claimdex"), *command],
                env=os.environ | {"DATABASE_URL": f"sqlite:///{database_file}"}, cwd=scratch,
                check=True, capture_output=True,
            )  # fmt: skip
        ratios, _ = ratio_rows(f"sqlite:///{database_file}", common_medication(database_file))
        return rows + ratios, []
    rounds = repeats if size <= 100 else 1  # the larger corpora take minutes a round
    if size <= 1000:  # a document's extraction does not depend on the corpus around it
        alone = [extraction_alone(paths) for _ in range(rounds)]
        rows.append(f"| extraction alone, episodes/s | {spread([size / t for t in alone])} |")
    for kind in ("sqlite", "postgresql"):
        rates: list[float] = []
        mbs: list[float] = []
        peaks: list[float] = []
        for _ in range(rounds):
            drop: Callable[[], None] = nothing
            if kind == "sqlite":
                database = f"sqlite:///{scratch / f'{kind}-{size}-{len(rates)}.db'}"
            else:
                database, drop = postgres_database()
            try:
                subprocess.run(
                    [str(Path(sys.executable).parent / "claimdex"), "db", "upgrade"],
                    env=os.environ | {"DATABASE_URL": database}, cwd=scratch, check=True,
                    capture_output=True,
                )  # fmt: skip
                seconds, peak = run_ingest(folder, database, scratch)
            finally:
                drop()
            rates.append(size / seconds)
            mbs.append(megabytes / seconds)
            peaks.append(peak)
        rows.append(f"| ingest on {kind}, episodes/s | {spread(rates)} |")
        rows.append(f"| ingest on {kind}, MB/s | {spread(mbs, 2)} |")
        rows.append(f"| ingest on {kind}, peak memory MB | {spread(peaks, 0)} |")
    database_file = scratch / f"sqlite-{size}-0.db"
    database = f"sqlite:///{database_file}"
    subprocess.run(
        [str(Path(sys.executable).parent / "claimdex"), "ingest", str(folder)],
        env=os.environ | {"DATABASE_URL": database}, cwd=scratch, check=True,
        capture_output=True,
    )  # fmt: skip
    medication = common_medication(database_file)
    whole_count = 200 if size <= 1000 else 20  # a whole answer takes seconds at 10,000
    with served(scratch, database=database, environment=UNLIMITED) as (server, base):
        paged = latencies(base, HEADLINE, medication, 200)
        graphql_floor = requests_per_second(base + "/graphql", {"query": "{ __typename }"}, 5)
        plain = requests_per_second(base + "/healthz", None, 5)
        body = {"query": HEADLINE, "variables": {"name": medication}}
        served_requests = len(paged) + WARM_UP
        while served_requests < serve_requests:
            served_requests += requests_per_counted(base + "/graphql", body, 100)
        # The memory goal is the worker's after many headline requests; a whole answer of
        # tens of thousands of claims is megabytes, and the allocator keeps its high-water
        # mark, so whole answers come after and count toward the peak alone.
        served_memory = resident_mb(server.pid)
        whole = latencies(base, WHOLE, medication, whole_count)
        served_peak = resident_mb(server.pid, "VmHWM")
        listing = get_latencies(base + "/api/v1/medications?first=1", 200)
        driven = None
        if shutil.which("wrk") is not None:
            driven = (
                wrk(base + "/graphql", body, THROUGHPUT_SECONDS, CONNECTIONS, scratch),
                wrk(base + "/healthz", None, THROUGHPUT_SECONDS, CONNECTIONS, scratch),
            )
    engine = create_engine(database)
    searches = search_latencies(engine, 5)
    indexed, built, index_mb = index_latencies(engine, scratch / f"index-{size}", 5)
    engine.dispose()
    ratios, ratio = ratio_rows(database, medication)
    rows += [
        f"| DosingAdvice for {medication!r}, first page of {PAGE} per list, over HTTP, "
        f"p50 / p99 ms | {percentile(paged, 0.5):.1f} / {percentile(paged, 0.99):.1f} |",
        f"| DosingAdvice for {medication!r}, whole answer (every claim), over HTTP, "
        f"p50 / p99 ms | {percentile(whole, 0.5):.1f} / {percentile(whole, 0.99):.1f} |",
        *ratios,
    ]
    search = (percentile(searches, 0.5), percentile(searches, 0.99))
    by_index = (percentile(indexed, 0.5), percentile(indexed, 0.99))
    rest = (percentile(listing, 0.5), percentile(listing, 0.99))
    rows += [
        f"| `{{ __typename }}` / plain Starlette JSON, requests/s | "
        f"{graphql_floor:.0f} / {plain:.0f} = {100 * graphql_floor / plain:.0f}% |",
        f"| full-text search ranked by FTS5, p50 / p99 ms ({segments} segments) | "
        f"{search[0]:.1f} / {search[1]:.1f} |",
        f"| full-text search ranked by the top-k index, p50 / p99 ms (built in {built:.1f} s, "
        f"{index_mb:.0f} MB) | {by_index[0]:.1f} / {by_index[1]:.1f} |",
        f"| `GET /api/v1/medications?first=1`, over HTTP, p50 / p99 ms | "
        f"{rest[0]:.1f} / {rest[1]:.1f} |",
        f"| serving worker resident memory after {served_requests} headline requests, MB | "
        f"{served_memory:.0f} |",
        f"| serving worker peak resident memory, {whole_count} whole answers included, MB | "
        f"{served_peak:.0f} |",
    ]
    at = f"{size} episodes"
    goals = [
        f"| headline query, GraphQL / hand-written SQL <= 1.5x, {at} | {ratio:.1f}x | "
        f"{status(ratio <= 1.5)} |",
        f"| search p50 <= 10 ms, p99 <= 40 ms, {segments} segments | top-k index "
        f"{by_index[0]:.1f} / {by_index[1]:.1f} ms; FTS5 {search[0]:.1f} / {search[1]:.1f} ms | "
        f"{status(by_index[0] <= 10 and by_index[1] <= 40)} |",
        f"| `/api/v1/medications?first=1` <= 5 ms, {at} | p50 {rest[0]:.1f} ms | "
        f"{status(rest[0] <= 5)} |",
    ]
    if driven is None:
        rows.append("| headline requests/s, one worker, wrk | not measured: wrk is not installed |")
    else:
        graph, floor = driven
        rows += [
            f"| headline query, one worker, {CONNECTIONS} connections (wrk), requests/s, "
            f"p50 / p99 ms | {graph.rate:.0f}, {graph.p50:.1f} / {graph.p99:.1f} |",
            f"| plain Starlette JSON (`/healthz`), the same way, requests/s, p50 / p99 ms | "
            f"{floor.rate:.0f}, {floor.p50:.1f} / {floor.p99:.1f} |",
        ]
        goals.append(
            f"| headline >= 400 requests/s, p99 <= 60 ms, one worker, {at} | {graph.rate:.0f} "
            f"requests/s, p99 {graph.p99:.1f} ms (plain Starlette {floor.rate:.0f}) | "
            f"{status(graph.rate >= 400 and graph.p99 <= 60)} |"
        )
    return rows, goals


def ratio_rows(database: str, medication: str) -> tuple[list[str], float]:
    """The in-process GraphQL / hand-written SQL rows, the first page and the whole answer,
    and the first page's ratio."""
    engine = create_engine(database)
    rows = []
    first_page = 0.0
    for name, query, page in (("first page", HEADLINE, PAGE), ("whole answer", WHOLE, None)):
        graph, hand, statements = graphql_against_sql(engine, query, medication, page, rounds=20)
        first_page = first_page or graph / hand
        rows += [
            f"| {name}, in process: GraphQL / hand-written SQL, both to JSON, ms | "
            f"{graph:.1f} / {hand:.1f} = {graph / hand:.1f}x |",
            f"| {name}: SQL statements for the request | {statements} |",
        ]
    engine.dispose()
    return rows, first_page


def seed_copies(count: int) -> Iterator[str]:
    """The seed, `count` times, each under its own video URL and so its own episode."""
    from ingest.parse import parse_document

    seed = SEED.read_text(encoding="utf-8")
    url = parse_document(seed, source=str(SEED)).meta.url
    assert url, "the seed names its video"
    for number in range(count):
        yield seed.replace(url, f"https://www.youtube.com/watch?v=seed{number:07d}")


def seed_ingest(
    copies: int, repeats: int, scratch: Path, workers: list[int], goals: list[str]
) -> list[str]:
    """Ingest of seed-sized episodes, the unit of the ingest goal, into a fresh SQLite file,
    with each number of extraction workers: the rate with start-up (loading the vocabulary)
    and, from a one-file run subtracted, the rate once started. Adds its goal rows to
    `goals`."""
    folder, single = scratch / "seed-copies", scratch / "seed-copy"
    folder.mkdir()
    single.mkdir()
    for number, copy in enumerate(seed_copies(copies)):
        (folder / f"{number:06d}.md").write_text(copy, encoding="utf-8")
    (single / "000000.md").write_text(next(seed_copies(1)), encoding="utf-8")
    lines = []
    for count in workers:
        rates, steady, starts, peaks = [], [], [], []
        for round_ in range(repeats):
            named = f"{count}-{round_}"
            started, _ = run_ingest(
                single, f"sqlite:///{scratch / f'seed-one-{named}.db'}", scratch, count
            )
            seconds, peak = run_ingest(
                folder, f"sqlite:///{scratch / f'seed-{named}.db'}", scratch, count
            )
            rates.append(copies / seconds)
            # A handful of copies ingest within the noise of start-up: no rate to report then.
            steady.append((copies - 1) / (seconds - started) if seconds > started else float("nan"))
            starts.append(started)
            peaks.append(peak)
        each = f"{count} worker{'s' if count > 1 else ''}"
        lines += [
            f"| ingest on sqlite, seed-sized episodes/s, {each}, start-up included "
            f"| {spread(rates)} |",
            f"| ingest on sqlite, seed-sized episodes/s, {each}, once started | {spread(steady)} |",
            f"| start-up and the first episode, {each}, s | {spread(starts)} |",
            f"| ingest on sqlite, {each}, peak memory of the largest process, MB "
            f"| {spread(peaks, 0)} |",
        ]
        best, peak = statistics.median(steady), statistics.median(peaks)
        goals.append(
            f"| ingest >= 100 seed-sized episodes/s, peak <= 200 MB a process, {each} | "
            f"{best:.1f}/s once started, {statistics.median(rates):.1f}/s with start-up, "
            f"{peak:.0f} MB | {status(best >= 100 and peak <= 200)} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--serve-requests", type=int, default=2000)
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--title", default="Quick benchmarks")
    parser.add_argument(
        "--seed-copies", type=int, default=500, help="seed-sized episodes to ingest; 0: none"
    )
    parser.add_argument(
        "--ingest-workers",
        type=int,
        nargs="+",
        default=sorted({1, os.cpu_count() or 1}),
        help="extraction workers to ingest the seed copies with, each in turn",
    )
    parser.add_argument(
        "--ratios-only",
        action="store_true",
        help="only the in-process GraphQL / hand-written SQL ratios (ingest to SQLite, no server)",
    )
    options = parser.parse_args()
    command = "python -m bench.run " + " ".join(sys.argv[1:])
    lines = [f"## {options.title}", "", f"Command: `{command.strip()}`", "", *machine(), ""]
    goals: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        for size in options.sizes:
            lines += [f"### {size} episodes", "", "| figure | value |", "|---|---|"]
            rows, reached = measure(
                size, options.repeats, options.serve_requests, Path(scratch), options.ratios_only
            )
            lines += [*rows, ""]
            goals += reached
        if options.seed_copies:
            lines += [f"### {options.seed_copies} copies of the seed", "", "| figure | value |",
                      "|---|---|", *seed_ingest(options.seed_copies, options.repeats,
                                                Path(scratch), options.ingest_workers, goals),
                      ""]  # fmt: skip
    if goals:
        lines += ["### Goals in this run", "", "| goal | measured | status |", "|---|---|---|",
                  *goals, "", f"- load average over the last minute at the end: "
                  f"{os.getloadavg()[0]:.1f}", ""]  # fmt: skip
    section = "\n".join(lines)
    sys.stdout.write(section + "\n")
    write_section(options.output, options.title, section)


def write_section(path: Path, title: str, section: str) -> None:
    """Replaces the section headed `## title` in `path`, keeping the rest of the file."""
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    head, marker, rest = existing.partition(f"## {title}")
    tail = rest[rest.find("\n## ") :] if marker and "\n## " in rest else ""
    path.write_text(head.rstrip() + "\n\n" + section + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
