"""REST endpoints under /api/v1 for scripted pulls: JSON, CSV or NDJSON, cursor-paginated.

Every handler parses its arguments, calls query functions in db/ (the same ones GraphQL
calls) and shapes rows; the OpenAPI document is generated from the same endpoint table.
"""

import csv
import io
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api import arguments, exports
from api.context import Reader, TooSlow
from api.links import deep_link, format_timestamp
from api.types.node import to_global_id
from api.writes import (
    Busy,
    Ingests,
    WriteError,
    delete_episode,
    token_is_valid,
    written_episode,
)
from db import claims, models, queries
from db.pages import Page, PageError

PREFIX = "/api/v1"
FORMATS = {"json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson"}
# Formats only some endpoints give, for the OpenAPI document.
MEDIA = FORMATS | {"fhir": "application/fhir+json", "chapters": "application/json+chapters"}
DOSAGE_FORMATS = (*FORMATS, "fhir")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def routing_error(request: Request, error: Exception) -> Response:
    """Starlette's own 404 (no route) and 405 (not that method) in the error envelope, the
    405 with its Allow header."""
    assert isinstance(error, HTTPException)
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
    parameters: tuple[Parameter, ...] = ()
    formats: tuple[str, ...] = ("json", "csv", "ndjson")
    paged: bool = False
    tags: tuple[str, ...] = field(default=())


# --- rows: flat dictionaries, the shape of every CSV and NDJSON line -------------------------


def source_row(segment: models.Segment) -> dict[str, Any]:
    return _place(segment.episode_id, segment.episode.title, segment.episode.url, segment.seconds)


def _place(episode_id: int, title: str, url: str | None, seconds: int) -> dict[str, Any]:
    return {
        "episode_id": to_global_id("Episode", episode_id),
        "episode_title": title,
        "seconds": seconds,
        "timestamp": format_timestamp(seconds),
        "link": deep_link(url, seconds),
    }


def _said(claim: Row[Any]) -> dict[str, Any]:
    return _place(claim.episode_id, claim.episode_title, claim.episode_url, claim.seconds)


def dosage_row(dosage: Row[Any], medication: str) -> dict[str, Any]:
    """A dosage read by `db.claims`, flat."""
    return {
        "kind": "dosage",
        "medication": medication,
        "value": dosage.value,
        "max_value": dosage.max_value,
        "unit": dosage.unit,
        "frequency": dosage.frequency,
        "per_day": dosage.per_day,
        "text": dosage.text,
        **_said(dosage),
    }


def warning_row(warning: Row[Any], medication: str) -> dict[str, Any]:
    """A warning read by `db.claims`, flat."""
    return {
        "kind": "warning",
        "medication": medication,
        "warning_kind": warning.kind,
        "text": warning.text,
        **_said(warning),
    }


def episode_row(episode: models.Episode) -> dict[str, Any]:
    return {
        "id": to_global_id("Episode", episode.id),
        "title": episode.title,
        "channel": episode.channel,
        "upload_date": episode.upload_date.isoformat() if episode.upload_date else None,
        "url": episode.url,
        "duration_seconds": episode.duration_seconds,
    }


def stats_row(stats: queries.MedicationStats) -> dict[str, Any]:
    return {
        "id": to_global_id("Medication", stats.medication.id),
        "name": stats.medication.name,
        "episodes": stats.episodes,
        "mentions": stats.mentions,
        "dosages": stats.dosages,
        "unit": stats.unit,
        "min_dose": stats.low,
        "median_dose": stats.median,
        "max_dose": stats.high,
    }


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
    request: Request, rows: list[dict[str, Any]], *, page: Page[Any] | None = None
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
    if wanted == "ndjson":
        lines = "".join(json.dumps(row, default=str) + "\n" for row in rows)
        return Response(lines, media_type=FORMATS["ndjson"], headers=headers)
    out = io.StringIO()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


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


# --- handlers ---------------------------------------------------------------------------------


def list_medications(request: Request, session: Session) -> Response:
    page = queries.medication_stats_page(session=session, **paging(request))
    return rows_response(request, [stats_row(row) for row in page.rows], page=page)


