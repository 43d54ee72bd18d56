"""The `claimdex` command: ingest documents and serve the API."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="Index clinical claims from health-podcast episodes.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

DOCUMENT_SUFFIXES = {".md", ".markdown"}


def _documents(paths: list[Path]) -> list[Path]:
    """Files as given, and the episode documents inside folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in DOCUMENT_SUFFIXES)
            )
        else:
            found.append(path)
    return found


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Episode documents, or folders of them.")],
) -> None:
    """Parse, extract and store episode documents; one line per file.

    Re-ingesting an unchanged file changes nothing; a changed file replaces its episode.
    Exits with status 1 when any file failed; a failed file leaves nothing behind.
    """
    from db.engine import create_schema, make_engine, session_factory
    from db.ingestion import ingest_file
    from ingest import lexicon
    from ingest.parse import ParseError

    engine = make_engine()
    create_schema(engine)
    sessions = session_factory(engine)
    files = _documents(paths)
    if not files:
        errors.print("no episode documents found in " + ", ".join(map(str, paths)))
        raise typer.Exit(1)
    names = lexicon.load()
    failed = 0
    for path in files:
        try:
            result = ingest_file(sessions=sessions, path=path, names=names)
        except (ParseError, OSError) as error:
            failed += 1
            message = str(error) if isinstance(error, ParseError) else f"{path}: {error.strerror}"
            errors.print(f"[red]failed[/red]    {message}")
            continue
        console.print(
            f"{result.outcome.value:<10}  {path}: {result.title!r}, {result.segments} segments, "
            f"{result.medications} medications, {result.dosages} dosages"
        )
    engine.dispose()
    if failed:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve GraphQL (and GraphiQL in a browser) at http://HOST:PORT/graphql."""
    import uvicorn

    console.print(f"claimdex serving GraphQL at http://{host}:{port}/graphql")
    uvicorn.run("api.app:app", host=host, port=port, log_level="info")


if __name__ == "__main__":
    app()
