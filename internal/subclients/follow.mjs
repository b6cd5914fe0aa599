// follow.mjs drives the subscription clients frontends use, unmodified
// (graphql-ws over WebSocket, graphql-sse over Server-Sent Events), for the
// gateway's end-to-end tests. It reads a plan as one JSON line on stdin:
//
//   {"url": "http://127.0.0.1:port/graphql",
//    "connections": [{"name": "a", "transport": "ws"|"sse", "token": "…", "via": "init"|"header"}],
//    "subscriptions": [{"name": "s1", "connection": "a", "query": "…", "variables": {}, "stopAfter": 2}]}
//
// and prints one JSON line per event: {"name", "event": "next"|"complete"|"error"|"stopped", …}.
// Once every subscription ended it prints {"event": "idle"} and keeps its
// connections open until stdin closes, so the tests can look at the gateway
// while the clients are still connected.
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { createClient as createWSClient } from 'graphql-ws';
import { createClient as createSSEClient } from 'graphql-sse';

const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');

function connect(url, c) {
  const headers = c.token && c.via === 'header' ? { Authorization: `Bearer ${c.token}` } : {};
  if (c.transport === 'ws') {
    return createWSClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: class extends WebSocket {
        constructor(address, protocols) {
          super(address, protocols, { headers });
        }
      },
      connectionParams: c.token && c.via !== 'header' ? { Authorization: `Bearer ${c.token}` } : {},
      retryAttempts: 0,
      on: { closed: (event) => print({ name: c.name, event: 'closed', code: event.code, reason: event.reason }) },
    });
  }
  return createSSEClient({
    url,
    headers: c.token ? { Authorization: `Bearer ${c.token}` } : {},
    retryAttempts: 0,
  });
}

const lines = createInterface({ input: process.stdin });
const iterator = lines[Symbol.asyncIterator]();
print({ event: 'ready' });
const first = await iterator.next();
const plan = JSON.parse(first.value);
const clients = new Map(plan.connections.map((c) => [c.name, connect(plan.url, c)]));

await Promise.all(plan.subscriptions.map((s) => new Promise((resolve) => {
  let seen = 0;
  let stop = () => {};
  stop = clients.get(s.connection).subscribe(
    { query: s.query, variables: s.variables ?? {} },
    {
      next: (payload) => {
        print({ name: s.name, event: 'next', payload });
        seen++;
        if (s.stopAfter && seen >= s.stopAfter) {
          stop();
          print({ name: s.name, event: 'stopped' });
          resolve();
        }
      },
      complete: () => {
        print({ name: s.name, event: 'complete' });
        resolve();
      },
      error: (error) => {
        const detail = Array.isArray(error) ? error : { message: String(error?.message ?? error), code: error?.code };
        print({ name: s.name, event: 'error', error: detail });
        resolve();
      },
    },
  );
})));
print({ event: 'idle' });
for (;;) {
  const next = await iterator.next();
  if (next.done) break;
}
for (const client of clients.values()) await client.dispose();
process.exit(0);
