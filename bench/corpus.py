"""Synthetic health-podcast episodes in the seed's markdown shape, deterministic, for benchmarks.

Usage:
    python -m bench.corpus COUNT FOLDER [--seed N]

    from bench.corpus import generate, write
    for name, markdown in generate(1000, seed=0): ...
    paths = write(10_000, Path("/tmp/corpus"), seed=0)

Each episode has a title, the four header fields, a description, an AI summary in about 70 %
of episodes (with notable quotes copied from the transcript) and a transcript of 20 to 300
timestamped paragraphs (about 100 on average). The talk mentions 1 to 5 drugs or supplements
with doses in digits and in words, misspelt names, warnings, and numbers that are not doses
(money, percentages, ages).

Episode i depends only on (seed, i): it comes out byte-identical whether 100 or 10,000
episodes are generated, on any machine. Episodes are streamed, one at a time. The drug names
come from the vocabulary package `drug_named_entity_recognition`, imported on the first
episode (about 2 s); its version fixes the pool, so the same version gives the same corpus.
"""

import argparse
import math
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

# Transcript shape.
MIN_SEGMENTS, MAX_SEGMENTS = 20, 300
MIN_WORDS, MAX_WORDS = 40, 120
MIN_STEP, MAX_STEP = 20, 70
SHORT_TIMESTAMP_RATE = 0.10
SUMMARY_RATE = 0.70
MIN_PRODUCTS, MAX_PRODUCTS = 1, 5
SUPPLEMENT_RATE = 0.30

# How often a sentence is of each kind; the rest is filler talk.
DRUG_SENTENCE_RATE = 0.09
TRAP_SENTENCE_RATE = 0.03
ADDRESS_SENTENCE_RATE = 0.02
MISSPELLING_RATE = 0.15
# A drug sentence gives a dose below DOSE_SHARE, a warning below WARNING_SHARE, else a mention.
DOSE_SHARE, WARNING_SHARE = 0.40, 0.65
QUOTE_MIN_WORDS = 7

FIRST_UPLOAD = date(2019, 1, 1)
LAST_UPLOAD = date(2026, 12, 31)
VIDEO_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Six characters of the video id are an affine bijection of the episode index (mod 64**6),
# so ids never repeat within a corpus of fewer than 64**6 episodes.
VIDEO_ID_INDEX_CHARS = 6
VIDEO_ID_MULTIPLIER = 0x2545F4914F  # odd, hence invertible mod 64**6
VIDEO_ID_OFFSET = 0x9E3779B97F
VIDEO_ID_LENGTH = 11

# Vocabulary names kept as drugs: one word of letters, with a pharmaceutical stem.
DRUG_NAME = re.compile(r"[a-z]{6,14}")
DRUG_IDS = ("drugbank_id", "medline_plus_id")
DRUG_STEMS = tuple(
    (
        "pril sartan olol alol statin azole dipine apine pine azepam zolam tide afil mycin cillin "
        "floxacin cycline triptan profen oxetine aline afine idone zodone gliptin gliflozin "
        "formin sone olone lukast tidine setron vir dronate caine xaban trexone oxone ipramine "
        "triptyline gabalin pentin amate etine azosin semide thiazide tropium terol fenac coxib "
        "dopa gepant orexant clone plon pidem mantine pezil azine peridol piprazole lamide"
    ).split()
)

# Dose scales for prescription drugs (mg or mcg), chosen once per drug per episode.
MG_SCALES = (
    (0.5, 1.0, 2.0),
    (2.5, 5.0, 10.0),
    (4.5, 9.0, 13.5),
    (10.0, 20.0, 40.0),
    (25.0, 50.0, 100.0),
    (50.0, 100.0, 200.0),
    (150.0, 300.0, 600.0),
    (250.0, 500.0, 1000.0),
    (500.0, 1000.0, 2000.0),
)
MCG_SCALES = ((25.0, 50.0, 100.0), (100.0, 200.0, 400.0), (250.0, 500.0, 1000.0))
MCG_RATE = 0.12


@dataclass(frozen=True)
class Product:
    """A drug or supplement as discussed in one episode: its name, unit and usual amounts."""

    name: str
    unit: str
    amounts: tuple[float, ...]
    supplement: bool = False


SUPPLEMENTS = (
    Product("magnesium", "mg", (200.0, 300.0, 400.0, 500.0), True),
    Product("creatine", "g", (3.0, 5.0, 10.0), True),
    Product("vitamin D3", "IU", (1000.0, 2000.0, 4000.0, 5000.0, 10000.0), True),
    Product("vitamin B12", "mcg", (250.0, 500.0, 1000.0, 2000.0), True),
    Product("NMN", "mg", (250.0, 500.0, 1000.0), True),
    Product("omega-3", "mg", (1000.0, 2000.0, 3000.0), True),
    Product("melatonin", "mg", (0.5, 1.0, 3.0, 5.0, 10.0), True),
    Product("glycine", "g", (3.0, 5.0), True),
    Product("ashwagandha", "mg", (300.0, 600.0), True),
    Product("zinc", "mg", (15.0, 25.0, 30.0, 50.0), True),
    Product("berberine", "mg", (500.0, 1000.0, 1500.0), True),
    Product("curcumin", "mg", (500.0, 1000.0), True),
    Product("CoQ10", "mg", (100.0, 200.0, 300.0), True),
    Product("L-theanine", "mg", (100.0, 200.0, 400.0), True),
    Product("taurine", "g", (1.0, 2.0, 3.0), True),
    Product("resveratrol", "mg", (250.0, 500.0, 1000.0), True),
    Product("quercetin", "mg", (250.0, 500.0), True),
    Product("folate", "mcg", (400.0, 800.0, 1000.0), True),
    Product("iron", "mg", (18.0, 25.0, 65.0), True),
    Product("apigenin", "mg", (50.0,), True),
    Product("vitamin K2", "mcg", (90.0, 100.0, 180.0), True),
)

