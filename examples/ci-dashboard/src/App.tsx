import { useMemo, useState } from 'react';
import { Provider, useQuery } from 'urql';
import { graphql } from './gql';
import { newClient } from './client';
import type { PageConfig } from './config';
import { JobList } from './JobList';
import { JobPage } from './JobPage';
import { Pipeline } from './Pipeline';
import { Projects } from './Projects';
import { href, useRoute } from './route';

// The token is the caller's GitLab token, kept in this browser's local
// storage so a reload keeps it; jobgraph forwards it to GitLab per request.
const tokenKey = 'jobgraph-dashboard-token';

function storedToken(fallback: string): string {
  return window.localStorage.getItem(tokenKey) ?? fallback;
}

const WhoAmI = graphql(`
  query DashboardWhoAmI {
    currentUser {
      id
      username
    }
  }
`);

function CurrentUser() {
  const [{ data, error }] = useQuery({ query: WhoAmI });
  if (error) {
    return <span className="muted">token refused</span>;
  }
  return <span className="muted">{data?.currentUser ? `signed in as ${data.currentUser.username}` : 'no token'}</span>;
}

function TokenForm({ token, onSave }: { token: string; onSave: (token: string) => void }) {
  const [draft, setDraft] = useState(token);
  return (
    <form
      className="token"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(draft.trim());
      }}
    >
      <label htmlFor="token">GitLab token</label>
      <input
        id="token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <button type="submit">Use token</button>
    </form>
  );
}

function View() {
  const route = useRoute();
  switch (route.view) {
    case 'projects':
      return <Projects />;
    case 'jobs':
      return <JobList key={route.project} project={route.project} />;
    case 'job':
      return <JobPage key={`${route.project}/${route.job}`} project={route.project} id={route.job} />;
    case 'pipeline':
      return <Pipeline project={route.project} id={route.pipeline} />;
    case 'unknown':
      return (
        <p className="errors">
          Nothing here. <a href={href({ view: 'projects' })}>Projects</a>
        </p>
      );
  }
}

export function App({ config }: { config: PageConfig }) {
  const [token, setToken] = useState(() => storedToken(config.defaultToken));
  const client = useMemo(() => newClient(config.endpoint, token), [config.endpoint, token]);
  const save = (next: string) => {
    window.localStorage.setItem(tokenKey, next);
    setToken(next);
  };
  return (
    <Provider value={client}>
      <header>
        <h1>
          <a href={href({ view: 'projects' })}>CI dashboard</a>
        </h1>
        <TokenForm token={token} onSave={save} />
        <CurrentUser key={token} />
      </header>
      <main>
        <View key={token} />
      </main>
    </Provider>
  );
}
