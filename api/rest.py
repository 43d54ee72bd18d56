"""REST endpoints under /api/v1 for scripted pulls: JSON, CSV or NDJSON, cursor-paginated.

Every handler parses its arguments, calls query functions in db/ (the same ones GraphQL
calls) and shapes rows; the OpenAPI document is generated from the same endpoint table.
"""

import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.schemas import BaseSchemaGenerator
from starlette.types import ExceptionHandler

from api import arguments, exports, shapes
from api.context import Reader, TooSlow
from api.types.node import to_global_id
from api.writes import (
    Busy,
    Ingests,
    WriteError,
    add_feed,
    delete_episode,
    remove_feed,
    token_is_valid,
    written_episode,
)
from db import across, claims, feeds, models, queries
from db.pages import Page, PageError
from ingest.records import Stance

PREFIX = "/api/v1"
FORMATS = {"json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson"}
# Formats only some endpoints give, for the OpenAPI document.
MEDIA = FORMATS | {"fhir": "application/fhir+json", "chapters": "application/json+chapters"}
DOSAGE_FORMATS = (*FORMATS, "fhir")
NESTED_FORMATS = ("json", "ndjson")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


# --- errors: Starlette's exception handlers answer them, in the error envelope ---------------


async def routing_error(request: Request, error: Exception) -> Response:
    """Starlette's own 404 (no route) and 405 (not that method) in the error envelope, the
    405 with its Allow header."""
    if not isinstance(error, HTTPException):
        raise TypeError(f"routing_error answers HTTPException, not {type(error).__name__}")
    path = request.url.path
    if error.status_code == 405:
        allowed = (error.headers or {}).get("Allow", "")
        message = f"{request.method} is not allowed on {path}; it takes {allowed}"
        code = "method_not_allowed"
    else:
        message = f"nothing is at {path}; the REST endpoints are listed at {PREFIX}/openapi.json"
        code = "not_found"
    response = error_response(error.status_code, code, message)
    response.headers.update(error.headers or {})
    return response


async def api_error(request: Request, error: Exception) -> Response:
    if isinstance(error, ApiError):
        return error_response(error.status, error.code, error.message)
    return error_response(400, "bad_request", str(error))


async def unavailable(request: Request, error: Exception) -> Response:
    """A read the time limit stopped, or a write with every ingest slot taken: 503, the
    latter with when to retry."""
    if isinstance(error, Busy):
        busy = error_response(503, "busy", str(error))
        busy.headers["Retry-After"] = str(error.retry_after)
        return busy
    return error_response(503, "timeout", str(error))


# The errors a request's arguments or the server's state can raise, by class. ValueErrors of
# our own (arguments, cursors, documents) are the client's; anything else stays a 500.
ERROR_HANDLERS: Mapping[Any, ExceptionHandler] = {
    404: routing_error,
    405: routing_error,
    ApiError: api_error,
    arguments.ArgumentError: api_error,
    PageError: api_error,
    WriteError: api_error,
    Busy: unavailable,
    TooSlow: unavailable,
}


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    kind: str = "string"  # the OpenAPI type
    where: str = "query"


@dataclass(frozen=True)
class Endpoint:
    path: str
    summary: str
    handler: Callable[[Request, Session], Response]  # run on a worker thread by the Reader
    shape: Any  # what its JSON "data" holds: a shape of api.shapes, or a list of one
    parameters: tuple[Parameter, ...] = ()
    formats: tuple[str, ...] = ("json", "csv", "ndjson")
    paged: bool = False
    tags: tuple[str, ...] = field(default=())
    token: bool = False  # only for a client with an API token


# --- responses --------------------------------------------------------------------------------


def output_format(request: Request, allowed: Iterable[str]) -> str:
    wanted = request.query_params.get("format", "json")
    if wanted not in allowed:
        choices = ", ".join(allowed)
        raise ApiError(400, "bad_format", f"format: {wanted!r} is not one of {choices}")
    return wanted


def next_link(request: Request, page: Page[Any]) -> str | None:
    if not page.has_next or not page.cursors:
        return None
    return str(request.url.include_query_params(after=page.cursors[-1]))


