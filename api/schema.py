"""The GraphQL schema: root queries, each a few lines over one query function in db/."""

from collections.abc import AsyncGenerator
from datetime import date
from functools import partial
from typing import Annotated, Any

import strawberry
from anyio import to_thread
from graphql import ASTValidationRule, GraphQLError
from opentelemetry.sdk.trace import TracerProvider
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionResult, Info

from api import arguments, heavy, limits, writes
from api import compiled as compiled_documents
from api.announcements import SubscriptionError
from api.context import Context, Loaders, TooMany, TooSlow, bounded, on_a_worker
from api.metrics import OperationMetrics
from api.settings import Settings
from api.tracing import GraphQLSpans
from api.types.claims import Dosage, Warning
from api.types.condition import Condition
from api.types.connection import Connection, asks_for
from api.types.episode import Episode
from api.types.feed import AddedFeed, Feed, FeedSyncResult
from api.types.medication import Medication
from api.types.node import Node, NodeIdError, from_global_id
from api.types.search import MedicationStats, SearchHit
from db import feeds as db_feeds
from db import models, queries
from db.pages import PageError
from ingest.records import Stance

strawberry.enum(
    queries.EpisodeOrder,
    description="ADDED: as ingested; NEWEST/OLDEST: by upload date; TITLE: alphabetical.",
)


class HasToken(BasePermission):
    message = (
        "a valid API token is required for writes: send 'Authorization: Bearer <token>' with "
        "one of the tokens in CLAIMDEX_API_TOKENS"
    )

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return info.context.authorized