# Unit: (abbreviation, singular word, plural word).
UNIT_NAMES = {
    "mg": ("mg", "milligram", "milligrams"),
    "mcg": ("mcg", "microgram", "micrograms"),
    "g": ("g", "gram", "grams"),
    "IU": ("IU", "international unit", "international units"),
}
ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

FREQUENCIES = (
    "once a day",
    "twice a day",
    "three times a day",
    "once a week",
    "every other day",
    "at night",
    "in the morning",
    "daily",
    "every twelve hours",
    "before bed",
    "with breakfast",
    "once weekly",
)
FREQUENCY_RATE = 0.6
RANGE_RATE = 0.15
WORDS_RATE = 0.35
THOUSANDS_COMMA_RATE = 0.5
ABBREVIATED_UNIT_RATE = 0.7

CHANNELS = (
    ("Rest Assured with Dr. Owen Calloway", "Owen Calloway", "sleep and circadian health"),
    ("The Longevity Lab", "Nadia Brooks", "living longer and better"),
    ("Clinical Hour", "Dana Okafor", "everyday medicine"),
    ("Metabolic Matters", "Rafael Ortiz", "metabolism, weight and diabetes"),
    ("The Pain Clinic Podcast", "Helen Marsh", "chronic pain and its treatment"),
    ("Mind Over Meds", "Samuel Greene", "psychiatry and mental health"),
    ("Heart of the Matter", "Lena Fischer", "cardiology and blood pressure"),
    ("Healthspan Radio", "Marcus Webb", "healthspan and prevention"),
    ("The Evidence Desk", "Aisha Rahman", "what the studies actually say"),
    ("Hormone Hour", "Claire Dubois", "hormones and endocrinology"),
    ("Gut Check Podcast", "Tomás Rivera", "digestion and the microbiome"),
    ("Strong After Forty", "Jenna Holt", "strength, muscle and ageing"),
    ("The Pharmacist Is In", "Victor Chen", "medications and how to take them"),
    ("Brain Health Weekly", "Irene Novak", "neurology and cognition"),
    ("Peak Performance MD", "Daniel Kerr", "performance and recovery"),
    ("The Family Doctor Show", "Grace Mbeki", "primary care"),
    ("Second Opinion Radio", "Paul Lindqvist", "second opinions on common treatments"),
    ("Sleep Science Sessions", "Mira Patel", "sleep medicine"),
    ("The Migraine Room", "Oliver Grant", "headache and migraine"),
    ("Women's Health Unfiltered", "Sofia Alvarez", "women's health and menopause"),
    ("The Recovery Room", "Ethan Cole", "addiction medicine and recovery"),
    ("Skin Deep Podcast", "Yuki Tanaka", "dermatology"),
    ("Lungs and Lifestyle", "Ben Adeyemi", "breathing, asthma and fitness"),
    ("The Supplement Show", "Laura Kim", "supplements and nutrition"),
    ("Aging Well Today", "Robert Haines", "healthy ageing"),
    ("Inside Internal Medicine", "Maya Singh", "internal medicine"),
    ("The Kidney Podcast", "Frank Osei", "kidney health"),
    ("Mood and Medicine", "Hannah Berg", "mood disorders"),
    ("The Joint Effort", "Lucas Moreau", "arthritis and joints"),
    ("Fit Over Fifty", "Karen Doyle", "fitness after fifty"),
)

