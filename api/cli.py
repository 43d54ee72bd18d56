"""The `claimdex` command: ingest documents and serve the API."""

import dataclasses
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import ProgressColumn, Task
from rich.text import Text

from api.feeds import feed_app
from ingest.parse import ParseError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from api.announcements import Announcer
    from ingest.evaluation import StanceResult
    from ingest.lexicon import Lexicon
    from ingest.records import EpisodeMeta

app = typer.Typer(help="Index clinical claims from health-podcast episodes.", no_args_is_help=True)
console = Console(highlight=False, soft_wrap=True)
# Evaluation tables are read in logs and CI output too: wide enough there for every column.
report = console if console.is_terminal else Console(highlight=False, width=140)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

DOCUMENT_SUFFIXES = {".md", ".markdown"}
# Table names whose singular is not the name less its "s".
SINGULAR = {"aliases": "alias", "summary_points": "summary point"}


def _documents(paths: list[Path]) -> list[Path]:
    """Files as given, and the episode documents inside folders, in a stable order."""
    from ingest.documents import is_document

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_document(p)))
        else:
            found.append(path)
    return found


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Documents (.md, .vtt, .srt, YouTube .json) or folders; - is stdin."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per file instead of a sentence.")
    ] = False,
    name: Annotated[str, typer.Option(help="The document's name when read from stdin.")] = "stdin",
    title: Annotated[str | None, typer.Option(help="Captions: the episode's title.")] = None,
    url: Annotated[str | None, typer.Option(help="Captions: the episode's video URL.")] = None,
    channel: Annotated[str | None, typer.Option(help="Captions: the channel.")] = None,
    date: Annotated[str | None, typer.Option(help="Captions: the upload date, YYYY-MM-DD.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes extracting files at once; 1 extracts in this one. "
            "Default: CLAIMDEX_INGEST_WORKERS, else one per core.",
        ),
    ] = None,
) -> None:
    """Parse, extract and store episode documents; one line per file.

    Caption files take their title, channel, date and URL from a NAME.meta.json beside them,
    or from the options. Re-ingesting an unchanged file changes nothing; a changed file
    replaces its episode. Exits 1 when any file failed; a failed file leaves nothing behind.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from api import metrics
    from db.engine import make_engine, session_factory
    from db.ingestion import Ingested, ingest_files, ingest_text
    from db.store import Outcome

    meta = _meta(title, url, channel, date)
    count = workers or _ingest_workers()
    engine = _prepared(make_engine())
    sessions = session_factory(engine)
    announcer = _announcer(engine)
    files = [path for path in _documents(paths) if str(path) != "-"]
    from_stdin = any(str(path) == "-" for path in paths)
    if not files and not from_stdin:
        errors.print("no episode documents found in " + ", ".join(map(str, paths)))
        raise typer.Exit(1)
    # The lexicon (a fraction of a second from its cache, about 3 s to build) is loaded by the
    # first file that needs extracting: a re-run over files already stored never loads it.
    failed = 0
    # A bar with files/s and time left, on a terminal only: logs and pipes get the lines.
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        FilesPerSecond(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=as_json or len(files) + from_stdin < 2 or not errors.is_terminal,
    )

    def reported(source: str, result: "Ingested | Exception", seconds: float) -> None:
        nonlocal failed
        metrics.count_ingest(
            "failed" if isinstance(result, Exception) else result.outcome.value, seconds
        )
        if isinstance(result, Exception):
            failed += 1
            message = _failure(source, result)
            if as_json:
                sys.stdout.write(json.dumps({"source": source, "error": message}) + "\n")
            else:
                progress.console.print(f"[red]failed[/red]    {escape(message)}")
            progress.advance(task)
            return
        if result.outcome != Outcome.UNCHANGED:
            announcer.announce(result.episode_id)
        if as_json:
            row = dataclasses.asdict(result) | {"outcome": result.outcome.value}
            sys.stdout.write(json.dumps(row) + "\n")
        else:
            said = f"{source}: {result.title!r}"
            console.print(
                f"{result.outcome.value:<10}  {escape(said)}, "
                f"{_count(result.segments, 'segment')}, "
                f"{_count(result.medications, 'medication')}, "
                f"{_count(result.dosages, 'dosage')}"
            )
        progress.advance(task)

    # The extraction workers start before the progress bar's thread does.
    results = ingest_files(sessions=sessions, paths=files, workers=count, meta=meta)
    with progress:
        task = progress.add_task("ingesting", total=len(files) + from_stdin)
        started = time.perf_counter()
        if from_stdin:
            stored: Ingested | Exception
            try:
                text = sys.stdin.buffer.read().decode("utf-8")
                stored = ingest_text(sessions=sessions, text=text, source=name, meta=meta)
            except Exception as error:  # noqa: BLE001 - one file's failure never stops the rest
                stored = error
            reported(name, stored, time.perf_counter() - started)
            started = time.perf_counter()
        # In parallel, a file's time is how long the writer waited for it and stored it.
        for path, result in results:
            reported(str(path), result, time.perf_counter() - started)
            started = time.perf_counter()
    engine.dispose()
    if failed:
        raise typer.Exit(1)


def _ingest_workers() -> int:
    """CLAIMDEX_INGEST_WORKERS, else one per core."""
    from api.settings import Settings

    try:
        configured = Settings.from_env().ingest_workers
    except ValueError as error:
        errors.print(str(error))
        raise typer.Exit(2) from None
    return configured if configured > 0 else os.cpu_count() or 1


class FilesPerSecond(ProgressColumn):
    """The ingest rate, in files a second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} files/s" if speed else "- files/s")


