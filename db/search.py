"""Full-text search: SQLite FTS5 and PostgreSQL tsvector behind one module.

Search looks in `search_entries` (each segment's words, and each summary line at the segment
that supports it) and returns one hit per segment, best first. Query words are widened to the
indexed words they nearly match, since transcripts misspell ("microgia" for "microglia").
The index itself is made by the first migration; each dialect has one function to record
words and one to query;
snippets mark matched words with <mark> and escape everything else.
"""

import html
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Integer, Row, Select, bindparam, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import models, search_index, spellings

# Sentinels the database puts around matched words; replaced after the snippet is escaped, so
# transcript text can never inject markup.
OPEN, CLOSE = "\x02", "\x03"
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
SNIPPET_WORDS = 16
# The kind of search entry that holds a segment's own words (the other: "summary").
TRANSCRIPT = "transcript"
MAX_QUERY_WORDS = 16
# A query word is widened to indexed words this alike, one edit away and sharing its first two
# letters (db/spellings.py).
NEAR_WORD_SCORE = 85.0
NEAR_WORDS = 4
SHORTEST_TERM = 4
# On SQLite, a match's segment and episode come from this small index, not from the rows
# that hold each entry's text: up to half the time of ranking a common word. Without statistics
# the planner would take the table, so the query names it.
PLACES = "INDEXED BY ix_search_entries_places"


@dataclass(frozen=True, slots=True)
class Hit:
    segment_id: int
    score: float
    snippet: str


def words(query: str) -> list[str]:
    """The words of a user's query, lower case; punctuation and operators are not syntax."""
    return [word.lower() for word in WORD.findall(query)][:MAX_QUERY_WORDS]


def record_terms(session: Session, texts: Iterable[str]) -> None:
    """Adds the words of `texts` to the known terms, with their spelling keys, ignoring those
    already known."""
    found = {
        word.lower()
        for content in texts
        for word in WORD.findall(content)
        if SHORTEST_TERM <= len(word) <= 64
    }
    if not found:
        return
    rows = [{"term": term} for term in sorted(found)]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    added = session.scalars(
        dialect.insert(models.SearchTerm)
        .on_conflict_do_nothing()
        .returning(models.SearchTerm.term),
        rows,
    ).all()
    if added:
        session.execute(insert(models.TermSpelling), spellings.term_rows(added))


def _widened(session: Session, word: str, now: tuple[str, int]) -> list[str]:
    """`word` and the indexed words it nearly matches ("microglia" -> "microgia"), with the
    database in state `now` (search_index.state)."""
    if len(word) < SHORTEST_TERM + 1:
        return [word]
    return NEAR.widened(session, word, now)


class _NearWords:
    """Each word's near spellings, read once per state of the database in this process:
    looking them up was 15% of a search ranked by the index at 1M segments (`python -m
    bench.search DB --copies 10 --split`). The state counts every write of search entries
    and terms, so a new word is seen by the next search."""

    def __init__(self, most: int) -> None:
        self._lock = threading.Lock()
        self._most = most
        self._now: tuple[str, int] | None = None
        self._found: dict[str, list[str]] = {}

    def clear(self) -> None:
        with self._lock:
            self._now, self._found = None, {}

    def widened(self, session: Session, word: str, now: tuple[str, int]) -> list[str]:
        with self._lock:
            if now != self._now:
                self._now, self._found = now, {}
            found = self._found.get(word)
        if found is not None:
            return found
        known = spellings.near_terms(session=session, word=word)
        near = process.extract(
            word, known, scorer=fuzz.ratio, score_cutoff=NEAR_WORD_SCORE, limit=NEAR_WORDS
        )
        found = [word] + [match for match, _, _ in near if match != word]
        with self._lock:
            if now == self._now and len(self._found) < self._most:
                self._found[word] = found
        return found


NEAR = _NearWords(most=100_000)


