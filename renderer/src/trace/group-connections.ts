/**
 * Groups trace events into client connections: the unit the handshake screen draws as one
 * sequence diagram. Pure (no DOM, no React) so it is unit-tested in Node and cheap enough to rerun
 * on every flush of 10,000 events.
 *
 * An `http.exchange` names its connection: the OAuth client id once known, else
 * `ua:<user-agent>@<address>`. A client's first steps (401, metadata) happen before it has a
 * client id, so a pending `ua:` group is merged into the client id that next shows up from the same
 * user agent — usually the registration that hands the id out.
 *
 * The gateway emits an exchange when its response ends, so the token verdict, the policy decisions
 * and the upstream calls made while serving a request carry smaller seqs than the exchange itself.
 * They are held per route and claimed by the exchange whose time span covers them. Gatehouse's own
 * requests to the identity provider while validating a token (JWKS, discovery, introspection) are
 * not a client's connection either: they are claimed the same way and drawn inside the request.
 */
import type {
  AuthTokenEvent,
  DecisionEvent,
  HttpExchangeEvent,
  TraceEvent,
  UpstreamCallEvent,
  UpstreamResultEvent,
} from '../../../shared/trace-events.js';

/** An upstream call made while serving an exchange; either half may be missing from the trace. */
export interface UpstreamRoundTrip {
  call?: UpstreamCallEvent;
  result?: UpstreamResultEvent;
}

export interface ExchangeStep {
  exchange: HttpExchangeEvent;
  /** Gatehouse's own requests to the identity provider while serving it (JWKS, discovery, introspection). */
  backchannel: HttpExchangeEvent[];
  /** The resource server's verdict on the request's token. */
  auth?: AuthTokenEvent;
  decisions: DecisionEvent[];
  upstream: UpstreamRoundTrip[];
  /** The exchange failed (or answered an error a client does not expect). */
  failed: boolean;
}

export type ConnectionStatus = 'ok' | 'failed' | 'in-progress';

export interface ClientConnection {
  /** The client id, or the `ua:` key of a client that never got one. */
  id: string;
  /** `ua:` keys merged into this connection, so a selection made before the merge still resolves. */
  aliases: string[];
  clientId?: string;
  /** `client_name` from the registration answer, when the client sent one. */
  clientName?: string;
  userAgent?: string;
  route?: string;
  firstSeq: number;
  lastSeq: number;
  startedAt: number;
  lastAt: number;
  steps: ExchangeStep[];
  status: ConnectionStatus;
  failures: number;
  /** Injected faults that shaped any of its exchanges. */
  faults: string[];
}

type Claimable = AuthTokenEvent | DecisionEvent | UpstreamCallEvent | UpstreamResultEvent;

/** Bounds what an unclaimed route holds, so a route with traffic but no exchanges stays O(n). */
const MAX_PENDING_PER_ROUTE = 500;

/** User agents of the libraries Gatehouse itself fetches IdP documents with (main/auth/). */
const GATEWAY_AGENTS = /^(jose|openid-client)\//;

/** An exchange Gatehouse made to the identity provider, rather than one a client made. */
export function isBackchannel(exchange: HttpExchangeEvent): boolean {
  if (exchange.server !== 'idp') return false;
  return exchange.step === 'jwks' || exchange.step === 'introspection' || GATEWAY_AGENTS.test(exchange.userAgent ?? '');
}

function during(time: number, exchange: HttpExchangeEvent): boolean {
  // Times are whole milliseconds: allow one of rounding at the start.
  return time >= exchange.time - exchange.durationMs - 1 && time <= exchange.time;
}

/** Whether an exchange's status is a failure for a client that follows the spec. */
export function exchangeFailed(exchange: HttpExchangeEvent): boolean {
  if (exchange.failure) return true;
  // The first 401 is how MCP discovery starts: it is expected, not a failure.
  if (exchange.step === 'challenge' && exchange.status === 401) return false;
  return exchange.status >= 400;
}

export function userAgentOfKey(key: string): string | undefined {
  if (!key.startsWith('ua:')) return undefined;
  const at = key.lastIndexOf('@');
  return at > 3 ? key.slice(3, at) : key.slice(3);
}

/**
 * What a body says, parsed once per event: events never change, and every flush of the live
 * stream groups all of them again (parsing the bodies was a quarter of the grouping's time).
 */
const parsedBodies = new WeakMap<HttpExchangeEvent, string | null>();