def _meta(
    title: str | None, url: str | None, channel: str | None, date: str | None
) -> "EpisodeMeta | None":
    """Episode metadata for captions from the command line; None when none was given."""
    from datetime import date as Date

    from ingest.records import EpisodeMeta

    if not any((title, url, channel, date)):
        return None
    try:
        upload = Date.fromisoformat(date) if date else None
    except ValueError:
        errors.print(f"--date: {date!r} is not a date such as 2025-04-25")
        raise typer.Exit(2) from None
    return EpisodeMeta(
        title=title or "Untitled episode",
        channel=channel,
        upload_date=upload,
        url=url,
        duration_seconds=None,
    )


def _failure(source: str, error: Exception) -> str:
    if isinstance(error, OSError):
        return f"{source}: {error.strerror or error}"
    if isinstance(error, UnicodeDecodeError):
        return f"{source}: not UTF-8 text; save it as UTF-8"
    if isinstance(error, ParseError):
        return str(error)
    # Not the document's fault: say what broke, and that nothing of this file was stored.
    return (
        f"{source}: nothing stored, an internal error stopped it "
        f"({type(error).__name__}: {error}); please report it"
    )


@app.command()
def medication(
    name: Annotated[
        str, typer.Argument(help="Any name: generic, brand, abbreviation, misspelling.")
    ],
) -> None:
    """Print a medication's dosing advice and warnings, each with its moment and link."""
    from rich.table import Table

    from api.shapes import claim_said, dose
    from db import claims, models, queries

    with _session() as session:
        found = queries.medication_named(session=session, name=name)
        if found is None:
            errors.print(_unknown(name))
            raise typer.Exit(1)
        ids = [found.id]
        named = queries.aliases_for(session=session, medication_ids=ids).get(found.id, [])
        heard = queries.aliases_for(session=session, medication_ids=ids, heard=True)
        dosages = claims.claims_about(session=session, model=models.Dosage, medication_ids=ids)
        warnings = claims.claims_about(session=session, model=models.Warning, medication_ids=ids)
    console.print(f"[bold]{escape(found.name)}[/bold]")
    # Every name it is found by, as `claimdex stats` counts aliases: its own name, the
    # vocabulary's, and the spellings heard in transcripts.
    spellings = heard.get(found.id, [])
    aliases = _count(len(named) + len(spellings), "alias", "aliases") + ": " + ", ".join(named)
    console.print(escape(aliases + (f"; heard as {', '.join(spellings)}" if spellings else "")))
    table = Table("#", "dose", "frequency", "as said", "timestamp", title="Dosing advice")
    links = []
    for number, dosage in enumerate(dosages.get(found.id, []), 1):
        said = claim_said(dosage)
        table.add_row(
            str(number),
            dose(dosage),
            dosage.frequency or "",
            escape(dosage.text),
            said["timestamp"],
        )
        links.append(said["link"])
    console.print(table)
    _print_links(links)
    cautions = Table("kind", "warning", "timestamp", title="Warnings")
    for warning in warnings.get(found.id, []):
        cautions.add_row(warning.kind, escape(warning.text), claim_said(warning)["timestamp"])
    console.print(cautions)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find in transcripts and summaries.")],
    first: Annotated[int, typer.Option(help="How many hits to show, best first.")] = 10,
) -> None:
    """Full-text search: the best-matching moments, with their snippets and links."""
    from rich.table import Table

    from api.shapes import search_row
    from db import queries

    with _session() as session:
        page = queries.search_page(session=session, query=query, first=min(first, 100))
    rows = [search_row(hit, segment) for hit, segment in page.rows]
    table = Table("#", "score", "timestamp", "episode", "snippet")
    for number, row in enumerate(rows, 1):
        table.add_row(
            str(number),
            f"{row['score']:.2f}",
            row["timestamp"],
            escape(row["episode_title"]),
            _marked(row["snippet"]),
        )
    console.print(table)
    _print_links([row["link"] for row in rows])
    console.print(_count(page.total, "matching moment"))


