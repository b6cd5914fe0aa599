import { useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from './gql';
import { Errors, Status, formatDuration, formatTime } from './common';
import { href } from './route';

// One page of the list; graphcache's relayPagination merges every page asked
// for into the one list this query answers, so the view renders the whole
// list whatever the cursor.
const JobListQuery = graphql(`
  query DashboardJobList($fullPath: String!, $after: String) {
    project(fullPath: $fullPath) {
      id
      fullPath
      jobs(first: 20, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          databaseId
          name
          stage
          status
          ref
          createdAt
          duration
          user {
            id
            username
          }
          pipeline {
            id
            databaseId
          }
        }
      }
    }
  }
`);

export function JobList({ project }: { project: string }) {
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, error, fetching }] = useQuery({ query: JobListQuery, variables: { fullPath: project, after } });
  const jobs = data?.project?.jobs;
  const pageInfo = jobs?.pageInfo;
  const sentinel = useRef<HTMLDivElement>(null);

  // Infinite scroll: the next page is asked for when the end of the list
  // comes into view. The observer is made anew after every page, so a list
  // still too short to fill the window keeps loading.
  useEffect(() => {
    const end = sentinel.current;
    if (!end || fetching || !pageInfo?.hasNextPage || !pageInfo.endCursor) {
      return;
    }
    const cursor = pageInfo.endCursor;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        setAfter(cursor);
      }
    });
    observer.observe(end);
    return () => observer.disconnect();
  }, [fetching, pageInfo?.hasNextPage, pageInfo?.endCursor]);

  if (data && !data.project) {
    return <p className="errors">No project {project}, or this token may not see it.</p>;
  }
  return (
    <section>
      <h2>Jobs of {project}</h2>
      <Errors error={error} />
      <table className="jobs">
        <thead>
          <tr>
            <th>Job</th>
            <th>Status</th>
            <th>Stage</th>
            <th>Pipeline</th>
            <th>Ref</th>
            <th>User</th>
            <th>Created</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {jobs?.nodes.map((job) => (
            <tr key={job.id} data-job-id={job.databaseId}>
              <td>
                <a className="job-name" href={href({ view: 'job', project, job: job.databaseId })}>
                  {job.name}
                </a>{' '}
                <span className="muted">#{job.databaseId}</span>
              </td>
              <td>
                <Status status={job.status} />
              </td>
              <td>{job.stage}</td>
              <td>
                {job.pipeline ? (
                  <a href={href({ view: 'pipeline', project, pipeline: job.pipeline.databaseId })}>#{job.pipeline.databaseId}</a>
                ) : (
                  '—'
                )}
              </td>
              <td>{job.ref}</td>
              <td>{job.user?.username ?? '—'}</td>
              <td>{formatTime(job.createdAt)}</td>
              <td>{formatDuration(job.duration)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div ref={sentinel} className="list-end">
        {fetching ? 'Loading jobs…' : pageInfo && !pageInfo.hasNextPage ? 'No more jobs.' : ''}
      </div>
    </section>
  );
}