function parsedOnce(exchange: HttpExchangeEvent, read: (exchange: HttpExchangeEvent) => string | undefined): string | undefined {
  let value = parsedBodies.get(exchange);
  if (value === undefined) {
    value = read(exchange) ?? null;
    parsedBodies.set(exchange, value);
  }
  return value ?? undefined;
}

/** The tool, prompt or resource an MCP request body is about (`params.name` / `params.uri`). */
export function mcpItemOf(exchange: HttpExchangeEvent): string | undefined {
  const body = exchange.request.body;
  if (exchange.step !== 'mcp' || !body || body[0] !== '{') return undefined;
  return parsedOnce(exchange, () => {
    try {
      const parsed = JSON.parse(body) as { params?: { name?: unknown; uri?: unknown } };
      const item = parsed.params?.name ?? parsed.params?.uri;
      return typeof item === 'string' ? item : undefined;
    } catch {
      return undefined;
    }
  });
}

function clientNameOf(exchange: HttpExchangeEvent): string | undefined {
  const body = exchange.response.body;
  if (exchange.step !== 'registration' || !body || body[0] !== '{') return undefined;
  return parsedOnce(exchange, () => {
    try {
      const name = (JSON.parse(body) as { client_name?: unknown }).client_name;
      return typeof name === 'string' && name !== '' ? name : undefined;
    } catch {
      return undefined;
    }
  });
}

/** Whether an event held for `route` happened while `exchange` was being served. */
function belongsTo(event: Claimable, exchange: HttpExchangeEvent, item: string | undefined): boolean {
  if (exchange.step !== 'mcp' && exchange.step !== 'challenge') return false;
  if (event.session !== undefined && exchange.session !== undefined && event.session !== exchange.session) return false;
  if (!during(event.time, exchange)) return false;
  if (event.type === 'auth.token') return true;
  if (exchange.mcpMethod !== undefined && event.method !== exchange.mcpMethod) return false;
  const eventItem = event.type === 'policy.decision' ? event.decision.item : event.item;
  if (item !== undefined && eventItem !== undefined && eventItem !== item) return false;
  return true;
}

function attach(step: ExchangeStep, event: Claimable): void {
  switch (event.type) {
    case 'auth.token':
      step.auth = event;
      break;
    case 'policy.decision':
      step.decisions.push(event);
      break;
    case 'upstream.call':
      step.upstream.push({ call: event });
      break;
    case 'upstream.result': {
      const open = step.upstream.find((trip) => trip.result === undefined && trip.call?.upstream === event.upstream && trip.call.method === event.method && trip.call.item === event.item);
      if (open) open.result = event;
      else step.upstream.push({ result: event });
      break;
    }
  }
}

function finish(connection: ClientConnection): ClientConnection {
  connection.steps.sort((a, b) => a.exchange.seq - b.exchange.seq);
  const first = connection.steps[0]?.exchange;
  const last = connection.steps[connection.steps.length - 1]?.exchange;
  if (first && last) {
    connection.firstSeq = first.seq;
    connection.lastSeq = last.seq;
    connection.startedAt = first.time - first.durationMs;
    connection.lastAt = last.time;
  }
  let failures = 0;
  const faults = new Set<string>();
  let served = false;
  for (const step of connection.steps) {
    const upstreamFailed = step.upstream.some((trip) => trip.result?.error !== undefined);
    step.failed = step.failed || upstreamFailed || step.backchannel.some(exchangeFailed);
    if (step.failed) failures++;
    if (step.exchange.fault) faults.add(step.exchange.fault);
    if (step.exchange.step === 'mcp' && !step.failed) served = true;
    connection.route ??= step.exchange.route;
  }
  connection.failures = failures;
  connection.faults = [...faults];
  connection.status = failures > 0 ? 'failed' : served ? 'ok' : 'in-progress';
  return connection;
}