@app.command("search-index")
def search_index_command(
    folder: Annotated[
        Path | None,
        typer.Option(help="Where to build it. Default: CLAIMDEX_SEARCH_INDEX."),
    ] = None,
) -> None:
    """Build the top-k search index of DATABASE_URL afresh, replacing the one in its folder."""
    from db import search_index
    from db.engine import make_engine, session_factory

    folder = folder or search_index.location()
    if folder is None:
        errors.print(
            f"claimdex: no folder for the search index; set {search_index.LOCATION} "
            "or give --folder"
        )
        raise typer.Exit(2)
    engine = _prepared(make_engine())
    try:
        segments, changed = search_index.rebuild(sessions=session_factory(engine), folder=folder)
    finally:
        engine.dispose()
    console.print(f"search index {folder}: {_count(segments, 'segment')}")
    if changed:
        errors.print("claimdex: the database changed while the index was built; run this again")
        raise typer.Exit(1)


def _count(number: int, one: str, many: str | None = None) -> str:
    """A count with its noun: "1 matching moment", "2 matching moments"."""
    return f"{number} {one if number == 1 else many or one + 's'}"


def _print_links(links: "list[str | None]") -> None:
    """Deep links below a table, each on a line of its own and numbered as the table's rows: in
    a cell a long URL is folded or cut short, and a cut link opens nothing. Printed whole
    (the console soft-wraps), a terminal still sees one URL to click."""
    for number, link in enumerate(links, 1):
        if link:
            console.print(Text(f"[{number}] {link}"))


def _unknown(name: str) -> str:
    """Why `name` names no medication here: a drug the vocabulary knows that no episode
    mentions, or a name nothing knows. The vocabulary takes seconds to load: only a miss
    loads it."""
    from ingest import lexicon

    known = lexicon.load().resolve(name)
    if known is None:
        return f"no medication is known by the name {name!r}"
    also = "" if known.exact else f" ({name!r} is a name of {known.name})"
    return f"no episode in this index mentions {known.name}, so it holds no claims about it{also}"


def _marked(snippet: str) -> str:
    """A search snippet (HTML with <mark>) as rich markup, matched words in bold."""
    import html

    parts = snippet.split("<mark>")
    out = [escape(html.unescape(parts[0]))]
    for part in parts[1:]:
        marked, _, rest = part.partition("</mark>")
        out.append(f"[bold]{escape(html.unescape(marked))}[/bold]{escape(html.unescape(rest))}")
    return "".join(out)


