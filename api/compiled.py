"""Compiled documents: trusted operations that read a medication and its claims run as one SQL
statement (db/answers.py) and a writer of the answer, not field by field through graphql-core.

A document is compiled when the server starts: the front ends' own (trusted-documents.json
beside this module) and those of CLAIMDEX_TRUSTED_DOCUMENTS. An operation compiles when its
one root field is `medication(name:)` and everything under it is a field this module writes
(NotCompiled names the first that is not); any other document or operation runs as before.
Parsing, validation, the cost and depth limits, metrics and spans still happen as for any
request: only the execution step changes. Whenever the general path would answer with an
error or look further (a bad cursor or page size, a list longer than CLAIMDEX_MAX_LIST, a
name no alias spells exactly, a statement over its time limit), the compiled path steps aside
and the general path answers, so the answer is the general path's, byte for byte.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    parse,
)
from sqlalchemy.exc import SQLAlchemyError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.context import Context, Reader, TooSlow
from api.links import deep_link, format_timestamp
from api.trusted import TrustedDocuments
from api.types.node import to_global_id
from db import answers, claims, models
from db.pages import PageError
from ingest.records import MatchedBy, Regimen, Stance, WarningKind

log = logging.getLogger(__name__)

# The documents the project's own front ends send (the web page, GraphiQL's first query, and
# the headline query an app sends), in the CLAIMDEX_TRUSTED_DOCUMENTS format.
FRONT_ENDS = Path(__file__).resolve().parent / "trusted-documents.json"

Row = list[Any]
Shape = Callable[[Row], Any]
Variables = Mapping[str, Any]
Argument = Callable[[Variables], Any]
ClaimModel = type[models.Mention] | type[models.Dosage] | type[models.Warning]


class NotCompiled(Exception):
    """An operation this module cannot write the answer of; the message says what in it."""


class Fallback(Exception):
    """A request the general path answers: it would give an error, or look further."""


@dataclass(frozen=True)
class ListPlan:
    """One of the medication's claim lists: where it goes, what it reads, how items look."""

    key: str
    model: ClaimModel
    columns: tuple[str, ...]
    first: Argument
    after: Argument
    item: Shape


@dataclass(frozen=True)
class Plan:
    """A compiled operation: `{root: medication(name:) {...}}`, and `__typename`s beside it."""

    keys: tuple[str, ...]  # the response keys of the root fields, in order
    typenames: frozenset[str]  # those of them that are __typename
    name: Argument
    fields: tuple[tuple[str, str], ...]  # (response key, Medication field)
    lists: tuple[ListPlan, ...]

    async def run(self, read: Reader, variables: Variables, most: int) -> dict[str, Any]:
        """The operation's data; Fallback when the general path must answer."""
        name = self.name(variables)
        wanted = [
            answers.ClaimList[Any](
                model=plan.model,
                columns=plan.columns,
                first=plan.first(variables),
                after=plan.after(variables),
                most=most,
            )
            for plan in self.lists
        ]
        aliases = any(kind == "aliases" for _, kind in self.fields)
        try:
            found = await read(answers.medication_answer, name=name, lists=wanted, aliases=aliases)
        except (PageError, TooSlow, SQLAlchemyError) as error:
            raise Fallback(str(error)) from error
        if found is None:
            raise Fallback(f"no alias is exactly {name!r}")
        plain = {
            "__typename": "Medication",
            "id": to_global_id("Medication", found.medication_id),
            "name": found.name,
            "aliases": found.aliases,
        }
        lists = dict(zip((plan.key for plan in self.lists), found.lists, strict=True))
        medication: dict[str, Any] = {}
        for plan in self.lists:
            if plan.first(variables) is None and len(lists[plan.key]) > most:
                raise Fallback(f"{plan.key}: more than {most} items")
        items = {plan.key: plan.item for plan in self.lists}
        for key, kind in self.fields:
            if kind in plain:
                medication[key] = plain[kind]
            else:
                shape = items[key]
                medication[key] = [shape(row) for row in lists[key]]
        return {key: "Query" if key in self.typenames else medication for key in self.keys}


