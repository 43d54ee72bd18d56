"""The Starlette application: GraphQL (with GraphiQL in a browser) at /graphql."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.context import Context, Loaders
from api.schema import schema
from db.engine import create_schema, make_engine, session_factory


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.sessions = sessions

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        session = self.sessions()
        return Context(session=session, loaders=Loaders(session))


def create_app(engine: Engine | None = None) -> Starlette:
    """The application over `engine` (default: DATABASE_URL), creating the schema at start-up."""
    engine = engine or make_engine()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        create_schema(engine)
        yield
        engine.dispose()

    graphql = GraphQLApp(session_factory(engine))
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/", lambda _request: RedirectResponse("/graphql"), methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


app = create_app()