@app.command()
def export(
    output_format: Annotated[str, typer.Option("--format", help="csv, ndjson or json.")] = "csv",
    medication: Annotated[
        str | None, typer.Option(help="Only this medication (any of its names).")
    ] = None,
) -> None:
    """Write every dosage and warning, one row per claim with its timestamp and link."""
    from api.shapes import ROW_FORMATS, dosage_row, warning_row, write_rows
    from db import claims, models, queries

    if output_format not in ROW_FORMATS:
        errors.print(f"--format: {output_format!r} is not one of {', '.join(ROW_FORMATS)}")
        raise typer.Exit(2)
    with _session() as session:
        if medication is not None:
            found = queries.medication_named(session=session, name=medication)
            if found is None:
                errors.print(_unknown(medication))
                raise typer.Exit(1)
            chosen = [found]
        else:
            chosen = list(queries.medications(session=session))
        ids = [row.id for row in chosen]
        names = {row.id: row.name for row in chosen}
        dosages = claims.claims_about(session=session, model=models.Dosage, medication_ids=ids)
        warnings = claims.claims_about(session=session, model=models.Warning, medication_ids=ids)
    rows = [
        row
        for key in ids
        for row in [dosage_row(d, names[key]) for d in dosages.get(key, [])]
        + [warning_row(w, names[key]) for w in warnings.get(key, [])]
    ]
    write_rows(sys.stdout, rows, output_format)


@app.command()
def stats() -> None:
    """Counts of everything stored, and per medication its episodes, claims and doses."""
    from rich.table import Table

    from db import queries

    with _session() as session:
        counts = queries.counts(session=session)
        rows: list[queries.MedicationStats] = []
        after: str | None = None
        while True:
            page = queries.medication_stats_page(session=session, first=100, after=after)
            rows += page.rows
            if not page.has_next:
                break
            after = page.cursors[-1]
    console.print(
        ", ".join(
            _count(count, SINGULAR.get(table, table.removesuffix("s")), table.replace("_", " "))
            for table, count in counts.items()
        )
    )
    table = Table("medication", "episodes", "mentions", "dosages", "min", "median", "max", "unit")
    for row in sorted(rows, key=lambda r: (-r.mentions, r.medication.name)):
        figures = [
            f"{value:g}" if value is not None else "" for value in (row.low, row.median, row.high)
        ]
        table.add_row(
            escape(row.medication.name), str(row.episodes), str(row.mentions), str(row.dosages),
            *figures, row.unit or "",
        )  # fmt: skip
    console.print(table)


@contextmanager
def _session() -> "Iterator[Session]":
    """A read session on DATABASE_URL, its schema brought up to date where that is safe."""
    from db.engine import make_engine, session_factory

    engine = _prepared(make_engine())
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


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
    real: Annotated[
        list[Path] | None,
        typer.Option(help="Folder of hand labels for real transcripts; may be repeated."),
    ] = None,
    transcripts: Annotated[
        Path, typer.Option(help="Where the labelled real transcripts live.")
    ] = Path("../shared/realspeech/huberman-dev"),
    meaning: Annotated[
        list[Path] | None,
        typer.Option(help="Folder of sponsor-read and speaker labels of real transcripts."),
    ] = None,
    stance: Annotated[
        list[Path] | None,
        typer.Option(help="Folder of stance labels of the gold documents; may be repeated."),
    ] = None,
    regimen: Annotated[
        list[Path] | None,
        typer.Option(help="Folder of dose-regimen labels of the gold documents; may be repeated."),
    ] = None,
    indications: Annotated[
        list[Path] | None,
        typer.Option(help="Folder of indication labels of the gold documents; may be repeated."),
    ] = None,
    show_errors: Annotated[
        bool,
        typer.Option("--errors", help="List each missed and false claim (not for sealed sets)."),
    ] = False,
) -> None:
    """Score extraction against the gold documents, real transcripts and the ADE corpus; exit 1
    under a floor."""

    from rich.table import Table

    from ingest import lexicon
    from ingest.evaluation import (
        CLAIM_TYPES,
        ade_shortfalls,
        evaluate_gold,
        gold_labels,
        score_ade,
        shortfalls,
        totals,
    )

    labels = gold_labels(gold, seeds)
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
    report.print(table)
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
                f"{found.attributed_pairs.recall:.3f} (at most {found.attributed_ceiling:.3f}: "
                f"{found.reachable} of {found.attributed_pairs.expected} pairs "
                "with one drug a dose); "
                "drug and dose both found "
                f"{found.found_pairs.recall:.3f}"
            )
            if ade_missed := ade_shortfalls(found):
                errors.print("; ".join(ade_missed))
                raise typer.Exit(1)
    missed = shortfalls(summed)
    for folder in real or []:
        missed += [
            f"{folder}: {shortfall}" for shortfall in _real(folder, transcripts, names, show_errors)
        ]
    for folder in meaning or []:
        missed += [
            f"{folder}: {shortfall}" for shortfall in _meaning(folder, transcripts, show_errors)
        ]
    for folder in stance or []:
        missed += [f"{folder}: {shortfall}" for shortfall in _stance(folder, names, show_errors)]
    for folder in regimen or []:
        _regimen(folder, names, show_errors)
    for folder in indications or []:
        missed += [
            f"{folder}: {shortfall}" for shortfall in _indications(folder, names, show_errors)
        ]
    if missed:
        errors.print("below the floors: " + "; ".join(missed))
        raise typer.Exit(1)
    console.print("all floors hold")


