/**
 * A plausible trace of many clients doing the whole MCP OAuth handshake and then calling tools,
 * emitted in the order the gateway emits it (an exchange after the events of serving it). The
 * render benchmark fills the trace screen with it; unit tests use it as a large, realistic input.
 * Deterministic: the same count always gives the same events.
 */
import type { HttpExchangeEvent, TraceEvent } from '../../../shared/trace-events.js';
import type { Decision } from '../../../shared/policy.js';

const ROUTES = ['/ecommerce-mcp', '/everything-mcp'];
const AGENTS = ['claude-code/2.1.3', 'Cursor/1.7.2', 'node', 'Visual Studio Code/1.108.0'];
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const USERS = ['alice', 'bob', 'carol'];
const TOOLS = ['get-order', 'list-orders', 'cancel-order', 'refund-order', 'search-products'];
const GATEWAY = 'http://127.0.0.1:8400';
const ISSUER = 'http://127.0.0.1:8400/idp';

type Draft = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 'time'> : never) : never;
type ExchangeDraft = Omit<HttpExchangeEvent, 'seq' | 'time'>;

function decision(effect: Decision['effect'], item: string, right: Decision['right']): Decision {
  return {
    version: 1,
    effect,
    right,
    kind: 'tools',
    item,
    rule: effect === 'no_match' ? undefined : { id: effect === 'allow' ? 'support-reads' : 'no-cancel', effect },
    considered: [],
    reason: effect === 'allow' ? `rule support-reads allows ${item} for group support` : `rule no-cancel denies ${item} for group support`,
  };
}

/** `count` events (rounded up to a whole handshake), starting at seq 1 and time `start`. */
export function syntheticTrace(count: number, start = Date.UTC(2026, 0, 1)): TraceEvent[] {
  const events: TraceEvent[] = [];
  let seq = 0;
  let time = start;
  const push = (draft: Draft, advanceMs = 3): void => {
    time += advanceMs;
    events.push({ ...draft, seq: ++seq, time } as TraceEvent);
  };

  for (let n = 0; events.length < count; n++) {
    const route = ROUTES[n % ROUTES.length]!;
    const agent = AGENTS[n % AGENTS.length]!;
    const address = `127.0.0.1`;
    const ua = `ua:${agent}@${address}`;
    const clientId = `client-${n.toString(36).padStart(5, '0')}`;
    const user = USERS[n % USERS.length]!;
    const session = `session-${n}`;
    const url = `${GATEWAY}${route}`;
    const token = `eyJhbGci…${n.toString(36).slice(-3)}`;
    const exchange = (server: 'gateway' | 'idp', step: HttpExchangeEvent['step'], connection: string, method: string, path: string, status: number, extra: Partial<ExchangeDraft> = {}): ExchangeDraft => ({
      type: 'http.exchange',
      route,
      server,
      step,
      connection,
      userAgent: agent,
      method,
      url: path.startsWith('http') ? path : `${server === 'idp' ? ISSUER : GATEWAY}${path}`,
      status,
      durationMs: 2,
      request: { headers: { 'user-agent': agent, accept: 'application/json' } },
      response: { headers: { 'content-type': 'application/json' }, body: '{}' },
      ...extra,
    });

    push(
      exchange('gateway', 'challenge', ua, 'POST', route, 401, {
        mcpMethod: 'initialize',
        request: { headers: { 'user-agent': agent, 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}' },
        response: { headers: { 'www-authenticate': `Bearer resource_metadata="${GATEWAY}/.well-known/oauth-protected-resource${route}", scope="openid"` }, body: '{"error":"invalid_token"}' },
      }),
    );
    push(exchange('gateway', 'resource-metadata', ua, 'GET', `/.well-known/oauth-protected-resource${route}`, 200, { response: { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resource: url, authorization_servers: [ISSUER] }) } }));
    push(exchange('idp', 'authorization-server-metadata', ua, 'GET', '/.well-known/oauth-authorization-server/idp', 200));
    push(
      exchange('idp', 'registration', ua, 'POST', '/reg', 201, {
        clientId,
        response: { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: clientId, client_name: `${agent.split('/')[0]} #${n}` }) },
      }),
    );
    push(exchange('idp', 'authorize', clientId, 'GET', `/auth?client_id=${clientId}&response_type=code&code_challenge_method=S256&resource=${encodeURIComponent(url)}`, 303, { clientId, userAgent: BROWSER }));
    push(exchange('idp', 'login', clientId, 'POST', '/interaction/abc/login', 303, { clientId, userAgent: BROWSER }));
    const iat = Math.floor(time / 1000);
    push(
      exchange('idp', 'token', clientId, 'POST', '/token', 200, {
        clientId,
        jwts: [{ where: 'response.access_token', token, header: { alg: 'RS256', typ: 'at+jwt' }, claims: { iss: ISSUER, sub: user, aud: url, client_id: clientId, scope: 'openid', groups: ['support'], iat, exp: iat + 3600 } }],
      }),
    );
    // Serving a request emits its token verdict, decisions and upstream calls before the exchange.
    let started = time;
    const mcp = (method: string, status: number, extra: Partial<ExchangeDraft> = {}): ExchangeDraft =>
      exchange('gateway', 'mcp', clientId, 'POST', route, status, { clientId, session, mcpMethod: method, durationMs: time + 1 - started, ...extra });
    // Now and then the first token makes Gatehouse fetch the IdP's signing keys.
    if (n % 10 === 0) push({ ...exchange('idp', 'jwks', 'ua:jose/v6.2.17@127.0.0.1', 'GET', '/jwks', 200), route: undefined, userAgent: 'jose/v6.2.17' });
    push({ type: 'auth.token', route, outcome: 'valid', validation: 'jwt', token, subject: user, clientId, groups: ['support'] });
    push(mcp('initialize', 200), 1);
    started = time;
    push(mcp('notifications/initialized', 202), 1);
    started = time;
    push({ type: 'auth.token', route, session, outcome: 'valid', validation: 'jwt', token, subject: user, clientId, groups: ['support'] });
    for (const tool of TOOLS.slice(3)) push({ type: 'policy.decision', route, session, subject: user, clientId, groups: ['support'], method: 'tools/list', decision: decision('deny', tool, 'list') }, 0);
    push(mcp('tools/list', 200), 1);
    for (let call = 0; call < 3; call++) {
      const tool = TOOLS[(n + call) % TOOLS.length]!;
      const allowed = tool !== 'cancel-order' && tool !== 'refund-order';
      started = time;
      push({ type: 'auth.token', route, session, outcome: 'valid', validation: 'jwt', token, subject: user, clientId, groups: ['support'] });
      push({ type: 'request.in', route, session, era: 'legacy', method: 'tools/call', item: tool }, 0);
      push({ type: 'policy.decision', route, session, subject: user, clientId, groups: ['support'], method: 'tools/call', decision: decision(allowed ? 'allow' : 'deny', tool, 'call') }, 0);
      const body = JSON.stringify({ jsonrpc: '2.0', id: call + 2, method: 'tools/call', params: { name: tool, arguments: { id: n } } });
      if (allowed) {
        push({ type: 'upstream.call', route, session, upstream: 'shop', method: 'tools/call', item: tool }, 0);
        push({ type: 'upstream.result', route, session, upstream: 'shop', method: 'tools/call', item: tool, durationMs: 4 }, 4);
      }
      push(mcp('tools/call', 200, { request: { headers: { 'user-agent': agent }, body } }), 1);
    }
  }
  return events.slice(0, Math.max(count, 0));
}
