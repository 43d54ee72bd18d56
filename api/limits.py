"""Validation rules against hostile queries: cost, duplicated fields, piled-up directives.

They run with GraphQL validation, before any resolver, and each error says which limit and
its setting. Depth, alias and token limits are strawberry's own extensions.
"""

from typing import Any, Protocol

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)

from db.pages import DEFAULT_PAGE

# A plain list within one episode (its segments, its quotes) counts as this many items: it
# grows with one document, which the body limit bounds, not with the corpus.
LIST_ITEMS = 10


def cost_rule(limit: int, max_list: int) -> type[ValidationRule]:
    """Rejects an operation whose worst case returns more than `limit` items, in the spirit
    of GitHub's node limit: each connection counts its `first` (default 20); a list that takes
    `first` counts it, or `max_list` without it (the longest list answered whole); a list of
    the whole corpus (`medications`) counts `max_list`; a list within one episode counts 10.
    Each is multiplied by the lists around it."""

    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = self.context.schema.get_root_type(node.operation)
            if root is None:
                return
            cost = _cost(self.context, node.selection_set.selections, root, 1, set(), max_list)
            if cost > limit:
                self.report_error(
                    GraphQLError(
                        f"the query may return {cost} items, over the limit of {limit} "
                        "(CLAIMDEX_MAX_COST): ask for smaller pages (first) or fewer nested lists",
                        node,
                    )
                )

    return CostLimit


class Document(Protocol):
    """What the count reads of an operation's document: a ValidationContext has it, and so
    does `Operation` at execution time."""

    @property
    def schema(self) -> GraphQLSchema: ...

    def get_fragment(self, name: str) -> FragmentDefinitionNode | None: ...


class Operation:
    """An operation being executed, with the values of its variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def get_fragment(self, name: str) -> FragmentDefinitionNode | None:
        return self.fragments.get(name)


def values(document: Operation, operation: OperationDefinitionNode, max_list: int) -> int:
    """How many values the operation's answer may hold at most: each field's value, once for
    every item of the lists around it, with each `first` as the variables give it."""
    root = document.schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return _cost(
        document, operation.selection_set.selections, root, 1, set(), max_list, leaves=True
    )


def _unwrap(kind: Any) -> tuple[Any, bool]:
    listed = False
    while isinstance(kind, (GraphQLNonNull, GraphQLList)):
        listed = listed or isinstance(kind, GraphQLList)
        kind = kind.of_type
    return kind, listed


def _first(context: Document, field: FieldNode) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        if isinstance(argument.value, IntValueNode):
            return int(argument.value.value)
        if isinstance(argument.value, VariableNode):
            given = (
                context.variables.get(argument.value.name.value)
                if isinstance(context, Operation)
                else None
            )
            # Unknown until execution: count the largest page.
            return given if isinstance(given, int) else 100
    return None


def _cost(
    context: Document,
    selections: Any,
    parent: GraphQLObjectType | GraphQLInterfaceType,
    multiplier: int,
    visiting: set[str],
    max_list: int,
    *,
    leaves: bool = False,
) -> int:
    """The items of lists under `selections`, and with `leaves` every field's value too."""
    total = 0
    for selection in selections:
        if isinstance(selection, FieldNode):
            definition = parent.fields.get(selection.name.value)
            if definition is None:
                continue
            if selection.selection_set is None:
                total += multiplier if leaves else 0
                continue
            kind, listed = _unwrap(definition.type)
            times = multiplier
            if parent.name.endswith("Connection") and selection.name.value in ("nodes", "edges"):
                listed = False  # the page itself, already counted by the connection's first
            if kind.name.endswith("Connection"):
                times = multiplier * (_first(context, selection) or DEFAULT_PAGE)
                total += times
            elif listed:
                if "first" in definition.args:
                    first = _first(context, selection)
                    times = multiplier * (max_list if first is None else first)
                elif parent is context.schema.query_type:
                    times = multiplier * max_list
                else:
                    times = multiplier * LIST_ITEMS
                total += times
            if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType)):
                total += _cost(
                    context,
                    selection.selection_set.selections,
                    kind,
                    times,
                    visiting,
                    max_list,
                    leaves=leaves,
                )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = context.get_fragment(name)
            if fragment is None or name in visiting:
                continue
            kind = context.schema.get_type(fragment.type_condition.name.value)
            total += _cost(
                context,
                fragment.selection_set.selections,
                kind if isinstance(kind, GraphQLObjectType) else parent,
                multiplier,
                visiting | {name},
                max_list,
                leaves=leaves,
            )
        elif isinstance(selection, InlineFragmentNode):
            fragment_selections = selection.selection_set
            target = parent
            if selection.type_condition:
                # "... on Dosage" inside an interface's selection: Dosage's own fields count.
                kind = context.schema.get_type(selection.type_condition.name.value)
                target = kind if isinstance(kind, GraphQLObjectType) else parent
            total += _cost(
                context,
                fragment_selections.selections,
                target,
                multiplier,
                visiting,
                max_list,
                leaves=leaves,
            )
    return total


def duplicates_rule(limit: int) -> type[ValidationRule]:
    """Rejects a selection that asks for the same field more than `limit` times: repeated
    fields are merged into one answer, so repeating them only costs the server."""

    class DuplicateFields(ValidationRule):
        def enter_selection_set(self, node: Any, *_: Any) -> None:
            seen: dict[str, int] = {}
            for selection in node.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    seen[key] = seen.get(key, 0) + 1
            repeated = [key for key, count in seen.items() if count > limit]
            if repeated:
                self.report_error(
                    GraphQLError(
                        f"field {repeated[0]!r} is asked for {seen[repeated[0]]} times in one "
                        f"selection; the limit is {limit} (CLAIMDEX_MAX_DUPLICATE_FIELDS)",
                        node,
                    )
                )

    return DuplicateFields


def directives_rule(limit: int) -> type[ValidationRule]:
    """Rejects an operation carrying more than `limit` directives in all."""

    class DirectiveLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0
            self.reported = False

        def enter_directive(self, node: Any, *_: Any) -> None:
            self.count += 1
            if self.count > limit and not self.reported:
                self.reported = True
                self.report_error(
                    GraphQLError(
                        f"the query carries more than {limit} directives (CLAIMDEX_MAX_DIRECTIVES)",
                        node,
                    )
                )

    return DirectiveLimit
