"""Conditions: what a medication is said to be for, with its ICD-10-CM code and lay terms."""

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import Row
from strawberry.types import Info

from api.context import Context
from api.types.node import Node, to_global_id
from db import models

if TYPE_CHECKING:
    from api.types.claims import Indication
    from api.types.medication import Medication


@strawberry.type(
    description="A condition a medication is said to be used for, treat, help or be tried in."
)
class Condition(Node):
    name: str = strawberry.field(
        description='The canonical name, lower case as a clinician writes it: "multiple sclerosis".'
    )
    code: str | None = strawberry.field(
        description='Its ICD-10-CM code ("G35"); null where no code fits the name.'
    )
    _key: strawberry.Private[int]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return to_global_id("Condition", self._key)

    @strawberry.field(
        description='Lay and clinical terms that name it ("MS"), any of which '
        "condition(name:) takes."
    )
    async def aliases(self, info: Info[Context, None]) -> list[str]:
        return await info.context.loaders.condition_aliases.load(self._key)

    @strawberry.field(
        description="The medications said to be used for it outside sponsor reads, by name: "
        "all of them, or with `first` the first that many (up to 100)."
    )
    async def medications(
        self, info: Info[Context, None], first: int | None = None
    ) -> list[Annotated["Medication", strawberry.lazy("api.types.medication")]]:
        from api.types.medication import Medication

        rows = await info.context.loaders.condition_medications.load((self._key, first))
        return [Medication.from_row(row) for row in rows]

    @strawberry.field(
        description="What is said of medications for it, in episode and transcript order: all "
        "of it, or with `first` a page of at most that many (up to 100); pass the last one's "
        "`cursor` as `after` for the next page."
    )
    async def indications(
        self, info: Info[Context, None], first: int | None = None, after: str | None = None
    ) -> list[Annotated["Indication", strawberry.lazy("api.types.claims")]]:
        from api.types.claims import Indication

        rows = await info.context.loaders.condition_indications.load((self._key, first, after))
        return [Indication.from_row(row) for row in rows]

    @classmethod
    def from_row(cls, row: models.Condition) -> "Condition":
        return cls(name=row.name, code=row.code, _key=row.id)

    @classmethod
    def of_claim(cls, row: Row[Any]) -> "Condition | None":
        """The condition a row of `db.claims` names (a dose's purpose, an indication's
        condition), None where it names none."""
        if row.condition_id is None:
            return None
        return cls(name=row.condition_name, code=row.condition_code, _key=row.condition_id)
