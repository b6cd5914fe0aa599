import { useEffect, useState } from 'react';

// Views are addressed by the URL's hash, so the server serves one page and
// a link or a reload opens the same view:
//   #/                                    projects
//   #/<project path>/jobs                 a project's jobs
//   #/<project path>/jobs/<job id>        a job and its log
//   #/<project path>/pipelines/<id>       a pipeline's jobs by stage
// The project's full path is one URL-encoded segment.
export type Route =
  | { view: 'projects' }
  | { view: 'jobs'; project: string }
  | { view: 'job'; project: string; job: number }
  | { view: 'pipeline'; project: string; pipeline: number }
  | { view: 'unknown'; hash: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter((part) => part !== '');
  if (parts.length === 0) {
    return { view: 'projects' };
  }
  let project: string;
  try {
    project = decodeURIComponent(parts[0]);
  } catch {
    return { view: 'unknown', hash };
  }
  const id = Number(parts[2]);
  if (parts.length === 2 && parts[1] === 'jobs') {
    return { view: 'jobs', project };
  }
  if (parts.length === 3 && Number.isSafeInteger(id) && id > 0) {
    if (parts[1] === 'jobs') {
      return { view: 'job', project, job: id };
    }
    if (parts[1] === 'pipelines') {
      return { view: 'pipeline', project, pipeline: id };
    }
  }
  return { view: 'unknown', hash };
}

export function href(route: Route): string {
  switch (route.view) {
    case 'projects':
      return '#/';
    case 'jobs':
      return `#/${encodeURIComponent(route.project)}/jobs`;
    case 'job':
      return `#/${encodeURIComponent(route.project)}/jobs/${route.job}`;
    case 'pipeline':
      return `#/${encodeURIComponent(route.project)}/pipelines/${route.pipeline}`;
    case 'unknown':
      return route.hash;
  }
}

export function navigate(route: Route) {
  window.location.hash = href(route);
}

// useRoute follows the hash as the user clicks links or goes back.
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', follow);
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  return route;
}
