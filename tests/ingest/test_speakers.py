"""Speakers: labels captioners write, carried from one paragraph to the next."""

from ingest.speakers import Turn, labels, name, speaker_at, turns


def test_a_label_in_capitals_is_a_name() -> None:
    assert name("ANDREW HUBERMAN") == "Andrew Huberman"
    assert name("MARIA DE SOUZA") == "Maria de Souza"
    assert name("Peter Attia") == "Peter Attia"


def test_labels_anywhere_in_a_paragraph_start_turns() -> None:
    text = "Great to have you. KYLE GILLETT: Great to be back. OK. ANDREW HUBERMAN: Let's begin."
    found = [turn for _, turn in labels(text)]
    assert [turn.speaker for turn in found] == ["Kyle Gillett", "Andrew Huberman"]
    assert text[found[0].start :].startswith(" Great to be back")


def test_words_in_capitals_without_a_colon_or_alone_are_no_label() -> None:
    assert labels("[MUSIC PLAYING] and LDL is what we measure. NOTE: fasted.") == []


def test_a_name_as_written_counts_only_at_a_paragraphs_start() -> None:
    assert [turn.speaker for _, turn in labels("Peter Attia: welcome back.")] == ["Peter Attia"]
    assert labels("we went to New York: it was cold") == []


def test_a_paragraph_without_a_label_goes_on_with_the_last_speaker() -> None:
    texts = [
        "ANDREW HUBERMAN: Welcome. My guest is Dr. Norton.",
        "who studies nutrition. LAYNE NORTON: Thanks for having me.",
        "It's a pleasure to be here.",
        "ANDREW HUBERMAN: Let's start with protein. LAYNE NORTON: Sure.",
    ]
    found = turns(texts)
    assert [turn.speaker for turn in found[1]] == ["Andrew Huberman", "Layne Norton"]
    assert found[2] == (Turn(0, "Layne Norton"),)
    second = texts[1]
    assert speaker_at(found[1], second.index("who studies")) == "Andrew Huberman"
    assert speaker_at(found[1], second.index("Thanks")) == "Layne Norton"


def test_a_sentence_that_opens_a_labelled_paragraph_is_the_labels_speakers() -> None:
    # A claim's sentence starts at 0, before the label's end.
    found = turns(["ANN LEE: We prescribe it for sleep.", "ANN LEE: Thanks."])
    assert speaker_at(found[0], 0) == "Ann Lee"
    assert found[0] == (Turn(0, "Ann Lee"),)


def test_a_name_said_once_as_a_label_is_no_speaker() -> None:
    texts = ["New York: it was cold that winter.", "We went back in spring."]
    assert turns(texts) == [(), ()]


def test_no_labels_anywhere_means_no_speakers() -> None:
    found = turns(["Welcome to the show.", "Today: sleep."])
    assert found == [(), ()]
    assert speaker_at(found[0], 3) is None
