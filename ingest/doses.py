"""Finds amounts in transcript text: numbers in digits or words, their units, ranges and frequency.

Whether an amount is a dose of some medication is decided in `extract`, which knows the drug
being talked about; this module only reads the words.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

from numerizer import numerize

from ingest.text import Token, sentences, tokenize
from ingest.units import to_canonical

NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand",
}  # fmt: skip
FRACTION_WORDS = {
    "half", "halves", "quarter", "quarters", "third", "thirds", "fourth", "fourths", "fifth",
    "fifths", "tenth", "tenths",
}  # fmt: skip
# Words allowed inside a number ("four and a half", "one point five") when a number follows.
JOINERS = {"and", "a", "an", "point", "-"}
THOUSANDS = re.compile(r"\d{3}")
# Between two amounts with units, these make one range: "200 milligrams all the way up to
# 2,000 milligrams", "1,000 milligrams and up to 4,000".
RANGE_BETWEEN = re.compile(
    r"(?:to|-+|–|through|(?:(?:and|or|-+)\s+)?(?:all\s+the\s+way\s+)?up\s+to)"
)
SHORT_WHOLE = re.compile(r"\d{1,3}")
# A number right after these starts a word count: "a" leads "a hundred", "a half".
LEADS = {"a", "an"}

# Unit phrases as said, longest first, and the unit pint reads them as.
UNIT_PHRASES: list[tuple[tuple[str, ...], str]] = sorted(
    [
        (("international", "units"), "IU"),
        (("international", "unit"), "IU"),
        (("iu",), "IU"),
        (("ius",), "IU"),
        (("units",), "IU"),
        (("unit",), "IU"),
        (("u",), "IU"),
        (("ui",), "IU"),
        (("mg",), "mg"),
        (("mgs",), "mg"),
        (("milligram",), "mg"),
        (("milligrams",), "mg"),
        (("milligramme",), "mg"),
        (("milligrammes",), "mg"),
        (("mcg",), "mcg"),
        (("mcgs",), "mcg"),
        (("ug",), "mcg"),
        (("µg",), "mcg"),
        (("microgram",), "mcg"),
        (("micrograms",), "mcg"),
        (("microg",), "mcg"),
        (("micro", "g"), "mcg"),
        (("micro", "grams"), "mcg"),
        (("g",), "g"),
        (("gm",), "g"),
        (("gram",), "g"),
        (("grams",), "g"),
        (("gramme",), "g"),
        (("grammes",), "g"),
        (("ml",), "mL"),
        (("mls",), "mL"),
        (("milliliter",), "mL"),
        (("milliliters",), "mL"),
        (("millilitre",), "mL"),
        (("millilitres",), "mL"),
        (("cc",), "mL"),
        (("ccs",), "mL"),
    ],
    key=lambda phrase: -len(phrase[0]),
)
# Doses by body weight ("0.3 grams per kilogram", "mg kg-1") and by body surface ("mg/m2").
PER_BODY: list[tuple[tuple[str, ...], str]] = [
    (("per", "kilogram"), "kg"),
    (("per", "kilo"), "kg"),
    (("per", "kg"), "kg"),
    (("/", "kg"), "kg"),
    (("a", "kilo"), "kg"),
    (("kg-1",), "kg"),
    (("/", "m2"), "m2"),
    (("per", "m2"), "m2"),
    (("/", "m", "(", "2", ")"), "m2"),
    (("per", "square", "meter"), "m2"),
    (("per", "square", "metre"), "m2"),
]
# "150 mg/d" and "20 mg/day" say how often as part of the unit.
PER_DAY = [("/", "d"), ("/", "day"), ("/", "24", "h")]
# "60 milligrams per deciliter" is a lab value, "20 milligrams per mL" a concentration, and
# "a 10 mL vial" the size of a package: none is a dose.
CONCENTRATION = re.compile(
    r"^\s*(?:(?:per|/|a)\s*(?:deciliter|decilitre|dl|liter|litre|l|ml|mL)\b"
    r"|-?(?:vials?|bottles?|bags?|tubes?|ampoules?|ampules?|pens?|cartridges?|boxe?s?|packs?"
    r"|jars?|containers?|tubs?)\b)",
    re.IGNORECASE,
)
RANGE_WORDS = {"to", "-", "–", "through"}
DIGIT_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000}
# Speech-to-text writes "to" as "two" ("one two three milligrams"): after a number that "two"
# cannot continue, and before a larger one, it is the "to" of a range.
NOT_BEFORE_TWO = {
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    "half", "halves", "quarter", "quarters", "third", "thirds",
}  # fmt: skip
# "100, 200, 300 or 400 milligrams": numbers joined by these share the unit of the last one;
# the hedges may stand beside a joiner ("200 or maybe 300"), never alone.
LIST_LINKS = {",", "or", "and"}
# ... and the suspended hyphen of "1- or 2-gram doses".
LIST_JOINERS = LIST_LINKS | {"maybe", "even", "perhaps", "possibly", "-"}
# A bare number followed by one of these and another number goes on counting the same thing.
GOES_ON = LIST_JOINERS | RANGE_WORDS
KILOGRAMS = {"kilograms", "kilogram", "kilos", "kilo", "kg", "kgs"}
# A listed value further than this factor from the one that carries the unit is something else
# ("in 2019, 200 milligrams").
LIST_RANGE = 10.0
FILLERS = {"like", "about", "maybe", "uh", "um", "around", "roughly", "say", "even", "up"}
ESTIMATES = {"about", "around", "roughly"}
# A bare number after these may be a dose in the unit the speaker has been using.
CARRY_FRAMES = {"to", "at", "take", "takes", "taking", "took", "sometimes", "then", "from", "on"}
# Words before a number that make it a time, an age or a count, never a dose.
NOT_DOSE_BEFORE = {
    "wait", "waited", "waiting", "after", "for", "within", "in", "every", "age", "aged",
    "ages", "year", "years", "day", "days", "week", "weeks", "hour", "hours", "minute",
    "minutes", "number", "page", "chapter", "episode", "level", "levels", "score", "than",
}  # fmt: skip
# Verbs after which "at N" is a dose rather than a time of day.
AT_DOSE = {"start", "starts", "started", "starting", "stay", "stayed", "staying", "stop",
           "stopped", "cap", "capped", "max", "maxed", "top", "topped", "peak", "peaked",
           "dose", "dosed", "dosing", "keep", "kept", "begin", "began"}  # fmt: skip
# ... and only when what follows does not say it counts something else ("two capsules").
ENDS_CLAUSE = {
    "and", "or", "but", "so", "then", "now", "because", "cuz", "i", "he", "she", "we", "you",
    "they", "it", "instead", "maybe", "right", "okay", "yeah", "if", "when", "which", "that",
    "for", "until", "till", "every", "once", "twice", "daily", "each", "per",
}  # fmt: skip
PUNCTUATION = set(".,;:?!)")

# "after a week" and "in a day" say when, not how often.
NOT_AFTER = r"(?<!after )(?<!in )(?<!for )(?<!within )(?<!than )(?<!about )"
FREQUENCIES: list[tuple[re.Pattern[str], str, float]] = [
    (re.compile(p, re.IGNORECASE), label, per_day)
    for p, label, per_day in [
        (r"\bevery other week\b|\bevery two weeks\b|\bbiweekly\b", "every other week", 1 / 14),
        (r"\bevery other day\b|\bevery two days\b", "every other day", 1 / 2),
        (r"\b(?:three|3) times (?:a|per|each) day\b|\bthree times daily\b|\bt\.?i\.?d\b"
         r"|\b(?:three times|3 times|3x)/day\b",
         "three times daily", 3.0),
        (r"\b(?:twice|two times|2 times|2x) (?:a|per|each) day\b|\btwice daily\b|\bb\.?i\.?d\b"
         r"|\b(?:twice|2x)/day\b",
         "twice daily", 2.0),
        (r"\b(?:once|one time) (?:a|per|each) week\b|\bweekly\b|\b(?:per|each|every) week\b|"
         + NOT_AFTER + r"\ba week\b",
         "weekly", 1 / 7),
        (r"\b(?:once|one time) (?:a|per|each) month\b|\bmonthly\b|\b(?:per|every) month\b|"
         + NOT_AFTER + r"\ba month\b",
         "monthly", 1 / 30),
        (r"\bevery night\b|\bnightly\b|\bat night\b|\bat bedtime\b|\bbefore bed\b",
         "nightly", 1.0),
        (r"\b(?:once|one time) (?:a|per|each) day\b|\bonce daily\b|\bdaily\b"
         r"|\b(?:per|each|every) day\b|" + NOT_AFTER + r"\ba day\b|\bq\.?d\b|\bonce/day\b",
         "daily", 1.0),
    ]
]  # fmt: skip
FREQUENCY_REACH = 60  # characters after the amount, within its sentence


# No single dose is this large; an amount over it is a slip of the tongue or a transcription
# error, and is not reported: 200 g (cumulative doses in case reports reach 100 g), 5 L,
# 10 million IU.
LARGEST_DOSE = {"mg": 200_000.0, "mL": 5_000.0, "IU": 10_000_000.0}


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount as said: `unit` is canonical ("mg", "mL", "IU", "mg/kg"), None when bare."""

    start: int
    end: int
    text: str
    value: float
    max_value: float | None
    unit: str | None
    frequency: str | None = None
    per_day: float | None = None  # doses a day, to multiply by the value
    carriable: bool = False  # a bare number where a dose in a carried unit may stand
    said_unit: str | None = None  # the unit as said ("g"), which a later bare number carries
    list_end: int | None = None  # for a number listed before its unit: where the list ends


