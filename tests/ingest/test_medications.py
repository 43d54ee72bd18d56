import pytest

from ingest.lexicon import Lexicon
from ingest.medications import find_mentions
from ingest.records import MatchedBy


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("LDN", "naltrexone"),
        ("low-dose naltrexone", "naltrexone"),
        ("Vivitrol", "naltrexone"),
        ("Ambien", "zolpidem"),
        ("Glumetza", "metformin"),
        ("Rapamune", "sirolimus"),
        ("rapamycin", "sirolimus"),
        ("vitamin D3", "vitamin D"),
        ("B12", "vitamin B12"),
        ("fish oil", "omega-3"),
        ("cytisinicline", "cytisine"),
        ("Qutenza", "capsaicin"),
        ("alanine", "L-alanine"),
        ("EAAs", "essential amino acids"),
        ("ketone esters", "exogenous ketones"),
        ("FSH", "follicle stimulating hormone"),
    ],
)
def test_names_brands_and_abbreviations(names: Lexicon, name: str, canonical: str) -> None:
    resolved = names.resolve(name)
    assert resolved is not None and resolved.name == canonical


@pytest.mark.parametrize(
    "word",
    [
        "receptor",
        "microglia",
        "pain",
        "stroke",
        "serotonin",
        "caps",
        "generics",
        "phospholipids",
        "Kendrick",
        "brown rice",
    ],
)
def test_body_chemistry_conditions_and_words_are_not_medications(names: Lexicon, word: str) -> None:
    assert names.resolve(word) is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("a drug called lowdosese nalrexone", "nalrexone"),
        ("So you give lotto nrexone, it blocks that", "nrexone"),
        ("he has tried everything, let's try lowd dose nrax on", "nrax"),
        ("Patients who take Nraxone stay free of alcohol", "Nraxone"),
    ],
)
def test_misspellings_of_a_drug_named_elsewhere(names: Lexicon, text: str, said: str) -> None:
    found = [
        m
        for m in find_mentions(text, lexicon=names, context={"naltrexone"})
        if m.matched_by is not MatchedBy.EXACT  # "alcohol" is named exactly
    ]
    assert [(m.text, m.medication, m.matched_by) for m in found] == [
        (said, "naltrexone", MatchedBy.CONTEXT)
    ]
    assert 0 < found[0].confidence < 1


def test_a_loose_misspelling_needs_evidence_that_a_drug_is_meant(names: Lexicon) -> None:
    # "Nraxone" is a loose reading of naltrexone: believed beside words of taking or a dose,
    # never on its own, where most such readings of real speech are ordinary words.
    assert find_mentions("Nraxone keeps them free", lexicon=names, context={"naltrexone"}) == []
    found = find_mentions("they take Nraxone", lexicon=names, context={"naltrexone"})
    assert [m.medication for m in found] == ["naltrexone"]


@pytest.mark.parametrize(
    "text",
    [
        "bright light will negatively impact melatonin, the hormone that helps you sleep",
        "the brain signals day and night with this hormone, melatonin",
        "as dusk approaches, melatonin will start to rise",
        "the light stops the release and production of melatonin",
        "luteinizing hormone is the hormone released from the pituitary",
    ],
)
def test_a_name_said_as_the_bodys_own_hormone_is_no_mention(names: Lexicon, text: str) -> None:
    assert find_mentions(text, lexicon=names) == []


def test_a_word_only_loosely_like_a_drug_named_elsewhere_is_not_it(names: Lexicon) -> None:
    # Below four letters in five alike, a word beside words of taking is still another word.
    for text, named in [
        ("this is not about ketogenesis, which you take as given", "exogenous ketones"),
        ("whether it's better to take EPA NDHA in ratios", "L-tryptophan"),
    ]:
        found = find_mentions(text, lexicon=names, context={named})
        assert named not in [m.medication for m in found], text


def test_a_close_misspelling_needs_no_context(names: Lexicon) -> None:
    found = find_mentions("I'd rather use Trazadone for that", lexicon=names)
    assert [(m.medication, m.matched_by) for m in found] == [("trazodone", MatchedBy.FUZZY)]


