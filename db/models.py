"""SQLAlchemy models: episodes, their transcript segments, medications and the claims about them.

Every claim row (mention, dosage, warning, indication, quote) points at the segment where it
is said and, for filtering without a join, at its episode. Deleting an episode deletes its
claims.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Episode(Base):
    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What identifies an episode across re-ingestion: its URL, else the document's file name.
    key: Mapped[str] = mapped_column(String(512), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(256), index=True)
    upload_date: Mapped[date | None] = mapped_column(Date, index=True)
    url: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    ingested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    segments: Mapped[list["Segment"]] = relationship(
        back_populates="episode",
        order_by="Segment.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    quotes: Mapped[list["Quote"]] = relationship(
        back_populates="episode",
        order_by="Quote.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    summary: Mapped[list["SummaryPoint"]] = relationship(
        back_populates="episode",
        order_by="SummaryPoint.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Segment(Base):
    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_episode_position", "episode_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # Who says its first words, where the transcript labels speakers; and whether it is (part
    # of) a sponsor read. Rows stored before migration 0007 have no speaker and no sponsor.
    speaker: Mapped[str | None] = mapped_column(String(256))
    sponsored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    episode: Mapped[Episode] = relationship(back_populates="segments")


class Medication(Base):
    __tablename__ = "medications"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)

    aliases: Mapped[list["Alias"]] = relationship(
        back_populates="medication", order_by="Alias.name", cascade="all, delete-orphan"
    )


class Alias(Base):
    """A name that resolves to a medication at query time, without the ingest vocabulary."""

    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The normalised lookup key (see ingest.text.normalise); one key names one medication.
    key: Mapped[str] = mapped_column(String(256), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    medication_id: Mapped[int] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), index=True
    )
    # A spelling heard in a transcript ("nalrexone") rather than a name from the vocabulary.
    spoken: Mapped[bool] = mapped_column(Boolean, default=False)

    medication: Mapped[Medication] = relationship(back_populates="aliases")


class MedicationTally(Base):
    """What the medications list and its stats show of one medication, kept by every write of
    an episode in the same transaction (db/tallies.py), so a page of medications reads its own
    rows and never the claims. A medication has a row while some mention or dose names it."""

    __tablename__ = "medication_tallies"

    medication_id: Mapped[int] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), primary_key=True
    )
    # Every mention and dose, sponsor reads too: what puts the medication on the list.
    claims: Mapped[int] = mapped_column(Integer)
    # The rest leave out what sponsor reads say, as the stats do.
    episodes: Mapped[int] = mapped_column(Integer)
    mentions: Mapped[int] = mapped_column(Integer)
    dosages: Mapped[int] = mapped_column(Integer)


class DoseTally(Base):
    """How many doses of a medication outside sponsor reads are of one amount in one unit: the
    spread of its doses (low, median, high) read from a few rows a medication."""

    __tablename__ = "dose_tallies"

    medication_id: Mapped[int] = mapped_column(
        ForeignKey("medications.id", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[float] = mapped_column(Float, primary_key=True)
    doses: Mapped[int] = mapped_column(Integer)


class Condition(Base):
    """A condition some indication names: its canonical name (ingest/data/conditions.toml) and
    ICD-10-CM code, null where no code fits the name."""

    __tablename__ = "conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    code: Mapped[str | None] = mapped_column(String(16))


class ConditionAlias(Base):
    """A term that resolves to a condition at query time ("CRPS", "brain fog"), the canonical
    name among them, without the ingest vocabulary."""

    __tablename__ = "condition_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The normalised lookup key (see ingest.text.normalise); one key names one condition.
    key: Mapped[str] = mapped_column(String(256), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    condition_id: Mapped[int] = mapped_column(
        ForeignKey("conditions.id", ondelete="CASCADE"), index=True
    )


class _Claim:
    """Columns shared by every claim: its words, and the episode they come from. The keys'
    sort_order keeps them first in each table, where migration 0001 put them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True, sort_order=-3
    )


class _MedicationClaim(_Claim):
    """A claim about one medication, said in one segment. Each table indexes segment_id in its
    own way (see __table_args__), as its migration made it."""

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), sort_order=-2
    )
    medication_id: Mapped[int] = mapped_column(ForeignKey("medications.id"), sort_order=-1)


class _SaidClaim(_MedicationClaim):
    """A dose or warning, with how it was said (ingest.records.Stance), by whom, and whether
    in a sponsor read. Rows stored before migration 0007 have no stance and no speaker."""

    stance: Mapped[str | None] = mapped_column(String(16))
    speaker: Mapped[str | None] = mapped_column(String(256))
    sponsored: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @declared_attr
    def segment(cls) -> Mapped[Segment]:
        # A relationship on a mixin is made anew for each table that uses it.
        return relationship()


class Mention(_MedicationClaim, Base):
    __tablename__ = "mentions"
    __table_args__ = (
        Index("ix_mentions_medication_segment", "medication_id", "segment_id"),
        Index("ix_mentions_segment_id", "segment_id"),
    )

    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float)
    matched_by: Mapped[str] = mapped_column(String(16))