def search_segments(
    *, session: Session, query: str, limit: int, after: tuple[float, int] | None = None
) -> list[Hit]:
    """Segments matching every word of `query` (or a near spelling of it), best first: one hit
    per segment, scored over its words and the summary lines it supports. `after` is the
    (score, segment id) of the last hit already shown. A top-k index in step with the
    database ranks when there is one (db/search_index.py); the database does otherwise."""
    asked = words(query)
    if not asked:
        return []
    now = search_index.state(session)
    alternatives = [_widened(session, word, now) for word in asked]
    postgres = session.get_bind().dialect.name == "postgresql"
    found = search_index.searcher(session=session, now=now)
    if found is not None:
        ranked: Sequence[Row[Any] | search_index.Ranked] = search_index.best(
            found=found, alternatives=alternatives, limit=limit, after=after
        )
    elif postgres:
        ranked = _ranked_postgresql(session, alternatives, limit, after)
    else:
        ranked = _ranked_sqlite(session, alternatives, limit, after)
    snippets = (_snippets_postgresql if postgres else _snippets_sqlite)(
        session, alternatives, ranked
    )
    return [
        Hit(int(row.id), round(float(row.score), 6), _marked(snippets.get(row.id, "")))
        for row in ranked
    ]


def _ranked_sqlite(
    session: Session, alternatives: list[list[str]], limit: int, after: tuple[float, int] | None
) -> Sequence[Row[Any]]:
    # Rank first, then write snippets for the page alone: snippet() costs far more than bm25()
    # and a common word matches tens of thousands of entries. bm25() is lower for better
    # matches; the score shown is its negation, higher is better. MATERIALIZED keeps bm25()
    # inside the full-text query, where it works.
    sql = (
        "WITH m AS MATERIALIZED (SELECT rowid AS entry, -bm25(search_fts) AS score"
        " FROM search_fts WHERE search_fts MATCH :match) "
        "SELECT id, score FROM ("
        " SELECT e.segment_id AS id, SUM(m.score) AS score"
        f" FROM m JOIN search_entries e {PLACES} ON e.id = m.entry GROUP BY e.segment_id) "
    )
    return _best(session, sql, {"match": _fts5_query(alternatives)}, limit, after)


def _snippets_sqlite(
    session: Session,
    alternatives: list[list[str]],
    ranked: Sequence[Row[Any] | search_index.Ranked],
) -> dict[int, str]:
    # Each of the page's entries is sought by its rowid, so the snippets cost what the page
    # holds, not what the words match. No bm25() here: each seek is a full-text query of
    # its own, and bm25() would count every query word's entries afresh at each (80 ms for
    # "twice a day" at 96,611 segments).
    return _snippets(
        session,
        f"SELECT rowid, snippet(search_fts, 0, :open, :close, '…', {SNIPPET_WORDS})"
        " FROM search_fts WHERE search_fts MATCH :match AND rowid IN :entries",
        ranked,
        {"match": _fts5_query(alternatives), "open": OPEN, "close": CLOSE},
    )


def _ranked_postgresql(
    session: Session, alternatives: list[list[str]], limit: int, after: tuple[float, int] | None
) -> Sequence[Row[Any]]:
    # As on SQLite: rank first, then ts_headline(), the costly part, for the page alone.
    sql = (
        "SELECT id, score FROM ("
        " SELECT e.segment_id AS id, SUM(ts_rank_cd(e.search, q)) AS score"
        " FROM search_entries e, to_tsquery('english', :query) q"
        " WHERE e.search @@ q GROUP BY e.segment_id) hits "
    )
    return _best(session, sql, {"query": _tsquery(alternatives)}, limit, after)


def _snippets_postgresql(
    session: Session,
    alternatives: list[list[str]],
    ranked: Sequence[Row[Any] | search_index.Ranked],
) -> dict[int, str]:
    options = (
        f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=6, "
        "MaxFragments=1, FragmentDelimiter=…"
    )
    return _snippets(
        session,
        "SELECT e.id, ts_headline('english', e.text, q, :options)"
        " FROM search_entries e, to_tsquery('english', :query) q"
        " WHERE e.id IN :entries AND e.search @@ q",
        ranked,
        {"query": _tsquery(alternatives), "options": options},
    )


def _best(
    session: Session,
    sql: str,
    parameters: dict[str, object],
    limit: int,
    after: tuple[float, int] | None,
) -> Sequence[Row[Any]]:
    """The `limit` best hits of a ranking query (rows of id and score), past `after`."""
    if after is not None:
        sql += "WHERE score < :score OR (score = :score AND id > :id) "
        parameters = parameters | {"score": after[0], "id": after[1]}
    sql += "ORDER BY score DESC, id LIMIT :limit"
    return session.execute(text(sql), parameters | {"limit": limit}).all()


