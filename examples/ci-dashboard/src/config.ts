// The settings the server puts in the page's #dashboard-config data block
// (kept out of inline script for the Content-Security-Policy).
export interface PageConfig {
  // The GraphQL endpoint's URL path, on this server.
  endpoint: string;
  // A token to start with when none is stored: the demo token in demo mode.
  defaultToken: string;
}

export function readConfig(): PageConfig {
  const block = document.getElementById('dashboard-config');
  const parsed = JSON.parse(block?.textContent || '{}') as Partial<PageConfig>;
  return {
    endpoint: parsed.endpoint || '/graphql',
    defaultToken: parsed.defaultToken || '',
  };
}
