"""Schema versions: upgrade a database to the newest migration, or say how far behind it is."""

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine


class SchemaOutOfDate(RuntimeError):
    """The database's schema is older than this claimdex."""


def config(connection: Connection | None = None) -> Config:
    settings = Config()
    settings.set_main_option("script_location", str(resources.files("db") / "migrations"))
    if connection is not None:
        settings.attributes["connection"] = connection
    return settings


def head() -> str:
    found = ScriptDirectory.from_config(config()).get_current_head()
    if found is None:
        # Only an installation without the package's migration files gets here.
        raise RuntimeError(
            f"no migrations in {resources.files('db') / 'migrations' / 'versions'}; "
            "reinstall claimdex with its package data"
        )
    return found


def current(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        command.downgrade(config(connection), revision)


def prepare(engine: Engine) -> None:
    """Makes the schema current where that is safe to do unasked (an embedded SQLite file);
    a database server must be upgraded on purpose, with `claimdex db upgrade`."""
    if current(engine) == head():
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    found = current(engine) or "empty"
    raise SchemaOutOfDate(
        f"the database schema is at {found}, this claimdex needs {head()}: "
        "run `claimdex db upgrade` (with the same DATABASE_URL) first"
    )