def find_amounts(text: str) -> list[Amount]:
    """Every amount with a dose unit, and every bare number in a dose-like frame."""
    tokens = tokenize(text)
    lowered = [token.text.lower() for token in tokens]
    ends = [end for _, end in sentences(text)]
    amounts: list[Amount] = []
    numbers: list[tuple[int, int, float]] = []  # every number read: first token, end, value
    index = 0
    while index < len(tokens):
        number = _number(tokens, lowered, index)
        if number is None:
            index += 1
            continue
        value, after = number
        numbers.append((index, after, value))
        amount, after = _amount(text, tokens, lowered, index, value, after, ends)
        # Zero is never a dose: "the right dose for you is zero milligrams".
        if amount is not None and (amount.value > 0 or amount.max_value):
            amounts.extend(_listed(text, tokens, lowered, numbers, amount))
            amounts.append(amount)
        index = after
    return _with_frequencies(text, _ranges(text, _unique(amounts)), ends)


# Captions break paragraphs anywhere, even between a number and its unit ("we required a 50 |
# milligram dose"): this much of a paragraph's end is read with the next one's start.
WRAP_TAIL = 60
WRAP_HEAD = 120


def wrapped_amount(before: str, after: str) -> tuple[int, Amount] | None:
    """An amount whose number ends the paragraph `before` and whose unit opens `after`: where
    its number starts in `before`, and the amount as said in `after` (offsets in `after`)."""
    before = before.rstrip()
    last = before[-WRAP_TAIL:].rsplit(None, 1)[-1].lower() if before else ""
    if not (last[-1:].isdigit() or last in NUMBER_WORDS or last in FRACTION_WORDS):
        return None
    tail = before[-WRAP_TAIL:]
    shift = len(tail) + 1
    for amount in find_amounts(f"{tail} {after[:WRAP_HEAD]}"):
        if amount.start < len(tail) < amount.end and amount.said_unit is not None:
            moved = replace(
                amount,
                start=0,
                end=amount.end - shift,
                list_end=amount.list_end - shift if amount.list_end is not None else None,
            )
            return len(before) - len(tail) + amount.start, moved
    return None


