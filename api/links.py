"""Deep links that open a video at a given second."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingest.timestamps import format_timestamp

__all__ = ["deep_link", "format_timestamp"]


def deep_link(url: str | None, seconds: int) -> str | None:
    """The episode URL opened at `seconds`: YouTube's `t=106s`, a media fragment elsewhere."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    if host in {"youtube.com", "youtu.be", "music.youtube.com"}:
        query = [(key, value) for key, value in parse_qsl(parts.query) if key != "t"]
        query.append(("t", f"{seconds}s"))
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urlunsplit(parts._replace(fragment=f"t={seconds}"))