FIRST_NAMES = tuple(
    (
        "Priya Marcus Elena James Aiko Samuel Fatima Lucas Ingrid David Chloe Ahmed Rosa Kevin "
        "Leila Thomas Nora Andre Julia Kenji Amara Peter Zoe Ravi Hana Michael Sara Diego Eva "
        "Jonah Lina Omar Beatrice Arjun Nina Felix Maya Isaac Clara Tobias"
    ).split()
)
LAST_NAMES = tuple(
    (
        "Raman Feld Vasquez Whitaker Nakamura Osei Hassan Lindgren Moreau Petrov Adler Kowalski "
        "Brennan Sato Okoye Harrington Castillo Novak Mehta Fischer Delgado Abbott Yilmaz Larsen "
        "Ng Romero Sullivan Bakshi Coleman Eriksen Farouk Goldberg Ito Jensen Keller Lopez Mwangi "
        "Park Quinn Stein"
    ).split()
)
CREDENTIALS = ("M.D.", "M.D., Ph.D.", "Ph.D.", "Pharm.D.", "D.O.", "R.D.", "M.D., M.P.H.")
INSTITUTIONS = (
    "Stanford",
    "UAB",
    "Johns Hopkins",
    "the Mayo Clinic",
    "UCSF",
    "Harvard",
    "Oxford",
    "the Cleveland Clinic",
    "McGill",
    "Karolinska",
    "Duke",
    "the University of Michigan",
)
CONDITIONS = (
    "insomnia",
    "migraine",
    "depression",
    "anxiety",
    "type 2 diabetes",
    "chronic pain",
    "high blood pressure",
    "fibromyalgia",
    "long COVID",
    "obesity",
    "heart failure",
    "osteoarthritis",
    "multiple sclerosis",
    "acid reflux",
    "ADHD",
    "menopause symptoms",
    "high cholesterol",
    "asthma",
    "psoriasis",
    "sleep apnea",
)
SIDE_EFFECTS = (
    "nausea",
    "headaches",
    "dizziness",
    "insomnia",
    "vivid dreams",
    "dry mouth",
    "fatigue",
    "weight gain",
    "constipation",
    "diarrhea",
    "low libido",
    "muscle aches",
    "brain fog",
    "heartburn",
    "palpitations",
    "a metallic taste",
)
STOP_SYMPTOMS = (
    "chest pain",
    "a rash",
    "swelling in your face",
    "yellowing of your skin",
    "black stools",
    "severe abdominal pain",
    "trouble breathing",
    "muscle pain with dark urine",
    "a high fever",
    "fainting spells",
    "any thoughts of self-harm",
)
MARKERS = (
    "liver enzymes",
    "kidney function",
    "potassium",
    "vitamin D levels",
    "B12 levels",
    "A1c",
    "fasting glucose",
    "lipid panel",
    "ferritin",
    "thyroid levels",
    "testosterone levels",
    "magnesium levels",
    "blood pressure",
)

