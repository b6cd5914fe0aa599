// Reads the generated types the way a component would: it fails to compile
// when a field loses its type (Time typed `unknown`, a non-null field turning
// nullable, an enum losing a value).
import type { ResultOf } from '@graphql-typed-document-node/core';
import type { JobRowFragment, MixedNodesQuery } from './gen/graphql';
import { JobListDocument } from './gen/graphql';

export function label(job: JobRowFragment): string {
  const name: string = job.name;
  const created: string = job.createdAt ?? 'unknown';
  const failed: boolean = job.status === 'FAILED' || job.status === 'WAITING_FOR_CALLBACK';
  return `${name} ${failed ? 'failed' : job.status.toLowerCase()} ${created}`;
}

export function cursors(data: ResultOf<typeof JobListDocument>): string[] {
  return (data.project?.jobs.edges ?? []).map((edge) => edge.cursor);
}

export function typenames(data: MixedNodesQuery): string[] {
  return data.nodes.map((node) => (node ? `${node.__typename}:${node.id}` : 'missing'));
}
