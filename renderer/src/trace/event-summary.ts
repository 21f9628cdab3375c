/**
 * One line per trace event for the raw event list, and whether it reads as a failure. The list
 * shows thousands of these, so each is a plain string built once per event.
 */
import type { TraceEvent } from '../../../shared/trace-events.js';
import { pathOf } from './step-catalog.js';

export type EventTone = 'ok' | 'error' | 'info';

function join(...parts: Array<string | number | undefined | false>): string {
  return parts.filter((part) => part !== undefined && part !== false && part !== '').join(' ');
}

export function summarizeEvent(event: TraceEvent): string {
  switch (event.type) {
    case 'http.exchange':
      return join(event.method, pathOf(event.url), '→', event.status, event.mcpMethod, `(${event.step})`, event.failure && `— ${event.failure.reason}`, event.fault && `[fault: ${event.fault}]`);
    case 'request.in':
      return join(event.method, event.item, `(${event.era})`);
    case 'upstream.call':
      return join('→', event.upstream, event.method, event.item);
    case 'upstream.result':
      return join('←', event.upstream, event.method, event.item, `${Math.round(event.durationMs)} ms`, event.isError && 'isError', event.error && `— ${event.error}`);
    case 'notification.relayed':
      return join(event.method, event.direction === 'upstream-to-client' ? `from ${event.upstream}` : `to ${event.upstream}`);
    case 'server-request.relayed':
      return join(event.method, 'from', event.upstream, event.outcome, event.error && `— ${event.error}`);
    case 'upstream.state':
      return join(event.upstream, event.state, event.detail && `— ${event.detail}`);
    case 'upstream.stderr':
      return join(`${event.upstream}:`, event.line);
    case 'auth.token':
      return join('token', event.outcome, event.subject && `for ${event.subject}`, event.error, event.claim && `(${event.claim}: ${event.reason ?? 'failed'})`, event.description && `— ${event.description}`);
    case 'policy.decision':
      return join(event.decision.effect, event.method, event.decision.item, `for ${event.subject}`, `— ${event.decision.reason}`);
    case 'idp.step':
      return join('idp', event.step, event.outcome, event.clientId && `client ${event.clientId}`, event.subject && `user ${event.subject}`, event.detail && `— ${event.detail}`);
    case 'oauth.client':
      return join(event.upstream, event.step, event.outcome, event.detail && `— ${event.detail}`);
    case 'config.reloaded':
      return join('config reloaded', event.file);
    case 'config.rejected':
      return join('config rejected', event.file, event.problems?.length && `— ${event.problems.join('; ')}`);
  }
}

export function eventTone(event: TraceEvent): EventTone {
  switch (event.type) {
    case 'http.exchange':
      return event.failure || (event.status >= 400 && !(event.step === 'challenge' && event.status === 401)) ? 'error' : 'ok';
    case 'upstream.result':
      return event.error !== undefined ? 'error' : 'ok';
    case 'auth.token':
      return event.outcome === 'rejected' ? 'error' : 'ok';
    case 'policy.decision':
      // An item left out of a list is the ACL working, not a failure; a refused call is.
      if (event.decision.effect === 'allow') return 'ok';
      return event.decision.right === 'list' ? 'info' : 'error';
    case 'idp.step':
    case 'oauth.client':
      return event.outcome === 'error' ? 'error' : 'ok';
    case 'server-request.relayed':
      return event.outcome === 'failed' ? 'error' : 'ok';
    case 'upstream.state':
      return event.state === 'error' ? 'error' : 'info';
    case 'config.rejected':
      return 'error';
    default:
      return 'info';
  }
}