DOSE_TEMPLATES = (
    "I usually start people on {dose} of {drug}{freq}.",
    "Most of the trials used {dose} of {drug}{freq}.",
    "So with {drug} we go up to {dose}{freq}, and that's where most people stay.",
    "I personally take {dose} of {drug}{freq}.",
    "The typical dose of {drug} is {dose}{freq}.",
    "We titrate {drug} slowly, um, starting at {dose}{freq}.",
    "A lot of people do fine on {dose}{freq}, that's {drug}.",
    "And the dose for {drug}? Usually {dose}{freq}.",
    "You can go as high as {dose} of {drug}, but I rarely need to.",
    "I'd say {dose} of {drug}{freq} is a reasonable place to start.",
    "My patients on {drug} mostly end up at {dose}{freq}.",
)
WARNING_TEMPLATES = (
    "The main side effects of {drug} are {effect} and {effect2}.",
    "With {drug} some people get {effect}, especially in the first couple of weeks.",
    "If you notice {symptom}, stop taking {drug} and call your doctor.",
    "Stop {drug} if you get {symptom}, that's a red flag.",
    "Take {drug} in the morning, because at night it can keep you up.",
    "I tell people to take {drug} with food, it's easier on the stomach.",
    "Don't combine {drug} with alcohol.",
    "Please don't mix {drug} with alcohol or other sedatives.",
    "Check your {marker} before you start {drug}, and again after three months.",
    "If you're on {drug}, get your {marker} checked every six months or so.",
    "Don't stop {drug} abruptly, taper it down over a few weeks.",
    "Avoid {drug} if you're pregnant or breastfeeding.",
    "Stop {drug} during an active infection and restart it when you're better.",
)
MENTION_TEMPLATES = (
    "What do you think about {drug}?",
    "{drug} has been around for decades and it's off patent.",
    "The data on {drug} is still pretty preliminary.",
    "People ask me about {drug} all the time.",
    "So {drug} works by a completely different mechanism.",
    "I've seen {drug} really help people with {condition}.",
    "There's a decent trial of {drug} in {condition}.",
    "Honestly, {drug} is one of the most underrated tools we have for {condition}.",
    "Where does {drug} fit in for someone with {condition}?",
    "I wouldn't reach for {drug} first, but it has a place.",
    "A lot of my patients found {drug} on the forums before they ever asked me about it.",
)
TRAP_TEMPLATES = (
    "It's about ${money} a month out of pocket.",
    "Insurance usually doesn't cover it, so it runs about ${money} a month.",
    "It's cheap, like a buck a day.",
    "Roughly {percent}% of patients respond in the trials.",
    "About {percent} percent of people drop out because of side effects.",
    "I had a {age}-year-old patient come in last year.",
    "By the time you're {age}, most of us have lost a lot of muscle.",
    "She was {age} years old and still running marathons.",
    "You get about {percent}% more absorption if you take it with food.",
    "He lost {pounds} pounds in {months} months.",
    "We followed {people} people for {years} years in that study.",
    "Try to get {steps} steps a day, that alone moves the needle.",
)
MONTHLY_COSTS = (10, 15, 20, 30, 45, 60, 100, 150, 300, 1000)
STUDY_SIZES = (120, 450, 2000, 12000, 40000)
DAILY_STEPS = ("7,000", "8000", "10,000")
ADDRESS_TEMPLATES = (
    "That's a great question, {host}.",
    "You know, {host}, I get asked that a lot.",
    "{guest}, walk me through that.",
    "I think that's right, {guest}.",
    "Okay {guest}, let me push back on that a little.",
)
FILLER = (
    "That's a really good question.",
    "I think that's where a lot of people get confused.",
    "And that's the thing, it's not one size fits all.",
    "Um, so let me back up a little bit.",
    "You know, I see this in clinic every single week.",
    "It's a fascinating area and honestly we're still learning.",
    "The short answer is it depends.",
    "I mean, the evidence is mixed, to be fair.",
    "So what does that actually look like for a patient?",
    "Right, and I think that's an important point.",
    "Let's talk about the mechanism for a second.",
    "This is where it gets interesting.",
    "I don't want to overstate the data here.",
    "We have to be honest about what we don't know.",
    "And people come to me frustrated because nothing has worked.",
    "So the first thing I do is take a really careful history.",
    "Uh, there's a lot of noise on social media about this.",
    "I would say most people don't need to overthink it.",
    "The studies are small, but they're consistent.",
    "It's not magic, but it can make a real difference.",
    "What I tell my patients is to change one thing at a time.",
    "Otherwise you have no idea what's working.",
    "That's such an underappreciated point.",
    "There's a big placebo effect in this space, and that's okay.",
    "I want to make sure we're being careful here.",
    "So the way I think about it is in terms of risk and benefit.",
    "You have to look at the whole person, not just the lab number.",
    "And sleep, honestly, is the foundation for all of this.",
    "We didn't learn any of this in medical school.",
    "It's one of those things where the basics still matter most.",
    "I get emails about this constantly.",
    "Let's not skip over that, because it's important.",
    "So it's really a conversation between the patient and the doctor.",
    "I think the pendulum has swung a little too far.",
    "Um, yeah, that's fair.",
    "You know what I mean?",
    "And that's been my experience as well.",
    "So, uh, where do you start with someone like that?",
    "Exercise is still the most powerful intervention we have.",
    "I'm cautiously optimistic about where the field is going.",
    "There's a lot of hype, and some of it is deserved.",
    "We need bigger trials, full stop.",
    "It really comes down to adherence.",
    "The best treatment is the one people will actually stick with.",
    "Patients are often surprised by how much this helps.",
    "I'd push back on that a little bit.",
    "Let me give you a concrete example.",
    "So there are really two camps on this.",
    "And that's why context matters so much.",
    "Nobody likes to hear that, but it's true.",
    "It's not that simple, unfortunately.",
    "I'm always a little skeptical of anything that sounds too good to be true.",
    "The mechanism makes sense on paper.",
    "Whether it translates to real outcomes is another question.",
    "I think we're going to know a lot more in the next five years.",
    "I remember one patient in particular who really changed how I think about this.",
    "That's a great segue, actually.",
    "There's no free lunch in medicine.",
    "So I always start low and go slow.",
    "Your primary care doctor should be part of this conversation.",
    "And the labs can be really reassuring for people.",
    "Stress plays a much bigger role than people realize.",
    "It's a very individual thing.",
    "We talked about this a bit on a previous episode.",
    "Let me play devil's advocate for a second.",
    "Yeah, that matches what I see.",
    "Honestly, I changed my mind on this a few years ago.",
    "The guidelines haven't caught up with the research yet.",
    "I think that's a reasonable approach.",
    "Okay, so let's get practical.",
)
FILLER_SIZED = tuple((sentence, len(sentence.split())) for sentence in FILLER)
BACKCHANNELS = ("Right.", "Yeah.", "Exactly.", "Okay.", "Sure.", "Absolutely.", "Mm-hmm.")

TITLE_TEMPLATES = (
    "{drug}: Hype, Hope, or Homerun? | {guest}",
    "What {drug} Actually Does to Your Body | {guest}",
    "The Truth About {drug} and {condition}",
    "How to Take {drug} Safely | {guest}",
    "{condition}: Medications, Supplements, and What Works | {guest}",
    "Should You Take {drug}? | {guest}",
    "{drug} for {condition}: Dosing, Side Effects, and Red Flags",
)
PAIR_TITLE_TEMPLATES = (
    "{drug} vs {drug2}: What the Evidence Says | {guest}",
    "{drug}, {drug2} and the {condition} Question | {guest}",
)
FOLLOW_UP_TEMPLATES = (
    "What are the long-term effects of {drug}?",
    "How does {drug} interact with other medications?",
    "Is there an optimal time of day to take {drug}?",
    "Who should avoid {drug} altogether?",
    "How long does it take for {drug} to work?",
)


@dataclass
class Episode:
    """The cast and running state of one episode while it is being written."""

    rng: random.Random
    channel: str
    host: str
    theme: str
    guest: str
    credential: str
    products: list[Product]
    condition: str
    short_timestamps: bool
    mentions: list[Product] = field(default_factory=list)
    first_mentions: dict[str, int] = field(default_factory=dict)
    doses: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[tuple[str, int]] = field(default_factory=list)
    quotes: list[tuple[str, int]] = field(default_factory=list)