def test_near_misses_without_support_stay_out(names: Lexicon) -> None:
    text = "the microgia hang around nerves, technicolor dreams, neurodeenerative conditions"
    assert find_mentions(text, lexicon=names) == []
    assert find_mentions(text, lexicon=names, context={"naltrexone"}) == []


def test_split_names_that_sound_alike(names: Lexicon) -> None:
    found = find_mentions("take the mellow tonin early", lexicon=names, context={"melatonin"})
    assert [(m.text, m.medication) for m in found] == [("mellow tonin", "melatonin")]


def test_a_combination_brand_is_a_mention_of_each_of_its_drugs(names: Lexicon) -> None:
    found = find_mentions("she was on Percocet after surgery", lexicon=names)
    assert [m.medication for m in found] == ["oxycodone", "acetaminophen"]


def test_ordinary_words_that_share_a_short_sound_key_are_no_split_name(names: Lexicon) -> None:
    text = "take creatine daily, but you can't create a new version of yourself"
    found = find_mentions(text, lexicon=names, context={"creatine"})
    assert [m.text for m in found] == ["creatine"]
    # A longer sound key, shared, still tells: "met forman" is metformin.
    found = find_mentions("they test met forman properly", lexicon=names, context={"metformin"})
    assert [(m.text, m.medication) for m in found] == [("met forman", "metformin")]


def test_ambiguous_abbreviations_and_combinations(names: Lexicon) -> None:
    for abbreviation in ("ALA", "ASA", "CSA"):
        assert names.resolve(abbreviation) is None, abbreviation
    found = find_mentions("the discussions of fen-phen back then", lexicon=names)
    assert sorted(m.medication for m in found) == ["fenfluramine", "phentermine"]


@pytest.mark.parametrize(
    ("text", "taken"),
    [
        ("testosterone levels fall with age", False),
        ("he started testosterone injections last year", True),
        ("sodium in the blood carries the signal", False),
        ("add a little salt to your food", True),
        # A verb of taking that means something else: "take place", "start to see".
        ("headaches take place when estrogen is lowest", False),
        ("then you start to see estradiol go back up", False),
        ("so you start estradiol in the second week", True),
        # A drug that acts on the body's chemistry, or a part of its workings, is no dose of it.
        ("they block it using a GABA blocking agent", False),
        ("the sodium-potassium pump in every cell", False),
        ("taking the DHT system into account", False),
        ("it is basically an LH mimetic", False),
        # Amino acids and what the body builds of them count where eaten or supplemented.
        ("it helps with the processing of methionine", False),
        ("the hypertrophy of collagen in tendons", False),
        ("I add collagen powder to my coffee", True),
        ("the pituitary releases ACTH", False),
        # Inside a hyphenated word a name is guarded as itself.
        ("it clamps testosterone-associated positive things", False),
        ("after a high-sodium diet, a low-sodium diet tastes bland", True),
        ("the low-sodium state of the neuron", False),
        # Coming off it, cycling it, a drug class naming it, its esters: it is taken.
        ("do you have men cycle on and off testosterone", True),
        ("bodybuilders who take anabolic steroids like testosterone", True),
        ("an oil like testosterone esters have", True),
        # An amount in words between the verb and the name.
        ("if a doctor just gives you a bunch of testosterone", True),
        ("they tried adding a little bit of estradiol back", True),
        # Craving or tasting it is taking it in.
        ("the brain makes us crave salt", True),
        # A trial's arms are what the trial gives.
        ("the estrogen plus MPA group versus the placebo", True),
        ("there was progesterone versus a placebo", True),
        ("women randomized to estradiol had fewer fractures", True),
        ("MPA is a unit of pressure", False),
        # A hormone's medicine form says its own, and so does its brand.
        ("moderate levels of testosterone cypionate", True),
        ("Synthroid works fine for most", True),
        ("AndroGel is a common way to do it", True),
        ("the Vivelle-Dot is a patch", True),
        ("Premarin was the first one", True),
    ],
)
def test_the_bodys_own_chemistry_counts_only_where_taken(
    names: Lexicon, text: str, taken: bool
) -> None:
    found = [m for m in find_mentions(text, lexicon=names) if not m.latent]
    assert bool(found) is taken
