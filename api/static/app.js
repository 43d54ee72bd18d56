// The claimdex page: plain JavaScript over the public GraphQL API, no build step.
// Text from the API is set with textContent, never parsed as HTML, except search snippets,
// which the server escapes and marks up with <mark> only.
"use strict";

const ADVICE = `query DosingAdvice($name: String!) {
  medication(name: $name) {
    name
    aliases
    dosages { value maxValue unit frequency text source { seconds timestamp url episode { title } } }
    warnings { kind text source { timestamp url episode { title } } }
    mentions { source { episode { id } } }
  }
}`;
const QUOTES = `query Quotes($first: Int!) {
  episodes(first: $first) { nodes { id title quotes { text source { timestamp url } } } }
}`;
const SEARCH = `query Search($query: String!) {
  search(query: $query, first: 20) {
    totalCount
    nodes { snippet score source { timestamp url episode { title } } }
  }
}`;

async function graphql(query, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function momentLink(source) {
  if (!source.url) return element("span", source.timestamp);
  const title = source.episode ? ` in ${source.episode.title}` : "";
  return element("a", source.timestamp, {
    href: source.url, target: "_blank", rel: "noopener",
    "aria-label": `Watch at ${source.timestamp}${title}`,
  });
}

function table(caption, headings, rows) {
  const node = element("table");
  node.append(element("caption", caption));
  const head = element("tr");
  for (const heading of headings) head.append(element("th", heading, { scope: "col" }));
  const thead = element("thead");
  thead.append(head);
  node.append(thead);
  const body = element("tbody");
  for (const cells of rows) {
    const row = element("tr");
    for (const cell of cells) {
      const td = element("td");
      td.append(cell instanceof Node ? cell : document.createTextNode(cell ?? ""));
      row.append(td);
    }
    body.append(row);
  }
  node.append(body);
  return node;
}

function status(where, text) {
  where.replaceChildren(element("p", text, { class: "muted", role: "status" }));
}

async function lookUp(event) {
  event.preventDefault();
  const where = document.getElementById("advice");
  const name = document.getElementById("medication").value.trim();
  if (!name) return;
  status(where, `Looking up ${name}...`);
  try {
    const { medication } = await graphql(ADVICE, { name });
    if (!medication) return status(where, `No medication is known by the name "${name}".`);
    const heading = element("h3", medication.name, { id: "medication-name" });
    const aliases = element("p", `Also called: ${medication.aliases.slice(0, 12).join(", ")}`, { class: "muted" });
    const doses = medication.dosages.map((d) => [
      `${d.value}${d.maxValue ? `-${d.maxValue}` : ""} ${d.unit}`, d.frequency, d.text,
      d.source.episode.title, momentLink(d.source),
    ]);
    const warnings = medication.warnings.map((w) => [
      w.kind.replace("_", " ").toLowerCase(), w.text, momentLink(w.source),
    ]);
    const episodes = new Set(medication.mentions.map((m) => m.source.episode.id));
    const { episodes: listed } = await graphql(QUOTES, { first: 100 });
    const quotes = listed.nodes.filter((e) => episodes.has(e.id))
      .flatMap((e) => e.quotes.filter((q) => q.source).map((q) => [q.text, e.title, momentLink(q.source)]));
    where.replaceChildren(
      heading, aliases,
      table("Dosing advice", ["Dose", "How often", "As said", "Episode", "When"], doses),
      table("Warnings", ["Kind", "Warning", "When"], warnings),
      table("Quotes", ["Quote", "Episode", "When"], quotes),
    );
  } catch (error) {
    status(where, `Could not look that up: ${error.message}`);
  }
}

async function search(event) {
  event.preventDefault();
  const where = document.getElementById("hits");
  const query = document.getElementById("query").value.trim();
  if (!query) return;
  status(where, `Searching for ${query}...`);
  try {
    const { search } = await graphql(SEARCH, { query });
    const rows = search.nodes.map((hit) => {
      const snippet = element("span");
      snippet.innerHTML = hit.snippet;  // escaped by the server; only <mark> is markup
      return [snippet, hit.source.episode.title, momentLink(hit.source)];
    });
    where.replaceChildren(
      element("p", `${search.totalCount} matching moment${search.totalCount === 1 ? "" : "s"}`,
        { role: "status" }),
      table("Search results", ["Said", "Episode", "When"], rows),
    );
  } catch (error) {
    status(where, `Could not search: ${error.message}`);
  }
}

document.getElementById("lookup").addEventListener("submit", lookUp);
document.getElementById("search").addEventListener("submit", search);