def generate(count: int, *, seed: int = 0) -> Iterator[tuple[str, str]]:
    """(file name, markdown) for episodes 0 to count - 1, one at a time."""
    for index in range(count):
        yield f"{index:06d}.md", episode(seed, index)


def write(count: int, folder: Path, *, seed: int = 0) -> list[Path]:
    """Writes `count` episodes as folder/NNNNNN.md (UTF-8, LF) and returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, markdown in generate(count, seed=seed):
        path = folder / name
        path.write_bytes(markdown.encode("utf-8"))
        paths.append(path)
    return paths


def episode(seed: int, index: int) -> str:
    """The markdown of episode `index`; it depends only on (seed, index)."""
    # A str seed is hashed with SHA-512, the same on every machine and every run.
    rng = random.Random(f"claimdex-corpus:{seed}:{index}")
    cast = _cast(rng)
    video_id = _video_id(rng, seed, index)
    upload = date.fromordinal(rng.randint(FIRST_UPLOAD.toordinal(), LAST_UPLOAD.toordinal()))
    transcript, end = _transcript(cast)
    parts = [
        f"# {_title(cast)}\n",
        f"**Channel:** {cast.channel}",
        f"**Upload Date:** {upload.isoformat()}",
        f"**URL:** https://www.youtube.com/watch?v={video_id}",
        f"**Duration:** {_duration(end)}\n",
        "## Description\n",
        _description(cast),
    ]
    if rng.random() < SUMMARY_RATE:
        parts += ["## AI Summary\n", _summary(cast)]
    parts += ["## Transcript\n", transcript]
    return "\n".join(parts)


# Drug names ---------------------------------------------------------------------------------


@cache
def drug_names() -> tuple[str, ...]:
    """Sorted generic names from the vocabulary package; the first call imports it (about 2 s)."""
    from drug_named_entity_recognition import drugs_finder

    data: dict[str, dict[str, Any]] = drugs_finder.drug_canonical_to_data
    return tuple(name for name in sorted(data) if _medication_like(name, data[name]))


def _medication_like(name: str, data: dict[str, Any]) -> bool:
    return (
        DRUG_NAME.fullmatch(name) is not None
        and name.endswith(DRUG_STEMS)
        and any(data.get(key) for key in DRUG_IDS)
    )


# Cast, title, header ------------------------------------------------------------------------


def _cast(rng: random.Random) -> Episode:
    channel, host, theme = rng.choice(CHANNELS)
    guest = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    products = _products(rng)
    cast = Episode(
        rng=rng,
        channel=channel,
        host=host,
        theme=theme,
        guest=guest,
        credential=rng.choice(CREDENTIALS),
        products=products,
        condition=rng.choice(CONDITIONS),
        short_timestamps=rng.random() < SHORT_TIMESTAMP_RATE,
    )
    # The episode's main product comes up three times as often as the others.
    cast.mentions = [products[0]] * 3 + products[1:]
    return cast


def _products(rng: random.Random) -> list[Product]:
    names = drug_names()
    wanted = rng.randint(MIN_PRODUCTS, MAX_PRODUCTS)
    products: list[Product] = []
    while len(products) < wanted:
        if rng.random() < SUPPLEMENT_RATE:
            product = rng.choice(SUPPLEMENTS)
        else:
            scales = MCG_SCALES if rng.random() < MCG_RATE else MG_SCALES
            unit = "mcg" if scales is MCG_SCALES else "mg"
            product = Product(rng.choice(names), unit, rng.choice(scales))
        if all(product.name != other.name for other in products):
            products.append(product)
    return products


def _title(cast: Episode) -> str:
    rng = cast.rng
    templates = TITLE_TEMPLATES + (PAIR_TITLE_TEMPLATES if len(cast.products) > 1 else ())
    return rng.choice(templates).format(
        drug=_capitalised(cast.products[0].name),
        drug2=_capitalised(cast.products[-1].name),
        condition=_title_case(cast.condition),
        guest=f"{cast.guest}, {cast.credential}",
    )


def _video_id(rng: random.Random, seed: int, index: int) -> str:
    """11 characters: six encode the index one-to-one, five are random."""
    size = len(VIDEO_ID_ALPHABET)
    offset = VIDEO_ID_OFFSET * (seed + 1)
    mixed = (index * VIDEO_ID_MULTIPLIER + offset) % size**VIDEO_ID_INDEX_CHARS
    unique = []
    for _ in range(VIDEO_ID_INDEX_CHARS):
        mixed, digit = divmod(mixed, size)
        unique.append(VIDEO_ID_ALPHABET[digit])
    chars = []
    for position in range(VIDEO_ID_LENGTH):
        if position % 2 == 0 and unique:
            chars.append(unique.pop())
        else:
            chars.append(rng.choice(VIDEO_ID_ALPHABET))
    return "".join(chars)


def _duration(seconds: int) -> str:
    """'9 minutes' or '1 hour 35 minutes', rounded up to whole minutes."""
    hours, minutes = divmod(math.ceil(seconds / 60), 60)
    if not hours:
        return f"{minutes} minutes"
    hour_part = f"{hours} hour" + ("s" if hours > 1 else "")
    return f"{hour_part} {minutes} minutes" if minutes else hour_part


def _description(cast: Episode) -> str:
    rng = cast.rng
    bullets = [
        f"- {_capitalised(product.name)} – {_capitalised(rng.choice(CONDITIONS))}, dosing, "
        "side effects, and the red flags that mean stop"
        for product in cast.products
    ]
    host_first = cast.host.split()[0]
    lines = [
        f"Join the free newsletter for weekly health science: https://bit.ly/{_token(rng, 7)}",
        f"Watch the full episode: https://youtu.be/{_token(rng, VIDEO_ID_LENGTH)}",
        "",
        f"This clip is from episode #{rng.randint(1, 500)} ‒ {_capitalised(cast.condition)}, "
        f"medications, and the supplement aisle | {cast.guest}, {cast.credential}",
        "In this clip, they discuss:",
        "",
        *bullets,
        "",
        "--------",
        "About:",
        "",
        f"{cast.channel} is a podcast about {cast.theme}. {cast.host} talks with clinicians "
        "and researchers about what the evidence really says.",
        "",
        f"Connect with {host_first}: https://bit.ly/{_token(rng, 7)}",
        "",
        "Disclaimer: This podcast is for general informational purposes only and does not "
        "constitute medical advice.",
        "",
    ]
    return "\n".join(lines)


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(VIDEO_ID_ALPHABET[:62]) for _ in range(length))


# Transcript ---------------------------------------------------------------------------------


def _segment_count(rng: random.Random) -> int:
    """MIN_SEGMENTS to MAX_SEGMENTS, skewed to short episodes: a mean of 100, a median of 70."""
    u = rng.random()
    # u**2.5 (mean 1/3.5), written with sqrt, which IEEE 754 rounds exactly on every machine.
    skewed = u * u * math.sqrt(u)
    return MIN_SEGMENTS + int((MAX_SEGMENTS - MIN_SEGMENTS + 1) * skewed)


def _transcript(cast: Episode) -> tuple[str, int]:
    """The transcript's paragraphs and the episode's length in seconds."""
    rng = cast.rng
    count = _segment_count(rng)
    guest_first, host_first = cast.guest.split()[0], cast.host.split()[0]
    opening = [
        f"Welcome back to {cast.channel}.",
        f"I'm {cast.host}, and my guest today is {cast.guest}.",
        f"Thanks for having me, {host_first}, it's great to be here.",
    ]
    closing = [
        f"{guest_first}, thank you so much for coming on.",
        "Thanks everyone for listening, and we'll see you next time.",
    ]
    paragraphs = []
    seconds = 0
    for number in range(count):
        head = opening if number == 0 else []
        tail = closing if number == count - 1 else []
        sentences = _segment(cast, seconds, head, tail)
        paragraphs.append(f"[{_timestamp(seconds, cast.short_timestamps)}] {' '.join(sentences)}")
        if number < count - 1:
            seconds += rng.randint(MIN_STEP, MAX_STEP)
    return "\n\n".join(paragraphs) + "\n", seconds + rng.randint(MIN_STEP, MAX_STEP)


def _timestamp(seconds: int, short: bool) -> str:
    """HH:MM:SS, or MM:SS in short episodes (H:MM:SS after the first hour, as YouTube does)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if short and not hours:
        return f"{minutes:02d}:{secs:02d}"
    if short:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def _segment(cast: Episode, seconds: int, head: list[str], tail: list[str]) -> list[str]:
    """Sentences of one paragraph: MIN_WORDS to MAX_WORDS words, head and tail included."""
    rng = cast.rng
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    reserved = sum(len(sentence.split()) for sentence in tail)
    sentences = list(head)
    words = sum(len(sentence.split()) for sentence in head) + reserved
    while words < target:
        sentence, size = _sentence(cast, seconds)
        if sentence in sentences:  # say something else rather than repeat oneself
            sentence, size = _sentence(cast, seconds)
        if words + size > MAX_WORDS:
            sentence, size = rng.choice(BACKCHANNELS), 1
        elif size >= QUOTE_MIN_WORDS:
            cast.quotes.append((sentence, seconds))
        sentences.append(sentence)
        words += size
    return sentences + tail


