// GraphiQL at /graphql. It opens on the query and variables a shared link carries (?q= and
// ?variables=, kept up to date while editing), else on the server's default query.
"use strict";

const defaults = JSON.parse(document.getElementById("defaults").textContent);
const shared = new URLSearchParams(window.location.search);

function share(name, value) {
  if (value) {
    shared.set(name, value);
  } else {
    shared.delete(name);
  }
  history.replaceState(null, "", "?" + shared.toString());
}

function App() {
  return React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: window.location.pathname }),
    query: shared.get("q") || defaults.query,
    variables: shared.get("variables") || defaults.variables,
    onEditQuery: (query) => share("q", query),
    onEditVariables: (variables) => share("variables", variables),
    defaultEditorToolsVisibility: true,
    inputValueDeprecation: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
