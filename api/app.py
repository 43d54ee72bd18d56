"""The Starlette application: GraphQL (GraphiQL in a browser) at /graphql, REST at /api/v1."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api import rest
from api.caching import ETagMiddleware
from api.context import Context, Loaders, Reader
from api.schema import schema
from db.engine import create_schema, make_engine, session_factory

# What GraphiQL shows on opening: the headline query, ready to run.
DOSING_ADVICE = """query DosingAdvice($name: String!) {
  medication(name: $name) {
    name
    aliases
    dosages { value maxValue unit frequency text
              source { seconds timestamp url episode { title } } }
    warnings { kind text source { timestamp url } }
  }
}
"""


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.sessions = sessions

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        read = Reader(self.sessions)
        return Context(read=read, loaders=Loaders(read))

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        start = self.graphql_ide_html.index("const EXAMPLE_QUERY = `")
        end = self.graphql_ide_html.index("`;", start)
        html = (
            self.graphql_ide_html[:start]
            + "const EXAMPLE_QUERY = `"
            + DOSING_ADVICE
            + self.graphql_ide_html[end:]
        ).replace("parameters.variables,", 'parameters.variables || \'{"name": "LDN"}\',')
        return HTMLResponse(html)


def cors_origins() -> list[str]:
    """CLAIMDEX_CORS_ORIGINS: the origins allowed to call the API from a browser."""
    raw = os.environ.get("CLAIMDEX_CORS_ORIGINS", "")
    return [origin.strip() for origin in raw.split(",") if origin.strip()]


def create_app(engine: Engine | None = None, read_engine: Engine | None = None) -> Starlette:
    """The application over `engine` (default: DATABASE_URL); reads go to `read_engine`
    (default: DATABASE_READ_URL, else the same database). At start-up an embedded database is
    brought up to date and a server's schema is checked."""
    engine = engine or make_engine()
    if read_engine is None:
        replica = os.environ.get("DATABASE_READ_URL")
        read_engine = make_engine(replica) if replica else engine

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        create_schema(engine)
        yield
        engine.dispose()
        read_engine.dispose()

    sessions = session_factory(read_engine)
    graphql = GraphQLApp(sessions)
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/", lambda _request: RedirectResponse("/graphql"), methods=["GET"]),
        *rest.routes(sessions),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=cors_origins(),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization", "If-None-Match"],
            expose_headers=["ETag", "Link"],
        ),
        Middleware(ETagMiddleware),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


app = create_app()
