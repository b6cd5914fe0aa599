// GraphQL Mesh's composition of gitlabsim's OpenAPI description into a
// supergraph for Hive Gateway. GITLAB_API_URL is gitlabsim's /api/v4 root;
// the caller's Authorization header goes upstream with every call.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('gitlab', {
        source: './gitlabsim.openapi.yaml',
        endpoint: process.env.GITLAB_API_URL,
        operationHeaders: { Authorization: '{context.headers.authorization}' },
      }),
    },
  ],
});
