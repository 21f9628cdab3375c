/** claim_to_header: the values of chosen claims, as the headers upstreams receive. */
import { readClaim } from './principal.js';

export function claimHeaders(claimToHeader: Record<string, string>, claims: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [header, path] of Object.entries(claimToHeader)) {
    const value = readClaim(claims, path);
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
    // A header value cannot carry line breaks; a claim that has them is not forwarded.
    if (!/[\r\n\0]/.test(text)) headers[header] = text;
  }
  return headers;
}
