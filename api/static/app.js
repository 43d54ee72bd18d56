// The claimdex page: plain JavaScript over the public GraphQL API, no build step.
// Text from the API is set with textContent, never parsed as HTML, except search snippets,
// which the server escapes and marks up with <mark> only.
"use strict";

const ADVICE = `query DosingAdvice($name: String!) {
  medication(name: $name) {
    name
    aliases
    acrossEpisodes {
      indication { name code } typicalDose { value unit } minDose maxDose doses episodes speakers
    }
    disagreements(first: 20) { reason indication { name } a { ...said } b { ...said } }
    dosages {
      value maxValue unit frequency regimen text stance speaker sponsored indication { name code }
      source { seconds timestamp url episode { title } }
    }
    warnings { kind text stance speaker sponsored source { timestamp url episode { title } } }
    mentions { source { episode { id } } }
  }
}
fragment said on Claim {
  text stance speaker source { timestamp url episode { title } }
  ... on Dosage { value maxValue unit }
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

// How each stance reads on a badge.
const STANCES = {
  RECOMMENDATION: "Advice", PRACTICE: "Practice", PERSONAL: "Own use", ANECDOTE: "Anecdote",
  STUDY: "Study", GENERAL: "General", NEGATED: "Denied", HYPOTHETICAL: "Question",
};
const REASONS = {
  DOSE: "Doses more than twice apart",
  NEGATED: "One says it is used for this, the other denies it",
};
const NO_CONDITION = "No condition said";

function amount(claim) {
  return `${claim.value}${claim.maxValue ? `-${claim.maxValue}` : ""} ${claim.unit}`;
}

function lower(word) {
  return word ? word.replaceAll("_", " ").toLowerCase() : "";
}

// How, by whom and whether in a sponsor read a claim was said, as badges.
function badges(claim) {
  const where = element("span", undefined, { class: "badges" });
  if (claim.stance) {
    where.append(element("span", STANCES[claim.stance] ?? claim.stance,
      { class: `badge stance stance-${claim.stance.toLowerCase()}`, title: "How it was said" }));
  }
  if (claim.speaker) {
    where.append(element("span", claim.speaker, { class: "badge speaker", title: "Who said it" }));
  }
  if (claim.sponsored) {
    where.append(element("span", "Sponsor read", { class: "badge sponsored" }));
  }
  return where;
}

// Rows of a sponsor read carry data-sponsored: hidden until the reader asks for them.
function marked(node, sponsored) {
  if (sponsored) node.setAttribute("data-sponsored", "");
  return node;
}

function conditionName(condition) {
  if (!condition) return NO_CONDITION;
  return condition.code ? `${condition.name} (${condition.code})` : condition.name;
}

function acrossTable(summaries) {
  const rows = summaries.map((s) => [
    conditionName(s.indication),
    s.typicalDose ? `${s.typicalDose.value} ${s.typicalDose.unit}` : "none advised",
    s.minDose === null ? "" : `${s.minDose}-${s.maxDose} ${s.typicalDose.unit}`,
    String(s.doses), String(s.episodes), String(s.speakers),
  ]);
  const node = table("Across episodes",
    ["Condition", "Typical dose", "Range", "Doses", "Episodes", "Speakers"], rows);
  node.id = "across-episodes";
  return node;
}

function disagreementList(disagreements) {
  const node = element("section", undefined, { id: "disagreements", "aria-labelledby": "disagreements-heading" });
  node.append(element("h4", "Where episodes disagree", { id: "disagreements-heading" }));
  if (!disagreements.length) {
    node.append(element("p", "No two episodes disagree.", { class: "muted" }));
    return node;
  }
  const list = element("ul");
  for (const d of disagreements) {
    const item = element("li");
    item.append(element("strong", `${d.indication.name}: ${REASONS[d.reason] ?? d.reason}`));
    for (const claim of [d.a, d.b]) {
      const said = element("div", undefined, { class: "claim" });
      said.append(
        element("span", claim.value === undefined ? claim.text : `${amount(claim)}: "${claim.text}"`),
        " ", badges(claim), " ",
        element("span", claim.source.episode.title, { class: "muted" }), " ",
        momentLink(claim.source),
      );
      item.append(said);
    }
    list.append(item);
  }
  node.append(list);
  return node;
}

// A medication's doses grouped by the condition each is said to be for, in the order of the
// view across episodes; the doses said for none last.
function doseGroups(dosages, summaries) {
  const order = summaries.map((s) => (s.indication ? s.indication.name : null));
  const groups = new Map();
  for (const d of dosages) {
    const key = d.indication ? d.indication.name : null;
    if (!groups.has(key)) groups.set(key, { condition: d.indication, doses: [] });
    groups.get(key).doses.push(d);
  }
  const rank = (key) => (key === null ? Infinity : order.includes(key) ? order.indexOf(key) : order.length);
  const keys = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || String(a).localeCompare(String(b)));
  return keys.map((key) => {
    const { condition, doses } = groups.get(key);
    const section = element("section", undefined, { class: "dose-group" });
    const rows = doses.map((d) => [
      amount(d), d.frequency, lower(d.regimen), d.text, badges(d), d.source.episode.title,
      momentLink(d.source),
    ]);
    const headings = ["Dose", "How often", "Role", "As said", "Said as", "Episode", "When"];
    const doseTable = table(conditionName(condition), headings, rows);
    doseTable.querySelectorAll("tbody tr").forEach((row, index) => marked(row, doses[index].sponsored));
    section.append(doseTable);
    return marked(section, doses.every((d) => d.sponsored));
  });
}

function sponsorToggle(where, count) {
  const label = element("label", undefined, { class: "toggle" });
  const box = element("input", undefined, { type: "checkbox", id: "show-sponsored" });
  box.addEventListener("change", () => where.classList.toggle("hide-sponsored", !box.checked));
  label.append(box, ` Show sponsor reads (${count})`);
  return label;
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
    const warningRows = medication.warnings.map((w) => [
      lower(w.kind), w.text, badges(w), momentLink(w.source),
    ]);
    const warnings = table("Warnings", ["Kind", "Warning", "Said as", "When"], warningRows);
    warnings.querySelectorAll("tbody tr").forEach((row, index) => marked(row, medication.warnings[index].sponsored));
    const episodes = new Set(medication.mentions.map((m) => m.source.episode.id));
    const { episodes: listed } = await graphql(QUOTES, { first: 100 });
    const quotes = listed.nodes.filter((e) => episodes.has(e.id))
      .flatMap((e) => e.quotes.filter((q) => q.source).map((q) => [q.text, e.title, momentLink(q.source)]));
    const sponsored = medication.dosages.filter((d) => d.sponsored).length
      + medication.warnings.filter((w) => w.sponsored).length;
    where.classList.add("hide-sponsored");
    where.replaceChildren(
      heading, aliases,
      acrossTable(medication.acrossEpisodes),
      disagreementList(medication.disagreements),
      element("h4", "Dosing advice by what it is for"),
      ...(sponsored ? [sponsorToggle(where, sponsored)] : []),
      ...doseGroups(medication.dosages, medication.acrossEpisodes),
      warnings,
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
