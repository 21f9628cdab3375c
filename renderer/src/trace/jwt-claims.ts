/**
 * Words for a decoded JWT: one row per claim with what it means, times as dates, and the expiry
 * as a countdown the detail pane re-renders every second.
 */

export interface ClaimRow {
  name: string;
  value: string;
  /** What the claim is, or the date a time claim stands for. */
  note?: string;
}

const CLAIM_MEANING: Record<string, string> = {
  iss: 'issuer',
  sub: 'subject',
  aud: 'audience — must be this MCP server (RFC 8707)',
  azp: 'authorized party',
  client_id: 'OAuth client',
  scope: 'granted scopes',
  scp: 'granted scopes',
  jti: 'token id',
  groups: 'groups',
  roles: 'roles',
  email: 'email',
  name: 'name',
  sid: 'session id',
};

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);

function display(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  return JSON.stringify(value);
}

export function claimRows(claims: Record<string, unknown>): ClaimRow[] {
  return Object.entries(claims).map(([name, value]) => {
    if (TIME_CLAIMS.has(name) && typeof value === 'number') {
      return { name, value: String(value), note: new Date(value * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') };
    }
    return { name, value: display(value), note: CLAIM_MEANING[name] };
  });
}

/** `3d 4h`, `1h 2m`, `4m 05s`, `12s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  if (days >= 2) return `${days}d ${Math.floor((total % 86_400) / 3600)}h`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

export interface Expiry {
  expired: boolean;
  text: string;
}

/** The token's remaining life at `nowMs`, from its `exp` (seconds since the epoch). */
export function describeExpiry(exp: unknown, nowMs: number): Expiry | undefined {
  if (typeof exp !== 'number') return undefined;
  const left = exp * 1000 - nowMs;
  return left > 0 ? { expired: false, text: `expires in ${formatDuration(left)}` } : { expired: true, text: `expired ${formatDuration(-left)} ago` };
}
