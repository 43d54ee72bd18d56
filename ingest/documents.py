"""Any episode document to records: markdown by its header, captions (WebVTT, SRT, YouTube
transcript JSON) by a sidecar NAME.meta.json or metadata given by the caller."""

from pathlib import Path
from typing import TYPE_CHECKING

from ingest import captions
from ingest.parse import parse_document
from ingest.records import Document, EpisodeMeta

if TYPE_CHECKING:
    from ingest.transcripts import Reader

MARKDOWN = {".md", ".markdown"}
CAPTIONS = {
    ".vtt": captions.read_vtt,
    ".srt": captions.read_srt,
    ".json": captions.read_youtube_json,
}
SUFFIXES = MARKDOWN | set(CAPTIONS)


def is_document(path: Path) -> bool:
    """Whether a file in a folder is an episode document. A sidecar or README is not, nor a
    JSON file that is not a list of cues (labels, settings and the like share the suffix)."""
    if path.suffix.lower() not in SUFFIXES or path.name.upper().startswith("README"):
        return False
    if path.suffix.lower() == ".json":
        with path.open("rb") as head:
            return head.read(64).lstrip()[:1] == b"["
    return True


def read(
    text: str,
    *,
    source: str,
    meta: EpisodeMeta | None = None,
    reader: "Reader | None" = None,
) -> Document:
    """The document in `text`; `source` names it (its path) and its suffix says its format,
    unless `reader` is given (a transcript fetched from a URL, by its media type).

    Captions carry no header: their episode's title, channel, date and URL come from `meta`,
    else from the sidecar beside `source`, else the title is the file's name.
    """
    suffix = Path(source).suffix.lower()
    reader = reader or CAPTIONS.get(suffix)
    if reader is None:
        return parse_document(text, source=source)
    found = (
        meta
        or captions.load_meta(Path(source))
        or EpisodeMeta(
            title=Path(source).stem, channel=None, upload_date=None, url=None, duration_seconds=None
        )
    )
    return reader(text, source=source, meta=found)
