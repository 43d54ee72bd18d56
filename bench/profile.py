"""Where the time goes: pyinstrument's profile of the DosingAdvice query served in process,
of full-text search, or of ingesting copies of the seed, against a database.

Usage: python -m bench.profile DATABASE_URL [--rounds 20] [--whole] [--http]
[--search "side effects" | --ingest 300]
Prints the call tree; BENCHMARKS.md quotes its shares.
"""

import argparse
import sys
from collections.abc import Callable

from pyinstrument import Profiler
from sqlalchemy import Engine, create_engine, func, select

from bench.run import HEADLINE, WHOLE, asgi_post, seed_copies
from db import models
from db.engine import session_factory
from db.search import search_segments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("database")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--whole", action="store_true", help="the whole answer, not a page")
    parser.add_argument("--search", help="profile this search instead")
    parser.add_argument("--ingest", type=int, help="profile ingesting this many seed copies")
    parser.add_argument(
        "--http",
        action="store_true",
        help="the query sent over in-process HTTP, whose operation then runs on a worker "
        "thread that the profile does not see; without it, the operation alone on this thread",
    )
    options = parser.parse_args()
    engine = create_engine(options.database)
    profiler = Profiler(interval=0.0005)
    if options.ingest:
        from db.engine import create_schema
        from db.ingestion import ingest_text
        from ingest import lexicon

        create_schema(engine)
        sessions = session_factory(engine)
        names = lexicon.load()
        first, *rest = seed_copies(options.ingest + 1)
        ingest_text(sessions=sessions, text=first, source="seed.md", names=names)
        with profiler:
            for copy in rest:
                ingest_text(sessions=sessions, text=copy, source="seed.md", names=names)
    elif options.search:
        sessions = session_factory(engine)
        with profiler:
            for _ in range(options.rounds):
                with sessions() as session:
                    search_segments(session=session, query=options.search, limit=20)
    else:
        from api.app import create_app
        from api.settings import Settings

        with session_factory(engine)() as session:
            medication = session.scalar(
                select(models.Medication.name)
                .join(models.Mention, models.Mention.medication_id == models.Medication.id)
                .group_by(models.Medication.name)
                .order_by(func.count().desc())
                .limit(1)
            )
        if medication is None:
            sys.exit(f"{options.database} holds no mentions to ask about")
        query = WHOLE if options.whole else HEADLINE
        if options.http:
            app = create_app(engine, settings=Settings(rate_per_minute=0))
            body = {"query": query, "variables": {"name": medication}}
            asgi_post(app, body)
            with profiler:
                for _ in range(options.rounds):
                    asgi_post(app, body)
        else:
            execute = executor(engine, query, medication)
            execute()
            with profiler:
                for _ in range(options.rounds):
                    execute()
    engine.dispose()
    sys.stdout.write(profiler.output_text(unicode=True, color=False, show_all=False))


def executor(engine: Engine, query: str, medication: str) -> Callable[[], None]:
    """One execution of `query` for `medication` through the schema, on this thread, as a
    server's worker thread runs it (api/context.py), with a request's context of its own."""
    from anyio import CapacityLimiter

    from api.context import Context, Loaders, Reader, run_here
    from api.schema import build_schema
    from api.settings import Settings
    from api.writes import Ingests

    settings = Settings(rate_per_minute=0)
    schema = build_schema(settings)
    sessions = session_factory(engine)
    read = Reader(sessions, CapacityLimiter(1), settings.statement_timeout_ms)
    ingests = Ingests(database_url=str(engine.url), slots=1)

    def execute() -> None:
        context = Context(
            read=read,
            loaders=Loaders(read, settings.max_list),
            write_sessions=sessions,
            ingests=ingests,
        )
        operation = schema.execute(
            query, variable_values={"name": medication}, context_value=context
        )
        result = run_here(operation)
        if result.errors:
            raise RuntimeError(result.errors)

    return execute


if __name__ == "__main__":
    main()
