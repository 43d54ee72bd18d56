"""PostgreSQL's NOTIFY and LISTEN: short messages from one process to every other that
listens on the same database, delivered only once the sending transaction commits."""

from collections.abc import AsyncIterator

import psycopg
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session


def notify(*, session: Session, channel: str, payload: str) -> None:
    """Sends `payload` on `channel` when the session's transaction commits."""
    session.execute(select(func.pg_notify(channel, payload)))


async def listen(url: URL, channel: str) -> AsyncIterator[str]:
    """The payloads sent on `channel` of the database at `url` (an engine's URL), from the
    moment this yields "" to say it listens, on a connection of its own held open."""
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as connection:
        await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        yield ""
        async for notice in connection.notifies():
            yield notice.payload