def _real(folder: Path, transcripts: Path, names: "Lexicon", show_errors: bool) -> list[str]:
    """Scores one folder of real-transcript labels, prints its table, and returns its
    shortfalls. A sealed folder prints its scores, never its errors."""
    from rich.table import Table

    from ingest.evaluation import (
        SEALED_MARK,
        StanceResult,
        evaluate_real,
        real_shortfalls,
        real_totals,
    )

    if not folder.is_dir() or not any(folder.glob("*.json")):
        errors.print(f"no real-transcript labels (*.json) in {folder}")
        raise typer.Exit(1)
    if not transcripts.is_dir():
        errors.print(f"the transcripts folder {transcripts} is absent; pass --transcripts")
        raise typer.Exit(1)
    sealed = (folder / SEALED_MARK).exists()
    if sealed and show_errors:
        errors.print(f"{folder} is sealed: it is scored in aggregate only, never its errors")
        raise typer.Exit(1)
    try:
        results = evaluate_real(folder, transcripts, names)
    except OSError as error:
        errors.print(f"{folder}: a labelled transcript cannot be read: {error}")
        raise typer.Exit(1) from None
    table = Table(title=f"Real transcripts: {folder}" + (" (sealed)" if sealed else ""))
    for column in (
        "transcript", "doses P/R/F1", "right/found/gold", "mentions P/R", "near misses P (n)",
        "wrong drug", "dropped", "crashed",
    ):  # fmt: skip
        table.add_column(column, justify="left" if column == "transcript" else "right")
    summed = real_totals(results)
    rows = [
        (r.document, r.doses, r.mentions, r.near_misses, r.wrong_drug, r.dropped, r.crashed)
        for r in results
    ]
    crashes = sum(1 for r in results if r.crashed)
    rows.append(
        (
            "all",
            summed["doses"],
            summed["mentions"],
            summed["near_misses"],
            sum(r.wrong_drug for r in results),
            sum(r.dropped for r in results),
            str(crashes),
        )  # fmt: skip
    )
    for document, doses, mentions, loose, wrong, dropped, crashed in rows:
        table.add_row(
            document,
            f"{doses.precision:.3f}/{doses.recall:.3f}/{doses.f1:.3f}",
            f"{doses.true_positives}/{doses.predicted}/{doses.expected}",
            f"{mentions.precision:.3f}/{mentions.recall:.3f}",
            f"{loose.precision:.3f} ({loose.predicted})",
            str(wrong),
            str(dropped),
            crashed or "",
            end_section=document == results[-1].document,
        )
    report.print(table)
    stances = [StanceResult(r.document, r.stances, r.wrong_stances) for r in results if r.stances]
    if stances:
        _print_paired("Stance of the doses found", folder, stances, sealed=sealed)
    if show_errors:
        for result in results:
            for title, found in (
                ("missed doses", result.missed_doses),
                ("false doses", result.false_doses),
                ("missed mentions", result.missed_mentions),
                ("false mentions", result.false_mentions),
                ("wrong stance", result.wrong_stances),
            ):
                for line in found:
                    console.print(f"{result.document}  {title:<16} {line}")
    return real_shortfalls(results)


