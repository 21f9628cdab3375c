/**
 * The faults injected on one route (FaultSet, from the config's `faults` key or set at run time)
 * and the token invalidations ("expire / revoke the current tokens now"). It outlives the route's
 * runtime, so a config reload that rebuilds the route keeps what the developer injected.
 *
 * Invalidation works on issue time: every token issued before the moment of the action is
 * refused from then on. `iat` has one-second resolution, so a token issued in that same second
 * is refused only if the route had already seen it; a token the client gets by refreshing right
 * after the action is accepted.
 */
import { createHash } from 'node:crypto';

import type { FaultSet } from '../../shared/admin-api.js';

export type TokenAction = 'expire' | 'revoke';

/** The fault names exchanges are marked with for token invalidations. */
export const TOKEN_FAULT: Record<TokenAction, string> = { expire: 'expire_tokens', revoke: 'revoke_tokens' };

interface SeenToken {
  /** Seconds since the epoch (the token's iat), when it has one. */
  issuedAt?: number;
  expiresAt?: number;
}

interface Invalidation {
  action: TokenAction;
  /** Seconds since the epoch. */
  cutoff: number;
  /** Tokens the route had seen when the action was taken. */
  seenBefore: Set<string>;
}

/** Tokens remembered per route, for `affected` counts and same-second cases. */
const MAX_SEEN = 10_000;

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function numeric(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Drops keys that are unset or off, so `faults()` shows only what acts. */
function activeFaults(faults: FaultSet): FaultSet {
  const out: FaultSet = {};
  if (faults.drop_resource_metadata) out.drop_resource_metadata = true;
  if (faults.hide_path_metadata) out.hide_path_metadata = true;
  if (faults.require_scope?.trim()) out.require_scope = faults.require_scope.trim();
  if (faults.upstream_delay_ms && faults.upstream_delay_ms > 0) out.upstream_delay_ms = Math.round(faults.upstream_delay_ms);
  if (faults.upstream_failure) out.upstream_failure = true;
  return out;
}

export class RouteFaults {
  private current: FaultSet;
  private invalidation?: Invalidation;
  private readonly seen = new Map<string, SeenToken>();

  constructor(
    /** The route's `faults` key as the config last said it (a reload that changes it wins). */
    public configured: FaultSet = {},
  ) {
    this.current = activeFaults(configured);
  }

  get faults(): FaultSet {
    return { ...this.current };
  }

  set(faults: FaultSet): void {
    this.current = activeFaults(faults);
  }

  /** A new config value for the route's `faults` key replaces the run-time ones; an unchanged one leaves them. */
  reconfigure(configured: FaultSet = {}): void {
    if (JSON.stringify(activeFaults(configured)) === JSON.stringify(activeFaults(this.configured))) return;
    this.configured = configured;
    this.current = activeFaults(configured);
  }

  /** The action whose fault refuses this (otherwise valid) token, if one does. */
  refuses(token: string, claims: Record<string, unknown>): TokenAction | undefined {
    const invalidation = this.invalidation;
    if (!invalidation) return undefined;
    const issuedAt = numeric(claims.iat);
    if (issuedAt !== undefined && issuedAt < invalidation.cutoff) return invalidation.action;
    return invalidation.seenBefore.has(tokenKey(token)) ? invalidation.action : undefined;
  }

  /** Called for every token the route accepted. */
  remember(token: string, claims: Record<string, unknown>): void {
    const key = tokenKey(token);
    if (this.seen.has(key)) return;
    if (this.seen.size >= MAX_SEEN) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { issuedAt: numeric(claims.iat), expiresAt: numeric(claims.exp) });
  }

  /** Refuses every token issued before now; returns how many live tokens the route had accepted that it now refuses. */
  invalidate(action: TokenAction, now = Date.now()): number {
    const nowS = Math.floor(now / 1000);
    const previous = this.invalidation;
    let affected = 0;
    for (const [key, token] of this.seen) {
      if (token.expiresAt !== undefined && token.expiresAt <= nowS) {
        this.seen.delete(key);
        continue;
      }
      const alreadyRefused = previous && ((token.issuedAt !== undefined && token.issuedAt < previous.cutoff) || previous.seenBefore.has(key));
      if (!alreadyRefused) affected += 1;
    }
    this.invalidation = { action, cutoff: nowS, seenBefore: new Set(this.seen.keys()) };
    return affected;
  }
}
