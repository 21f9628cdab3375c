/** Secrets never reach a log, the trace or a file in full: `eyJhbGci…Xk2` is enough to tell tokens apart. */
export function shorten(secret: string): string {
  if (secret.length <= 16) return '…';
  return `${secret.slice(0, 8)}…${secret.slice(-3)}`;
}

/**
 * For a secret a person chose or that never changes (a password, a client secret): head and tail
 * of a short one are half of it, and nothing needs telling apart, so only its length is shown.
 */
export function hide(secret: string): string {
  return `(hidden, ${secret.length} chars)`;
}