def get_medication(request: Request, session: Session) -> Response:
    medication = named_medication(session, request.path_params["name"])
    aliases = queries.aliases_for(session=session, medication_ids=[medication.id])
    row = {
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
        session=session, medication_id=medication.id, low=low, high=high, **paging(request)
    )
    if fhir:
        link = next_link(request, page)
        body = exports.fhir_bundle(page.rows, medication.name, url=str(request.url), next_url=link)
        return JSONResponse(body, media_type=MEDIA["fhir"])
    return rows_response(
        request, [dosage_row(row, medication.name) for row in page.rows], page=page
    )


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
    names = {m.id: m.name for m in queries.medications(session=session)}
    ids = [episode.id]
    dosages = claims.claims_in(session=session, model=models.Dosage, episode_ids=ids)
    warnings = claims.claims_in(session=session, model=models.Warning, episode_ids=ids)
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
    return rows_response(request, [episode_row(row) for row in page.rows], page=page)


def get_episode(request: Request, session: Session) -> Response:
    found = episode_claims(request, session)
    episode = found.episode
    claims = [dosage_row(d, name) for d, name in found.dosages] + [
        warning_row(w, name) for w, name in found.warnings
    ]
    if output_format(request, FORMATS) != "json":
        return rows_response(request, claims)
    segments = queries.segments_for(session=session, episode_ids=[episode.id]).get(episode.id, [])
    quotes = queries.quotes_for(session=session, episode_ids=[episode.id]).get(episode.id, [])
    body = episode_row(episode) | {
        "description": episode.description,
        "segments": [{"text": s.text, **source_row(s)} for s in segments],
        "claims": claims,
        "quotes": [
            {"text": q.text, "claimed_seconds": q.claimed_seconds}
            | (source_row(q.segment) if q.segment is not None else {"seconds": None})
            for q in quotes
        ],
    }
    return JSONResponse({"data": body})


def search(request: Request, session: Session) -> Response:
    query = request.query_params.get("q")
    if not query:
        raise ApiError(400, "bad_request", "q: give the words to search for, as ?q=microglia")
    page = queries.search_page(session=session, query=query, **paging(request))
    rows = [
        {"score": hit.score, "snippet": hit.snippet, **source_row(segment)}
        for hit, segment in page.rows
    ]
    return rows_response(request, rows, page=page)


FORMAT = Parameter("format", "json (default), csv or ndjson")
FIRST = Parameter("first", "page size, 0 to 100 (default 20)", "integer")
AFTER = Parameter("after", "the cursor of the last row already read (see the next link)")
NAME = Parameter("name", "any name: generic, brand, abbreviation or misspelling", where="path")