def _listed(
    text: str,
    tokens: Sequence[Token],
    lowered: list[str],
    numbers: list[tuple[int, int, float]],
    amount: Amount,
) -> list[Amount]:
    """The numbers listed before a measured amount that share its unit: "100, 200, 300 or
    400 milligrams" says four doses."""
    said = amount.said_unit
    if said is None or amount.max_value is not None:
        return []
    listed: list[Amount] = []
    first = next(
        i for i, (start, _, _) in enumerate(numbers) if tokens[start].start == amount.start
    )
    boundary = numbers[first][0]
    for start, end, value in reversed(numbers[:first]):
        between = lowered[end:boundary]
        if not set(between) <= LIST_JOINERS or not set(between) & LIST_LINKS:
            break
        begin, finish = tokens[start].start, tokens[end - 1].end
        dose = _measured(text[begin:finish], begin, finish, value, None, said)
        if not (value > 0 and amount.value / LIST_RANGE <= dose.value <= amount.value * LIST_RANGE):
            break
        listed.append(replace(dose, list_end=amount.end))
        boundary = start
    return listed[::-1]


def _unique(amounts: list[Amount]) -> list[Amount]:
    """One amount per place in the text (a listed number may also have been read bare)."""
    by_start: dict[int, Amount] = {}
    for amount in amounts:
        kept = by_start.get(amount.start)
        if kept is None or (kept.unit is None and amount.unit is not None):
            by_start[amount.start] = amount
    return sorted(by_start.values(), key=lambda amount: amount.start)


