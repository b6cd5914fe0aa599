// A job page: the job with its log, and an action button's mutation.
import { graphql } from 'relay-runtime';

export const jobPageQuery = graphql`
  query JobPageQuery($fullPath: String!, $id: Int!) {
    project(fullPath: $fullPath) {
      job(id: $id) {
        ...JobPage_job
      }
    }
  }
`;

export const jobPageFragment = graphql`
  fragment JobPage_job on Job @refetchable(queryName: "JobPageRefetchQuery") {
    id
    name
    status
    retryable
    runnerManager {
      id
      version
    }
    log {
      tail(lines: 200) {
        html
        truncated
      }
    }
  }
`;

export const jobPageRetryMutation = graphql`
  mutation JobPageRetryMutation($id: ID!) {
    jobRetry(input: { id: $id }) {
      job {
        ...JobPage_job
      }
      errors
    }
  }
`;