def _snippets(
    session: Session,
    sql: str,
    ranked: Sequence[Row[Any] | search_index.Ranked],
    parameters: dict[str, object],
) -> dict[int, str]:
    """The marked snippet of each ranked hit, by segment id: from its transcript entry where
    that matches, else from the summary line that matches the most query words (the first
    of equals). A summary line may find a segment, but what a hit shows is what was said
    there, wherever the transcript's own words match. `sql` gives each matching entry's id
    and snippet, for the entries bound to :entries."""
    if not ranked:
        return {}
    places = {
        entry: (segment_id, kind == TRANSCRIPT)
        for entry, segment_id, kind in session.execute(
            select(
                models.SearchEntry.id, models.SearchEntry.segment_id, models.SearchEntry.kind
            ).where(models.SearchEntry.segment_id.in_([row.id for row in ranked]))
        )
    }
    # One statement text for every page of the same size: SQLAlchemy and the driver keep it.
    statement = text(sql).bindparams(bindparam("entries", expanding=True))
    best: dict[int, tuple[tuple[bool, int, int], str]] = {}
    # A transcript entry that matches is shown before any summary line, so summary lines are
    # written only for the hits none of whose transcript entries matched: writing snippets
    # was most of a search ranked by the index (python -m bench.search --split).
    for said in (True, False):
        entries = [
            entry
            for entry, (segment_id, transcript) in places.items()
            if transcript is said and segment_id not in best
        ]
        if not entries:
            continue
        for entry, snippet in session.execute(statement, parameters | {"entries": entries}):
            segment_id = places[int(entry)][0]
            key = (said, str(snippet).count(OPEN), -int(entry))
            if segment_id not in best or key > best[segment_id][0]:
                best[segment_id] = (key, str(snippet))
    return {segment_id: snippet for segment_id, (_, snippet) in best.items()}


def _marked(snippet: str) -> str:
    escaped = html.escape(snippet, quote=False)
    return escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>")


def matching_episodes(*, session: Session, query: str) -> Select[tuple[int]] | None:
    """The ids of episodes with a segment (or supported summary line) matching `query`, as a
    subquery for the database to join, never a list; None when `query` has no words."""
    found = _matching(session, query)
    if found is None:
        return None
    where, parameters = found
    matched = (
        text("SELECT DISTINCT e.episode_id " + where)
        .bindparams(**parameters)
        .columns(episode_id=Integer)
        .subquery("matched")
    )
    return select(matched.c.episode_id)


def count_segments(*, session: Session, query: str) -> int:
    """How many segments `query` finds (the total of its hits)."""
    found = _matching(session, query)
    if found is None:
        return 0
    where, parameters = found
    return int(
        session.execute(
            text("SELECT COUNT(DISTINCT e.segment_id) " + where), parameters
        ).scalar_one()
    )


def _matching(session: Session, query: str) -> tuple[str, dict[str, str]] | None:
    """The FROM and WHERE that pick the search entries (as `e`) matching every word of
    `query`, or a near spelling of it, in this dialect; None when `query` has no words."""
    asked = words(query)
    if not asked:
        return None
    now = search_index.state(session)
    alternatives = [_widened(session, word, now) for word in asked]
    if session.get_bind().dialect.name == "postgresql":
        where = "FROM search_entries e WHERE e.search @@ to_tsquery('english', :query)"
        return where, {"query": _tsquery(alternatives)}
    where = (
        f"FROM search_fts f JOIN search_entries e {PLACES} ON e.id = f.rowid"
        " WHERE search_fts MATCH :match"
    )
    return where, {"match": _fts5_query(alternatives)}


def _fts5_query(alternatives: list[list[str]]) -> str:
    return " AND ".join(
        "(" + " OR ".join('"' + word.replace('"', '""') + '"' for word in group) + ")"
        for group in alternatives
    )


def _tsquery(alternatives: list[list[str]]) -> str:
    # Words reach to_tsquery only as letters, so the query string cannot carry operators.
    return " & ".join("(" + " | ".join(group) + ")" for group in alternatives)