def _ranges(text: str, amounts: list[Amount]) -> list[Amount]:
    """ "100 milligrams to 200 milligrams" and "200 milligrams all the way up to 2,000
    milligrams" are one range each, not two doses."""
    merged: list[Amount] = []
    for amount in amounts:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.unit is not None
            and previous.unit == amount.unit
            and previous.max_value is None
            and amount.max_value is None
            and previous.value < amount.value
            and RANGE_BETWEEN.fullmatch(text[previous.end : amount.start].strip().lower())
        ):
            merged[-1] = replace(
                previous,
                end=amount.end,
                text=text[previous.start : amount.end],
                max_value=amount.value,
            )
            continue
        merged.append(amount)
    return merged


def dose_follows(text: str, offset: int) -> bool:
    """Whether an amount with a dose unit starts within a few words after `offset`."""
    ahead = text[offset : offset + 40]
    return any(amount.unit and amount.start <= 12 for amount in find_amounts(ahead))


def _number(tokens: Sequence[Token], lowered: list[str], index: int) -> tuple[float, int] | None:
    """The number starting at token `index` and the index after it, or None."""
    if index >= len(tokens):
        return None
    token = tokens[index]
    word = lowered[index]
    if token.is_number:
        if index > 0 and lowered[index - 1] in {"$", "£", "€", "#"}:
            return None
        # A minus sign, not the dash of a range ("125-500 mg") or of a pause ("range-- 300"):
        # no dose is negative.
        if (
            index > 0
            and lowered[index - 1] == "-"
            and tokens[index - 1].end == token.start
            and not (index > 1 and tokens[index - 2].is_number)
        ):
            return None
        end = index + 1
        # "2 000": captions group thousands with a space.
        while (
            end < len(tokens)
            and THOUSANDS.fullmatch(tokens[end].text)
            and tokens[end].start == tokens[end - 1].end + 1
            and SHORT_WHOLE.fullmatch(token.text)
        ):
            end += 1
        if end > index + 1:
            return float("".join(t.text for t in tokens[index:end])), end
    elif word in NUMBER_WORDS or word in FRACTION_WORDS or word in LEADS:
        end = index + 1
    elif word == "point" and index + 1 < len(tokens) and lowered[index + 1] in NUMBER_WORDS:
        end = index + 1  # "point five": a decimal said without its leading zero
    else:
        return None
    while end < len(tokens):
        following = lowered[end]
        if following == "two" and lowered[end - 1] in NOT_BEFORE_TWO:
            break
        if following in DIGIT_WORDS and lowered[end - 1] in DIGIT_WORDS:
            break  # "five six grams": two numbers, never one
        if following in NUMBER_WORDS or following in FRACTION_WORDS:
            end += 1
        elif following in JOINERS and end + 1 < len(tokens) and (
            # "a hundred and five", but not "between one and two"
            (lowered[end + 1] in NUMBER_WORDS
             and (following != "and" or lowered[end - 1] in {"hundred", "thousand"}))
            or lowered[end + 1] in FRACTION_WORDS
            or (lowered[end + 1] in LEADS and end + 2 < len(tokens)
                and lowered[end + 2] in FRACTION_WORDS)
            or (following == "point" and tokens[end + 1].is_number)
        ):  # fmt: skip
            end += 2 if lowered[end + 1] not in LEADS else 3
        else:
            break
    while end > index + 1 and lowered[end - 1] in JOINERS:
        end -= 1
    if word in LEADS and end == index + 1:
        # "a gram of NMN" is one gram; "a" before anything else is no number at all.
        unit = _unit(lowered, end)
        return (1.0, end) if unit is not None and lowered[end] not in LEADS else None
    value = _value(" ".join(lowered[index:end]))
    return None if value is None else (value, end)