/** Client connections, oldest first, each with its exchanges in seq order. */
export function groupConnections(events: readonly TraceEvent[]): ClientConnection[] {
  const ordered = isSortedBySeq(events) ? events : [...events].sort((a, b) => a.seq - b.seq);
  const byKey = new Map<string, ClientConnection>();
  const all: ClientConnection[] = [];
  /** `ua:` groups not yet merged, by user agent. */
  const pendingByAgent = new Map<string, ClientConnection[]>();
  const pendingByRoute = new Map<string, Claimable[]>();
  const merged = new Set<ClientConnection>();
  let pendingBackchannel: HttpExchangeEvent[] = [];

  const open = (key: string, exchange: HttpExchangeEvent): ClientConnection => {
    let connection = byKey.get(key);
    if (connection) return connection;
    connection = {
      id: key,
      aliases: [],
      clientId: key.startsWith('ua:') ? undefined : key,
      userAgent: exchange.userAgent ?? userAgentOfKey(key),
      firstSeq: exchange.seq,
      lastSeq: exchange.seq,
      startedAt: exchange.time,
      lastAt: exchange.time,
      steps: [],
      status: 'in-progress',
      failures: 0,
      faults: [],
    };
    byKey.set(key, connection);
    all.push(connection);
    if (key.startsWith('ua:')) {
      const agent = connection.userAgent ?? key;
      const list = pendingByAgent.get(agent) ?? [];
      list.push(connection);
      pendingByAgent.set(agent, list);
    }
    return connection;
  };

  for (const event of ordered) {
    if (event.type === 'auth.token' || event.type === 'policy.decision' || event.type === 'upstream.call' || event.type === 'upstream.result') {
      const list = pendingByRoute.get(event.route) ?? [];
      list.push(event);
      if (list.length > MAX_PENDING_PER_ROUTE) list.shift();
      pendingByRoute.set(event.route, list);
      continue;
    }
    if (event.type !== 'http.exchange') continue;
    if (isBackchannel(event)) {
      pendingBackchannel.push(event);
      if (pendingBackchannel.length > MAX_PENDING_PER_ROUTE) pendingBackchannel.shift();
      continue;
    }

    // The registration answer hands out the client id the request could not know yet.
    const key = event.step === 'registration' && event.clientId && event.connection.startsWith('ua:') ? event.clientId : event.connection;
    const connection = open(key, event);
    connection.clientName ??= clientNameOf(event);
    if (!key.startsWith('ua:')) {
      const agent = event.userAgent ?? userAgentOfKey(event.connection);
      const waiting = agent === undefined ? undefined : pendingByAgent.get(agent);
      if (agent !== undefined && waiting) {
        pendingByAgent.delete(agent);
        for (const early of waiting) {
          connection.steps.push(...early.steps);
          connection.aliases.push(early.id, ...early.aliases);
          connection.userAgent ??= early.userAgent;
          merged.add(early);
          // The next unauthenticated request from that agent starts a new pending group.
          byKey.delete(early.id);
        }
      }
    }

    const step: ExchangeStep = { exchange: event, backchannel: [], decisions: [], upstream: [], failed: exchangeFailed(event) };
    if (event.server === 'gateway' && pendingBackchannel.length > 0) {
      step.backchannel = pendingBackchannel.filter((candidate) => during(candidate.time, event));
      if (step.backchannel.length > 0) pendingBackchannel = pendingBackchannel.filter((candidate) => !step.backchannel.includes(candidate));
    }
    const held = event.route === undefined ? undefined : pendingByRoute.get(event.route);
    if (held && held.length > 0) {
      const item = mcpItemOf(event);
      const rest: Claimable[] = [];
      for (const candidate of held) {
        if (belongsTo(candidate, event, item)) attach(step, candidate);
        else rest.push(candidate);
      }
      pendingByRoute.set(event.route!, rest);
    }
    connection.steps.push(step);
  }

  return all
    .filter((connection) => !merged.has(connection))
    .map(finish)
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

function isSortedBySeq(events: readonly TraceEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.seq <= events[i - 1]!.seq) return false;
  return true;
}

/** An exchange seen on its own (from the raw list, or a backchannel call), without what it caused. */
export function standalone(exchange: HttpExchangeEvent): ExchangeStep {
  return { exchange, backchannel: [], decisions: [], upstream: [], failed: exchangeFailed(exchange) };
}

/** The connection a selection points at, following merges. */
export function findConnection(connections: readonly ClientConnection[], id: string | undefined): ClientConnection | undefined {
  if (id === undefined) return undefined;
  return connections.find((connection) => connection.id === id || connection.aliases.includes(id));
}

/** What the connection list shows as the client's name. */
export function connectionTitle(connection: ClientConnection): string {
  if (connection.clientName) return connection.clientName;
  if (connection.userAgent) return shortUserAgent(connection.userAgent);
  return connection.clientId ?? connection.id;
}

/** `node` for `node`, `Chrome 131` for a browser's long string, the product token otherwise. */
export function shortUserAgent(userAgent: string): string {
  const browser = /(Edg|Firefox|Chrome|Safari)\/(\d+)/.exec(userAgent);
  if (browser && userAgent.startsWith('Mozilla/')) return `${browser[1] === 'Edg' ? 'Edge' : browser[1]} ${browser[2]}`;
  const first = userAgent.split(' ')[0] ?? userAgent;
  return first.length > 40 ? `${first.slice(0, 39)}…` : first;
}
