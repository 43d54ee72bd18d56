"""Caption files of the seed's talk give the claims the markdown gives, at the same moments."""

from ingest import documents
from ingest.extract import extract
from ingest.lexicon import Lexicon
from tests.conftest import DOCUMENTS, SEED

CLIP = ["ldn-clip.vtt", "ldn-clip.srt", "ldn-clip.json"]


def test_captions_give_the_markdowns_medications_and_doses(names: Lexicon) -> None:
    markdown = extract(documents.read(SEED.read_text(), source=str(SEED)), names=names)
    starts = [segment.seconds for segment in markdown.document.segments]
    end = (
        max(
            s.seconds
            for s in documents.read(
                (DOCUMENTS / CLIP[0]).read_text(), source=str(DOCUMENTS / CLIP[0])
            ).segments
        )
        + 60
    )
    wanted = {
        (d.medication, d.value, d.unit, starts[d.segment])
        for d in markdown.dosages
        if starts[d.segment] < 143  # the clip holds the first three paragraphs and a bit
    }
    for name in CLIP:
        path = DOCUMENTS / name
        found = extract(documents.read(path.read_text(), source=str(path)), names=names)
        assert set(found.medications) == set(markdown.medications), name
        said = set()
        for dosage in found.dosages:
            moment = found.document.segments[dosage.segment].seconds
            # The markdown paragraph holding this moment: a caption segment starts inside it.
            paragraph = max(start for start in starts if start <= moment)
            said.add((dosage.medication, dosage.value, dosage.unit, paragraph))
        assert {s for s in said if s[3] < 143} == wanted, name
    assert end > 143
