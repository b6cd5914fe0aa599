// Objects of several types by id, same-named fields without aliases.
import { graphql } from 'relay-runtime';

export const mixedNodesQuery = graphql`
  query MixedNodesQuery($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
      ... on Job { name status createdAt tag }
      ... on Bridge { name status createdAt tag }
      ... on Pipeline { status createdAt tag }
      ... on Project { name createdAt }
      ... on Commit { createdAt pipelineStatus }
      ... on User { name createdAt }
    }
  }
`;
