// Mounts GraphiQL with the configuration the server put in the page's
// #graphiql-config data block (kept out of inline script for the CSP).
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { Kind, parse } from 'graphql';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';

const config = JSON.parse(document.getElementById('graphiql-config').textContent);

// Monaco runs its language services in web workers. Each worker is a file of
// this bundle, served by the same server under a content-addressed URL, so
// the CSP's worker-src 'self' admits them and no CDN is asked for them.
globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    const url = config.workers[label] || config.workers.editor;
    return new Worker(url, { name: label });
  },
};

// Subscriptions go over graphql-ws (bundled; the toolkit imports it when the
// first subscription runs) to the same endpoint: ws:// beside http://, wss://
// beside https://. The headers editor's JSON becomes the connection_init
// payload, so the token reaches the server as it does with queries.
const endpoint = new URL(config.endpoint, window.location.href);
const subscriptionUrl = new URL(endpoint);
subscriptionUrl.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

// GraphiQL learns the operation's name and syntax tree from the editor 100 ms
// after the last change, but runs with the editor's text as it is: an
// operation pasted over another and run at once went out under the previous
// operation's name (which the server refuses), and a subscription run so went
// over HTTP. The fetcher reads both again from the text it sends.
function withCurrentOperation(fetcher) {
  return (params, opts) => {
    let document;
    try {
      document = parse(params.query);
    } catch {
      // The server reports the syntax error.
      return fetcher(params, opts);
    }
    const names = document.definitions
      .filter((definition) => definition.kind === Kind.OPERATION_DEFINITION)
      .map((operation) => operation.name?.value);
    let { operationName } = params;
    // A name the text still has is the one GraphiQL chose, by the cursor
    // among several operations; only a lone operation can stand in for a
    // name the text no longer has.
    if (!names.includes(operationName) && names.length === 1) {
      operationName = names[0];
    }
    return fetcher({ ...params, operationName }, { ...opts, documentAST: document });
  };
}

const fetcher = withCurrentOperation(
  createGraphiQLFetcher({
    url: endpoint.href,
    subscriptionUrl: subscriptionUrl.href,
  }),
);

const plugins = [explorerPlugin()];

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={plugins}
    // An empty default query leaves GraphiQL's own welcome text.
    defaultQuery={config.defaultQuery || undefined}
    defaultHeaders={config.defaultHeaders}
    isHeadersEditorEnabled
    // Tokens stay out of the browser's local storage.
    shouldPersistHeaders={false}
    defaultEditorToolsVisibility={config.defaultHeaders ? 'headers' : false}
  />,
);
