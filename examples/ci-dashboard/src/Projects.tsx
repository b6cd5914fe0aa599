import { useQuery } from 'urql';
import { graphql } from './gql';
import { Errors } from './common';
import { href } from './route';

const ProjectsQuery = graphql(`
  query DashboardProjects {
    projects(membership: true, first: 50) {
      nodes {
        id
        fullPath
        nameWithNamespace
        description
      }
    }
  }
`);

export function Projects() {
  const [{ data, error, fetching }] = useQuery({ query: ProjectsQuery });
  return (
    <section>
      <h2>Projects</h2>
      <Errors error={error} />
      {fetching && !data ? <p className="loading">Loading projects…</p> : null}
      <ul className="projects">
        {data?.projects.nodes.map((project) => (
          <li key={project.id}>
            <a href={href({ view: 'jobs', project: project.fullPath })}>{project.nameWithNamespace}</a>
            {project.description ? <span className="muted"> — {project.description}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