def rows_response(
    request: Request, rows: Sequence[Mapping[str, Any]], *, page: Page[Any] | None = None
) -> Response:
    """Rows as JSON ({"data", "total", "next"}), CSV (a header row) or NDJSON (a row a line);
    the next page's URL is also in a Link header."""
    wanted = output_format(request, FORMATS)
    link = next_link(request, page) if page is not None else None
    headers = {"Link": f'<{link}>; rel="next"'} if link else {}
    if wanted == "json":
        body: dict[str, Any] = {"data": rows}
        if page is not None:
            body |= {"total": page.total, "next": link}
        return JSONResponse(body, headers=headers)
    out = io.StringIO()
    shapes.write_rows(out, rows, wanted)
    media_type = "text/csv; charset=utf-8" if wanted == "csv" else FORMATS["ndjson"]
    return Response(out.getvalue(), media_type=media_type, headers=headers)


def paging(request: Request) -> dict[str, Any]:
    first = request.query_params.get("first")
    try:
        size = int(first) if first is not None else None
    except ValueError:
        raise ApiError(400, "bad_request", f"first: {first!r} is not a whole number") from None
    return {"first": size, "after": request.query_params.get("after")}


def named_medication(session: Session, name: str) -> models.Medication:
    medication = queries.medication_named(session=session, name=name)
    if medication is None:
        raise ApiError(404, "not_found", f"no episode in this index mentions {name!r}")
    return medication


