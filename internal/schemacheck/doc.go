// Package schemacheck holds the frontend toolchains jobgraph's schema is
// checked against, pinned through npm (testdata/package.json, package-lock.json), and
// the test that runs them: graphql-eslint's Relay and description rules over
// the schema, graphql-codegen's client preset over a dashboard's operations
// with its output type-checked by tsc --strict, and relay-compiler over the
// same views written as Relay fragments.
//
// The npm folder is testdata, so that the Go code some npm packages ship is
// no part of this module; the tools install with `npm ci --no-audit --no-fund`
// there.
package schemacheck
