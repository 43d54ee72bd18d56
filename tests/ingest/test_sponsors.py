"""Sponsor reads: which paragraphs of an episode advertise."""

from ingest.sponsors import cues, sponsor_paragraphs

SHOW = "The Health Hour"


def test_a_read_opens_with_a_sponsor_named_as_such() -> None:
    assert cues("Today's episode is also brought to us by Acme.")
    assert cues("I'd like to take a brief break and acknowledge our sponsor, Acme.")
    assert cues("Our first sponsor is Acme. Acme makes custom blends.")
    assert cues("The podcast has partnered with Acme supplements.")


def test_a_read_carries_an_offer() -> None:
    assert cues("go to acme.com/health to get 20% off your first order")
    assert cues("use the code HEALTH at checkout")
    # Captions drop the slash and the percent sign.
    assert cues(
        "visit acme.com health and get 20 off any of their plans", ["the", "health", "hour"]
    )


def test_talk_about_products_and_sites_is_no_read() -> None:
    assert not cues("A sponsor of this podcast makes it, but I'd take it anyway.")
    assert not cues("You can look it up on examine.com is a great site for that.")
    assert not cues("the food labels can be 20% off, but consistently off")
    assert not cues("there is a free trial of the app and the data are strong")


def test_the_shows_own_site_sells_tickets_not_a_product() -> None:
    show = ["the", "health", "hour"]
    assert not cues("Tickets are at thehealthhour.com/tour.", show)
    assert cues("Tickets are at otherpodcast.com/tour.", show)


def test_the_pitch_between_two_cues_belongs_to_the_read() -> None:
    texts = [
        "Welcome to the show, today we talk about sleep.",
        "Our first sponsor is Acme. Acme makes magnesium blends.",
        "I take it every night and I sleep better for it.",
        "Go to acme.com/health to try it.",
        "Now, sleep: the first thing to know is light.",
        "Light in the morning sets the clock.",
        "Another thing people ask about is melatonin.",
    ]
    assert sponsor_paragraphs(texts, SHOW) == {1, 2, 3}


def test_cues_far_apart_are_separate_reads() -> None:
    texts = ["Brought to you by Acme."] + ["Talk about sleep."] * 3 + ["Go to acme.com/health."]
    assert sponsor_paragraphs(texts, SHOW) == {0, 4}