def query_date(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = f"{name}: {value!r} is not a date such as 2025-04-25"
        raise ApiError(400, "bad_request", message) from None


def query_stances(request: Request) -> list[str] | None:
    """The stances asked for, repeated (?stance=PRACTICE&stance=STUDY) or comma-separated."""
    given = [
        word.strip().upper()
        for value in request.query_params.getlist("stance")
        for word in value.split(",")
        if word.strip()
    ]
    unknown = [word for word in given if word not in Stance.__members__]
    if unknown:
        choices = ", ".join(Stance)
        raise ApiError(400, "bad_request", f"stance: {unknown[0]!r} is not one of {choices}")
    return given or None


def query_flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise ApiError(400, "bad_request", f"{name}: {value!r} is not true or false")
    return value == "true"


# --- handlers ---------------------------------------------------------------------------------


def list_medications(request: Request, session: Session) -> Response:
    page = queries.medication_stats_page(session=session, **paging(request))
    return rows_response(request, [shapes.stats_row(row) for row in page.rows], page=page)


def get_medication(request: Request, session: Session) -> Response:
    medication = named_medication(session, request.path_params["name"])
    aliases = queries.aliases_for(session=session, medication_ids=[medication.id])
    row: shapes.MedicationRow = {
        "id": to_global_id("Medication", medication.id),
        "name": medication.name,
        "aliases": aliases.get(medication.id, []),
        "dosages": str(request.url_for("medication_dosages", name=medication.name)),
    }
    output_format(request, ("json",))  # one medication is an object: JSON only
    return JSONResponse({"data": row})


def medication_dosages(request: Request, session: Session) -> Response:
    medication = named_medication(session, request.path_params["name"])
    low, high = arguments.amount_range(
        request.query_params.get("min"), request.query_params.get("max")
    )
    fhir = output_format(request, DOSAGE_FORMATS) == "fhir"
    page = queries.dosages_page(
        session=session,
        medication_id=medication.id,
        low=low,
        high=high,
        stances=query_stances(request),
        speaker=request.query_params.get("speaker"),
        include_sponsored=query_flag(request, "include_sponsored"),
        condition_id=arguments.condition_id(
            session=session, name=request.query_params.get("indication")
        ),
        **paging(request),
    )
    if fhir:
        link = next_link(request, page)
        body = exports.fhir_bundle(page.rows, medication.name, url=str(request.url), next_url=link)
        return JSONResponse(body, media_type=MEDIA["fhir"])
    return rows_response(
        request, [shapes.dosage_row(row, medication.name) for row in page.rows], page=page
    )


def medication_indications(request: Request, session: Session) -> Response:
    medication = named_medication(session, request.path_params["name"])
    page = queries.indications_page(
        session=session,
        medication_id=medication.id,
        condition_id=arguments.condition_id(
            session=session, name=request.query_params.get("condition")
        ),
        include_sponsored=query_flag(request, "include_sponsored"),
        **paging(request),
    )
    rows = [shapes.indication_row(row, medication.name) for row in page.rows]
    return rows_response(request, rows, page=page)


def medication_across_episodes(request: Request, session: Session) -> Response:
    medication = named_medication(session, request.path_params["name"])
    found = across.summaries(session=session, medication_ids=[medication.id])
    rows = [shapes.across_row(row, medication.name) for row in found.get(medication.id, [])]
    return rows_response(request, rows)


def medication_disagreements(request: Request, session: Session) -> Response:
    medication = named_medication(session, request.path_params["name"])
    output_format(request, NESTED_FORMATS)  # each row holds two claims: no CSV
    page = across.disagreements_page(
        session=session, medication_id=medication.id, **paging(request)
    )
    rows = [shapes.disagreement_row(row, medication.name) for row in page.rows]
    return rows_response(request, rows, page=page)


def list_conditions(request: Request, session: Session) -> Response:
    page = queries.conditions_page(session=session, **paging(request))
    aliases = queries.condition_aliases_for(
        session=session, condition_ids=[row.id for row in page.rows]
    )
    rows = [shapes.condition_row(row, aliases.get(row.id, [])) for row in page.rows]
    return rows_response(request, rows, page=page)


@dataclass(frozen=True)
class EpisodeClaims:
    episode: models.Episode
    dosages: list[tuple[Row[Any], str]]  # rows of db.claims, each with its medication's name
    warnings: list[tuple[Row[Any], str]]


def episode_claims(request: Request, session: Session) -> EpisodeClaims:
    """The episode the path's id names, with its claims; 404 when there is none."""
    key = arguments.episode_id("id", request.path_params["id"])
    episode = queries.episode_by_id(session=session, episode_id=key) if key else None
    if episode is None:
        raise ApiError(404, "not_found", f"no episode has the id {request.path_params['id']!r}")
    ids = [episode.id]
    dosages = claims.claims_in(session=session, model=models.Dosage, episode_ids=ids)
    warnings = claims.claims_in(session=session, model=models.Warning, episode_ids=ids)
    said = {row.medication_id for found in (dosages, warnings) for row in found.get(episode.id, [])}
    named = queries.medications_by_id(session=session, medication_ids=sorted(said))
    names = {key: medication.name for key, medication in named.items()}
    return EpisodeClaims(
        episode,
        [(d, names.get(d.medication_id, "")) for d in dosages.get(episode.id, [])],
        [(w, names.get(w.medication_id, "")) for w in warnings.get(episode.id, [])],
    )


def episode_chapters(request: Request, session: Session) -> Response:
    found = episode_claims(request, session)
    body = exports.chapters(found.episode, found.dosages, found.warnings)
    return JSONResponse(body, media_type="application/json+chapters")


def list_episodes(request: Request, session: Session) -> Response:
    params = request.query_params
    order = params.get("order", queries.EpisodeOrder.ADDED.value)
    if order not in {o.value for o in queries.EpisodeOrder}:
        choices = ", ".join(o.value for o in queries.EpisodeOrder)
        raise ApiError(400, "bad_request", f"order: {order!r} is not one of {choices}")
    page = queries.episodes_page(
        session=session,
        search=params.get("search"),
        channel=params.get("channel"),
        medication_id=arguments.medication_id(session=session, name=params.get("medication")),
        published_after=query_date(request, "published_after"),
        published_before=query_date(request, "published_before"),
        order=queries.EpisodeOrder(order),
        **paging(request),
    )
    return rows_response(request, [shapes.episode_row(row) for row in page.rows], page=page)


def get_episode(request: Request, session: Session) -> Response:
    found = episode_claims(request, session)
    episode = found.episode
    claims: list[shapes.DosageRow | shapes.WarningRow] = [
        shapes.dosage_row(d, name) for d, name in found.dosages
    ]
    claims += [shapes.warning_row(w, name) for w, name in found.warnings]
    if output_format(request, FORMATS) != "json":
        return rows_response(request, claims)
    segments = queries.segments_for(session=session, episode_ids=[episode.id]).get(episode.id, [])
    quotes = queries.quotes_for(session=session, episode_ids=[episode.id]).get(episode.id, [])
    body: shapes.EpisodeDetail = {
        **shapes.episode_row(episode),
        "description": episode.description,
        "segments": [shapes.segment_row(s) for s in segments],
        "claims": claims,
        "quotes": [shapes.quote_row(q) for q in quotes],
    }
    return JSONResponse({"data": body})


def search(request: Request, session: Session) -> Response:
    query = request.query_params.get("q")
    if not query:
        raise ApiError(400, "bad_request", "q: give the words to search for, as ?q=microglia")
    page = queries.search_page(session=session, query=query, **paging(request))
    rows = [shapes.search_row(hit, segment) for hit, segment in page.rows]
    return rows_response(request, rows, page=page)


def list_feeds(request: Request, session: Session) -> Response:
    page = feeds.feeds_page(session=session, **paging(request))
    return rows_response(request, [shapes.feed_row(row) for row in page.rows], page=page)


FORMAT = Parameter("format", "json (default), csv or ndjson")
FIRST = Parameter("first", "page size, 0 to 100 (default 20)", "integer")
AFTER = Parameter("after", "the cursor of the last row already read (see the next link)")
NAME = Parameter("name", "any name: generic, brand, abbreviation or misspelling", where="path")

ENDPOINTS = [
    Endpoint("/medications", "Medications with counts and dose spread", list_medications,
             list[shapes.MedicationStatsRow], (FIRST, AFTER, FORMAT), paged=True),
    Endpoint("/medications/{name}", "One medication by any of its names", get_medication,
             shapes.MedicationRow, (NAME, FORMAT), formats=("json",)),
    Endpoint("/medications/{name}/dosages",
             "A medication's dosages, filtered by amount, indication, stance and speaker",
             medication_dosages, list[shapes.DosageRow],
             (NAME, Parameter("min", 'lowest amount, any unit ("4 mg", "4500 ug")'),
              Parameter("max", "highest amount, any unit"),
              Parameter("stance", "how it was said: RECOMMENDATION, PRACTICE, PERSONAL, "
                        "ANECDOTE, STUDY, GENERAL, NEGATED or HYPOTHETICAL; repeat or separate "
                        "with commas for any of several"),
              Parameter("speaker", "who said it, as the speaker column gives the name"),
              Parameter("indication", 'the condition the dose is said to be for, any of its '
                        'names ("CRPS")'),
              Parameter("include_sponsored", "true to include doses said in sponsor reads "
                        "(default false)", "boolean"),
              FIRST, AFTER,
              Parameter("format", "json (default), csv, ndjson, or fhir (an R4 Bundle of "
                        "MedicationKnowledge)")),
             formats=DOSAGE_FORMATS, paged=True),
    Endpoint("/medications/{name}/indications",
             "The conditions a medication is said to be used for, treat, help or be tried in",
             medication_indications, list[shapes.IndicationRow],
             (NAME, Parameter("condition", 'one condition, any of its names ("MS")'),
              Parameter("include_sponsored", "true to include what sponsor reads say "
                        "(default false)", "boolean"),
              FIRST, AFTER, FORMAT), paged=True),
    Endpoint("/medications/{name}/across-episodes",
             "Per condition a medication is said to be for: the typical dose, its spread, and "
             "how many episodes and speakers say so; sponsor reads left out",
             medication_across_episodes, list[shapes.AcrossRow], (NAME, FORMAT)),
    Endpoint("/medications/{name}/disagreements",
             "Pairs of claims from different episodes about a medication and one condition that "
             "disagree: doses more than twice apart, or a use one claims and the other denies",
             medication_disagreements, list[shapes.DisagreementRow],
             (NAME, FIRST, AFTER, Parameter("format", "json (default) or ndjson")),
             formats=NESTED_FORMATS, paged=True),
    Endpoint("/conditions", "Conditions some episode ties a medication to, by name",
             list_conditions, list[shapes.ConditionRow], (FIRST, AFTER, FORMAT), paged=True),
    Endpoint("/episodes", "Episodes, filtered and ordered", list_episodes,
             list[shapes.EpisodeRow],
             (Parameter("search", "words the transcript must contain"),
              Parameter("channel", "channel name"),
              Parameter("medication", "any name of a medication the episode mentions"),
              Parameter("published_after", "upload date, YYYY-MM-DD, inclusive"),
              Parameter("published_before", "upload date, YYYY-MM-DD, inclusive"),
              Parameter("order", "added (default), newest, oldest or title"),
              FIRST, AFTER, FORMAT), paged=True),
    Endpoint("/episodes/{id}", "One episode with its segments, claims and quotes", get_episode,
             shapes.EpisodeDetail, (Parameter("id", "the episode's id", where="path"), FORMAT)),
    Endpoint("/episodes/{id}/chapters.json", "An episode's claims as Podcasting 2.0 chapters",
             episode_chapters, None, (Parameter("id", "the episode's id", where="path"),),
             formats=("chapters",)),
    Endpoint("/search", "Full-text search over transcripts and summaries", search,
             list[shapes.SearchRow],
             (Parameter("q", "the words to search for"), FIRST, AFTER, FORMAT), paged=True),
    Endpoint("/feeds", "The podcast feeds a sync reads, in the order they were added (needs "
             "the API token: a private feed's URL holds its subscriber's key)", list_feeds,
             list[shapes.FeedRow], (FIRST, AFTER, FORMAT), paged=True, token=True),
]  # fmt: skip


@dataclass(frozen=True)
class Writes:
    """What the write endpoints need: the tokens that allow them and where writes go."""

    tokens: tuple[str, ...]
    sessions: sessionmaker[Session]  # of the primary, DATABASE_URL
    ingests: Ingests

    def require_token(self, request: Request) -> None:
        if not token_is_valid(request.headers.get("authorization"), self.tokens):
            raise ApiError(
                401,
                "unauthorized",
                "a valid API token is required for writes: send 'Authorization: Bearer <token>'"
                " with one of the tokens in CLAIMDEX_API_TOKENS",
            )


async def post_episode(request: Request, writes: Writes) -> Response:
    """The document is the body: markdown as text, or JSON {"markdown": "..."}."""
    writes.require_token(request)
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_request", "the document is not UTF-8 text") from None
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            text = json.loads(text)["markdown"]
        except (ValueError, KeyError, TypeError):
            raise ApiError(
                400, "bad_request", 'expected a JSON object {"markdown": "..."}'
            ) from None
    written = await writes.ingests.ingest(str(text))
    episode = await written_episode(sessions=writes.sessions, episode_id=written.episode_id)
    body: dict[str, Any] = {"outcome": written.outcome}
    if episode is not None:
        body |= shapes.episode_row(episode)
    return JSONResponse({"data": body}, status_code=201 if written.outcome == "added" else 200)


async def delete_episode_route(request: Request, writes: Writes) -> Response:
    writes.require_token(request)
    key = arguments.episode_id("id", request.path_params["id"])
    if key is None:
        raise ApiError(400, "bad_request", "id: give the id of the episode to delete")
    if not await run_in_threadpool(delete_episode, sessions=writes.sessions, episode_id=key):
        raise ApiError(404, "not_found", f"no episode has the id {request.path_params['id']!r}")
    return Response(status_code=204)


async def post_feed(request: Request, writes: Writes) -> Response:
    """The body is JSON {"url": "https://..."}; adding a feed remembered already is no error."""
    writes.require_token(request)
    try:
        given = json.loads(await request.body())["url"]
    except (ValueError, KeyError, TypeError):
        given = None
    if not isinstance(given, str):
        raise ApiError(400, "bad_request", 'expected a JSON object {"url": "https://..."}')
    url = arguments.feed_url("url", given)
    added, feed = await run_in_threadpool(add_feed, sessions=writes.sessions, url=url)
    body = {"added": added} | shapes.feed_row(feed)
    return JSONResponse({"data": body}, status_code=201 if added else 200)


async def delete_feed(request: Request, writes: Writes) -> Response:
    writes.require_token(request)
    url = request.query_params.get("url", "").strip()
    if not url:
        raise ApiError(400, "bad_request", "url: give the URL of the feed to remove, as ?url=...")
    if not await run_in_threadpool(remove_feed, sessions=writes.sessions, url=url):
        raise ApiError(404, "not_found", f"no feed is remembered at {url!r}")
    return Response(status_code=204)


async def sync_feeds(request: Request, writes: Writes) -> Response:
    writes.require_token(request)
    synced = await writes.ingests.sync_feeds()
    return JSONResponse({"data": [shapes.feed_sync_row(row) for row in synced]})


# --- routes: one HTTPEndpoint per path, so a 405 lists every method the path takes ----------


class Resource(HTTPEndpoint):
    """A REST path. GET runs its Endpoint's handler on a worker thread through the Reader;
    the subclasses below add the writes some paths take. `routes` fills in the class
    attributes, once per path."""

    endpoint: ClassVar[Endpoint]
    read: ClassVar[Reader]
    writes: ClassVar[Writes]

    async def get(self, request: Request) -> Response:
        if self.endpoint.token:
            self.writes.require_token(request)
        return await self.read(self.endpoint.handler, request=request)


class Episodes(Resource):
    async def post(self, request: Request) -> Response:
        return await post_episode(request, self.writes)


class OneEpisode(Resource):
    async def delete(self, request: Request) -> Response:
        return await delete_episode_route(request, self.writes)


class Feeds(Resource):
    async def post(self, request: Request) -> Response:
        return await post_feed(request, self.writes)

    async def delete(self, request: Request) -> Response:
        return await delete_feed(request, self.writes)


class FeedSync(HTTPEndpoint):
    """A path that only writes: no Endpoint, no GET."""

    writes: ClassVar[Writes]

    async def post(self, request: Request) -> Response:
        return await sync_feeds(request, self.writes)


RESOURCES: dict[str, type[Resource]] = {
    "/episodes": Episodes,
    "/episodes/{id}": OneEpisode,
    "/feeds": Feeds,
}


def routes(read: Reader, writes: Writes) -> list[BaseRoute]:
    found: list[BaseRoute] = []
    for endpoint in ENDPOINTS:
        name = endpoint.handler.__name__
        base = RESOURCES.get(endpoint.path, Resource)
        resource = type(name, (base,), {"endpoint": endpoint, "read": read, "writes": writes})
        found.append(Route(PREFIX + endpoint.path, resource, name=name))
    syncing = type("sync_feeds", (FeedSync,), {"writes": writes})
    found.append(Route(PREFIX + "/feeds/sync", syncing, name="sync_feeds"))
    document = OpenAPI().get_schema(found)

    async def openapi_response(request: Request) -> JSONResponse:
        return JSONResponse(document)

    return found + [Route(PREFIX + "/openapi.json", openapi_response, methods=["GET"])]


# --- the OpenAPI document ---------------------------------------------------------------------


class OpenAPI(BaseSchemaGenerator):
    """The OpenAPI 3.1 document of the REST routes. Starlette walks the routes for their
    paths and methods; each GET is described from its Endpoint, its answer's schema taken
    from api.shapes, and each write from WRITES below."""

    def get_schema(self, routes: list[BaseRoute]) -> dict[str, Any]:
        schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
        paths: dict[str, dict[str, Any]] = {}
        endpoints = {PREFIX + endpoint.path: endpoint for endpoint in ENDPOINTS}
        for found in self.get_endpoints(routes):
            if found.http_method == "get":
                operation = read_operation(endpoints[found.path], schemas)
            else:
                operation = WRITES[found.path.removeprefix(PREFIX), found.http_method]
            paths.setdefault(found.path, {})[found.http_method] = operation
        return {
            "openapi": "3.1.0",
            "info": {"title": "claimdex", "version": "1", "description": __doc__},
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }


def read_operation(endpoint: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    content = {MEDIA[f]: {"schema": answer_schema(endpoint, f, schemas)} for f in endpoint.formats}
    guarded: dict[str, Any] = {"security": SECURITY} if endpoint.token else {}
    return guarded | {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "parameters": [
            {
                "name": p.name,
                "in": p.where,
                "required": p.where == "path",
                "description": p.description,
                "schema": {"type": p.kind},
            }
            for p in endpoint.parameters
        ],
        "responses": {
            "200": {"description": "OK", "content": content},
            "304": {"description": "Not modified (If-None-Match)"},
            "400": {"description": "Bad request", "content": ERROR_CONTENT},
            "404": {"description": "Not found", "content": ERROR_CONTENT},
        }
        | ({"401": UNAUTHORIZED} if endpoint.token else {}),
    }


def answer_schema(endpoint: Endpoint, output_format: str, schemas: dict[str, Any]) -> Any:
    """The schema of an answer in `output_format`: the shapes' for JSON, with the page's
    total and next link when it is paged."""
    if output_format in ("csv", "ndjson"):
        return {"type": "string"}
    if output_format != "json" or endpoint.shape is None:
        return {"type": "object"}
    properties = {"data": shapes.json_schema(endpoint.shape, schemas)}
    if endpoint.paged:
        properties |= {
            "total": {"type": "integer"},
            "next": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        }
    return {"type": "object", "required": list(properties), "properties": properties}


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
UNAUTHORIZED = {"description": "No valid API token", "content": ERROR_CONTENT}
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
BUSY = {
    "description": "Every ingest slot is busy (CLAIMDEX_MAX_INGESTS); retry after the "
    "Retry-After header's seconds",
    "content": ERROR_CONTENT,
}
# The write operations, by path and method: what their bodies and answers are.
WRITES: dict[tuple[str, str], dict[str, Any]] = {
    ("/episodes", "post"): {
        "operationId": "post_episode",
        "summary": "Ingest an episode document (markdown), as `claimdex ingest` does",
        "security": SECURITY,
        "requestBody": {
            "required": True,
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["markdown"],
                        "properties": {"markdown": {"type": "string"}},
                    }
                },
            },
        },
        "responses": {
            "201": {"description": "Added", "content": {"application/json": {"schema": {}}}},
            "200": {"description": "Replaced or unchanged"},
            "400": {"description": "Not an episode document", "content": ERROR_CONTENT},
            "401": UNAUTHORIZED,
            "413": {"description": "Body too large", "content": ERROR_CONTENT},
            "503": BUSY,
        },
    },
    ("/feeds", "post"): {
        "operationId": "post_feed",
        "summary": "Remember a podcast feed by its http(s) URL",
        "security": SECURITY,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["url"],
                        "properties": {"url": {"type": "string", "format": "uri"}},
                    }
                }
            },
        },
        "responses": {
            "201": {"description": "Added", "content": {"application/json": {"schema": {}}}},
            "200": {"description": "Remembered already"},
            "400": {"description": "Not an http(s) URL", "content": ERROR_CONTENT},
            "401": UNAUTHORIZED,
        },
    },
    ("/feeds", "delete"): {
        "operationId": "delete_feed",
        "summary": "Forget a feed; the episodes its syncs stored stay",
        "security": SECURITY,
        "parameters": [
            {"name": "url", "in": "query", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "204": {"description": "Removed"},
            "401": UNAUTHORIZED,
            "404": {"description": "No feed at that URL", "content": ERROR_CONTENT},
        },
    },
    ("/feeds/sync", "post"): {
        "operationId": "sync_feeds",
        "summary": "Ingest the new and changed transcripts of every feed, as `claimdex feed "
        "sync` does; one result per feed not read and per item",
        "security": SECURITY,
        "responses": {
            "200": {"description": "Synced", "content": {"application/json": {"schema": {}}}},
            "401": UNAUTHORIZED,
            "503": BUSY,
        },
    },
    ("/episodes/{id}", "delete"): {
        "operationId": "delete_episode",
        "summary": "Delete an episode and every claim made in it",
        "security": SECURITY,
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "204": {"description": "Deleted"},
            "401": UNAUTHORIZED,
            "404": {"description": "No such episode", "content": ERROR_CONTENT},
        },
    },
}
