/**
 * Local errors about upstreams (never sent as-is: the gateway turns them into JSON-RPC errors
 * whose message is this error's message, which names the upstream and what to do).
 */
export type UpstreamErrorCode =
  | 'upstream_exited'
  | 'upstream_unreachable'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'method_not_supported';

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';

  constructor(
    readonly code: UpstreamErrorCode,
    readonly upstream: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A short, single-line description of anything thrown, for messages and traces. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