@lru_cache(maxsize=4096)
def _value(words: str) -> float | None:
    """The number a run of words says: "four and a half" -> 4.5, "three tenths" -> 0.3."""
    plain = words.replace(",", "")
    try:
        return float(Fraction(plain))
    except (ValueError, ZeroDivisionError):
        pass
    said = numerize(words).replace(",", "").strip()
    if point := re.fullmatch(r"(\d*) ?point (\d+)", said):
        return float(f"{point[1] or 0}.{point[2]}")
    said = re.sub(r"^(\d+) (\d+/\d+)$", lambda m: str(int(m[1]) + Fraction(m[2])), said)
    try:
        return float(Fraction(said))
    except (ValueError, ZeroDivisionError):
        return None


def _unit(lowered: list[str], index: int) -> tuple[str, int, bool] | None:
    """The unit phrase at token `index` ("of a milligram", "-mg" included), the index after it,
    and whether the unit says "per day" ("mg/d")."""
    if index < len(lowered) and lowered[index] == "-":
        index += 1
    while index < len(lowered) and lowered[index] in {"of", "a", "an"}:
        index += 1
    for phrase, unit in UNIT_PHRASES:
        if tuple(lowered[index : index + len(phrase)]) == phrase:
            end = index + len(phrase)
            for per, body in PER_BODY:
                if tuple(lowered[end : end + len(per)]) == per:
                    unit, end = f"{unit}/{body}", end + len(per)
                    break
            for per in PER_DAY:
                if tuple(lowered[end : end + len(per)]) == per:
                    return unit, end + len(per), True
            return unit, end, False
    return None


def _amount(
    text: str,
    tokens: Sequence[Token],
    lowered: list[str],
    index: int,
    value: float,
    after: int,
    ends: list[int],
) -> tuple[Amount | None, int]:
    low, high = value, None
    unit = _unit(lowered, after)
    # "a 5- to 10-milligram dose": a suspended hyphen before the word of a range.
    if unit is None and lowered[after : after + 2] in (["-", "to"], ["-", "through"]):
        after += 1
    # "five six grams a day": the next number up, said straight after, tops a range.
    next_up = (
        after < len(tokens)
        and lowered[after - 1] in DIGIT_WORDS
        and DIGIT_WORDS.get(lowered[after]) == DIGIT_WORDS[lowered[after - 1]] + 1
        # "one two three milligrams": there "two" is "to".
        and (after + 1 >= len(lowered) or lowered[after + 1] not in DIGIT_WORDS)
    )
    if (
        unit is None
        and after < len(tokens)
        and (
            lowered[after] in RANGE_WORDS
            or (lowered[after] == "two" and tokens[after - 1].is_number)
            or (lowered[after] == "two" and lowered[after - 1] in NOT_BEFORE_TWO)
            or next_up
            or (lowered[after] == "and" and index > 0 and lowered[index - 1] == "between")
        )
    ):
        upper = _number(tokens, lowered, after if next_up else after + 1)
        if upper is not None and upper[0] > value:
            high, after = upper
            unit = _unit(lowered, after)
            # "two to five hundred milligrams": the upper end's hundred scales the lower end.
            scale = SCALES.get(lowered[after - 1])
            if scale and value < 10 and high / scale == int(high / scale) and value * scale < high:
                low = value * scale
    if unit is not None:
        said, after, daily = unit
        if CONCENTRATION.match(text[tokens[after - 1].end :]):
            return None, after
        # "30 milligrams per 70 kilograms" is a dose by body weight: 0.43 mg/kg.
        weight = _per_weight(tokens, lowered, after)
        if weight is not None and "/" not in said:
            kilograms, after = weight
            low, high = low / kilograms, (high / kilograms if high is not None else None)
            said = f"{said}/kg"
        start, end = tokens[index].start, tokens[after - 1].end
        amount = _measured(text[start:end], start, end, low, high, said)
        if amount.value > LARGEST_DOSE.get((amount.unit or "").split("/")[0], float("inf")):
            return None, after
        if daily:
            amount = replace(amount, frequency="daily", per_day=1.0)
        return amount, after
    if not _carriable(tokens, lowered, index, after):
        return None, after
    start, end = tokens[index].start, tokens[after - 1].end
    return Amount(start, end, text[start:end], low, high, None, carriable=True), after


