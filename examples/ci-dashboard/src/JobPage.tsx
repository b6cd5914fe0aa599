import { useState } from 'react';
import { useMutation, useQuery, type TypedDocumentNode } from 'urql';
import { graphql } from './gql';
import type { DashboardJobQuery } from './gql/graphql';
import { Errors, Status, formatDuration, formatTime } from './common';
import { href, navigate } from './route';

const JobQuery = graphql(`
  query DashboardJob($fullPath: String!, $id: Int!) {
    project(fullPath: $fullPath) {
      id
      job(id: $id) {
        id
        databaseId
        name
        stage
        status
        ref
        createdAt
        startedAt
        finishedAt
        duration
        failureReason
        webUrl
        retryable
        cancelable
        playable
        erasable
        user {
          id
          username
        }
        pipeline {
          id
          databaseId
        }
        log {
          sizeBytes
          tail(lines: 200) {
            html
            truncated
          }
          sections {
            name
          }
        }
      }
    }
  }
`);

// Each action answers the job as it now is (retry: the new job), and the
// words GitLab refuses it in as the payload's errors. project and pipeline
// tell the cache which lists gained a job.
const RetryJob = graphql(`
  mutation DashboardRetryJob($id: ID!) {
    jobRetry(input: { id: $id }) {
      job {
        id
        databaseId
        status
        project {
          id
        }
        pipeline {
          id
        }
      }
      errors
    }
  }
`);

const CancelJob = graphql(`
  mutation DashboardCancelJob($id: ID!) {
    jobCancel(input: { id: $id }) {
      job {
        id
        databaseId
        status
        cancelable
        retryable
      }
      errors
    }
  }
`);

const PlayJob = graphql(`
  mutation DashboardPlayJob($id: ID!) {
    jobPlay(input: { id: $id }) {
      job {
        id
        databaseId
        status
        playable
        project {
          id
        }
        pipeline {
          id
        }
      }
      errors
    }
  }
`);

const EraseJob = graphql(`
  mutation DashboardEraseJob($id: ID!) {
    jobErase(input: { id: $id }) {
      job {
        id
        databaseId
        status
        erasable
      }
      errors
    }
  }
`);

// What every action's payload has in common.
interface Payload {
  job?: { databaseId: number } | null;
  errors: string[];
}

// useAction runs one job action and keeps what GitLab refused it with.
function useAction<Data>(document: TypedDocumentNode<Data, { id: string }>, payloadOf: (data: Data) => Payload | null | undefined) {
  const [state, run] = useMutation(document);
  const [refusals, setRefusals] = useState<string[]>([]);
  const act = async (id: string): Promise<Payload | null> => {
    setRefusals([]);
    const result = await run({ id });
    const payload = result.data ? payloadOf(result.data) : null;
    setRefusals(payload?.errors ?? []);
    return payload ?? null;
  };
  return { act, fetching: state.fetching, error: state.error, refusals };
}

export function JobPage({ project, id }: { project: string; id: number }) {
  const [{ data, error, fetching }, refetch] = useQuery({ query: JobQuery, variables: { fullPath: project, id } });
  const retry = useAction(RetryJob, (d) => d.jobRetry);
  const cancel = useAction(CancelJob, (d) => d.jobCancel);
  const play = useAction(PlayJob, (d) => d.jobPlay);
  const erase = useAction(EraseJob, (d) => d.jobErase);
  const job = data?.project?.job;

  if (fetching && !data) {
    return <p className="loading">Loading job…</p>;
  }
  if (!job) {
    return (
      <>
        <Errors error={error} />
        <p className="errors">No job {id} in {project}.</p>
      </>
    );
  }
  const busy = retry.fetching || cancel.fetching || play.fetching || erase.fetching;
  // The log and the flags change with an action: read the job again.
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const actions = [
    {
      label: 'Retry',
      enabled: job.retryable,
      state: retry,
      then: (payload: Payload | null) => {
        if (payload?.job && payload.errors.length === 0) {
          navigate({ view: 'job', project, job: payload.job.databaseId });
        }
      },
    },
    { label: 'Cancel', enabled: job.cancelable, state: cancel, then: reload },
    { label: 'Play', enabled: job.playable, state: play, then: reload },
    { label: 'Erase', enabled: job.erasable, state: erase, then: reload },
  ];
  return (
    <section className="job" data-job-id={job.databaseId}>
      <h2>
        <span className="job-title">{job.name}</span> <span className="muted">#{job.databaseId}</span> <Status status={job.status} />
      </h2>
      <p className="muted">
        stage {job.stage} · {job.ref} · by {job.user?.username ?? 'unknown'} · created {formatTime(job.createdAt)} · started{' '}
        {formatTime(job.startedAt)} · finished {formatTime(job.finishedAt)} · {formatDuration(job.duration)}
        {job.failureReason ? ` · ${job.failureReason.replaceAll('_', ' ')}` : ''}
      </p>
      <p>
        {job.pipeline ? (
          <a href={href({ view: 'pipeline', project, pipeline: job.pipeline.databaseId })}>Pipeline #{job.pipeline.databaseId}</a>
        ) : null}{' '}
        · <a href={href({ view: 'jobs', project })}>All jobs</a>
      </p>
      <div className="actions">
        {actions.map((action) => (
          <button
            key={action.label}
            type="button"
            disabled={!action.enabled || busy}
            onClick={() => void action.state.act(job.id).then(action.then)}
          >
            {action.label}
          </button>
        ))}
      </div>
      {actions.map((action) => (
        <div key={action.label}>
          <Errors error={action.state.error} />
          {action.state.refusals.length > 0 ? (
            <ul className="errors refusals" role="alert">
              {action.state.refusals.map((refusal) => (
                <li key={refusal}>
                  {action.label}: {refusal}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
      <Errors error={error} />
      <JobLogView log={job.log} />
    </section>
  );
}

type Log = NonNullable<NonNullable<NonNullable<DashboardJobQuery['project']>['job']>['log']>;

function JobLogView({ log }: { log: Log | null | undefined }) {
  if (!log) {
    return <p className="muted">The log cannot be read with this token.</p>;
  }
  if (log.tail.html === '') {
    return <p className="muted">This job has no log.</p>;
  }
  return (
    <>
      {log.sections.length > 0 ? (
        <p className="sections">
          Sections:{' '}
          {log.sections.map((section, i) => (
            <span key={i} className="section-name">
              {section.name}
            </span>
          ))}
        </p>
      ) : null}
      {log.tail.truncated ? <p className="muted">The last 200 lines of {log.sizeBytes ?? '?'} bytes:</p> : null}
      {/* jobgraph escapes the log's text and renders colours as term-* classes. */}
      <pre className="log" dangerouslySetInnerHTML={{ __html: log.tail.html }} />
    </>
  );
}
