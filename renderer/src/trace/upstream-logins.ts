/**
 * Groups the gateway's own OAuth client steps (`oauth.client` events, one per step of a secured
 * upstream's login: main/upstream/oauth/) into login flows, the unit the handshake screen draws
 * as one sequence diagram beside the client connections. Pure, like group-connections.ts.
 *
 * Events carry no flow id, so a flow is cut from the stream of one upstream on one route
 * (`upstream-login:<route>/<upstream>`) by two rules:
 * - a flow has ended once it got a grant (`token`/`refresh` ok), finished a logout (`keychain` ok)
 *   or failed at a step after which the authorizer gives up (`token`, `refresh`, `callback`,
 *   `step-up`, or `authorize` other than the upstream's first 401): the next step starts a new flow;
 * - a step that begins an authorizer run (the upstream's 401, resource or authorization server
 *   metadata, a refresh, a step-up, a revocation) more than FLOW_GAP_MS after the flow's last step
 *   starts a new flow too, so a login abandoned in the browser does not swallow the next one.
 */
import type { OAuthClientStepEvent, TraceEvent } from '../../../shared/trace-events.js';
import type { ConnectionStatus } from './group-connections.js';

/** The window's test client traces its steps too, but its requests are drawn as a client connection already. */
const TEST_CLIENT = 'test-client';

/** Longer than one authorizer run's discovery takes, shorter than the time between two logins. */
export const FLOW_GAP_MS = 2 * 60_000;

/**
 * What the flow did: a login (browser), a silent refresh, a step-up to a wider scope, a logout, or
 * a token the gateway got as a machine client (client_credentials: a token request, nobody logs in).
 */
export type UpstreamLoginKind = 'login' | 'refresh' | 'step-up' | 'logout' | 'client-credentials';

export interface UpstreamLoginStep {
  event: OAuthClientStepEvent;
  /** The upstream's 401 that starts a login: how MCP discovery begins, not a failure. */
  challenge: boolean;
  failed: boolean;
}

export interface UpstreamLogin {
  kind: 'upstream-login';
  /** `<key>#<seq of its first step>`: one upstream logs in many times. */
  id: string;
  /** `upstream-login:<route>/<upstream>`, shared by every flow of that upstream. */
  key: string;
  upstream: string;
  route?: string;
  /** `secured/everything`, as `gatehouse login` names the upstream. */
  target: string;
  flow: UpstreamLoginKind;
  issuer?: string;
  resource?: string;
  firstSeq: number;
  lastSeq: number;
  startedAt: number;
  lastAt: number;
  steps: UpstreamLoginStep[];
  status: ConnectionStatus;
  failures: number;
}

type Step = OAuthClientStepEvent['step'];

const RUN_STARTS = new Set<Step>(['resource-metadata', 'authorization-server-metadata', 'refresh', 'step-up', 'revocation']);
const GIVES_UP = new Set<Step>(['token', 'refresh', 'callback', 'step-up', 'authorize']);

/** The upstream's 401 that starts a login (flagged by upstream-authorizer.ts), as opposed to a login that could not start. */
export function isUpstreamChallenge(event: OAuthClientStepEvent): boolean {
  return event.challenge === true;
}

export function loginTarget(route: string | undefined, upstream: string): string {
  return route ? `${route.replace(/^\//, '')}/${upstream}` : upstream;
}

function startsRun(event: OAuthClientStepEvent): boolean {
  return RUN_STARTS.has(event.step) || isUpstreamChallenge(event);
}

function hasEnded(step: UpstreamLoginStep): boolean {
  const { event } = step;
  if (event.outcome === 'ok') return event.step === 'token' || event.step === 'refresh' || event.step === 'keychain';
  return !step.challenge && GIVES_UP.has(event.step);
}

function kindOf(steps: readonly UpstreamLoginStep[]): UpstreamLoginKind {
  const has = (step: Step, outcome?: 'ok' | 'error') => steps.some(({ event }) => event.step === step && (outcome === undefined || event.outcome === outcome));
  if (has('revocation') || has('keychain', 'ok')) return 'logout';
  if (has('step-up')) return 'step-up';
  if (steps.some(({ event }) => event.grant === 'client_credentials')) return 'client-credentials';
  if (has('authorize', 'ok') || has('callback') || has('token')) return 'login';
  // The stored tokens are thrown away when the authorization server refuses a refresh.
  if (has('refresh') || has('keychain', 'error')) return 'refresh';
  return 'login';
}

function statusOf(steps: readonly UpstreamLoginStep[]): ConnectionStatus {
  const last = steps[steps.length - 1];
  if (!last) return 'in-progress';
  if (last.failed) return 'failed';
  return hasEnded(last) ? 'ok' : 'in-progress';
}

function open(event: OAuthClientStepEvent, key: string): UpstreamLogin {
  return {
    kind: 'upstream-login',
    id: `${key}#${event.seq}`,
    key,
    upstream: event.upstream,
    route: event.route,
    target: loginTarget(event.route, event.upstream),
    flow: 'login',
    firstSeq: event.seq,
    lastSeq: event.seq,
    startedAt: event.time,
    lastAt: event.time,
    steps: [],
    status: 'in-progress',
    failures: 0,
  };
}

function finish(login: UpstreamLogin): UpstreamLogin {
  login.flow = kindOf(login.steps);
  login.status = statusOf(login.steps);
  login.failures = login.steps.filter((step) => step.failed).length;
  return login;
}

/** The gateway's own login flows, oldest first, each with its steps in seq order. */
export function groupUpstreamLogins(events: readonly TraceEvent[]): UpstreamLogin[] {
  const steps = events.filter((event): event is OAuthClientStepEvent => event.type === 'oauth.client' && event.upstream !== TEST_CLIENT).sort((a, b) => a.seq - b.seq);
  const current = new Map<string, UpstreamLogin>();
  const all: UpstreamLogin[] = [];
  for (const event of steps) {
    const key = `upstream-login:${loginTarget(event.route, event.upstream)}`;
    let login = current.get(key);
    const last = login?.steps[login.steps.length - 1];
    if (!login || !last || hasEnded(last) || (startsRun(event) && event.time - login.lastAt > FLOW_GAP_MS)) {
      login = open(event, key);
      current.set(key, login);
      all.push(login);
    }
    const challenge = isUpstreamChallenge(event);
    login.steps.push({ event, challenge, failed: event.outcome === 'error' && !challenge });
    login.lastSeq = event.seq;
    login.lastAt = event.time;
    login.issuer ??= event.issuer;
    login.resource ??= event.resource;
  }
  return all.map(finish);
}

/** What the connection list shows as the flow's name: who logs in where. */
export function upstreamLoginTitle(login: UpstreamLogin): string {
  return login.route ? `Gatehouse → upstream ${login.upstream} (${login.target})` : `Gatehouse → upstream ${login.upstream}`;
}

export const FLOW_WORDS: Record<UpstreamLoginKind, string> = {
  login: 'login',
  refresh: 'token refresh',
  'step-up': 'step-up',
  logout: 'logout',
  'client-credentials': 'client credentials',
};