def _argument(node: ValueNode | None) -> Argument:
    """The argument's value for a request's variables (None where it is not given)."""
    if node is None or isinstance(node, NullValueNode):
        return lambda _variables: None
    if isinstance(node, VariableNode):
        name = node.name.value
        return lambda variables: variables.get(name)
    if isinstance(node, IntValueNode):
        number = int(node.value)
        return lambda _variables: number
    if isinstance(node, StringValueNode):
        text = node.value
        return lambda _variables: text
    raise NotCompiled(f"an argument written as {type(node).__name__}")


# The types a fragment's condition may name for each object type: itself and its interfaces.
IMPLEMENTS = {
    "Medication": {"Medication", "Node"},
    "Mention": {"Mention"},
    "Dosage": {"Dosage", "Claim"},
    "Warning": {"Warning", "Claim"},
    "Source": {"Source"},
    "Episode": {"Episode", "Node"},
    "Condition": {"Condition", "Node"},
    "Query": {"Query"},
}


@dataclass
class Collector:
    """Collects an operation's fields as graphql-core does: by response key in the order each
    first appears, fragments that apply to the type spread in place."""

    fragments: dict[str, FragmentDefinitionNode]

    def fields(self, selections: SelectionSetNode | None, kind: str) -> dict[str, list[FieldNode]]:
        found: dict[str, list[FieldNode]] = {}
        self._collect(selections, kind, found)
        return found

    def _collect(
        self, selections: SelectionSetNode | None, kind: str, found: dict[str, list[FieldNode]]
    ) -> None:
        for selection in selections.selections if selections is not None else ():
            if selection.directives:
                raise NotCompiled(f"a directive on a selection of {kind}")
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                found.setdefault(key, []).append(selection)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                condition = fragment.type_condition.name.value
                if fragment.directives:
                    raise NotCompiled(f"a directive on fragment {selection.name.value}")
                if condition in IMPLEMENTS[kind]:
                    self._collect(fragment.selection_set, kind, found)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    selection.type_condition.name.value if selection.type_condition else kind
                )
                if condition in IMPLEMENTS[kind]:
                    self._collect(selection.selection_set, kind, found)

    def merged(self, nodes: list[FieldNode], kind: str) -> dict[str, list[FieldNode]]:
        """The fields under every node of one response key, as one selection."""
        found: dict[str, list[FieldNode]] = {}
        for node in nodes:
            self._collect(node.selection_set, kind, found)
        return found


def _enum_name(kind: type[Enum]) -> Callable[[Any], Any]:
    names = {member.value: member.name for member in kind}
    return lambda value: names[value] if value is not None else None


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


