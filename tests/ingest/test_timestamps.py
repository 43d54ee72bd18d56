import pytest

from ingest.timestamps import TimestampError, format_timestamp, parse_timestamp


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("[00:01:46]", 106), ("[0:01:46]", 106), ("[01:46]", 106), ("[1:46]", 106), ("1:02:03", 3723)],
)
def test_every_accepted_form_reads_to_seconds(text: str, seconds: int) -> None:
    assert parse_timestamp(text) == seconds


@pytest.mark.parametrize("text", ["[1:75]", "[00:61:00]", "[1:5]", "[abc]", "[1:2:03]"])
def test_malformed_timestamps_are_refused(text: str) -> None:
    with pytest.raises(TimestampError):
        parse_timestamp(text)


def test_format_pads_every_field() -> None:
    assert format_timestamp(106) == "00:01:46"
    assert format_timestamp(3723) == "01:02:03"
