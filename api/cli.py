"""The `claimdex` command: ingest documents and serve the API."""

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(help="Index clinical claims from health-podcast episodes.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

DOCUMENT_SUFFIXES = {".md", ".markdown"}
ADE_FLOOR = 0.85


def _documents(paths: list[Path]) -> list[Path]:
    """Files as given, and the episode documents inside folders (READMEs aside), in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix in DOCUMENT_SUFFIXES
                    and not p.name.upper().startswith("README")
                )
            )
        else:
            found.append(path)
    return found


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Episode documents, or folders of them; - reads stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per file instead of a sentence.")
    ] = False,
    name: Annotated[str, typer.Option(help="The document's name when read from stdin.")] = "stdin",
) -> None:
    """Parse, extract and store episode documents; one line per file.

    Re-ingesting an unchanged file changes nothing; a changed file replaces its episode.
    Exits with status 1 when any file failed; a failed file leaves nothing behind.
    """
    from db.engine import make_engine, session_factory
    from db.ingestion import ingest_file, ingest_text
    from ingest import lexicon
    from ingest.parse import ParseError

    engine = _prepared(make_engine())
    sessions = session_factory(engine)
    files = [path for path in _documents(paths) if str(path) != "-"]
    from_stdin = any(str(path) == "-" for path in paths)
    if not files and not from_stdin:
        errors.print("no episode documents found in " + ", ".join(map(str, paths)))
        raise typer.Exit(1)
    names = lexicon.load()
    failed = 0
    jobs: list[tuple[str, Path | None]] = [(name, None)] if from_stdin else []
    jobs += [(str(path), path) for path in files]
    for source, path in jobs:
        try:
            if path is None:
                text = sys.stdin.buffer.read().decode("utf-8")
                result = ingest_text(sessions=sessions, text=text, source=source, names=names)
            else:
                result = ingest_file(sessions=sessions, path=path, names=names)
        except (ParseError, OSError, UnicodeDecodeError) as error:
            failed += 1
            message = _failure(source, error)
            if as_json:
                sys.stdout.write(json.dumps({"source": source, "error": message}) + "\n")
            else:
                errors.print(f"[red]failed[/red]    {message}")
            continue
        if as_json:
            row = dataclasses.asdict(result) | {"outcome": result.outcome.value}
            sys.stdout.write(json.dumps(row) + "\n")
        else:
            console.print(
                f"{result.outcome.value:<10}  {source}: {result.title!r}, {result.segments} "
                f"segments, {result.medications} medications, {result.dosages} dosages"
            )
    engine.dispose()
    if failed:
        raise typer.Exit(1)


def _failure(source: str, error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{source}: {error.strerror or error}"
    if isinstance(error, UnicodeDecodeError):
        return f"{source}: not UTF-8 text; save it as UTF-8"
    return str(error)


@app.command("eval")
def evaluate(
    gold: Annotated[
        Path, typer.Option(help="Folder of NAME.md documents with NAME.gold.json labels.")
    ] = Path("tests/gold"),
    seeds: Annotated[
        Path, typer.Option(help="Where documents not beside their labels live.")
    ] = Path("seeds"),
    ade: Annotated[
        Path | None, typer.Option(help="ADE corpus DRUG-DOSE.rel file to score as well.")
    ] = None,
) -> None:
    """Score extraction against the gold documents (and the ADE corpus); exit 1 under a floor."""

    from rich.table import Table

    from ingest import lexicon
    from ingest.evaluation import CLAIM_TYPES, evaluate_gold, score_ade, shortfalls, totals

    labels = []
    for path in sorted(gold.glob("*.gold.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        source = path.with_name(label["document"])
        if not source.exists():
            source = seeds / label["document"]
        labels.append((source.name, source.read_text(encoding="utf-8"), label))
    if not labels:
        errors.print(f"no gold labels (*.gold.json) in {gold}")
        raise typer.Exit(1)
    names = lexicon.load()
    results = evaluate_gold(labels, names)
    table = Table(title="Extraction against the gold documents")
    for column in ("document", "claims", "precision", "recall", "F1", "right/found/gold"):
        table.add_column(column, justify="left" if column in ("document", "claims") else "right")
    summed = totals(results)
    for document, scores in [(r.document.removesuffix(".md"), r.scores) for r in results] + [
        ("all", summed)
    ]:
        for kind in CLAIM_TYPES:
            score = scores[kind]
            table.add_row(
                document if kind == CLAIM_TYPES[0] else "",
                kind,
                f"{score.precision:.3f}",
                f"{score.recall:.3f}",
                f"{score.f1:.3f}",
                f"{score.true_positives}/{score.predicted}/{score.expected}",
                end_section=kind == CLAIM_TYPES[-1],
            )
    console.print(table)
    if ade is not None:
        if not ade.exists():
            console.print(f"ADE corpus: {ade} is absent; skipping the ADE evaluation")
        else:
            with ade.open(encoding="utf-8") as lines:
                found = score_ade(lines, names)
            console.print(
                "ADE corpus (Gurulingappa et al., J Biomed Inform 2012): "
                f"drug recall {found.drugs.recall:.3f} ({found.drugs.true_positives}/"
                f"{found.drugs.expected}); numeric drug-dose pair recall "
                f"{found.numeric_pairs.recall:.3f} ({found.numeric_pairs.true_positives}/"
                f"{found.numeric_pairs.expected}); attributed to the very drug "
                f"{found.attributed_pairs.recall:.3f}; drug and dose both found "
                f"{found.found_pairs.recall:.3f}"
            )
            if found.numeric_pairs.recall < ADE_FLOOR:
                errors.print(f"ADE numeric pair recall below {ADE_FLOOR}")
                raise typer.Exit(1)
    missed = shortfalls(summed)
    if missed:
        errors.print("below the floors: " + "; ".join(missed))
        raise typer.Exit(1)
    console.print("all floors hold")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each with its own pool).")] = 1,
) -> None:
    """Serve GraphQL (and GraphiQL in a browser) at http://HOST:PORT/graphql, REST at /api/v1."""
    import uvicorn

    from db.engine import make_engine

    _prepared(make_engine()).dispose()
    console.print(f"claimdex serving GraphQL at http://{host}:{port}/graphql")
    uvicorn.run("api.app:app", host=host, port=port, workers=workers, log_level="info")


db_app = typer.Typer(help="The database schema: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations to DATABASE_URL up to REVISION (default: the newest)."""
    from db import migrate
    from db.engine import make_engine

    engine = make_engine()
    before = migrate.current(engine)
    migrate.upgrade(engine, revision)
    console.print(f"database upgraded from {before or 'empty'} to {migrate.current(engine)}")
    engine.dispose()


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of DATABASE_URL and whether it is the newest."""
    from db import migrate
    from db.engine import make_engine

    engine = make_engine()
    found, newest = migrate.current(engine), migrate.head()
    state = "up to date" if found == newest else f"out of date; the newest is {newest}"
    console.print(f"{found or 'empty'} ({state})")
    engine.dispose()


def _prepared(engine: "Engine") -> "Engine":
    """The engine, its schema made current if it is SQLite; exit 1 naming the command to run
    when a database server's schema is out of date."""
    from db.migrate import SchemaOutOfDate, prepare

    try:
        prepare(engine)
    except SchemaOutOfDate as error:
        errors.print(f"claimdex: {error}")
        raise typer.Exit(1) from None
    return engine


if __name__ == "__main__":
    app()