def _sentence(cast: Episode, seconds: int) -> tuple[str, int]:
    """One sentence of talk and its number of words."""
    rng = cast.rng
    roll = rng.random()
    if roll < DRUG_SENTENCE_RATE:
        sentence = _drug_sentence(cast, seconds)
    elif roll < DRUG_SENTENCE_RATE + TRAP_SENTENCE_RATE:
        sentence = _trap_sentence(rng)
    elif roll < DRUG_SENTENCE_RATE + TRAP_SENTENCE_RATE + ADDRESS_SENTENCE_RATE:
        sentence = rng.choice(ADDRESS_TEMPLATES).format(
            host=cast.host.split()[0], guest=cast.guest.split()[0]
        )
    else:
        return FILLER_SIZED[rng.randrange(len(FILLER_SIZED))]
    return sentence, len(sentence.split())


def _drug_sentence(cast: Episode, seconds: int) -> str:
    """A dose, a warning or a mention of a product; doses and warnings are kept for the summary."""
    rng = cast.rng
    product = rng.choice(cast.mentions)
    cast.first_mentions.setdefault(product.name, seconds)
    spoken = _spoken_name(rng, product)
    roll = rng.random()
    if roll < DOSE_SHARE:
        template = rng.choice(DOSE_TEMPLATES)
        spoken_dose, written_dose = _dose(rng, product)
        frequency = f" {rng.choice(FREQUENCIES)}" if rng.random() < FREQUENCY_RATE else ""
        cast.doses.append((f"{_capitalised(product.name)}: {written_dose}{frequency}", seconds))
        return _capitalised(template.format(drug=spoken, dose=spoken_dose, freq=frequency))
    if roll < WARNING_SHARE:
        template = rng.choice(WARNING_TEMPLATES)
        effect, effect2 = rng.sample(SIDE_EFFECTS, 2)
        details = {
            "effect": effect,
            "effect2": effect2,
            "symptom": rng.choice(STOP_SYMPTOMS),
            "marker": rng.choice(MARKERS),
        }
        cast.warnings.append((template.format(drug=product.name, **details), seconds))
        return _capitalised(template.format(drug=spoken, **details))
    template = rng.choice(MENTION_TEMPLATES)
    return _capitalised(template.format(drug=spoken, condition=cast.condition))


