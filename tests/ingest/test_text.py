"""ingest/text.py: tokens with offsets, lookup keys, sentence and clause boundaries."""

import re

import pytest

from ingest.text import RUN_ON, clauses, normalise, sentences, spans, tokenize


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        ("Low-Dose Naltrexone", "low dose naltrexone"),
        ("low dose  naltrexone", "low dose naltrexone"),
        ("LDN's", "ldn"),
        ("LDN’s", "ldn"),
        ("Vitamin D3+", "vitamin d3+"),
    ],
)
def test_names_that_differ_in_case_and_punctuation_share_a_key(phrase: str, key: str) -> None:
    assert normalise(phrase) == key


def test_tokens_keep_numbers_names_and_offsets_whole() -> None:
    text = "Take 4.5 mg of 5-HTP, 2,000 IU, 1/2 a KSM-66 tab; the drug's fine."
    tokens = tokenize(text)
    assert [token.text for token in tokens] == [
        "Take", "4.5", "mg", "of", "5-HTP", ",", "2,000", "IU", ",", "1/2", "a", "KSM-66",
        "tab", ";", "the", "drug's", "fine", ".",
    ]  # fmt: skip
    assert all(text[token.start : token.end] == token.text for token in tokens)
    numbers = [token.text for token in tokens if token.is_number]
    assert numbers == ["4.5", "2,000", "1/2"]
    assert not any(token.is_word for token in tokens if token.text in {",", ";", "."})


def test_spans_are_the_pieces_between_matches_with_offsets_kept() -> None:
    assert spans("a, b,, c", re.compile(r",\s*"), start=10) == [(10, 11), (13, 14), (17, 18)]
    assert spans("", re.compile(","), start=3) == []


def test_sentences_end_at_stops_questions_and_exclamations() -> None:
    text = "Take it at night. Why? Because it works! done"
    assert [text[a:b] for a, b in sentences(text)] == [
        "Take it at night.", "Why?", "Because it works!", "done",
    ]  # fmt: skip


def test_clauses_break_at_semicolons_but_and_a_new_condition() -> None:
    text = "Start at 1 mg; go up weekly, but stop if you get dizzy and if it hurts call me."
    assert [text[a:b] for a, b in clauses(text)] == [
        "Start at 1 mg",
        "go up weekly",
        "stop if you get dizzy",
        "if it hurts call me.",
    ]


def test_run_on_speech_is_cut_where_the_speaker_turns() -> None:
    text = ("i start people at one and a half milligrams at night " * 3).strip()
    text += " because the dreams fade after a week or two"
    assert len(text) > RUN_ON
    pieces = [text[a:b] for a, b in clauses(text)]
    assert pieces == [text[: text.index(" because")], "because the dreams fade after a week or two"]
    short = "i start people at one milligram because the dreams fade"
    assert [short[a:b] for a, b in clauses(short)] == [short]