def _sealed(folder: Path, show_errors: bool) -> bool:
    """Whether `folder` is sealed; asking for a sealed folder's errors is refused."""
    from ingest.evaluation import SEALED_MARK

    sealed = (folder / SEALED_MARK).exists()
    if sealed and show_errors:
        errors.print(f"{folder} is sealed: it is scored in aggregate only, never its errors")
        raise typer.Exit(1)
    return sealed


def _meaning(folder: Path, transcripts: Path, show_errors: bool) -> list[str]:
    """Scores sponsor reads and speakers against one folder of labels, prints a line per
    transcript (only the totals for a sealed folder), and returns the shortfalls."""
    from ingest.evaluation import evaluate_meaning, meaning_shortfalls, meaning_totals

    sealed = _sealed(folder, show_errors)
    try:
        results = evaluate_meaning(folder, transcripts)
    except OSError as error:
        errors.print(f"{folder}: a labelled transcript cannot be read: {error}")
        raise typer.Exit(1) from None
    if not results:
        errors.print(f"no sponsor-read labels (*.meaning.json) in {folder}")
        raise typer.Exit(1)
    summed = meaning_totals(results)
    lines = [] if sealed else [(r.name, r.sponsors, r.speakers) for r in results]
    speakers = summed["speakers"] if summed["speakers"].expected else None
    console.print(f"Sponsor reads and speakers: {folder}" + (" (sealed)" if sealed else ""))
    for name, sponsors, spoken in [*lines, ("all", summed["sponsors"], speakers)]:
        said = (
            f"; speakers {spoken.precision:.3f} ({spoken.true_positives}/{spoken.expected})"
            if spoken is not None
            else ""
        )
        console.print(
            f"  {name:<14} sponsor paragraphs P/R/F1 {sponsors.precision:.3f}/"
            f"{sponsors.recall:.3f}/{sponsors.f1:.3f} "
            f"({sponsors.true_positives}/{sponsors.predicted}/{sponsors.expected}){said}"
        )
    if show_errors:
        for result in results:
            for title, found in (
                ("missed sponsor", result.missed_sponsors),
                ("false sponsor", result.false_sponsors),
                ("wrong speaker", result.wrong_speakers),
            ):
                for line in found:
                    console.print(f"{result.name}  {title:<15} {line}")
    return meaning_shortfalls(results)


def _stance(folder: Path, names: "Lexicon", show_errors: bool) -> list[str]:
    """Scores the stance of the doses and warnings the extractor found against one folder of
    labels, prints per stance (totals only when sealed), and returns the shortfall."""
    from ingest.evaluation import STANCE_FLOORS, evaluate_stance

    overall = _paired("Stance", "stance", evaluate_stance, folder, names, show_errors)
    floor = STANCE_FLOORS["macro_f1"]
    return [f"stance macro-F1 {overall:.3f} < {floor}"] if overall < floor else []


def _regimen(folder: Path, names: "Lexicon", show_errors: bool) -> None:
    """Scores the regimen of the doses the extractor found against one folder of labels and
    prints per regimen (totals only when sealed); the issue sets no floor for it."""
    from ingest.evaluation import evaluate_regimen

    _paired("Regimen", "regimen", evaluate_regimen, folder, names, show_errors)


