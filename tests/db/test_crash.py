"""Crash safety: an ingest killed mid-write leaves the database whole and without a trace of
that episode; two processes ingesting one file at once leave one copy."""

import signal
import sqlite3
import time
from pathlib import Path

from bench.serving import claimdex
from tests.conftest import GOLD, SEED


def big_document(path: Path, segments: int) -> None:
    lines = [
        "# A Very Long Episode", "", "**Channel:** Load Test", "**Upload Date:** 2025-01-01",
        "**URL:** https://www.youtube.com/watch?v=bigbigbig01", "**Duration:** 20 hours", "",
        "## Transcript", "",
    ]  # fmt: skip
    for number in range(segments):
        hours, rest = divmod(number * 3, 3600)
        lines.append(
            f"[{hours:02d}:{rest // 60:02d}:{rest % 60:02d}] I take 500 mg of metformin "
            f"with dinner, part {number} of the talk.\n"
        )
    path.write_text("\n".join(lines))


def rows(database: Path) -> tuple[int, int, str]:
    with sqlite3.connect(database) as connection:
        episodes = connection.execute("SELECT count(*) FROM episodes").fetchone()[0]
        segments = connection.execute("SELECT count(*) FROM segments").fetchone()[0]
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
    return episodes, segments, check


def test_a_killed_ingest_leaves_no_trace(tmp_path: Path) -> None:
    assert claimdex("ingest", str(SEED), str(GOLD / "sleep-stack.md"), cwd=tmp_path).wait() == 0
    database = tmp_path / "claimdex.db"
    before = rows(database)
    big = tmp_path / "big.md"
    big_document(big, 20_000)
    process = claimdex("ingest", str(big), cwd=tmp_path)
    wal = tmp_path / "claimdex.db-wal"
    deadline = time.monotonic() + 120
    # The write is under way once its uncommitted pages spill into the write-ahead log.
    while not (wal.exists() and wal.stat().st_size > 2_000_000):
        assert process.poll() is None, "the ingest finished before it could be interrupted"
        assert time.monotonic() < deadline, "the ingest never started writing"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert rows(database) == (*before[:2], "ok")


def test_two_processes_ingesting_one_file_leave_one_copy(tmp_path: Path) -> None:
    assert claimdex("db", "upgrade", cwd=tmp_path).wait() == 0
    first, second = (claimdex("ingest", str(SEED), cwd=tmp_path) for _ in range(2))
    assert (first.wait(), second.wait()) == (0, 0)
    assert rows(tmp_path / "claimdex.db") == (1, 12, "ok")
