// Runs graphql-http's GraphQL over HTTP audit against the endpoint named by
// the first argument and prints each audit's result as one JSON array:
// [{id, name, status: "ok" | "warn" | "error", reason?}].
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}
const results = await auditServer({ url });
console.log(JSON.stringify(results.map(({ id, name, status, reason }) => ({ id, name, status, reason }))));