class Dosage(_SaidClaim, Base):
    __tablename__ = "dosages"
    __table_args__ = (
        Index("ix_dosages_medication_value", "medication_id", "unit", "value"),
        # Dosages in episode and transcript order, a page at a time (db/claims.py).
        Index("ix_dosages_medication_segment", "medication_id", "segment_id"),
        Index("ix_dosages_segment", "segment_id"),
        # The root dosages list filtered by stance, by speaker or by indication, still in
        # that order.
        Index("ix_dosages_stance_segment", "stance", "segment_id"),
        Index("ix_dosages_speaker_segment", "speaker", "segment_id"),
        Index("ix_dosages_condition_segment", "condition_id", "segment_id"),
    )

    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    max_value: Mapped[float | None] = mapped_column(Float)
    frequency: Mapped[str | None] = mapped_column(String(32))
    per_day: Mapped[float | None] = mapped_column(Float)
    # The condition the dose is said to be for, where the speech says; null where it does not
    # and for doses stored before migration 0008.
    condition_id: Mapped[int | None] = mapped_column(ForeignKey("conditions.id"))
    # Its role in a regimen (ingest.records.Regimen), where the speech gives it one; null
    # otherwise and for doses stored before migration 0009.
    regimen: Mapped[str | None] = mapped_column(String(16))


class Warning(_SaidClaim, Base):
    __tablename__ = "warnings"
    __table_args__ = (
        Index("ix_warnings_medication_segment", "medication_id", "segment_id"),
        Index("ix_warnings_segment_id", "segment_id"),
    )

    kind: Mapped[str] = mapped_column(String(32))


class Indication(_SaidClaim, Base):
    """A medication said to be used for, treat, help or be tried in a condition; `text` is the
    clause that ties the two."""

    __tablename__ = "indications"
    __table_args__ = (
        # A medication's or a condition's indications in episode and transcript order.
        Index("ix_indications_medication_segment", "medication_id", "segment_id"),
        Index("ix_indications_condition_segment", "condition_id", "segment_id"),
        Index("ix_indications_segment_id", "segment_id"),
    )

    condition_id: Mapped[int] = mapped_column(ForeignKey("conditions.id"))


class Quote(_Claim, Base):
    """A notable quote from the AI summary; `segment` is where its words are actually said."""

    __tablename__ = "quotes"

    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    claimed_seconds: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)

    episode: Mapped[Episode] = relationship(back_populates="quotes")
    segment: Mapped[Segment | None] = relationship()


class SummaryPoint(Base):
    """A line of the AI summary and the segment that supports it; null when nothing does."""

    __tablename__ = "summary_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    claimed_seconds: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)

    episode: Mapped[Episode] = relationship(back_populates="summary")
    segment: Mapped[Segment | None] = relationship()


class SearchEntry(Base):
    """A text that full-text search looks in, and the segment a hit on it points to: the
    segment's own words, or a summary line the segment supports ("microglia" is spelt right in
    the summary even where the transcript says "microgia").

    The full-text index itself is the migrations' work, as it differs by dialect: an FTS5
    table and an (id, segment_id, episode_id) index on SQLite, a tsvector column on PostgreSQL.
    """

    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class SearchIndexState(Base):
    """One row: this database's name for itself and how many times its search entries have
    changed, which a top-k search index beside it must match to be used (db/search_index.py)."""

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    database: Mapped[str] = mapped_column(String(32))
    generation: Mapped[int] = mapped_column(Integer)


class SearchTerm(Base):
    """Every word search has seen, so a misspelt or mistranscribed query word can be widened
    to the words the index holds."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)


class AliasSpelling(Base):
    """A deletion key of an alias (db/spellings.py), so a misspelt name finds the aliases it
    nearly matches through an index. Goes with its alias."""

    __tablename__ = "alias_spellings"

    key: Mapped[str] = mapped_column(String(256), primary_key=True)
    alias_id: Mapped[int] = mapped_column(
        ForeignKey("aliases.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TermSpelling(Base):
    """A deletion key of a search term (db/spellings.py), so a query word finds the terms it
    nearly matches through an index. Terms outlive episodes as vocabulary, and so do these."""

    __tablename__ = "term_spellings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    term: Mapped[str] = mapped_column(String(64), primary_key=True)


class Feed(Base):
    """A podcast feed that `claimdex feed sync` reads, with the validators of its last full
    read: the next read asks for it only if it changed since."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An http(s) URL, or a file's absolute path.
    location: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FeedItem(Base):
    """A feed item whose transcript is stored as an episode, with what that transcript was: a
    sync skips the item while it stays the same, and replaces the episode when it changes."""

    __tablename__ = "feed_items"
    __table_args__ = (UniqueConstraint("feed_id", "guid", name="uq_feed_items_feed_guid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(1024))
    transcript_url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("episodes.id", ondelete="SET NULL"), index=True
    )
