"""Start-up cost of the lexicon: built from the vocabulary package (an empty cache) against
loaded from the cache, and `claimdex ingest` of the seed either way, each in a fresh process.

Usage: python -m bench.lexicon [--repeats 3]
Prints a markdown table of median (min-max) seconds, wall and CPU (user and system: steadier
when other work shares the machine), and peak resident memory. Every run uses a cache
directory and a SQLite database of its own in a temporary folder.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from bench.extraction import SEED
from bench.serving import BIN

# Prints how long load() takes, after the imports every caller pays anyway.
LOAD = (
    "import time; from ingest import lexicon; start = time.perf_counter(); lexicon.load(); "
    "print(time.perf_counter() - start)"
)


class Run(NamedTuple):
    load: float | None  # seconds in load() alone, where measured
    wall: float
    cpu: float  # user and system
    peak: float  # resident MB


def measured(command: list[str], cache: Path, folder: Path) -> Run:
    """`command` run in a fresh process; its output is the seconds in load(), if any."""
    env = os.environ | {
        "CLAIMDEX_CACHE_DIR": str(cache),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
    }
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.PIPE)
    assert child.stdout is not None
    out = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    load = float(out) if command[-1] == LOAD else None
    return Run(load, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def spread(values: list[float], digits: int) -> str:
    """ "median (min-max)" of repeated measurements."""
    low, high = min(values), max(values)
    return f"{statistics.median(values):.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    load = [sys.executable, "-c", LOAD]
    ingest = [str(BIN / "claimdex"), "ingest", str(SEED)]
    figures: dict[str, list[Run]] = {}
    for _ in range(options.repeats):
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            warm = folder / "cache"
            # The first load builds the cache and the second reads it. Each ingest writes to a
            # database of its own, so that the seed is never an unchanged file.
            steps = [
                ("lexicon.load(), empty cache", load, warm, folder),
                ("lexicon.load(), cache warm", load, warm, folder),
                (
                    "`claimdex ingest` of the seed, empty cache",
                    ingest,
                    folder / "empty",
                    folder / "a",
                ),
                ("`claimdex ingest` of the seed, cache warm", ingest, warm, folder / "b"),
            ]
            for step, command, cache, cwd in steps:
                cwd.mkdir(exist_ok=True)
                figures.setdefault(step, []).append(measured(command, cache, cwd))
            size = sum(path.stat().st_size for path in warm.iterdir()) / 1e6
    out = sys.stdout
    out.write("| step | load() s | wall s | CPU s | peak resident MB |\n|---|---|---|---|---|\n")
    for step, runs in figures.items():
        loads = [run.load for run in runs if run.load is not None]
        columns = [
            spread(loads, 2) if loads else "-",
            spread([run.wall for run in runs], 2),
            spread([run.cpu for run in runs], 2),
            spread([run.peak for run in runs], 0),
        ]
        out.write(f"| {step} | {' | '.join(columns)} |\n")
    out.write(f"\nCache file: {size:.1f} MB\n")


if __name__ == "__main__":
    main()
