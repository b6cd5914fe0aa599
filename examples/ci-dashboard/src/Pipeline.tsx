import { useQuery } from 'urql';
import { graphql } from './gql';
import { Errors, Status, formatDuration, formatTime } from './common';
import { href } from './route';

const PipelineQuery = graphql(`
  query DashboardPipeline($fullPath: String!, $id: Int!) {
    project(fullPath: $fullPath) {
      id
      pipeline(id: $id) {
        id
        databaseId
        status
        ref
        source
        createdAt
        duration
        commit {
          id
          shortId
          title
        }
        jobs(first: 100) {
          nodes {
            id
            databaseId
            name
            stage
            status
          }
        }
        bridges(first: 20) {
          nodes {
            id
            databaseId
            name
            stage
            status
          }
        }
      }
    }
  }
`);

interface StageJob {
  id: string;
  databaseId: number;
  name: string;
  stage: string;
  status: Parameters<typeof Status>[0]['status'];
  bridge: boolean;
}

// byStage groups jobs by stage in the pipeline's order: GitLab creates a
// pipeline's jobs stage by stage, so a stage's first job id orders it.
function byStage(jobs: StageJob[]): [string, StageJob[]][] {
  const stages = new Map<string, StageJob[]>();
  for (const job of [...jobs].sort((a, b) => a.databaseId - b.databaseId)) {
    const stage = stages.get(job.stage) ?? [];
    stage.push(job);
    stages.set(job.stage, stage);
  }
  return [...stages];
}

export function Pipeline({ project, id }: { project: string; id: number }) {
  const [{ data, error, fetching }] = useQuery({ query: PipelineQuery, variables: { fullPath: project, id } });
  const pipeline = data?.project?.pipeline;
  if (fetching && !data) {
    return <p className="loading">Loading pipeline…</p>;
  }
  if (!pipeline) {
    return (
      <>
        <Errors error={error} />
        <p className="errors">No pipeline {id} in {project}.</p>
      </>
    );
  }
  const jobs: StageJob[] = [
    ...pipeline.jobs.nodes.map((job) => ({ ...job, bridge: false })),
    ...pipeline.bridges.nodes.map((bridge) => ({ ...bridge, bridge: true })),
  ];
  return (
    <section>
      <h2>
        Pipeline #{pipeline.databaseId} <Status status={pipeline.status} />
      </h2>
      <Errors error={error} />
      <p className="muted">
        {pipeline.ref} · {pipeline.commit ? `${pipeline.commit.shortId} ${pipeline.commit.title}` : 'no commit'} ·{' '}
        {pipeline.source ?? 'unknown source'} · created {formatTime(pipeline.createdAt)} · {formatDuration(pipeline.duration)}
      </p>
      <div className="stages">
        {byStage(jobs).map(([stage, stageJobs]) => (
          <div className="stage" key={stage}>
            <h3>{stage}</h3>
            <ul>
              {stageJobs.map((job) => (
                <li key={job.id} data-job-id={job.databaseId}>
                  <Status status={job.status} />{' '}
                  {job.bridge ? (
                    <span title="trigger job">{job.name} ↗</span>
                  ) : (
                    <a href={href({ view: 'job', project, job: job.databaseId })}>{job.name}</a>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
      <p>
        <a href={href({ view: 'jobs', project })}>All jobs of {project}</a>
      </p>
    </section>
  );
}
