/**
 * Turns one of the gateway's own login flows into sequence diagram rows. The roles shift from a
 * client's connection: Gatehouse is the client, the upstream's authorization server stands on the
 * identity provider's lifeline, and the upstream MCP server on the upstream's. The browser step
 * (authorize, then the callback) is drawn between Gatehouse and the authorization server with a
 * browser tag, as the browser only carries it; the secret store is a note on Gatehouse.
 *
 * A step is one event (what was done and how it ended), so a row is a request with its outcome
 * as the answer; the authorization request and its callback are the two halves of one.
 */
import type { OAuthClientStepEvent } from '../../../shared/trace-events.js';
import type { Lifeline, LifelineHead, RowTone, SequenceRow } from './sequence-model.js';
import { UPSTREAM_CHALLENGE, UPSTREAM_LOGIN_STEPS } from './upstream-login-steps.js';
import type { UpstreamLogin, UpstreamLoginStep } from './upstream-logins.js';

type Step = OAuthClientStepEvent['step'];

/** Where each step is drawn; `authorize`/`callback` go through the browser, `keychain` stays on Gatehouse. */
const COUNTERPART: Record<Step, Lifeline> = {
  'resource-metadata': 'upstream',
  'step-up': 'upstream',
  'authorization-server-metadata': 'idp',
  registration: 'idp',
  authorize: 'idp',
  callback: 'idp',
  token: 'idp',
  refresh: 'idp',
  revocation: 'idp',
  keychain: 'gatehouse',
};

export function upstreamLoginLifelines(login: UpstreamLogin): LifelineHead[] {
  return [
    { id: 'gatehouse', title: 'Gatehouse (client)' },
    { id: 'idp', title: 'Authorization server' },
    { id: 'upstream', title: `Upstream ${login.upstream}` },
  ];
}

/** The step a reader sees: the upstream's 401 is its own step, though traced as a failed authorize. */
export function loginStepName(step: UpstreamLoginStep): string {
  return step.challenge ? 'challenge' : step.event.step;
}

export function loginStepTitle(step: UpstreamLoginStep): string {
  return step.challenge ? UPSTREAM_CHALLENGE.title : UPSTREAM_LOGIN_STEPS[step.event.step].title;
}

function toneOf(step: UpstreamLoginStep): RowTone {
  if (step.failed) return 'error';
  // Both are the upstream refusing on purpose so that Gatehouse gets a token: as for a client's first 401.
  return step.challenge || step.event.step === 'step-up' ? 'expected' : 'ok';
}

function outcomeLabel(step: UpstreamLoginStep): string {
  const { detail } = step.event;
  if (step.failed) return `failed: ${detail ?? step.event.step}`;
  return detail ?? 'ok';
}

function rowOf(step: UpstreamLoginStep): SequenceRow {
  const { event } = step;
  const base = {
    key: `o${event.seq}`,
    from: 'gatehouse' as const,
    to: step.challenge ? ('upstream' as const) : COUNTERPART[event.step],
    step: loginStepName(step),
    tone: toneOf(step),
    tags: [] as string[],
    target: { kind: 'oauth', seq: event.seq } as const,
    time: event.time,
  };
  if (step.challenge) return { ...base, shape: 'pair', label: 'MCP request', returnLabel: event.detail ?? '401 Unauthorized' };
  switch (event.step) {
    case 'keychain':
      return { ...base, shape: 'note', label: `${UPSTREAM_LOGIN_STEPS.keychain.title}: ${outcomeLabel(step)}` };
    case 'step-up':
      return { ...base, shape: 'pair', label: 'MCP request', returnLabel: outcomeLabel(step) };
    case 'authorize':
      // Sent, the answer comes back as the callback; refused before a browser opened, it ends here.
      if (!step.failed) return { ...base, shape: 'request', label: UPSTREAM_LOGIN_STEPS.authorize.title, tags: ['browser'] };
      return { ...base, shape: 'pair', label: UPSTREAM_LOGIN_STEPS.authorize.title, returnLabel: outcomeLabel(step) };
    case 'callback':
      return { ...base, shape: 'response', returnLabel: `browser redirect: ${outcomeLabel(step)}` };
    default:
      return { ...base, shape: 'pair', label: UPSTREAM_LOGIN_STEPS[event.step].title, returnLabel: outcomeLabel(step) };
  }
}

export function buildUpstreamLoginSequence(login: UpstreamLogin): SequenceRow[] {
  return login.steps.map(rowOf);
}
