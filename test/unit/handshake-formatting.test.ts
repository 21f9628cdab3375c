/**
 * How the handshake detail pane and its neighbours put things into words: WWW-Authenticate
 * challenges, bodies, JWT claims and expiry, injected faults, tool argument skeletons, the doctor's
 * summary and input checks.
 */
import { describe, expect, it } from 'vitest';

import { doctorRequest, summarizeDoctor } from '../../renderer/src/doctor/doctor-summary.js';
import { argumentsTemplate, missingRequired, parseArguments, skeletonOf } from '../../renderer/src/test-client/schema-skeleton.js';
import { activeFaults, FAULT_CATALOG, faultTitle } from '../../renderer/src/trace/fault-catalog.js';
import { headerValue, queryOf, showBody } from '../../renderer/src/trace/http-body.js';
import { claimRows, describeExpiry, formatDuration } from '../../renderer/src/trace/jwt-claims.js';
import { describeExchange, exchangeLabel, statusLine } from '../../renderer/src/trace/step-catalog.js';
import { parseChallenge } from '../../renderer/src/trace/www-authenticate.js';

describe('WWW-Authenticate (RFC 6750 §3)', () => {
  it('reads quoted and token parameters of the first challenge', () => {
    const challenge = parseChallenge('Bearer resource_metadata="http://127.0.0.1:8400/.well-known/oauth-protected-resource/shop", scope="openid orders:read", error=invalid_token, error_description="The \\"aud\\" claim is wrong"');
    expect(challenge).toEqual({
      scheme: 'Bearer',
      params: {
        resource_metadata: 'http://127.0.0.1:8400/.well-known/oauth-protected-resource/shop',
        scope: 'openid orders:read',
        error: 'invalid_token',
        error_description: 'The "aud" claim is wrong',
      },
    });
    expect(parseChallenge('Bearer')).toEqual({ scheme: 'Bearer', params: {} });
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});

describe('bodies and headers', () => {
  it('pretty-prints JSON, tables form posts, unwraps SSE and finds headers in any case', () => {
    expect(showBody('{"a":1}', 'application/json')).toEqual({ kind: 'json', text: '{\n  "a": 1\n}' });
    expect(showBody('grant_type=authorization_code&code=abc…xyz', 'application/x-www-form-urlencoded')).toEqual({
      kind: 'form',
      fields: [
        ['grant_type', 'authorization_code'],
        ['code', 'abc…xyz'],
      ],
    });
    expect(showBody('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n', 'text/event-stream')).toEqual({
      kind: 'sse',
      messages: ['{\n  "jsonrpc": "2.0",\n  "id": 1,\n  "result": {}\n}'],
    });
    expect(showBody('<html>login</html>', 'text/html')).toEqual({ kind: 'text', text: '<html>login</html>' });
    expect(showBody(undefined, undefined)).toEqual({ kind: 'empty' });
    expect(headerValue({ 'WWW-Authenticate': 'Bearer' }, 'www-authenticate')).toBe('Bearer');
    expect(queryOf('http://idp/auth?client_id=a&code_challenge_method=S256')).toEqual([
      ['client_id', 'a'],
      ['code_challenge_method', 'S256'],
    ]);
  });

  it('labels arrows with the MCP method and tool, or the method and path', () => {
    const base = { type: 'http.exchange', seq: 1, time: 0, server: 'gateway', connection: 'c', status: 200, durationMs: 1, request: { headers: {} }, response: { headers: {} } } as const;
    expect(exchangeLabel({ ...base, step: 'mcp', method: 'POST', url: 'http://h/shop', mcpMethod: 'tools/call' }, 'get-order')).toBe('tools/call get-order');
    expect(exchangeLabel({ ...base, step: 'resource-metadata', method: 'GET', url: 'http://h/.well-known/oauth-protected-resource/shop' })).toBe('GET /.well-known/oauth-protected-resource/shop');
    expect(statusLine(401)).toBe('401 Unauthorized');
    expect(statusLine(418)).toBe('418');
  });

  it('tells the grants at the token endpoint apart: code exchange, refresh, client credentials', () => {
    const base = { type: 'http.exchange', seq: 1, time: 0, server: 'idp', connection: 'c', status: 200, durationMs: 1, step: 'token', method: 'POST', url: 'http://h/token', response: { headers: {} } } as const;
    const token = (body?: string) => describeExchange({ ...base, request: { headers: {}, ...(body === undefined ? {} : { body }) } }).title;
    expect(token('grant_type=authorization_code&code=abc…xyz')).toBe('Token request');
    expect(token('grant_type=refresh_token&refresh_token=abc…xyz')).toBe('Token refresh');
    expect(token('grant_type=client_credentials&resource=http://h/shop')).toBe('Client credentials');
    expect(token(undefined)).toBe('Token request');
  });
});

describe('JWT claims', () => {
  it('names the claims, shows times as dates and counts down to expiry', () => {
    const rows = claimRows({ aud: ['http://h/shop'], exp: 1_767_225_600, groups: ['support', 'staff'] });
    expect(rows).toEqual([
      { name: 'aud', value: 'http://h/shop', note: 'audience — must be this MCP server (RFC 8707)' },
      { name: 'exp', value: '1767225600', note: '2026-01-01 00:00:00 UTC' },
      { name: 'groups', value: 'support, staff', note: 'groups' },
    ]);
    expect(describeExpiry(1_000, 1_000_000 - 252_000)).toEqual({ expired: false, text: 'expires in 4m 12s' });
    expect(describeExpiry(1_000, 1_000_000 + 5_000)).toEqual({ expired: true, text: 'expired 5s ago' });
    expect(describeExpiry('soon', 0)).toBeUndefined();
    expect(formatDuration(3_725_000)).toBe('1h 2m');
  });
});

describe('faults', () => {
  it('lists the active faults with their values and names a fault from the trace', () => {
    expect(activeFaults({ drop_resource_metadata: true, hide_path_metadata: false, require_scope: 'orders:admin', upstream_delay_ms: 0 })).toEqual([
      { key: 'drop_resource_metadata', title: FAULT_CATALOG.drop_resource_metadata.title },
      { key: 'require_scope', title: FAULT_CATALOG.require_scope.title, value: 'orders:admin' },
    ]);
    expect(activeFaults({ upstream_delay_ms: 5000 })[0]!.value).toBe('5000 ms');
    expect(faultTitle('hide_path_metadata')).toBe('404 the path-suffixed metadata');
    expect(faultTitle('something-new')).toBe('something-new');
    expect(FAULT_CATALOG.drop_resource_metadata.clientShould).toContain('Claude Desktop');
  });
});

describe('tool arguments', () => {
  const schema = {
    type: 'object',
    properties: {
      id: { type: 'string', examples: ['ord_1'] },
      qty: { type: 'integer', minimum: 1 },
      mode: { enum: ['fast', 'slow'] },
      note: { type: 'string' },
    },
    required: ['id', 'qty', 'mode'],
  };

  it('starts the editor from the schema: examples, minimums, enums, required properties only', () => {
    expect(skeletonOf(schema)).toEqual({ id: 'ord_1', qty: 1, mode: 'fast' });
    expect(JSON.parse(argumentsTemplate(undefined))).toEqual({});
    expect(skeletonOf({ type: 'object', properties: { a: { type: 'boolean', default: true }, b: { type: ['null', 'array'] } }, required: ['a', 'b'] })).toEqual({ a: true, b: [] });
    // Optional properties stay out: an empty filter would be sent as a real value.
    expect(skeletonOf({ type: 'object', properties: { customerId: { type: 'string' } } })).toEqual({});
  });

  it('refuses what tools/call cannot send, and names missing required arguments', () => {
    expect(parseArguments('{"id": "x"}')).toEqual({ ok: true, value: { id: 'x' } });
    expect(parseArguments('')).toEqual({ ok: true, value: {} });
    const bad = parseArguments('{id: x}');
    expect(bad.ok).toBe(false);
    expect(parseArguments('[1]')).toEqual({ ok: false, message: expect.stringContaining('JSON object') });
    expect(missingRequired(schema, { id: 'x' })).toEqual(['qty', 'mode']);
  });
});

describe('doctor', () => {
  it('counts checks and leads with the first failure', () => {
    const check = (id: string, status: 'pass' | 'warn' | 'fail' | 'skip') => ({ id, title: id, status, detail: '' });
    const failing = summarizeDoctor([check('prm', 'pass'), check('pkce', 'fail'), check('cors', 'warn'), check('dcr', 'fail')]);
    expect(failing.counts).toEqual({ pass: 1, warn: 1, fail: 2, skip: 0 });
    expect(failing.tone).toBe('danger');
    expect(failing.verdict).toContain('“pkce”');
    expect(summarizeDoctor([check('prm', 'pass'), check('x', 'skip')]).tone).toBe('ok');
    expect(summarizeDoctor([check('cors', 'warn')]).tone).toBe('warn');
  });

  it('checks the target before asking the admin API', () => {
    expect(doctorRequest('route', '/shop', '')).toEqual({ ok: true, body: { route: '/shop' } });
    expect(doctorRequest('url', '', ' https://mcp.example.com/mcp ')).toEqual({ ok: true, body: { url: 'https://mcp.example.com/mcp' } });
    expect(doctorRequest('url', '', 'mcp.example.com')).toEqual({ ok: false, message: expect.stringContaining('http://') });
    expect(doctorRequest('url', '', 'ftp://x/y')).toEqual({ ok: false, message: expect.stringContaining('ftp:') });
    expect(doctorRequest('route', '', '').ok).toBe(false);
  });
});
