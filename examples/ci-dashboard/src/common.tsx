import type { CombinedError } from '@urql/core';
import type { CiStatus } from './gql/graphql';

export function Status({ status }: { status: CiStatus }) {
  return <span className={`status status-${status.toLowerCase()}`}>{status.toLowerCase().replaceAll('_', ' ')}</span>;
}

// Errors shows a GraphQL or network error as the gateway reported it, with
// the code that tells what went wrong (UNAUTHENTICATED, NOT_FOUND, …).
export function Errors({ error }: { error: CombinedError | undefined }) {
  if (!error) {
    return null;
  }
  const messages = error.graphQLErrors.map((e) => {
    const code = e.extensions?.code;
    return typeof code === 'string' ? `${e.message} (${code})` : e.message;
  });
  if (error.networkError) {
    messages.push(error.networkError.message);
  }
  return (
    <ul className="errors" role="alert">
      {messages.map((message, i) => (
        <li key={i}>{message}</li>
      ))}
    </ul>
  );
}

export function formatTime(time: string | null | undefined): string {
  return time ? new Date(time).toLocaleString() : '—';
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) {
    return '—';
  }
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m ${whole % 60}s`;
}
