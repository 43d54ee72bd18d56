"""Full-text search latency on a SQLite database, ranked in the database and by the top-k index.

Usage: python -m bench.search DATABASE_FILE [--copies N] [--rounds 5] [--keep FOLDER] [--split]

Times `search_segments` for bench.run's queries, first page of 20, each way: the database
ranking (FTS5), then the tantivy index (built into a scratch folder by the same code as
`claimdex search-index`, its build time and size reported). With --copies N the database's
episodes, segments and search entries are first copied N times into a scratch file (each
copy under its own keys and ids), a corpus N times the size in minutes rather than the hours
ingest takes; its words are the same, so each word's share of entries is too. Prints a
markdown table; reads the database, never writes it. --keep FOLDER keeps the copies
(copies.db) and the index (index/) there, for `python -m bench.profile` to look into.
--split adds where a search ranked by the index spends its time, timed by the clock around
each part (a profiler's sampling inflates the parts that run Python).
"""

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from bench.run import SEARCHES, index_latencies, machine, percentile, search_latencies

TABLES = ("episodes", "segments", "search_entries")


def multiplied(source: Path, target: Path, copies: int) -> None:
    """`source`'s episodes, segments and search entries `copies` times over, in `target`."""
    from db import migrate

    engine = create_engine(f"sqlite:///{target}")
    migrate.upgrade(engine)
    engine.dispose()
    connection = sqlite3.connect(target)
    connection.execute("ATTACH DATABASE ? AS source", (f"file:{source}?mode=ro",))
    step = {
        table: connection.execute(f"SELECT MAX(id) FROM source.{table}").fetchone()[0] or 0
        for table in TABLES
    }
    shifts = {"id": "{table}", "episode_id": "episodes", "segment_id": "segments"}
    for copy in range(copies):
        for table in TABLES:
            columns = [row[1] for row in connection.execute(f"PRAGMA source.table_info({table})")]
            chosen = []
            for column in columns:
                if column in shifts:
                    shifted = shifts[column].format(table=table)
                    chosen.append(f"{column} + {copy * step[shifted]}")
                elif table == "episodes" and column == "key":
                    chosen.append(f"key || '#{copy}'")
                else:
                    chosen.append(column)
            connection.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(chosen)} FROM source.{table}"
            )
    for table in ("search_terms", "term_spellings"):
        connection.execute(f"INSERT INTO {table} SELECT * FROM source.{table}")
    connection.commit()
    connection.execute("DETACH DATABASE source")
    connection.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    connection.execute("ANALYZE")
    connection.commit()
    connection.close()


NEAR_SPELLINGS = "looking up near spellings"
# The parts of search_segments timed by --split: (module, function, what it does).
PARTS = [
    ("db.search_index", "state", "reading the index's state row (the read's first statement)"),
    ("db.spellings", "near_terms", NEAR_SPELLINGS),
    ("db.search_index", "best", "ranking in tantivy"),
    ("db.search", "_snippets_sqlite", "writing the page's snippets with FTS5"),
]


def split(engine: Engine, folder: Path, rounds: int) -> list[tuple[str, float, float]]:
    """(part, mean ms a search, share of the whole) for bench.run's queries ranked by the
    index in `folder`, each part timed by wrapping its function; "the rest" last. The first
    round warms up and is not counted, but for what looking up the near spellings costs
    before they are remembered (db/search.py, NEAR), given as a last row of its own."""
    import importlib

    from db import search, search_index
    from db.engine import session_factory
    from db.search import search_segments

    spent = dict.fromkeys([name for *_, name in PARTS], 0.0)
    originals = []
    for module_name, function, name in PARTS:
        module = importlib.import_module(module_name)
        original = getattr(module, function)
        originals.append((module, function, original))

        def timed(*args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] += time.perf_counter() - start

        setattr(module, function, timed)
    os.environ[search_index.LOCATION] = str(folder)
    sessions = session_factory(engine)
    search.NEAR.clear()
    total, count, first = 0.0, 0, 0.0
    try:
        for round_ in range(rounds + 1):
            for query in SEARCHES:
                with sessions() as session:
                    start = time.perf_counter()
                    search_segments(session=session, query=query, limit=20)
                    if round_:
                        total += time.perf_counter() - start
                        count += 1
            if not round_:
                first = spent[NEAR_SPELLINGS] / len(SEARCHES)
                for name in spent:
                    spent[name] = 0.0
    finally:
        os.environ.pop(search_index.LOCATION)
        for module, function, original in originals:
            setattr(module, function, original)
    found = [(name, 1000 * seconds / count, seconds / total) for name, seconds in spent.items()]
    rest = total - sum(spent.values())
    unremembered = f"{NEAR_SPELLINGS}, before they are remembered (share of a counted search)"
    return [
        *found,
        ("the rest", 1000 * rest / count, rest / total),
        (unremembered, 1000 * first, first / (total / count)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database", type=Path)
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="a new folder for the copies and the index")
    parser.add_argument("--split", action="store_true", help="time each part of a search")
    arguments = parser.parse_args()

    from db import search_index
    from db.engine import make_engine

    with tempfile.TemporaryDirectory() as temporary:
        scratch = temporary
        if arguments.keep is not None:
            arguments.keep.mkdir(parents=True)
            scratch = str(arguments.keep)
        database = arguments.database.resolve()
        if arguments.copies > 1:
            database = Path(scratch) / "copies.db"
            multiplied(arguments.database.resolve(), database, arguments.copies)
        engine = make_engine(f"sqlite:///{database}")
        os.environ.pop(search_index.LOCATION, None)
        in_database = search_latencies(engine, arguments.rounds)
        by_index, built, size = index_latencies(engine, Path(scratch) / "index", arguments.rounds)
        parts = split(engine, Path(scratch) / "index", arguments.rounds) if arguments.split else []
        with engine.connect() as connection:
            segments = connection.execute(text("SELECT COUNT(*) FROM segments")).scalar_one()
        engine.dispose()
    copies = f"{arguments.copies} cop{'y' if arguments.copies == 1 else 'ies'}"
    lines = [
        *machine(),
        f"- load average over the last minute at the end: {os.getloadavg()[0]:.1f}",
        "",
        f"{segments} segments ({copies})",
        "",
        "| ranked by | p50 ms | p99 ms |",
        "|---|---|---|",
    ]
    for name, found in (("the database (FTS5)", in_database), ("the top-k index", by_index)):
        lines.append(f"| {name} | {percentile(found, 0.5):.1f} | {percentile(found, 0.99):.1f} |")
    lines += ["", f"index built in {built:.1f} s, {size:.1f} MB"]
    if parts:
        lines += ["", "| part of a search ranked by the index | mean ms | share |", "|---|---|---|"]
        lines += [f"| {name} | {ms:.2f} | {share:.0%} |" for name, ms, share in parts]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
