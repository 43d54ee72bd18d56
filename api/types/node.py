"""Global object ids ("Episode:12", base64-encoded) for `node(id:)` and stable client caches."""

import base64
import binascii

import strawberry


class NodeIdError(ValueError):
    pass


def to_global_id(kind: str, key: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode())


def from_global_id(value: str, *, kind: str | None = None) -> tuple[str, int]:
    """(kind, key) from a global id; NodeIdError names an id this API did not issue."""
    try:
        found, _, key = base64.urlsafe_b64decode(value.encode()).decode().partition(":")
        if kind is None or found == kind:
            return found, int(key)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    expected = f"an id of a {kind}" if kind else "an id issued by this API"
    raise NodeIdError(f"{value!r} is not {expected}")


@strawberry.interface(description="An object with a global id, fetched again with node(id:).")
class Node:
    @strawberry.field
    def id(self) -> strawberry.ID:
        raise NotImplementedError
