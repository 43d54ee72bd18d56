"""The view of a medication across episodes: per condition, the typical dose and its spread,
and the claims that disagree."""

import enum
from typing import Any

import strawberry
from sqlalchemy import Row

from api.shapes import across_fields
from api.types.claims import Claim, Dosage, Indication
from api.types.condition import Condition
from db import across, models


@strawberry.type(description="An amount in a canonical unit.")
class Amount:
    value: float
    unit: str = strawberry.field(description='"mg", "mL", "IU", or per kilogram ("mg/kg").')


@strawberry.type(
    description="What the episodes say of a medication for one condition, sponsor reads left "
    "out: its typical dose, the spread, and how many episodes and speakers tie the two."
)
class AcrossEpisodes:
    indication: Condition | None = strawberry.field(
        description="The condition; null for the doses said for no condition."
    )
    typical_dose: Amount | None = strawberry.field(
        description="The median of the doses advised, given in practice or used in studies "
        "(stance RECOMMENDATION, PRACTICE or STUDY), a range counting as its midpoint, in the "
        "unit most of them use; null when none was."
    )
    min_dose: float | None = strawberry.field(
        description="The lowest of those doses, in typicalDose's unit."
    )
    max_dose: float | None = strawberry.field(
        description="The highest of those doses (a range's high end), in typicalDose's unit."
    )
    doses: int = strawberry.field(description="How many doses the three figures come from.")
    episodes: int = strawberry.field(
        description="Episodes whose doses or indications say the medication is used for it; "
        "denials and questions do not count."
    )
    speakers: int = strawberry.field(
        description="Named speakers who say so, where transcripts label speakers."
    )

    @classmethod
    def from_row(cls, row: across.Summary) -> "AcrossEpisodes":
        fields = across_fields(row)
        typical, unit = fields["typical_dose"], fields["unit"]
        return cls(
            indication=Condition.from_row(row.condition) if row.condition is not None else None,
            typical_dose=Amount(value=typical, unit=unit) if typical is not None and unit else None,
            min_dose=fields["min_dose"],
            max_dose=fields["max_dose"],
            doses=fields["doses"],
            episodes=fields["episodes"],
            speakers=fields["speakers"],
        )


@strawberry.enum(
    description="DOSE: two doses advised, given or studied for the condition are more than "
    "twice apart; NEGATED: one claim says the medication is used for the condition, the other "
    "denies it."
)
class DisagreementReason(enum.Enum):
    DOSE = across.DOSE
    NEGATED = across.NEGATED


@strawberry.type(
    description="Two claims from different episodes about one medication and condition that "
    "disagree."
)
class Disagreement:
    reason: DisagreementReason
    indication: Condition = strawberry.field(description="The condition both claims are about.")
    a: Claim = strawberry.field(
        description="For DOSE the lower dose; for NEGATED the claim of use."
    )
    b: Claim = strawberry.field(description="For DOSE the higher dose; for NEGATED the denial.")
    cursor: str = strawberry.field(
        description="Pass as `after` to list the disagreements that follow this one."
    )

    @classmethod
    def from_row(cls, row: across.Disagreement) -> "Disagreement":
        return cls(
            reason=DisagreementReason(row.reason),
            indication=Condition.from_row(row.condition),
            a=_claim(row.a, row.a_model),
            b=_claim(row.b, row.b_model),
            cursor=row.cursor,
        )


def _claim(row: Row[Any], model: type[models.Dosage | models.Indication]) -> Claim:
    return Dosage.from_row(row) if model is models.Dosage else Indication.from_row(row)
