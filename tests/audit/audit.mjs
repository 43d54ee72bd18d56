// Runs graphql-http's server audits against the GraphQL endpoint given as the first argument
// and prints one JSON array: each audit's id, name, status and, when not ok, why.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? null : result.reason,
    response: result.status === 'ok' ? null : await describe(result.response),
  });
}
console.log(JSON.stringify(results, null, 2));

async function describe(response) {
  if (!response) return null;
  const body = await response.text().catch(() => '');
  return `${response.status} ${response.headers.get('content-type')}: ${body.slice(0, 300)}`;
}
