"""The GraphQL schema: root queries, each a few lines over one query function in db/."""

from collections.abc import Iterator

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from api.context import Context
from api.types.connection import Connection
from api.types.episode import Episode
from api.types.medication import Medication
from db import queries


@strawberry.type
class Query:
    @strawberry.field(description="The medication any alias, brand or misspelling names.")
    def medication(self, info: Info[Context, None], name: str) -> Medication | None:
        row = queries.medication_named(session=info.context.session, name=name)
        return Medication.from_row(row) if row is not None else None

    @strawberry.field(description="Every medication some episode mentions or doses.")
    def medications(self, info: Info[Context, None]) -> list[Medication]:
        return [
            Medication.from_row(row) for row in queries.medications(session=info.context.session)
        ]

    @strawberry.field(description="Episodes in the order they were added.")
    def episodes(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[Episode]:
        page = queries.episodes_page(session=info.context.session, first=first, after=after)
        return Connection.from_page(page, Episode.from_row)


class CloseSession(SchemaExtension):
    """Closes the request's session when the operation ends, whatever its outcome."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        if isinstance(context, Context):
            context.session.close()


schema = strawberry.Schema(query=Query, extensions=[CloseSession])