ENDPOINTS = [
    Endpoint("/medications", "Medications with counts and dose spread", list_medications,
             (FIRST, AFTER, FORMAT), paged=True),
    Endpoint("/medications/{name}", "One medication by any of its names", get_medication,
             (NAME, FORMAT), formats=("json",)),
    Endpoint("/medications/{name}/dosages", "A medication's dosages, filtered by amount",
             medication_dosages,
             (NAME, Parameter("min", 'lowest amount, any unit ("4 mg", "4500 ug")'),
              Parameter("max", "highest amount, any unit"), FIRST, AFTER,
              Parameter("format", "json (default), csv, ndjson, or fhir (an R4 Bundle of "
                        "MedicationKnowledge)")),
             formats=DOSAGE_FORMATS, paged=True),
    Endpoint("/episodes", "Episodes, filtered and ordered", list_episodes,
             (Parameter("search", "words the transcript must contain"),
              Parameter("channel", "channel name"),
              Parameter("medication", "any name of a medication the episode mentions"),
              Parameter("published_after", "upload date, YYYY-MM-DD, inclusive"),
              Parameter("published_before", "upload date, YYYY-MM-DD, inclusive"),
              Parameter("order", "added (default), newest, oldest or title"),
              FIRST, AFTER, FORMAT), paged=True),
    Endpoint("/episodes/{id}", "One episode with its segments, claims and quotes", get_episode,
             (Parameter("id", "the episode's id", where="path"), FORMAT)),
    Endpoint("/episodes/{id}/chapters.json", "An episode's claims as Podcasting 2.0 chapters",
             episode_chapters, (Parameter("id", "the episode's id", where="path"),),
             formats=("chapters",)),
    Endpoint("/search", "Full-text search over transcripts and summaries", search,
             (Parameter("q", "the words to search for"), FIRST, AFTER, FORMAT), paged=True),
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


def _write(writes: Writes, handler: Callable[[Request, Writes], Awaitable[Response]]) -> Any:
    async def handle(request: Request) -> Response:
        try:
            writes.require_token(request)
            return await handler(request, writes)
        except ApiError as error:
            return error_response(error.status, error.code, error.message)
        except Busy as error:
            busy = error_response(503, "busy", str(error))
            busy.headers["Retry-After"] = str(error.retry_after)
            return busy
        except (arguments.ArgumentError, WriteError) as error:
            return error_response(400, "bad_request", str(error))

    return handle


async def post_episode(request: Request, writes: Writes) -> Response:
    """The document is the body: markdown as text, or JSON {"markdown": "..."}."""
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
    body = {"outcome": written.outcome} | (episode_row(episode) if episode else {})
    return JSONResponse({"data": body}, status_code=201 if written.outcome == "added" else 200)


async def delete_episode_route(request: Request, writes: Writes) -> Response:
    key = arguments.episode_id("id", request.path_params["id"])
    if key is None:
        raise ApiError(400, "bad_request", "id: give the id of the episode to delete")
    if not await run_in_threadpool(delete_episode, sessions=writes.sessions, episode_id=key):
        raise ApiError(404, "not_found", f"no episode has the id {request.path_params['id']!r}")
    return Response(status_code=204)


def _handle(read: Reader, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        try:
            return await read(endpoint.handler, request=request)
        except ApiError as error:
            return error_response(error.status, error.code, error.message)
        except (arguments.ArgumentError, PageError) as error:
            return error_response(400, "bad_request", str(error))
        except TooSlow as error:
            return error_response(503, "timeout", str(error))

    return handle


def routes(read: Reader, writes: Writes) -> list[Route]:
    """One route per path, so a 405 lists every method the path takes in its Allow header."""
    extra = {
        "/episodes": {"POST": _write(writes, post_episode)},
        "/episodes/{id}": {"DELETE": _write(writes, delete_episode_route)},
    }
    found = []
    for endpoint in ENDPOINTS:
        handlers = {"GET": _handle(read, endpoint)} | extra.get(endpoint.path, {})
        found.append(
            Route(
                PREFIX + endpoint.path,
                _by_method(handlers),
                methods=list(handlers),
                name=endpoint.handler.__name__,
            )
        )
    return found + [Route(PREFIX + "/openapi.json", openapi_response, methods=["GET"])]


def _by_method(
    handlers: dict[str, Callable[[Request], Awaitable[Response]]],
) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return handle


async def openapi_response(request: Request) -> JSONResponse:
    return JSONResponse(openapi())


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of ENDPOINTS: the same table the routes come from."""
    paths: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        content = {
            MEDIA[f]: {"schema": {"type": "string" if f in ("csv", "ndjson") else "object"}}
            for f in endpoint.formats
        }
        paths[PREFIX + endpoint.path] = {
            "get": {
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
                },
            }
        }
    unauthorized = {"description": "No valid API token", "content": ERROR_CONTENT}
    security: list[dict[str, list[str]]] = [{"bearer": []}]
    paths[PREFIX + "/episodes"]["post"] = {
        "operationId": "post_episode",
        "summary": "Ingest an episode document (markdown), as `claimdex ingest` does",
        "security": security,
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
            "401": unauthorized,
            "413": {"description": "Body too large", "content": ERROR_CONTENT},
            "503": {
                "description": "Every ingest slot is busy (CLAIMDEX_MAX_INGESTS); retry after"
                " the Retry-After header's seconds",
                "content": ERROR_CONTENT,
            },
        },
    }
    paths[PREFIX + "/episodes/{id}"]["delete"] = {
        "operationId": "delete_episode",
        "summary": "Delete an episode and every claim made in it",
        "security": security,
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "responses": {
            "204": {"description": "Deleted"},
            "401": unauthorized,
            "404": {"description": "No such episode", "content": ERROR_CONTENT},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "claimdex", "version": "1", "description": __doc__},
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


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
