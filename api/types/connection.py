"""Relay-style connections: totalCount, nodes, edges with cursors, and pageInfo."""

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from db.pages import Page

Node = TypeVar("Node")
Row = TypeVar("Row")


def asks_for(selections: Sequence[Selection], name: str) -> bool:
    """Whether `selections` (the fields selected on a connection, through its fragments)
    ask for the field `name`."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif asks_for(selection.selections, name):
            return True
    return False


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    total_count: int
    page_info: PageInfo
    edges: list[Edge[Node]]
    nodes: list[Node]

    @classmethod
    def from_page(cls, page: Page[Row], build: Callable[[Row], Node]) -> "Connection[Node]":
        nodes = [build(row) for row in page.rows]
        return cls(
            total_count=page.total,
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
            edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
            nodes=nodes,
        )