@dataclass
class ItemCompiler:
    """Writes the item shape of one claim list, and gathers the columns it reads."""

    collector: Collector
    model: ClaimModel
    columns: list[str] = field(default_factory=list)

    def at(self, column: str) -> int:
        """The position of `column` in an item (after segment_id and id)."""
        if column not in self.columns:
            self.columns.append(column)
        return 2 + self.columns.index(column)

    def column(self, name: str, convert: Callable[[Any], Any] | None = None) -> Shape:
        index = self.at(name)
        if convert is None:
            return lambda row: row[index]
        return lambda row: convert(row[index])

    def claim(self, nodes: list[FieldNode]) -> Shape:
        kind = self.model.__name__
        selected = self.collector.merged(nodes, kind)
        fields = {
            "__typename": lambda _nodes: lambda _row: kind,
            "text": lambda _nodes: self.column("text"),
            "source": self.source,
            "cursor": lambda _nodes: self.cursor(),
        }
        if self.model is models.Mention:
            fields |= {
                "confidence": lambda _nodes: self.column("confidence", float),
                "matchedBy": lambda _nodes: self.column("matched_by", _enum_name(MatchedBy)),
            }
        else:
            fields |= {
                "stance": lambda _nodes: self.column("stance", _enum_name(Stance)),
                "speaker": lambda _nodes: self.column("speaker"),
                "sponsored": lambda _nodes: self.column("sponsored", bool),
            }
        if self.model is models.Dosage:
            fields |= {
                "value": lambda _nodes: self.column("value", float),
                "maxValue": lambda _nodes: self.column("max_value", _float),
                "unit": lambda _nodes: self.column("unit"),
                "frequency": lambda _nodes: self.column("frequency"),
                "perDay": lambda _nodes: self.column("per_day", _float),
                "regimen": lambda _nodes: self.column("regimen", _enum_name(Regimen)),
                "indication": self.indication,
            }
        if self.model is models.Warning:
            fields |= {"kind": lambda _nodes: self.column("kind", _enum_name(WarningKind))}
        return _object(selected, fields, kind)

    def cursor(self) -> Shape:
        model = self.model
        return lambda row: claims.cursor_at(model, row[0], row[1])

    def source(self, nodes: list[FieldNode]) -> Shape:
        fields: dict[str, Callable[[list[FieldNode]], Shape]] = {
            "__typename": lambda _nodes: lambda _row: "Source",
            "seconds": lambda _nodes: self.column("seconds"),
            "timestamp": lambda _nodes: self.column("seconds", format_timestamp),
            "url": lambda _nodes: self.link(),
            "text": lambda _nodes: self.column("segment_text"),
            "episode": self.episode,
        }
        return _object(self.collector.merged(nodes, "Source"), fields, "Source")

    def link(self) -> Shape:
        seconds, url = self.at("seconds"), self.at("episode_url")
        return lambda row: deep_link(row[url], row[seconds])

    def episode(self, nodes: list[FieldNode]) -> Shape:
        columns = {"title": "episode_title", "url": "episode_url"}
        return self.node("Episode", "episode_id", columns, nodes)

    def indication(self, nodes: list[FieldNode]) -> Shape:
        present = self.at("condition_id")
        columns = {"name": "condition_name", "code": "condition_code"}
        shape = self.node("Condition", "condition_id", columns, nodes)
        return lambda row: shape(row) if row[present] is not None else None

    def node(self, kind: str, key: str, columns: dict[str, str], nodes: list[FieldNode]) -> Shape:
        """An object with a global id (from the column `key`) and the fields in `columns`."""

        def plain(column: str) -> Callable[[list[FieldNode]], Shape]:
            return lambda _nodes: self.column(column)

        fields: dict[str, Callable[[list[FieldNode]], Shape]] = {
            "__typename": lambda _nodes: lambda _row: kind,
            "id": lambda _nodes: self.column(key, lambda value: to_global_id(kind, value)),
            **{name: plain(column) for name, column in columns.items()},
        }
        return _object(self.collector.merged(nodes, kind), fields, kind)


def _object(
    selected: dict[str, list[FieldNode]],
    fields: dict[str, Callable[[list[FieldNode]], Shape]],
    kind: str,
) -> Shape:
    """The shape of an object whose response keys are `selected`, each written by the
    builder `fields` has for its field name."""
    pairs: list[tuple[str, Shape]] = []
    for key, nodes in selected.items():
        name = nodes[0].name.value
        if name not in fields:
            raise NotCompiled(f"{kind}.{name}")
        if any(node.arguments for node in nodes):
            raise NotCompiled(f"{kind}.{name} with arguments")
        pairs.append((key, fields[name](nodes)))
    return lambda row: {key: shape(row) for key, shape in pairs}


LISTS: dict[str, ClaimModel] = {
    "mentions": models.Mention,
    "dosages": models.Dosage,
    "warnings": models.Warning,
}


