// Mounts GraphiQL with the configuration the server put in the page's
// #graphiql-config data block (kept out of inline script for the CSP).
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  // The fetcher merges the headers editor's JSON into every request.
  var fetcher = GraphiQL.createFetcher({ url: config.endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      // An empty default query leaves GraphiQL's own welcome text.
      defaultQuery: config.defaultQuery || undefined,
      defaultHeaders: config.defaultHeaders,
      isHeadersEditorEnabled: true,
      // Tokens stay out of the browser's local storage.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: config.defaultHeaders ? 'headers' : false,
    })
  );
})();