@strawberry.type
class Query:
    @strawberry.field(description="The medication any alias, brand or misspelling names.")
    async def medication(self, info: Info[Context, None], name: str) -> Medication | None:
        row = await info.context.read(queries.medication_named, name=name)
        return Medication.from_row(row) if row is not None else None

    @strawberry.field(description="Every medication some episode mentions or doses, by name.")
    async def medications(self, info: Info[Context, None]) -> list[Medication]:
        rows = bounded(
            await info.context.read(queries.medications),
            "medications",
            info.context.loaders.max_list,
            "medicationStats(first:, after:) gives them a page at a time",
        )
        return [Medication.from_row(row) for row in rows]

    @strawberry.field(
        description='The condition its name or any lay or clinical term names ("CRPS", '
        '"multiple sclerosis"), among those some episode ties a medication to.'
    )
    async def condition(self, info: Info[Context, None], name: str) -> Condition | None:
        row = await info.context.read(queries.condition_named, name=name)
        return Condition.from_row(row) if row is not None else None

    @strawberry.field(
        description="Every condition some episode ties a medication to, by name, a page at a time."
    )
    async def conditions(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[Condition]:
        page = await info.context.read(queries.conditions_page, first=first, after=after)
        return Connection.from_page(page, Condition.from_row)

    @strawberry.field(description="Episodes matching every filter given, a page at a time.")
    async def episodes(
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
        page = await read(
            queries.episodes_page,
            first=first,
            after=after,
            search=search,
            channel=channel,
            medication_id=await read(arguments.medication_id, name=medication),
            published_after=published_after,
            published_before=published_before,
            order=order_by,
        )
        return Connection.from_page(page, Episode.from_row)

    @strawberry.field(
        description="Dosages, filtered by medication (any alias) and by amount: min and max "
        'take any unit ("4 mg", "4500 ug", "0.01 g"); by what the dose is said to be for '
        '(indication: any name of the condition, "CRPS"); by stance (any of those given) and by '
        "speaker (the name as `speaker` gives it). Doses said in sponsor reads are left out "
        "unless includeSponsored is true."
    )
    async def dosages(
        self,
        info: Info[Context, None],
        medication: str | None = None,
        indication: str | None = None,
        min: str | None = None,  # noqa: A002 - the argument's public name
        max: str | None = None,  # noqa: A002
        episode: strawberry.ID | None = None,
        channel: str | None = None,
        stance: list[Stance] | None = None,
        speaker: str | None = None,
        include_sponsored: bool = False,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Dosage]:
        read = info.context.read
        low, high = arguments.amount_range(min, max)
        page = await read(
            queries.dosages_page,
            first=first,
            after=after,
            medication_id=await read(arguments.medication_id, name=medication),
            condition_id=await read(arguments.condition_id, name=indication),
            low=low,
            high=high,
            episode_id=arguments.episode_id("episode", episode),
            channel=channel,
            stances=[said.value for said in stance] if stance is not None else None,
            speaker=speaker,
            include_sponsored=include_sponsored,
        )
        return Connection.from_page(page, Dosage.from_row)

    @strawberry.field(description="Full-text search over transcripts and summaries, best first.")
    async def search(
        self,
        info: Info[Context, None],
        query: str,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[SearchHit]:
        page = await info.context.read(
            queries.search_page,
            query=query,
            first=first,
            after=after,
            count=asks_for(info.selected_fields[0].selections, "totalCount"),
        )
        return Connection.from_page(page, SearchHit.from_row)

    @strawberry.field(
        description="Per medication: episodes, mentions, dosages, dose spread; what sponsor "
        "reads say counts toward none of them."
    )
    async def medication_stats(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[MedicationStats]:
        page = await info.context.read(queries.medication_stats_page, first=first, after=after)
        return Connection.from_page(page, MedicationStats.from_row)

    @strawberry.field(
        description="The podcast feeds `syncFeeds` reads, in the order they were added, a page "
        "at a time. Needs the API token: a private feed's URL holds its subscriber's key.",
        permission_classes=[HasToken],
    )
    async def feeds(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[Feed]:
        page = await info.context.read(db_feeds.feeds_page, first=first, after=after)
        return Connection.from_page(page, Feed.from_row)

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:  # noqa: A002
        kind, key = from_global_id(id)
        read = info.context.read
        if kind == "Episode":
            episode = await read(queries.episode_by_id, episode_id=key)
            return Episode.from_row(episode) if episode is not None else None
        if kind == "Medication":
            medication = await read(queries.medication_by_id, medication_id=key)
            return Medication.from_row(medication) if medication is not None else None
        if kind == "Condition":
            condition = await read(queries.condition_by_id, condition_id=key)
            return Condition.from_row(condition) if condition is not None else None
        return None


@strawberry.type
class Ingested:
    """What ingesting a document did: added, replaced (it had changed) or unchanged."""

    outcome: str
    episode: Episode


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Ingest one episode document (markdown); the same code as `claimdex ingest`.",
        permission_classes=[HasToken],
    )
    async def ingest_episode(self, info: Info[Context, None], markdown: str) -> Ingested:
        written = await info.context.ingests.ingest(markdown)
        episode = await writes.written_episode(
            sessions=info.context.write_sessions, episode_id=written.episode_id
        )
        if episode is None:  # deleted between the write and this read
            raise writes.WriteError("the episode was deleted as it was ingested")
        return Ingested(outcome=written.outcome, episode=Episode.from_row(episode))

    @strawberry.mutation(
        description="Delete an episode and every claim made in it; false if there was none.",
        permission_classes=[HasToken],
    )
    async def delete_episode(self, info: Info[Context, None], id: strawberry.ID) -> bool:  # noqa: A002
        episode_id = arguments.episode_id("id", id)
        if episode_id is None:
            raise arguments.ArgumentError("id: give the id of the episode to delete")
        return await to_thread.run_sync(
            partial(
                writes.delete_episode, sessions=info.context.write_sessions, episode_id=episode_id
            )
        )

    @strawberry.mutation(
        description="Remember a podcast feed by its http(s) URL; `syncFeeds` then ingests its "
        "transcripts. Adding one remembered already changes nothing.",
        permission_classes=[HasToken],
    )
    async def add_feed(self, info: Info[Context, None], url: str) -> AddedFeed:
        given = arguments.feed_url("url", url)
        added, feed = await to_thread.run_sync(
            partial(writes.add_feed, sessions=info.context.write_sessions, url=given)
        )
        return AddedFeed(added=added, feed=Feed.from_row(feed))

    @strawberry.mutation(
        description="Forget a feed; the episodes its syncs stored stay. False if there was none.",
        permission_classes=[HasToken],
    )
    async def remove_feed(self, info: Info[Context, None], url: str) -> bool:
        return await to_thread.run_sync(
            partial(writes.remove_feed, sessions=info.context.write_sessions, url=url.strip())
        )

    @strawberry.mutation(
        description="Ingest the new and changed transcripts of every feed, as `claimdex feed "
        "sync` does, in one of the ingest slots: one result per feed not read and per item.",
        permission_classes=[HasToken],
    )
    async def sync_feeds(self, info: Info[Context, None]) -> list[FeedSyncResult]:
        return [FeedSyncResult.from_row(row) for row in await info.context.ingests.sync_feeds()]


AddedClaim = Annotated[
    Dosage | Warning,
    strawberry.union("AddedClaim", description="A dosage or a warning just stored."),
]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The dosages and warnings about a medication (any alias, brand or "
        "misspelling) as each ingest commits them, in transcript order; a medication no episode "
        "names yet is matched once one does. Over graphql-transport-ws or server-sent events."
    )
    async def claims_added(
        self, info: Info[Context, None], medication: str
    ) -> AsyncGenerator[AddedClaim, None]:
        context = info.context
        if context.hub is None:
            raise SubscriptionError("this server takes no subscriptions")
        async for batch in context.hub.claims(medication):
            # Fresh loaders for each episode's claims: a subscription lives for hours, and a
            # cache kept that long would grow with every episode it is told of.
            context.loaders = Loaders(context.read, context.loaders.max_list)
            for model, row in batch:
                yield Dosage.from_row(row) if model is models.Dosage else Warning.from_row(row)


# Errors whose message is written for the client; anything else is masked in production.
CLIENT_ERRORS: tuple[type[Exception], ...] = (
    arguments.ArgumentError,
    PageError,
    NodeIdError,
    writes.WriteError,
    TooSlow,
    TooMany,
    SubscriptionError,
)


def is_client_error(error: GraphQLError) -> bool:
    original = error.original_error
    return (
        original is None
        or isinstance(original, CLIENT_ERRORS)
        or (error.message == HasToken.message)
    )


class Schema(strawberry.Schema):
    """Runs each operation on a worker thread (see api.context), and logs only the errors that
    are the server's fault: a client's bad argument is its answer, not an incident."""

    async def execute(self, query: str | None, *args: Any, **kwargs: Any) -> ExecutionResult:
        context = kwargs.get("context_value")
        if not isinstance(context, Context):
            return await super().execute(query, *args, **kwargs)
        if context.heavy is not None and query is not None:
            # As sent: a worker process may be asked to execute it (api/heavy.py).
            heavy.REQUEST.set(
                heavy.Request(
                    query, kwargs.get("variable_values"), kwargs.get("operation_name"),
                    context.authorized,
                )
            )  # fmt: skip
        operation = super().execute(query, *args, **kwargs)
        return await on_a_worker(operation, context.read.threads)

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        unexpected = [error for error in errors if not is_client_error(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


# Distinct documents kept parsed and validated; bounded, since anyone may send a new one.
DOCUMENT_CACHE = 256


def build_schema(
    settings: Settings, tracer_provider: TracerProvider | None = None, *, counted: bool = True
) -> strawberry.Schema:
    """The schema with the limits and production behaviour `settings` asks for, a span for
    each operation when given a `tracer_provider`, and each operation in the metrics unless
    not `counted`."""
    # The rules are made once, here: the validation cache knows a verdict by the rules that
    # gave it, and the depth and alias limiters would make new rule classes every request.
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        limits.cost_rule(settings.max_cost, settings.max_list),
        limits.duplicates_rule(settings.max_duplicate_fields),
        limits.directives_rule(settings.max_directives),
    ]
    if not settings.introspection:
        rules += DisableIntrospection().validation_rules
    # Factories, not instances: strawberry makes each extension afresh for every request.
    extensions: list[Any] = [
        # Clients send the same few documents over and over: parse and validate each once.
        # Every rule looks only at the document, never at variables or the caller, so a
        # cached verdict holds for every request that sends that document.
        lambda: ParserCache(maxsize=DOCUMENT_CACHE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
    ]
    if counted:
        extensions.append(OperationMetrics)
    if tracer_provider is not None:
        extensions.append(lambda: GraphQLSpans(tracer_provider=tracer_provider))
    if settings.production:
        extensions.append(
            lambda: MaskErrors(
                should_mask_error=lambda error: not is_client_error(error),
                error_message="Internal error: the server could not answer this request.",
            )
        )
    config = StrawberryConfig(
        disable_field_suggestions=settings.production,
        batching_config={"max_operations": settings.max_batch},
    )
    # Trusted documents of a shape api/compiled.py knows run as one statement each; other
    # large answers are built in worker processes when the request's context has them.
    executor = heavy.executor(
        compiled_documents.executor(compiled_documents.plans_for(settings.trusted_documents))
        if settings.compiled_documents
        else StrawberryGraphQLCoreExecutionContext
    )
    return Schema(
        execution_context_class=executor,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Episode, Medication, Condition],
        extensions=extensions,
        config=config,
    )


schema = build_schema(Settings())