def compile_operation(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> Plan:
    """The plan of one operation; NotCompiled says what in it this module cannot write."""
    if operation.operation != OperationType.QUERY:
        raise NotCompiled(f"a {operation.operation.value}")
    if operation.directives:
        raise NotCompiled("a directive on the operation")
    collector = Collector(fragments)
    roots = collector.fields(operation.selection_set, "Query")
    typenames = tuple(key for key, nodes in roots.items() if nodes[0].name.value == "__typename")
    others = [key for key in roots if key not in typenames]
    if len(others) != 1 or roots[others[0]][0].name.value != "medication":
        raise NotCompiled("root fields other than one medication(name:)")
    root = others[0]
    arguments = {argument.name.value: argument.value for argument in roots[root][0].arguments or ()}
    selected = collector.merged(roots[root], "Medication")
    fields: list[tuple[str, str]] = []
    lists: list[ListPlan] = []
    for key, nodes in selected.items():
        name = nodes[0].name.value
        if name in ("__typename", "id", "name", "aliases"):
            fields.append((key, name))
            continue
        if name not in LISTS:
            raise NotCompiled(f"Medication.{name}")
        given = {argument.name.value: argument.value for argument in nodes[0].arguments or ()}
        item = ItemCompiler(collector, LISTS[name])
        shape = item.claim(nodes)
        lists.append(
            ListPlan(
                key=key,
                model=LISTS[name],
                columns=tuple(item.columns),
                first=_argument(given.get("first")),
                after=_argument(given.get("after")),
                item=shape,
            )
        )
        fields.append((key, name))
    return Plan(
        keys=tuple(roots),
        typenames=frozenset(typenames),
        name=_argument(arguments.get("name")),
        fields=tuple(fields),
        lists=tuple(lists),
    )


@dataclass
class Plans:
    """The compiled operations by document text and operation name."""

    plans: dict[str, dict[str | None, Plan]] = field(default_factory=dict)
    skipped: dict[tuple[str, str | None], str] = field(default_factory=dict)

    def add(self, document: str) -> None:
        parsed: DocumentNode = parse(document)
        fragments = {
            definition.name.value: definition
            for definition in parsed.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        operations = [
            definition
            for definition in parsed.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        for operation in operations:
            name = operation.name.value if operation.name else None
            try:
                plan = compile_operation(operation, fragments)
            except NotCompiled as reason:
                self.skipped[document, name] = str(reason)
                continue
            compiled = self.plans.setdefault(document, {})
            compiled[name] = plan
            if len(operations) == 1:
                compiled[None] = plan  # the one operation runs without its name too

    def find(self, operation: OperationDefinitionNode) -> Plan | None:
        """The plan for the operation about to run, if its document and name were compiled."""
        source = operation.loc.source.body if operation.loc is not None else None
        compiled = self.plans.get(source) if source is not None else None
        if compiled is None:
            return None
        return compiled.get(operation.name.value if operation.name else None)


def plans_for(trusted: Path | None) -> Plans:
    """The front ends' documents and those in `trusted` (CLAIMDEX_TRUSTED_DOCUMENTS),
    compiled where they can be."""
    made = Plans()
    listings = [FRONT_ENDS, *([trusted] if trusted is not None else [])]
    for listing in listings:
        for document in TrustedDocuments.load(listing).documents.values():
            made.add(document)
    for (_, name), reason in made.skipped.items():
        log.debug("operation %s runs field by field: %s", name or "(anonymous)", reason)
    return made


def executor(plans: Plans) -> type[StrawberryGraphQLCoreExecutionContext]:
    """graphql-core's executor that answers compiled operations from their plan."""

    class Compiled(StrawberryGraphQLCoreExecutionContext):
        def execute_operation(self, serially: bool | None = None) -> Any:
            plan = self.plan_for()
            context = self.context_value
            if plan is None or not isinstance(context, Context):
                return super().execute_operation(serially)
            return self._compiled(plan, context, serially)

        def plan_for(self) -> Plan | None:
            """The operation's plan, if it is compiled."""
            return plans.find(self.operation)

        async def _compiled(
            self, plan: Plan, context: Context, serially: bool | None
        ) -> ExecutionResult:
            variables = self.variable_values.coerced
            try:
                data = await plan.run(context.read, variables, context.loaders.max_list)
            except Fallback as reason:
                log.debug("compiled operation answered field by field: %s", reason)
                result = super().execute_operation(serially)
                if isinstance(result, Awaitable):
                    result = await result
                return cast(ExecutionResult, result)
            return ExecutionResult(data, None)

    return Compiled
