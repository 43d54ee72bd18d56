"""The README's examples, run against a real `claimdex serve` holding the seed; the command
line and the settings the docs describe, checked against the code."""

import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer.main
from typer.core import TyperArgument, TyperGroup, TyperOption

from api import settings
from api.cli import app as cli_app
from api.settings import Settings
from api.trusted import digest
from bench.serving import served
from db.engine import pool_settings
from db.ingestion import largest_document
from tests.api.test_feeds import VTT, Site, item, rss
from tests.api.test_feeds import site as site  # the fixture: a feed served on loopback
from tests.conftest import BIN, ROOT, SEED, serving, user_environment

README = (ROOT / "README.md").read_text()
SECURITY = (ROOT / "SECURITY.md").read_text()
DOCS = README + "\n" + SECURITY


def fenced(text: str) -> list[tuple[str, str]]:
    """Each fenced block of `text`: its language ("" when none) and its text."""
    return re.findall(r"^```(\w*)\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)


def blocks(language: str) -> list[str]:
    """The README's blocks in `language`; a GraphQL subscription is in "subscription"."""
    found = [(kind, text) for kind, text in fenced(README)]
    found = [
        ("subscription" if kind == "graphql" and text.startswith("subscription") else kind, text)
        for kind, text in found
    ]
    return [text for kind, text in found if kind == language]


def curl_lines() -> list[str]:
    return [
        line for block in blocks("sh") for line in block.splitlines() if line.startswith("curl ")
    ]


def operation(document: str) -> str | None:
    named = re.match(r"\s*(?:query|mutation)\s+(\w+)", document)
    return named.group(1) if named else None


def graphql_examples() -> list[tuple[str, dict[str, Any]]]:
    """Every GraphQL request the README shows, with where: each body a curl line posts, and
    each graphql block with the variables a posted body of the same operation gives."""
    posted = [
        json.loads(body.group(1))
        for line in curl_lines()
        if (body := re.search(r" -d '(.*)'$", line)) and "query" in body.group(1)
    ]
    given = {operation(body["query"]): body.get("variables") for body in posted}
    return [(f"curl {number}", body) for number, body in enumerate(posted, 1)] + [
        (f"graphql block {number}", {"query": block, "variables": given.get(operation(block))})
        for number, block in enumerate(blocks("graphql"), 1)
    ]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("served")
    env = user_environment()
    subprocess.run([BIN / "claimdex", "ingest", SEED], cwd=folder, env=env, check=True)
    with serving(folder) as base:
        yield base


def local(text: str, base: str) -> str:
    return text.replace("http://127.0.0.1:8000", base)


def ask(base: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The whole JSON answer of the served /graphql."""
    response = httpx.post(f"{base}/graphql", json={"query": query, "variables": variables})
    return response.json()


def answered(base: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    """The data of an answer that must have no errors and no field answered null."""
    answer = ask(base, query, variables)
    assert "errors" not in answer, (query, answer["errors"])
    assert answer["data"] and None not in answer["data"].values(), (query, answer)
    return answer["data"]


def values(answer: Any, key: str) -> list[Any]:
    """Every value `key` has anywhere in a JSON answer."""
    if isinstance(answer, list):
        return [found for item in answer for found in values(item, key)]
    if isinstance(answer, dict):
        here = [answer[key]] if key in answer else []
        return here + [found for item in answer.values() for found in values(item, key)]
    return []


def test_readme_curl_examples(server: str) -> None:
    curl = shutil.which("curl")
    assert curl is not None, "curl is needed to run the README's examples"
    examples = curl_lines()
    assert len(examples) >= 2
    for example in examples:
        result = subprocess.run(
            ["bash", "-c", local(example, server)], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
        assert "naltrexone" in result.stdout
        if "/graphql" in example:
            assert "errors" not in json.loads(result.stdout), result.stdout
        if "format=csv" in example:
            header, *rows = result.stdout.splitlines()
            assert "timestamp" in header and len(rows) == 8


def test_readme_subscription_example_is_taken_over_server_sent_events(server: str) -> None:
    """The subscription validates and its stream opens; nothing is ingested, so nothing comes
    (tests/api/test_subscriptions.py has it hear claims)."""
    (document,) = blocks("subscription")
    headers = {"Accept": "text/event-stream"}
    with httpx.stream(
        "POST", f"{server}/graphql", json={"query": document}, headers=headers, timeout=2
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        with pytest.raises(httpx.ReadTimeout):
            for line in answer.iter_lines():
                assert "errors" not in line, line


def test_readme_persisted_query_example_misses_then_stores_then_hits(server: str) -> None:
    """Each command of the persisted-queries example prints what the README shows, in order:
    no other test sends its hash."""
    section = README.split("## Persisted queries")[1].split("\n## ")[0]
    (console,) = [text for language, text in fenced(section) if language == "console"]
    steps = re.findall(r"^\$ (.+)\n(.+)$", console, re.MULTILINE)
    assert len(steps) == 3
    for command, shown in steps:
        result = subprocess.run(
            ["bash", "-c", local(command, server)], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == json.loads(shown), (command, result.stdout)
    body = re.search(r" -d '(.*)'$", steps[1][0])
    assert body
    sent = json.loads(body.group(1))
    assert digest(sent["query"]) == sent["extensions"]["persistedQuery"]["sha256Hash"]


def test_readme_feed_example_adds_syncs_and_removes_a_feed(site: Site, tmp_path: Path) -> None:
    """Each command of the feeds example prints what the README shows, against a server with a
    token and a feed served on loopback in place of example.org."""
    site.files |= {
        "/podcast/feed.xml": rss(item(1, "/t/1.vtt", "text/vtt")),
        "/t/1.vtt": VTT.encode(),
    }
    section = README.split("## Feeds")[1].split("\n## ")[0]
    (console,) = [text for language, text in fenced(section) if language == "console"]
    steps = re.findall(r"^\$ (.+)\n(.+)$", console, re.MULTILINE)
    assert len(steps) == 3
    token = "readme-feed-token"
    with served(tmp_path, environment={"CLAIMDEX_API_TOKENS": token}) as (_, base):
        for command, shown in steps:
            result = subprocess.run(
                ["bash", "-c", local(command, base).replace("https://example.org", site.base)],
                capture_output=True,
                text=True,
                timeout=120,
                env=user_environment() | {"TOKEN": token},
            )
            assert result.returncode == 0, result.stderr
            printed = result.stdout.strip().replace(site.base, "https://example.org")
            assert printed == shown, (command, printed)


def test_readme_python_example_pulls_every_dosage_as_csv(server: str) -> None:
    (script,) = blocks("python")
    assert len(script.strip().splitlines()) <= 12
    result = subprocess.run(
        [sys.executable, "-c", local(script, server)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.startswith("kind,medication,value") and len(rows) == 8


EXAMPLES = graphql_examples()


@pytest.mark.parametrize("body", [pytest.param(body, id=where) for where, body in EXAMPLES])
def test_readme_graphql_examples_answer(server: str, body: dict[str, Any]) -> None:
    answered(server, body["query"], body["variables"])


def test_readme_headline_query_answers_what_the_readme_says(server: str) -> None:
    headline = blocks("graphql")[0]
    (variables,) = [body["variables"] for _, body in EXAMPLES if body["query"] == headline]
    data = answered(server, headline, variables)
    # A field commented `e.g. "value"` answers that value.
    examples = re.findall(r'^\s*(\w+)\s+#.*\be\.g\. "([^"]+)"', headline, re.MULTILINE)
    assert examples
    for field, example in examples:
        assert example in values(data, field), (field, example, data)
    # "the watch URL with `&t=106s`", and the chapter "4.5 mg naltrexone" at 00:01:46.
    (link,) = re.findall(r"the watch URL with `([^`]+)`", README)
    assert any(url.endswith(link) for url in values(data, "url")), link
    (chapter,) = re.findall(r'"([\d.]+ \w+ \w+)" at (\d\d:\d\d:\d\d)', README)
    amount, unit, name = chapter[0].split()
    assert data["medication"]["name"] == name
    said = [
        (d["value"], d["unit"], d["source"]["timestamp"]) for d in data["medication"]["dosages"]
    ]
    assert (float(amount), unit, chapter[1]) in said, said


# A field named in prose with GraphQL arguments: `episodes(first: 10) { ... }`, `node(id:)`.
CALLS = re.findall(r"`(\w+)\(((?:\w+:[^)`]*)?)\)([^`]*)`", DOCS)


def fields(base: str) -> dict[str, dict[str, set[str]]]:
    """Each root type's fields and their arguments, as the server describes them."""
    each = "fields { name args { name } }"
    schema = answered(
        base, f"{{ __schema {{ queryType {{ {each} }} mutationType {{ {each} }} }} }}"
    )
    return {
        kind: {field["name"]: {arg["name"] for arg in field["args"]} for field in root["fields"]}
        for kind, root in schema["__schema"].items()
    }


def test_docs_name_only_fields_and_arguments_the_schema_has(server: str) -> None:
    roots = fields(server)
    named = {**roots["mutationType"], **roots["queryType"]}
    assert len(CALLS) >= 8
    for field, arguments, _ in CALLS:
        assert field in named, f"the docs name {field}(...), which the schema lacks"
        unknown = set(re.findall(r"(\w+):", arguments)) - named[field]
        assert not unknown, f"{field} takes no {unknown}; it takes {sorted(named[field])}"
    listed = README.split("GraphQL (`/graphql`):")[1].split("\n\n")[1]
    heads = re.findall(r"^- `(\w+)", listed, re.MULTILINE)
    assert "medicationStats" in heads and set(heads) <= set(roots["queryType"]), heads


def test_readme_query_snippets_answer(server: str) -> None:
    """Each query written whole in prose runs; `...` stands for any fields."""
    query_fields = fields(server)["queryType"]
    whole = [
        (field, arguments, rest)
        for field, arguments, rest in CALLS
        if field in query_fields and "$" not in arguments and not re.search(r":\s*(,|$)", arguments)
    ]
    assert len(whole) >= 4
    for field, arguments, rest in whole:
        selection = re.sub(r"\.\.\.", "__typename", rest.strip()) or "{ __typename }"
        answered(server, f"{{ {field}({arguments}) {selection} }}")


def test_readme_dose_filters_do_what_it_says(server: str) -> None:
    """`dosages(medication: "LDN", min: "5 mg", max: "20 mg")`: amounts in any unit pint reads
    ("4500 ug", "0.01 g"); a unit that is no dose ("4 parsecs") is an error naming it."""
    (line,) = [line for line in README.splitlines() if line.startswith("- `dosages(medication:")]
    call = re.search(r"`(dosages\((.*?)\))`", line)
    assert call
    low, high = (float(n) for n in re.findall(r'(?:min|max): "([\d.]+) mg"', call.group(2)))
    data = answered(server, f"{{ {call.group(1)} {{ totalCount nodes {{ value unit }} }} }}")
    doses = data["dosages"]["nodes"]
    assert doses and all(low <= d["value"] <= high and d["unit"] == "mg" for d in doses), doses
    (any_unit,) = re.findall(r'any unit pint reads\n?\s*\("([^"]+)", "([^"]+)"\)', README)
    for amount in any_unit:
        answered(server, f'{{ dosages(min: "{amount}") {{ totalCount }} }}')
    (no_dose,) = re.findall(r'no dose \("([^"]+)"\) is an error naming the argument', README)
    errors = ask(server, f'{{ dosages(min: "{no_dose}") {{ totalCount }} }}')["errors"]
    assert "min" in errors[0]["message"] and no_dose in errors[0]["message"], errors


def test_readme_search_finds_words_and_misspellings(server: str) -> None:
    (word,) = re.findall(r'`search\(query: "(\w+)"\)`', README)
    (misspelled,) = re.findall(
        r'Misspellings in\s+the transcript are found too \("(\w+)"\)', README
    )
    for query in (word, misspelled):
        data = answered(server, f'{{ search(query: "{query}") {{ nodes {{ snippet score }} }} }}')
        hits = data["search"]["nodes"]
        assert hits and all("<mark>" in hit["snippet"] for hit in hits), (query, hits)


def commands(group: TyperGroup, path: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every command the CLI runs, by how it is called: "db upgrade"."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        if isinstance(command, TyperGroup):
            found |= commands(command, (*path, name))
        else:
            found[" ".join((*path, name))] = command
    return found


CLI = commands(typer.main.get_group(cli_app))
(USAGE,) = [text for language, text in fenced(README) if not language and text[:9] == "claimdex "]


def usages(text: str) -> list[str]:
    """Each `claimdex ...` line of `text`, `a | b` alternatives of its last word made two."""
    found = []
    for line in re.findall(r"^claimdex .*$", text, re.MULTILINE):
        first, *others = line.split(" | ")
        found += [first] + [first.rsplit(" ", 1)[0] + " " + other for other in others]
    return found


def check_usage(usage: str) -> tuple[str, list[str]]:
    """The command `usage` calls, after checking each option it writes: the option exists,
    takes a value if one is written, and has the written default (a placeholder such as NAME
    starts with a capital). Returns the command's name and the positional words written."""
    words = shlex.split(re.sub(r"[][]", "", usage))[1:]
    name = next((" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in CLI), None)
    assert name, f"{usage!r}: the CLI has no such command; it has {sorted(CLI)}"
    command = CLI[name]
    options = {opt: p for p in command.params if isinstance(p, TyperOption) for opt in p.opts}
    words = words[len(name.split()) :]
    positional = []
    while words:
        word = words.pop(0)
        if not word.startswith("--"):
            positional.append(word)
            continue
        assert word in options, f"{usage!r}: `claimdex {name}` has no {word}"
        option = options[word]
        if words and not words[0].startswith("--") and not option.is_flag:
            value = words.pop(0)
            if "|" in value:
                assert str(option.default) in value.split("|"), (usage, option.default)
            elif not value[0].isupper():
                assert str(option.default) == value, f"{usage!r}: {word} is {option.default}"
    return name, positional


def test_readme_command_line_is_the_clis() -> None:
    documented = set()
    for usage in usages(USAGE):
        name, written = check_usage(usage)
        documented.add(name)
        arguments = [p for p in CLI[name].params if isinstance(p, TyperArgument)]
        assert len(written) <= len(arguments), f"{usage!r}: too many arguments"
        assert all(p.required is False for p in arguments[len(written) :]), usage
        for word, argument in zip(written, arguments, strict=False):
            assert word.endswith("...") == (argument.nargs == -1), (usage, word)
    assert documented == set(CLI), f"the CLI has {sorted(CLI)}; the README shows {documented}"


def test_docs_mention_commands_and_options_the_cli_has() -> None:
    mentioned = [
        usage for span in re.findall(r"`(claimdex [^`]+)`", DOCS) for usage in usages(span)
    ]
    assert len(mentioned) >= 5
    for usage in mentioned:
        check_usage(usage)


SETTING = re.compile(r"\b(?:CLAIMDEX_[A-Z0-9_]*[A-Z0-9]|DATABASE_(?:READ_)?URL|TEST_[A-Z]+_URL)\b")


def code_settings() -> set[str]:
    """The environment variables the code reads: claimdex's own (the server settings by their
    fields, the rest by name), and the test servers'."""
    sources = [path for folder in ("api", "db", "ingest") for path in (ROOT / folder).rglob("*.py")]
    return set(settings.variables()) | {
        name
        for path in [*sources, ROOT / "tests" / "conftest.py"]
        for name in SETTING.findall(path.read_text())
    }


def test_every_setting_is_documented_and_every_documented_one_exists() -> None:
    documented, read = set(SETTING.findall(DOCS)), code_settings()
    assert "CLAIMDEX_MAX_DEPTH" in read and "DATABASE_URL" in read
    assert not read - documented, (
        f"read by the code, in neither README.md nor SECURITY.md: {read - documented}"
    )
    assert not documented - read, f"documented, read nowhere in the code: {documented - read}"


def documented_defaults() -> list[tuple[str, int]]:
    """Each (setting, default) the docs state: in a table, `| 10 | `SETTING` |`; in prose,
    `SETTING` (default 2,000 ...) or `SETTING` (5 MB)."""
    stated = re.findall(r"\| ([\d,]+) \| `(\w+)` \|$", DOCS, re.MULTILINE)
    stated += [
        (amount, name)
        for name, amount in re.findall(r"`(\w+)` \((?:default )?([\d,]+(?: MB)?)[ ;)]", DOCS)
    ]
    return [
        (name, int(amount.removesuffix(" MB").replace(",", "")) * (2**20 if "MB" in amount else 1))
        for amount, name in stated
        if SETTING.fullmatch(name)
    ]


def read_settings() -> tuple[Any, ...]:
    """Every number the code takes from the environment."""
    return Settings.from_env(), pool_settings(), largest_document()


def test_documented_defaults_are_the_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = documented_defaults()
    assert len({name for name, _ in defaults}) >= 15, defaults
    for name in code_settings():
        monkeypatch.delenv(name, raising=False)
    unset = read_settings()
    for name, default in defaults:
        monkeypatch.setenv(name, str(default))
        assert read_settings() == unset, (
            f"{name}'s documented default, {default}, is not the code's"
        )
        monkeypatch.setenv(name, str(default + 1))
        assert read_settings() != unset, f"{name} changes no setting"
        monkeypatch.delenv(name)