def _trap_sentence(rng: random.Random) -> str:
    """Numbers that are not doses: money, percentages, ages, weights, counts."""
    return rng.choice(TRAP_TEMPLATES).format(
        money=f"{rng.choice(MONTHLY_COSTS):,}",
        percent=rng.randint(3, 95),
        age=rng.randint(18, 90),
        pounds=rng.randint(5, 60),
        months=rng.randint(2, 18),
        people=f"{rng.choice(STUDY_SIZES):,}",
        years=rng.randint(2, 30),
        steps=rng.choice(DAILY_STEPS),
    )


# Drug names as spoken and doses -------------------------------------------------------------


def _spoken_name(rng: random.Random, product: Product) -> str:
    """The name, misspelt in MISSPELLING_RATE of drug mentions as speech-to-text would.

    Supplements keep their names. A misspelling drops the first syllable ('trexone'), splits
    the name in two ('nal trexone') or swaps a vowel ('naltrexane').
    """
    if product.supplement or rng.random() >= MISSPELLING_RATE:
        return product.name
    name = product.name
    cut = _first_syllable_end(name)
    roll = rng.random()
    if roll < 1 / 3 and len(name) - cut >= 4:
        return name[cut:]
    if roll < 2 / 3 and 2 <= cut <= len(name) - 3:
        return f"{name[:cut]} {name[cut:]}"
    return _swap_vowel(rng, name)


def _first_syllable_end(name: str) -> int:
    """Where the first syllable ends: after its vowels and one consonant of a cluster."""
    vowels = "aeiouy"
    position = 0
    while position < len(name) and name[position] not in vowels:
        position += 1
    while position < len(name) and name[position] in vowels:
        position += 1
    cluster = position
    while cluster < len(name) and name[cluster] not in vowels:
        cluster += 1
    return position + 1 if cluster - position >= 2 else position


def _swap_vowel(rng: random.Random, name: str) -> str:
    places = [i for i, char in enumerate(name) if char in "aeiou" and i > 0]
    if not places:
        return name
    place = rng.choice(places)
    other = rng.choice([vowel for vowel in "aeiou" if vowel != name[place]])
    return name[:place] + other + name[place + 1 :]


def _dose(rng: random.Random, product: Product) -> tuple[str, str]:
    """A dose as spoken ('four and a half milligrams', '200 to 400 mg') and as written ('4.5mg')."""
    amounts = product.amounts
    low_index = rng.randrange(len(amounts))
    low = amounts[low_index]
    if rng.random() < RANGE_RATE and low_index < len(amounts) - 1:
        high = amounts[rng.randrange(low_index + 1, len(amounts))]
        written = f"{_digits(low)}-{_digits(high)}{product.unit}"
        if rng.random() < WORDS_RATE:
            return f"{_amount_words(low)} to {_with_unit_words(high, product.unit)}", written
        separator = rng.choice((" to ", "-"))
        return f"{_digits(low)}{separator}{_digits(high)} {product.unit}", written
    written = f"{_digits(low)}{product.unit}"
    if rng.random() < WORDS_RATE:
        return _with_unit_words(low, product.unit), written
    short, _, plural = UNIT_NAMES[product.unit]
    thousands = low >= 1000 and rng.random() < THOUSANDS_COMMA_RATE
    number = f"{int(low):,}" if thousands else _digits(low)
    unit = short if rng.random() < ABBREVIATED_UNIT_RATE or product.unit == "IU" else plural
    return f"{number} {unit}", written


def _digits(amount: float) -> str:
    return str(int(amount)) if amount == int(amount) else str(amount)


