"""Deep links that open a video at a given second."""

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingest.timestamps import format_timestamp

__all__ = ["deep_link", "format_timestamp"]

YOUTUBE_HOSTS = {"youtube.com", "youtu.be", "music.youtube.com"}


def deep_link(url: str | None, seconds: int) -> str | None:
    """The episode URL opened at `seconds`: YouTube's `t=106s`, a media fragment elsewhere."""
    if not url:
        return None
    head, tail = _around_time(url)
    return f"{head}{seconds}{tail}"


@lru_cache(maxsize=4096)
def _around_time(url: str) -> tuple[str, str]:
    """What comes before and after the second in the deep links of `url`; parsed once per
    episode, since a page of claims links into a few episodes many times."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    if host in YOUTUBE_HOSTS:
        query = [(key, value) for key, value in parse_qsl(parts.query) if key != "t"]
        query.append(("t", "\x00"))
        linked = urlunsplit(parts._replace(query=urlencode(query)))
        head, _, rest = linked.partition("%00")
        return head, "s" + rest
    linked = urlunsplit(parts._replace(fragment="t=\x00"))
    head, _, rest = linked.partition("\x00")
    return head, rest
