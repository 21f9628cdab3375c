/**
 * Every fault a route can inject (FaultSet in shared/admin-api.ts), in words: what Gatehouse
 * does, and what a well-behaved client should do about it — with what real clients are reported
 * to do (../shared/MCP-AUTH-FIELD-NOTES.md). The faults panel and the trace's fault badges read it.
 * Keyed by FaultSet's keys, so a new fault cannot be added to the contract without its words.
 */
import type { FaultSet } from '../../../shared/admin-api.js';

export type FaultKey = keyof FaultSet;

export interface FaultDescription {
  input: 'toggle' | 'text' | 'number';
  title: string;
  /** What Gatehouse does while the fault is on. */
  effect: string;
  /** What a client should do, and what some are known to do instead. */
  clientShould: string;
  placeholder?: string;
}

export const FAULT_CATALOG: Record<FaultKey, FaultDescription> = {
  drop_resource_metadata: {
    input: 'toggle',
    title: 'Drop resource_metadata from the 401',
    effect: 'The WWW-Authenticate challenge names no resource_metadata URL.',
    clientShould: 'Fall back to /.well-known/oauth-protected-resource at the origin. Claude Desktop stops after the first 401 without resource_metadata.',
  },
  hide_path_metadata: {
    input: 'toggle',
    title: '404 the path-suffixed metadata',
    effect: '/.well-known/oauth-protected-resource/<route> answers 404; the root form still answers.',
    clientShould: 'Try the root form next. Some clients retry the path form forever instead.',
  },
  require_scope: {
    input: 'text',
    title: 'Demand an extra scope (step-up)',
    effect: 'Every tools/call answers 403 insufficient_scope naming this scope until the token carries it.',
    clientShould: 'Re-authorize with the scope named in WWW-Authenticate. Clients without step-up report "token expired" or give up.',
    placeholder: 'e.g. orders:admin',
  },
  upstream_delay_ms: {
    input: 'number',
    title: 'Slow upstream',
    effect: 'Each upstream call waits this many milliseconds first.',
    clientShould: 'Show progress and keep waiting up to its own timeout; when it gives up, send notifications/cancelled rather than reconnecting.',
    placeholder: 'ms, e.g. 5000',
  },
  upstream_failure: {
    input: 'toggle',
    title: 'Failing upstream',
    effect: 'Upstream calls fail as if the upstream process died.',
    clientShould: 'Show the error from the tool call and keep the session; a failing upstream is not a reason to sign in again.',
  },
};

export const FAULT_KEYS = Object.keys(FAULT_CATALOG) as FaultKey[];

export interface ActiveFault {
  key: FaultKey;
  title: string;
  /** The value, for faults that carry one (`scope orders:admin`, `5000 ms`). */
  value?: string;
}

export function activeFaults(faults: FaultSet | undefined): ActiveFault[] {
  if (!faults) return [];
  const active: ActiveFault[] = [];
  for (const key of FAULT_KEYS) {
    const value = faults[key];
    if (value === undefined || value === false || value === '' || value === 0) continue;
    const title = FAULT_CATALOG[key].title;
    active.push(typeof value === 'boolean' ? { key, title } : { key, title, value: key === 'upstream_delay_ms' ? `${value} ms` : String(value) });
  }
  return active;
}

/** The words for a fault named on a trace event (its FaultSet key, or whatever the emitter wrote). */
export function faultTitle(fault: string): string {
  const key = FAULT_KEYS.find((k) => fault === k || fault.startsWith(`${k}:`) || fault.startsWith(`${k}=`));
  return key ? FAULT_CATALOG[key].title : fault;
}
