"""Transcript timestamps: "[HH:MM:SS]", "[H:MM:SS]", "[MM:SS]" and "[M:SS]" to seconds and back."""

import re

# Minutes and seconds are two digits whenever an hour or minute field precedes them,
# so "[1:5]" is rejected rather than read as 65 seconds.
TIMESTAMP = re.compile(r"\[(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\]")


class TimestampError(ValueError):
    """A bracketed timestamp whose fields are out of range."""


def to_seconds(match: re.Match[str]) -> int:
    """Seconds from a TIMESTAMP match; minutes and seconds must be below 60."""
    hours, minutes, seconds = match.group(1), match.group(2), match.group(3)
    if hours is not None and len(minutes) != 2:
        raise TimestampError(f"malformed timestamp {match.group(0)}: minutes need two digits")
    if int(minutes) >= 60 or int(seconds) >= 60:
        raise TimestampError(f"malformed timestamp {match.group(0)}: minutes and seconds go to 59")
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def parse_timestamp(text: str) -> int:
    """Seconds from one timestamp such as "[00:01:46]" or "[1:46]" (brackets optional)."""
    bracketed = text if text.startswith("[") else f"[{text}]"
    match = TIMESTAMP.fullmatch(bracketed.strip())
    if match is None:
        raise TimestampError(f"not a timestamp: {text!r}; expected [HH:MM:SS] or [MM:SS]")
    return to_seconds(match)


def format_timestamp(seconds: int) -> str:
    """ "HH:MM:SS" for a number of seconds."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