def _paired(
    title: str,
    what: str,
    evaluate: "Callable[[Path, Lexicon], list[StanceResult]]",
    folder: Path,
    names: "Lexicon",
    show_errors: bool,
) -> float:
    """Scores one folder of labels for a class of each claim found (stance, regimen), prints
    it, and returns the macro-F1."""

    sealed = _sealed(folder, show_errors)
    results = evaluate(folder, names)
    if not results:
        errors.print(f"no {what} labels (*.json) in {folder}")
        raise typer.Exit(1)
    overall = _print_paired(title, folder, results, sealed=sealed)
    if show_errors:
        for result in results:
            for line in result.wrong:
                console.print(f"{result.name}  wrong {what:<9} {line}")
    return overall


def _print_paired(
    title: str, folder: Path, results: "list[StanceResult]", *, sealed: bool
) -> float:
    """Prints how often the extractor gives the labelled class, per class (totals only when
    sealed), and returns the macro-F1."""
    from ingest.evaluation import macro_f1, stance_scores

    scores = stance_scores(results)
    pairs = [pair for result in results for pair in result.pairs]
    right = sum(1 for label, found in pairs if label == found)
    overall = macro_f1(scores)
    console.print(
        f"{title}: {folder}" + (" (sealed)" if sealed else "") + f": {len(pairs)} claims found, "
        f"accuracy {right / len(pairs) if pairs else 1.0:.3f}, macro-F1 {overall:.3f}"
    )
    if not sealed:
        for kind, score in scores.items():
            console.print(
                f"  {kind:<15} P/R/F1 {score.precision:.3f}/{score.recall:.3f}/{score.f1:.3f} "
                f"({score.true_positives}/{score.predicted}/{score.expected})"
            )
    return overall


def _indications(folder: Path, names: "Lexicon", show_errors: bool) -> list[str]:
    """Scores the indications the extractor found against one folder of labels, prints totals
    (per document unless sealed), and returns the shortfalls."""
    from ingest.evaluation import Score, evaluate_indications, indication_shortfalls

    sealed = _sealed(folder, show_errors)
    results = evaluate_indications(folder, names)
    if not results:
        errors.print(f"no indication labels (*.json) in {folder}")
        raise typer.Exit(1)

    def figures(score: Score) -> str:
        return (
            f"P/R/F1 {score.precision:.3f}/{score.recall:.3f}/{score.f1:.3f} "
            f"({score.true_positives}/{score.predicted}/{score.expected})"
        )

    summed = sum((result.score for result in results), Score(0, 0, 0))
    purposes = sum((result.purposes for result in results), Score(0, 0, 0))
    label = f"{folder} (sealed)" if sealed else str(folder)
    console.print(f"Indications: {label}: {figures(summed)}")
    console.print(f"  what each dose is for: {figures(purposes)}")
    if not sealed:
        for result in results:
            console.print(f"  {result.name:<20} {figures(result.score)}")
    if show_errors:
        for result in results:
            for line in result.missed:
                console.print(f"{result.name}  missed indication  {line}")
            for line in result.false:
                console.print(f"{result.name}  false indication   {line}")
    return indication_shortfalls(summed)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each with its own pool).")] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            envvar="CLAIMDEX_ACCESS_LOG",
            help="A log line for every request. Off unless asked for: /metrics counts requests "
            "by route and status, and writing the lines costs a worker throughput.",
        ),
    ] = False,
) -> None:
    """Serve GraphQL (and GraphiQL in a browser) at http://HOST:PORT/graphql, REST at /api/v1."""
    import uvicorn

    from db.engine import make_engine

    _prepared(make_engine()).dispose()
    console.print(f"claimdex serving GraphQL at http://{host}:{port}/graphql")
    # A factory, not a module-level app: importing api.app opens no engine and reads no
    # settings, and each worker process builds its own app (and pools) from the environment.
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
    )


db_app = typer.Typer(help="The database schema: migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(feed_app, name="feed")


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


def _announcer(engine: "Engine") -> "Announcer":
    """What tells subscribers of the episodes stored; exit 2 naming a malformed setting."""
    from api.announcements import Announcer

    try:
        return Announcer.from_env(engine)
    except ValueError as error:
        errors.print(f"claimdex: {error}")
        raise typer.Exit(2) from None


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
