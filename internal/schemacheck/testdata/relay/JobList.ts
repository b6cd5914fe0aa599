// A project's job list with infinite scroll: a paginated, refetchable
// fragment, as usePaginationFragment takes it.
import { graphql } from 'relay-runtime';

export const jobListQuery = graphql`
  query JobListQuery($fullPath: String!) {
    project(fullPath: $fullPath) {
      ...JobList_project
    }
  }
`;

export const jobListFragment = graphql`
  fragment JobList_project on Project
  @refetchable(queryName: "JobListPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
    statuses: { type: "[CiStatus!]" }
  ) {
    fullPath
    jobs(first: $count, after: $cursor, statuses: $statuses) @connection(key: "JobList_jobs") {
      edges {
        node {
          id
          name
          stage
          status
          createdAt
          user {
            id
            username
          }
          runner {
            id
            description
          }
        }
      }
    }
  }
`;
