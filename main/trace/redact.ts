/** Secrets never reach a log, the trace or a file in full: `eyJhbGci…Xk2` is enough to tell tokens apart. */
export function shorten(secret: string): string {
  if (secret.length <= 16) return '…';
  return `${secret.slice(0, 8)}…${secret.slice(-3)}`;
}
