"""Times extraction alone on seed-sized episodes, one core, caches cleared between runs.

Usage: python -m bench.extraction [DOCUMENT ...] (default: the seed and the gold documents).
"""

import statistics
import sys
import time
from pathlib import Path

from ingest import lexicon, text
from ingest.extract import extract
from ingest.parse import parse_document

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
SEED = ROOT / "seeds" / "ldn-mackey-attia.md"
DEFAULT = [SEED] + [
    GOLD / label.name.replace(".gold.json", ".md")
    for label in sorted(GOLD.glob("*.gold.json"))
    if (GOLD / label.name.replace(".gold.json", ".md")).exists()
]
ROUNDS = 30


def time_extraction(path: Path, names: lexicon.Lexicon) -> list[float]:
    document = parse_document(path.read_text(encoding="utf-8"), source=str(path))
    extract(document, names=names)
    timings = []
    for _ in range(ROUNDS):
        # Per-text caches would make every round after the first look faster than a new
        # episode: clear them so each round pays what a new document pays.
        text.tokenize.cache_clear()
        text.normalise.cache_clear()
        start = time.perf_counter()
        extract(document, names=names)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main(paths: list[Path]) -> None:
    names = lexicon.load()
    out = sys.stdout
    out.write(f"{'document':<28} {'segments':>8} {'median ms':>10} {'min-max ms':>14}\n")
    for path in paths:
        segments = len(parse_document(path.read_text(encoding="utf-8"), source=str(path)).segments)
        timings = time_extraction(path, names)
        spread = f"{min(timings):.1f}-{max(timings):.1f}"
        median = statistics.median(timings)
        out.write(f"{path.stem:<28} {segments:>8} {median:>10.1f} {spread:>14}\n")


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or DEFAULT)
