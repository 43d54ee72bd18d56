"""The `claimdex feed` commands: remember podcast feeds and ingest the transcripts they link."""

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

feed_app = typer.Typer(
    help="Podcast feeds: remember them, and ingest the transcripts their items link.",
    no_args_is_help=True,
)


@feed_app.command("add")
def add(
    location: Annotated[str, typer.Argument(help="The feed's http(s) URL, or an RSS file.")],
) -> None:
    """Remember a feed; `claimdex feed sync` then ingests its transcripts."""
    from api.cli import _prepared, console, errors
    from api.feed_sync import is_url
    from db.engine import make_engine, session_factory, transaction
    from db.feeds import add_feed

    if not is_url(location):
        path = Path(location)
        if not path.is_file():
            errors.print(f"{location}: no such file; expected an http(s) URL or an RSS file")
            raise typer.Exit(1)
        location = str(path.resolve())
    engine = _prepared(make_engine())
    with transaction(session_factory(engine)) as session:
        added = add_feed(session=session, location=location)
    engine.dispose()
    said = "added" if added else "already remembered"
    console.print(f"{said} {escape(location)}")


@feed_app.command("list")
def list_feeds() -> None:
    """The remembered feeds: location, title, items stored and when each was last synced."""
    from api.cli import _count, _prepared, console
    from db.engine import make_engine, session_factory
    from db.feeds import listed_feeds

    engine = _prepared(make_engine())
    with session_factory(engine)() as session:
        found = listed_feeds(session=session)
    engine.dispose()
    if not found:
        console.print("no feeds; add one with `claimdex feed add URL`")
    for feed in found:
        synced = f"synced {feed.synced_at:%Y-%m-%d %H:%M}" if feed.synced_at else "never synced"
        console.print(
            f"{escape(feed.location)}  {escape(feed.title or '(untitled)')}, "
            f"{_count(feed.items, 'item')} stored, {synced}"
        )


@feed_app.command("sync")
def sync(
    every: Annotated[
        int | None,
        typer.Option(min=1, help="Sync again every SECONDS until interrupted.", metavar="SECONDS"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per feed or item instead of a line.")
    ] = False,
) -> None:
    """Ingest the new and changed transcripts of every remembered feed; one line per item.

    A feed not modified since the last sync is not read again, nor is a transcript already
    stored. Exits 1 when a feed or an item failed; re-running is always safe.
    """
    from api import feed_sync, metrics
    from api.cli import _announcer, _prepared, console
    from db.engine import make_engine, session_factory

    engine = _prepared(make_engine())
    sessions = session_factory(engine)
    announcer = _announcer(engine)
    failed = False
    try:
        with feed_sync.client() as client:
            while True:
                failed = False
                for synced in feed_sync.sync(sessions=sessions, client=client):
                    failed = failed or synced.outcome == feed_sync.FAILED
                    metrics.FEED_RESULTS.labels(synced.outcome).inc()
                    if synced.stored is not None:
                        announcer.announce(synced.stored)
                    if as_json:
                        sys.stdout.write(json.dumps(dataclasses.asdict(synced)) + "\n")
                        sys.stdout.flush()
                        continue
                    colour = "red" if synced.outcome == feed_sync.FAILED else "default"
                    console.print(
                        f"[{colour}]{synced.outcome:<10}[/{colour}]  {escape(str(synced))}"
                    )
                if every is None:
                    break
                time.sleep(every)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
    if failed:
        raise typer.Exit(1)
