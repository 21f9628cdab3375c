/**
 * A JWT as the trace shows it: header and claims decoded (jose's decodeProtectedHeader and
 * decodeJwt, no verification), the token itself shortened, the signature never kept.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';

import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import { shorten } from './redact.js';

export type DecodedJwt = NonNullable<HttpExchangeEvent['jwts']>[number];

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * A client sends the same access token with every request: its decoding is kept for the most
 * recent tokens (the events share the decoded header and claims, which nobody mutates).
 */
const recent = new Map<string, { header: Record<string, unknown>; claims: Record<string, unknown> } | null>();
const RECENT_TOKENS = 256;

/** Undefined for anything that is not a decodable JWS compact token (opaque tokens, garbage). */
export function decodeForTrace(where: string, token: string): DecodedJwt | undefined {
  let decoded = recent.get(token);
  if (decoded === undefined) {
    decoded = null;
    if (JWS_COMPACT.test(token)) {
      try {
        decoded = { header: { ...decodeProtectedHeader(token) }, claims: { ...decodeJwt(token) } };
      } catch {
        decoded = null;
      }
    }
    if (recent.size >= RECENT_TOKENS) recent.delete(recent.keys().next().value!);
    recent.set(token, decoded);
  }
  return decoded ? { where, token: shorten(token), header: decoded.header, claims: decoded.claims } : undefined;
}

/** The JWTs among named string values (e.g. a token response's access_token and id_token). */
export function jwtsAmong(prefix: string, values: Record<string, unknown>, names: readonly string[]): DecodedJwt[] {
  return names.flatMap((name) => {
    const value = values[name];
    const decoded = typeof value === 'string' ? decodeForTrace(`${prefix}.${name}`, value) : undefined;
    return decoded ? [decoded] : [];
  });
}
