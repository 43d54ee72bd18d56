"""Sponsor reads: the paragraphs of an episode that advertise.

What a host says about a sponsor's product ("I take their nootropic before workouts") is an
advertisement, not advice, so claims made in these paragraphs are marked and kept out of the
views across episodes. A read opens with a sponsor named as such ("brought to you by", "our
first sponsor is", "I'd like to thank our sponsors") or carries its offer (an address with a
path such as "example.com/show", a code at checkout, a discount); the paragraphs between two
of those, a short pitch with no brand in it, belong to the same read.
"""

import re
from collections.abc import Sequence

OPENING = re.compile(
    r"\bbrought to (?:you|us) by\b"
    r"|\b(?:thank|acknowledge)\w* (?:\w+ ){0,4}sponsors?\b"
    r"|\b(?:our|first|next|final|last|today's|this episode's) sponsors? (?:is|are|was)\b"
    r"|\b(?:is|are|now|has|have|we've) partnered with\b"
    r"|\b(?:quick|brief) break (?:and|to) (?:thank|acknowledge)",
    re.IGNORECASE,
)
# An address with a path, "example.com/show"; captions may write it "example.com show", which
# counts where the path is a word of the show's name, as sponsors' addresses for a show are.
ADDRESS = re.compile(r"\b([a-z0-9-]+)\.(?:com|co|net|org|io)(/| )([a-z]+)", re.IGNORECASE)
OFFER = re.compile(
    r"\b(?:promo|discount|coupon) code\b"
    r"|\b(?:use|enter) (?:the )?code\b"
    r"|\bat checkout\b"
    r"|\b\d+ ?(?:%|percent)? off (?:any|your|their|all|every|orders?|the first)\b"
    r"|\bfree (?:month|sample|shipping|travel pack)s?\b"
    r"|\bspecial offer\b",
    re.IGNORECASE,
)
# Paragraphs between two that show an ad, with neither cue in them, that still belong to it.
GAP = 1


def cues(text: str, show: Sequence[str] = ()) -> bool:
    """Whether `text` opens a read or carries an offer, in an episode of the show whose name
    has the words `show` (lower case). An address on the show's own site ("hubermanlab.com")
    sells its tickets, not a sponsor's product."""
    if OPENING.search(text) or OFFER.search(text):
        return True
    own = "".join(show)
    return any(
        site.lower() != own and (slash == "/" or path.lower() in show)
        for site, slash, path in ADDRESS.findall(text)
    )


def sponsor_paragraphs(texts: Sequence[str], channel: str | None = None) -> set[int]:
    """The indexes of the paragraphs in `texts` that are (part of) a sponsor read, in an
    episode of `channel`."""
    show = re.findall(r"[a-z0-9]+", (channel or "").lower())
    marked = [index for index, text in enumerate(texts) if cues(text, show)]
    found = set(marked)
    for before, after in zip(marked, marked[1:], strict=False):
        if after - before - 1 <= GAP:
            found.update(range(before + 1, after))
    return found
