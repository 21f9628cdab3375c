/**
 * The handshake screen's grouping of trace events into client connections
 * (renderer/src/trace/group-connections.ts): ua: groups merged into the client id that registers,
 * seq order, the token verdict, decisions and upstream calls claimed by the exchange that caused them.
 */
import { describe, expect, it } from 'vitest';

import type { HttpExchangeEvent, TraceEvent } from '../../shared/trace-events.js';
import { connectionTitle, findConnection, groupConnections, shortUserAgent } from '../../renderer/src/trace/group-connections.js';
import { syntheticTrace } from '../../renderer/src/trace/synthetic-trace.js';

let seq = 0;
function exchange(fields: Partial<HttpExchangeEvent> & Pick<HttpExchangeEvent, 'step' | 'connection'>): HttpExchangeEvent {
  seq++;
  return {
    type: 'http.exchange',
    seq,
    time: 1_000 + seq * 10,
    route: '/shop',
    server: 'gateway',
    userAgent: 'claude-code/2.1',
    method: 'GET',
    url: 'http://127.0.0.1:8400/shop',
    status: 200,
    durationMs: 5,
    request: { headers: {} },
    response: { headers: {} },
    ...fields,
  };
}

const UA = 'ua:claude-code/2.1@127.0.0.1';

describe('client connections', () => {
  it('merges the pre-registration ua: group into the client id that registers next from the same user agent', () => {
    const events: TraceEvent[] = [
      exchange({ step: 'challenge', connection: UA, status: 401 }),
      exchange({ step: 'resource-metadata', connection: UA }),
      exchange({ step: 'authorization-server-metadata', connection: UA, server: 'idp' }),
      exchange({ step: 'registration', connection: UA, server: 'idp', clientId: 'abc', status: 201, response: { headers: {}, body: '{"client_id":"abc","client_name":"Claude Code"}' } }),
      exchange({ step: 'authorize', connection: 'abc', server: 'idp', clientId: 'abc', userAgent: 'Mozilla/5.0 Chrome/156.0 Safari/537.36', status: 303 }),
      exchange({ step: 'token', connection: 'abc', server: 'idp', clientId: 'abc' }),
      exchange({ step: 'mcp', connection: 'abc', clientId: 'abc', mcpMethod: 'initialize' }),
    ];
    const connections = groupConnections(events);
    expect(connections).toHaveLength(1);
    const [connection] = connections;
    expect(connection!.id).toBe('abc');
    expect(connection!.aliases).toEqual([UA]);
    expect(connection!.steps.map((s) => s.exchange.step)).toEqual(['challenge', 'resource-metadata', 'authorization-server-metadata', 'registration', 'authorize', 'token', 'mcp']);
    expect(connection!.clientName).toBe('Claude Code');
    expect(connectionTitle(connection!)).toBe('Claude Code');
    expect(connection!.status).toBe('ok');
    // A selection made while the connection was still a ua: group follows the merge.
    expect(findConnection(connections, UA)).toBe(connection);
  });

  it('keeps a ua: group alone when another user agent registers, and orders connections by their first seq', () => {
    const other = 'ua:Cursor/1.7@127.0.0.1';
    const events: TraceEvent[] = [
      exchange({ step: 'challenge', connection: UA, status: 401 }),
      exchange({ step: 'challenge', connection: other, userAgent: 'Cursor/1.7', status: 401 }),
      exchange({ step: 'registration', connection: other, userAgent: 'Cursor/1.7', server: 'idp', clientId: 'cur', status: 201 }),
    ];
    const connections = groupConnections(events);
    expect(connections.map((c) => c.id)).toEqual([UA, 'cur']);
    expect(connections[0]!.status).toBe('in-progress');
    expect(connections[1]!.steps.map((s) => s.exchange.step)).toEqual(['challenge', 'registration']);
  });

  it('orders exchanges by seq whatever order they arrive in', () => {
    const a = exchange({ step: 'challenge', connection: UA, status: 401 });
    const b = exchange({ step: 'resource-metadata', connection: UA });
    const c = exchange({ step: 'authorization-server-metadata', connection: UA });
    const [connection] = groupConnections([c, a, b]);
    expect(connection!.steps.map((s) => s.exchange.seq)).toEqual([a.seq, b.seq, c.seq]);
  });

  it('starts a new pending group after a merge, so a later 401 from the same agent joins the client it continues with', () => {
    const events: TraceEvent[] = [
      exchange({ step: 'challenge', connection: UA, status: 401 }),
      exchange({ step: 'registration', connection: UA, server: 'idp', clientId: 'abc', status: 201 }),
      exchange({ step: 'mcp', connection: 'abc', clientId: 'abc', mcpMethod: 'tools/call' }),
      // The token expired: the client is anonymous again until it presents a new one.
      exchange({ step: 'challenge', connection: UA, status: 401 }),
      exchange({ step: 'token', connection: 'abc', server: 'idp', clientId: 'abc' }),
    ];
    const connections = groupConnections(events);
    expect(connections).toHaveLength(1);
    expect(connections[0]!.steps.map((s) => s.exchange.step)).toEqual(['challenge', 'registration', 'mcp', 'challenge', 'token']);
    expect(connections[0]!.aliases).toHaveLength(2);
  });

  it('treats the first 401 as expected and any failure as a failed connection, collecting injected faults', () => {
    const events: TraceEvent[] = [
      exchange({ step: 'challenge', connection: UA, status: 401, fault: 'drop_resource_metadata' }),
      exchange({ step: 'resource-metadata', connection: UA, status: 404, fault: 'hide_path_metadata', failure: { reason: 'no metadata at the path-suffixed URL' } }),
    ];
    const [connection] = groupConnections(events);
    expect(connection!.steps.map((s) => s.failed)).toEqual([false, true]);
    expect(connection!.status).toBe('failed');
    expect(connection!.failures).toBe(1);
    expect(connection!.faults).toEqual(['drop_resource_metadata', 'hide_path_metadata']);
  });

  it('gives the token verdict, decisions and upstream calls made while serving a request to that request', () => {
    const start = 5_000;
    const events: TraceEvent[] = [
      { type: 'auth.token', seq: 1, time: start + 1, route: '/shop', session: 's1', outcome: 'valid', validation: 'jwt', subject: 'alice' },
      {
        type: 'policy.decision',
        seq: 2,
        time: start + 1,
        route: '/shop',
        session: 's1',
        subject: 'alice',
        groups: [],
        method: 'tools/call',
        decision: { version: 1, effect: 'allow', right: 'call', kind: 'tools', item: 'get-order', considered: [], reason: 'ok' },
      },
      { type: 'upstream.call', seq: 3, time: start + 2, route: '/shop', session: 's1', upstream: 'shop', method: 'tools/call', item: 'get-order' },
      { type: 'upstream.result', seq: 4, time: start + 6, route: '/shop', session: 's1', upstream: 'shop', method: 'tools/call', item: 'get-order', durationMs: 4, error: 'shop exited' },
      // Another session's call on the same route at the same time is not this request's.
      { type: 'upstream.call', seq: 5, time: start + 3, route: '/shop', session: 's2', upstream: 'shop', method: 'tools/call', item: 'get-order' },
      {
        ...exchange({ step: 'mcp', connection: 'abc', clientId: 'abc', mcpMethod: 'tools/call', session: 's1', request: { headers: {}, body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get-order"}}' } }),
        seq: 6,
        time: start + 8,
        durationMs: 8,
      },
    ];
    const [connection] = groupConnections(events);
    const [step] = connection!.steps;
    expect(step!.auth?.subject).toBe('alice');
    expect(step!.decisions.map((d) => d.decision.item)).toEqual(['get-order']);
    expect(step!.upstream).toHaveLength(1);
    expect(step!.upstream[0]!.call?.seq).toBe(3);
    expect(step!.upstream[0]!.result?.error).toBe('shop exited');
    // The upstream failed, so the request failed even though the exchange says 200.
    expect(step!.failed).toBe(true);
    expect(connection!.status).toBe('failed');
  });

  it('draws Gatehouse\'s own requests to the IdP (JWKS) inside the request that needed them, not as a client', () => {
    const events: TraceEvent[] = [
      exchange({ step: 'jwks', connection: 'ua:jose/v6.2.17@127.0.0.1', userAgent: 'jose/v6.2.17', server: 'idp', route: undefined }),
      exchange({ step: 'authorization-server-metadata', connection: 'ua:openid-client/v6.8.9@127.0.0.1', userAgent: 'openid-client/v6.8.9', server: 'idp', route: undefined }),
    ];
    const serving = exchange({ step: 'mcp', connection: 'abc', clientId: 'abc', mcpMethod: 'initialize' });
    events.push({ ...serving, durationMs: serving.time - events[0]!.time + 2 });
    const connections = groupConnections(events);
    expect(connections.map((c) => c.id)).toEqual(['abc']);
    expect(connections[0]!.steps[0]!.backchannel.map((e) => e.step)).toEqual(['jwks', 'authorization-server-metadata']);
  });

  it('groups 10,000 synthetic events into whole handshakes, one connection per client', () => {
    const events = syntheticTrace(10_000);
    const connections = groupConnections(events);
    const clients = new Set(events.flatMap((e) => (e.type === 'http.exchange' && e.clientId ? [e.clientId] : [])));
    // The last handshake may be cut short by the count, but never split.
    expect(connections).toHaveLength(clients.size);
    for (const connection of connections.slice(0, -1)) {
      expect(connection.id.startsWith('ua:')).toBe(false);
      expect(connection.steps[0]!.exchange.step).toBe('challenge');
      const calls = connection.steps.filter((s) => s.exchange.mcpMethod === 'tools/call');
      expect(calls).toHaveLength(3);
      // Every allowed call's upstream round trip lands on its own exchange.
      for (const call of calls) {
        const allowed = call.decisions.every((d) => d.decision.effect === 'allow');
        expect(call.upstream.length).toBe(allowed ? 1 : 0);
        expect(call.auth?.outcome).toBe('valid');
      }
    }
  });
});

describe('user agents', () => {
  it('shortens a browser user agent to its product and version, and keeps a product token', () => {
    expect(shortUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36')).toBe('Chrome 156');
    expect(shortUserAgent('claude-code/2.1.3 (external, cli)')).toBe('claude-code/2.1.3');
  });
});