def _with_unit_words(amount: float, unit: str) -> str:
    _, singular, plural = UNIT_NAMES[unit]
    if amount == 0.5:
        return f"half a {singular}"
    return f"{_amount_words(amount)} {singular if amount == 1 else plural}"


def _amount_words(amount: float) -> str:
    whole = int(amount)
    if amount == 0.5:
        return "half"
    words = _number_words(whole)
    return f"{words} and a half" if amount - whole == 0.5 else words


def _number_words(number: int) -> str:
    """English words for 0 to 999,999: 'two hundred fifty', 'four thousand'."""
    if number < 20:
        return ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{ONES[hundreds]} hundred" + (f" {_number_words(rest)}" if rest else "")
    thousands, rest = divmod(number, 1000)
    return f"{_number_words(thousands)} thousand" + (f" {_number_words(rest)}" if rest else "")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _title_case(text: str) -> str:
    return " ".join(_capitalised(word) for word in text.split())


# AI summary ---------------------------------------------------------------------------------

NOT_DISCUSSED = "Not discussed in this episode"


@dataclass(frozen=True)
class Stamp:
    """Formats seconds as the episode's bracketed timestamps."""

    short: bool

    def __call__(self, seconds: int) -> str:
        return f"[{_timestamp(seconds, self.short)}]"


def _summary(cast: Episode) -> str:
    stamp = Stamp(cast.short_timestamps)
    names = [_capitalised(product.name) for product in cast.products]
    sections = [
        ("Executive Summary", [_executive_summary(cast, names)]),
        ("Key Medical/Scientific Points", _key_points(cast, stamp)),
        ("Health Optimization Tips", _bullets(cast.warnings[:3], stamp) or [NOT_DISCUSSED]),
        ("Supplements & Medications", _bullets(cast.doses[:6], stamp) or [NOT_DISCUSSED]),
        ("Exercise & Movement", [NOT_DISCUSSED]),
        ("Nutrition & Diet", [NOT_DISCUSSED]),
        ("Biomarkers & Testing", _biomarkers(cast, stamp)),
        ("References & Resources", [_reference(cast, stamp)]),
        ("Notable Quotes", _quotes(cast, stamp)),
        ("Follow-up Questions", _follow_ups(cast, names)),
    ]
    lines = []
    for number, (name, body) in enumerate(sections, start=1):
        if body == [NOT_DISCUSSED]:
            lines += [f"{number}. **{name}**: {NOT_DISCUSSED}", ""]
        else:
            lines += [f"{number}. **{name}**:", *body, ""]
    return "\n".join(lines)


def _executive_summary(cast: Episode, names: Sequence[str]) -> str:
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return (
        f"This episode features {cast.guest}, {cast.credential}, discussing {listed} with "
        f"{cast.host}. The conversation covers {cast.condition}, practical dosing, side effects "
        "and the warning signs that mean a treatment should be stopped, along with cost and "
        "how to tell whether something is actually working."
    )


def _key_points(cast: Episode, stamp: Stamp) -> list[str]:
    points = [
        f"- {_capitalised(name)} is discussed for {cast.condition} {stamp(seconds)}"
        for name, seconds in cast.first_mentions.items()
    ]
    return points or [f"- Overview of {cast.condition} treatment options {stamp(0)}"]


def _bullets(facts: Sequence[tuple[str, int]], stamp: Stamp) -> list[str]:
    return [f"- {text.rstrip('.')} {stamp(seconds)}" for text, seconds in facts]


def _biomarkers(cast: Episode, stamp: Stamp) -> list[str]:
    checks = [(text, seconds) for text, seconds in cast.warnings if "check" in text.lower()]
    return _bullets(checks[:3], stamp) or [NOT_DISCUSSED]


def _reference(cast: Episode, stamp: Stamp) -> str:
    rng = cast.rng
    expert = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return f"- Expert mentioned: {expert} at {rng.choice(INSTITUTIONS)} {stamp(0)}"


def _quotes(cast: Episode, stamp: Stamp) -> list[str]:
    """One or two sentences copied word for word from the transcript."""
    rng = cast.rng
    count = min(rng.randint(1, 2), len(cast.quotes))
    chosen = sorted(rng.sample(range(len(cast.quotes)), count))
    return [f'"{cast.quotes[i][0]}" {stamp(cast.quotes[i][1])}' for i in chosen]


def _follow_ups(cast: Episode, names: Sequence[str]) -> list[str]:
    rng = cast.rng
    templates = rng.sample(FOLLOW_UP_TEMPLATES, 3)
    return [f"- {template.format(drug=rng.choice(names))}" for template in templates]


# Command line -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.corpus COUNT FOLDER [--seed N]`: writes the corpus and its timing."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("count", type=int, help="number of episodes")
    parser.add_argument("folder", type=Path, help="where to write NNNNNN.md files")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("COUNT must be zero or more")
    start = time.perf_counter()
    paths = write(args.count, args.folder, seed=args.seed)
    elapsed = time.perf_counter() - start
    sys.stdout.write(f"wrote {len(paths)} episodes to {args.folder} in {elapsed:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
