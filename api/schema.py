"""The GraphQL schema: root queries, each a few lines over one query function in db/."""

from datetime import date

import strawberry
from strawberry.types import Info

from api import arguments
from api.context import Context
from api.types.claims import Dosage
from api.types.connection import Connection
from api.types.episode import Episode
from api.types.medication import Medication
from api.types.node import Node, from_global_id
from api.types.search import MedicationStats, SearchHit
from db import queries

strawberry.enum(
    queries.EpisodeOrder,
    description="ADDED: as ingested; NEWEST/OLDEST: by upload date; TITLE: alphabetical.",
)


@strawberry.type
class Query:
    @strawberry.field(description="The medication any alias, brand or misspelling names.")
    def medication(self, info: Info[Context, None], name: str) -> Medication | None:
        row = info.context.read(queries.medication_named, name=name)
        return Medication.from_row(row) if row is not None else None

    @strawberry.field(description="Every medication some episode mentions or doses, by name.")
    def medications(self, info: Info[Context, None]) -> list[Medication]:
        return [Medication.from_row(row) for row in info.context.read(queries.medications)]

    @strawberry.field(description="Episodes matching every filter given, a page at a time.")
    def episodes(
        self,
        info: Info[Context, None],
        first: int | None = 20,
        after: str | None = None,
        search: str | None = None,
        channel: str | None = None,
        medication: str | None = None,
        published_after: date | None = None,
        published_before: date | None = None,
        order_by: queries.EpisodeOrder = queries.EpisodeOrder.ADDED,
    ) -> Connection[Episode]:
        read = info.context.read
        page = read(
            queries.episodes_page,
            first=first,
            after=after,
            search=search,
            channel=channel,
            medication_id=read(arguments.medication_id, name=medication),
            published_after=published_after,
            published_before=published_before,
            order=order_by,
        )
        return Connection.from_page(page, Episode.from_row)

    @strawberry.field(
        description="Dosages, filtered by medication (any alias) and by amount: min and max "
        'take any unit ("4 mg", "4500 ug", "0.01 g").'
    )
    def dosages(
        self,
        info: Info[Context, None],
        medication: str | None = None,
        min: str | None = None,  # noqa: A002 - the argument's public name
        max: str | None = None,  # noqa: A002
        episode: strawberry.ID | None = None,
        channel: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Dosage]:
        read = info.context.read
        low, high = arguments.amount_range(min, max)
        page = read(
            queries.dosages_page,
            first=first,
            after=after,
            medication_id=read(arguments.medication_id, name=medication),
            low=low,
            high=high,
            episode_id=arguments.episode_id("episode", episode),
            channel=channel,
        )
        return Connection.from_page(page, Dosage.from_row)

    @strawberry.field(description="Full-text search over transcripts and summaries, best first.")
    def search(
        self,
        info: Info[Context, None],
        query: str,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        page = info.context.read(queries.search_page, query=query, first=first, after=after)
        return Connection.from_page(page, SearchHit.from_row)

    @strawberry.field(description="Per medication: episodes, mentions, dosages, dose spread.")
    def medication_stats(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[MedicationStats]:
        page = info.context.read(queries.medication_stats_page, first=first, after=after)
        return Connection.from_page(page, MedicationStats.from_row)

    @strawberry.field(description="Any object by its global id.")
    def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:  # noqa: A002
        kind, key = from_global_id(id)
        read = info.context.read
        if kind == "Episode":
            episode = read(queries.episode_by_id, episode_id=key)
            return Episode.from_row(episode) if episode is not None else None
        if kind == "Medication":
            medication = read(queries.medication_by_id, medication_id=key)
            return Medication.from_row(medication) if medication is not None else None
        return None


schema = strawberry.Schema(query=Query, types=[Episode, Medication])
