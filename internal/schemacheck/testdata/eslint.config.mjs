// graphql-eslint's schema rules over jobgraph's schema. Run from the
// repository's root (the Go test does): ESLint resolves the linted path from
// the working directory and the plugin from this file's node_modules.
import graphql from '@graphql-eslint/eslint-plugin';

export default [
  {
    files: ['schema.graphqls'],
    languageOptions: {
      parser: graphql.parser,
      parserOptions: { graphQLConfig: { schema: 'schema.graphqls' } },
    },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      '@graphql-eslint/relay-connection-types': 'error',
      // Edges end in "Edge" and hold Node types, as Relay's spec asks. The
      // rule's default also flags every list that is not a list of edges;
      // the spec asks that of connections' edges only, and the schema has
      // lists of values (tagList, errors) and nodes(ids:).
      '@graphql-eslint/relay-edge-types': ['error', {
        withEdgeSuffix: true,
        shouldImplementNode: true,
        listTypeCanWrapOnlyEdgeType: false,
      }],
      '@graphql-eslint/relay-page-info': 'error',
      '@graphql-eslint/relay-arguments': 'error',
      '@graphql-eslint/require-description': ['error', {
        types: true,
        rootField: true,
        FieldDefinition: true,
        InputValueDefinition: true,
        EnumValueDefinition: true,
        DirectiveDefinition: true,
      }],
      '@graphql-eslint/description-style': ['error', { style: 'block' }],
    },
  },
];
