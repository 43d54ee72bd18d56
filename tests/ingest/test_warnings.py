"""ingest/warnings.py: at most one caution per clause, of its most specific kind."""

import pytest

from ingest.records import WarningKind
from ingest.warnings import find_warnings


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Some people get vivid dreams on it.", WarningKind.SIDE_EFFECT),
        ("Stop taking it if you get a rash.", WarningKind.STOP_CONDITION),
        ("Take it two hours before bedtime.", WarningKind.TIMING),
    ],
)
def test_a_caution_of_each_kind(text: str, kind: WarningKind) -> None:
    (caution,) = find_warnings(text)
    assert caution.kind == kind
    assert text[caution.start : caution.end].strip() == caution.text


def test_questions_and_negated_cautions_are_none() -> None:
    assert find_warnings("What about vivid dreams?") == []
    assert find_warnings("There were no side effects at all.") == []


def test_a_time_of_day_said_with_the_dose_is_a_regimen_not_a_warning() -> None:
    assert find_warnings("I take ten milligrams at night.") == []


def test_one_caution_per_clause_in_order() -> None:
    text = "Take it two hours before bedtime; stop taking it if you get a rash."
    assert [c.kind for c in find_warnings(text)] == [
        WarningKind.TIMING,
        WarningKind.STOP_CONDITION,
    ]
    starts = [c.start for c in find_warnings(text)]
    assert starts == sorted(starts)
