import { Client, fetchExchange } from '@urql/core';
import { cacheExchange, type Cache } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';

// Lists that an action adds a job to. GitLab's retry and play answer the job,
// not the lists it now belongs to, so those are read again when next shown.
function forgetJobLists(cache: Cache, parents: ({ __typename: string; id: string } | null | undefined)[]) {
  for (const parent of parents) {
    if (!parent) {
      continue;
    }
    const key = cache.keyOfEntity(parent);
    if (!key) {
      continue;
    }
    for (const field of cache.inspectFields(key)) {
      if (field.fieldName === 'jobs') {
        cache.invalidate(key, field.fieldName, field.arguments);
      }
    }
  }
}

interface ActedJob {
  job?: { project?: { __typename: string; id: string } | null; pipeline?: { __typename: string; id: string } | null } | null;
}

// One client per token: what one token read is never shown under another,
// so a new token starts from an empty cache.
export function newClient(endpoint: string, token: string): Client {
  return new Client({
    url: endpoint,
    fetchOptions: () => (token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
    exchanges: [
      // The configuration the README recommends: every object with an id is
      // keyed by it, the value types are embedded in their parent, and
      // relayPagination merges the pages of a list.
      cacheExchange({
        keys: {
          JobLog: () => null,
          LogText: () => null,
          LogSection: () => null,
          JobArtifact: () => null,
          ArtifactsFile: () => null,
          DetailedStatus: () => null,
          StatusIllustration: () => null,
          CommitStats: () => null,
          CommitTrailer: () => null,
          CommitTrailerValues: () => null,
        },
        resolvers: {
          Project: { jobs: relayPagination(), pipelines: relayPagination() },
          Pipeline: { jobs: relayPagination(), bridges: relayPagination() },
        },
        updates: {
          Mutation: {
            jobRetry(result, _args, cache) {
              const payload = result.jobRetry as ActedJob | null;
              forgetJobLists(cache, [payload?.job?.project, payload?.job?.pipeline]);
            },
            jobPlay(result, _args, cache) {
              const payload = result.jobPlay as ActedJob | null;
              forgetJobLists(cache, [payload?.job?.project, payload?.job?.pipeline]);
            },
          },
        },
      }),
      fetchExchange,
    ],
  });
}