def _per_weight(
    tokens: Sequence[Token], lowered: list[str], index: int
) -> tuple[float, int] | None:
    """ "per 70 kilograms" after a unit: the body weight, and the index after it."""
    if index >= len(tokens) or lowered[index] != "per":
        return None
    number = _number(tokens, lowered, index + 1)
    if number is None or number[0] <= 0 or number[1] >= len(tokens):
        return None
    if lowered[number[1]] not in KILOGRAMS:
        return None
    return number[0], number[1] + 1


def _measured(said: str, start: int, end: int, low: float, high: float | None, unit: str) -> Amount:
    mass_unit, _, per = unit.partition("/")
    value, canonical = to_canonical(low, mass_unit)
    top = to_canonical(high, mass_unit)[0] if high is not None else None
    if per:
        canonical = f"{canonical}/{per}"
    return Amount(start, end, said, value, top, canonical, said_unit=unit)


def _carriable(tokens: Sequence[Token], lowered: list[str], index: int, after: int) -> bool:
    """Whether a bare number stands where a dose could: after a dose verb or an estimate
    ("I go to nine", "somewhere around fifty"), not a clock time or a span of time ("at 7",
    "wait about 30"), and not before a noun it counts ("three or four weeks")."""
    before = index - 1
    framed = False
    while before >= 0 and lowered[before] in FILLERS:
        framed = framed or lowered[before] in ESTIMATES
        before -= 1
    if before >= 0 and lowered[before] in NOT_DOSE_BEFORE:
        return False
    if before >= 0 and lowered[before] == "at" and _clock_hour(lowered, index, after):
        # "at 7" is a time of day; "start at 7" and "compounded at 4.5" are doses.
        if before == 0 or lowered[before - 1] not in AT_DOSE:
            return False
    framed = framed or (before >= 0 and lowered[before] in CARRY_FRAMES)
    return framed and _ends_bare(tokens, lowered, after)


def _clock_hour(lowered: list[str], index: int, after: int) -> bool:
    """Whether a number could be an hour of the clock: a whole number from 1 to 12."""
    value = _value(" ".join(lowered[index:after]))
    return value is not None and value == int(value) and 1 <= value <= 12


def _ends_bare(tokens: Sequence[Token], lowered: list[str], after: int) -> bool:
    """Whether nothing after a bare number says what it counts: the clause ends, or a list
    goes on to another bare number that ends it ("to nine or ten, and")."""
    while after < len(tokens):
        following = lowered[after]
        if following in GOES_ON and after + 1 < len(tokens):
            number = _number(tokens, lowered, after + 1)
            if number is not None:
                after = number[1]
                continue
        return following in PUNCTUATION or following in ENDS_CLAUSE
    return True


def _with_frequencies(text: str, amounts: list[Amount], ends: list[int]) -> list[Amount]:
    result = []
    for position, amount in enumerate(amounts):
        stop = next((end for end in ends if end >= amount.end), len(text))
        if position + 1 < len(amounts):
            stop = min(stop, amounts[position + 1].start)
        window = text[amount.end : min(stop, amount.end + FREQUENCY_REACH)]
        for pattern, label, per_day in FREQUENCIES if amount.frequency is None else ():
            if pattern.search(window):
                amount = replace(amount, frequency=label, per_day=per_day)
                break
        result.append(amount)
    return result
