// A pipeline view: a refetchable pipeline (refetched through node(id:)) with
// its jobs as a connection.
import { graphql } from 'relay-runtime';

export const pipelineViewQuery = graphql`
  query PipelineViewQuery($fullPath: String!, $id: Int!) {
    project(fullPath: $fullPath) {
      pipeline(id: $id) {
        ...PipelineView_pipeline
      }
    }
  }
`;

export const pipelineViewFragment = graphql`
  fragment PipelineView_pipeline on Pipeline
  @refetchable(queryName: "PipelineViewRefetchQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    id
    status
    ref
    workflowName
    duration
    commit {
      id
      shortId
      pipelineStatus
    }
    jobs(first: $count, after: $cursor) @connection(key: "PipelineView_jobs") {
      edges {
        node {
          id
          name
          stage
          status
        }
      }
    }
  }
`;
