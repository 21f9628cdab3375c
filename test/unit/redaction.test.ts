/**
 * What the trace's redactor lets through, as a table: URLs (query, fragment, userinfo), header
 * sets, JSON bodies (nested, camelCase, arrays, JWTs under ordinary names), forms with passwords,
 * truncated JSON and plain text. For each input: no secret survives whole (the full string is
 * absent from the output), and the ordinary values stay as they were.
 */
import { describe, expect, it } from 'vitest';

import { redactHeaders, redactUrl, renderBody, renderParsedBody, type RawHeaders } from '../../main/trace/redact-exchange.js';

/** A JWT's shape (header.claims.signature); decodable, the signature is filler. */
const JWT = `${Buffer.from('{"alg":"RS256","kid":"k1"}').toString('base64url')}.${Buffer.from('{"sub":"alice","aud":"http://127.0.0.1:8400/shop"}').toString('base64url')}.${'s1GnAtUrE_'.repeat(30)}`;
const CODE = 'c0de_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';
const OPAQUE = 'opaque_Zx8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih0Gf9Ed8';
const API_KEY = 'sk-live-7fK2mQ9xL4pR8sT1vW3yZ6aB0cD5eF';
const GITHUB = 'ghp_4b7C9d2E5f8G1h3J6k9L2m5N8p1Q4r7S0t3V';
const SLACK = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const PASSWORD = 'correct-horse-battery-staple';
const SECRET = 'cs_9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a';

interface Case {
  name: string;
  shown: () => string;
  secrets: string[];
  readable?: string[];
}

const urls: Case[] = [
  {
    name: 'authorization response in the fragment (response_mode=fragment)',
    shown: () => redactUrl(`http://127.0.0.1:5555/cb#code=${CODE}&access_token=${JWT}&state=s1&token_type=Bearer`),
    secrets: [CODE, JWT],
    readable: ['http://127.0.0.1:5555/cb#', 'state=s1', 'token_type=Bearer'],
  },
  {
    name: 'secrets in the query and the fragment of a relative target',
    shown: () => redactUrl(`/cb?code=${CODE}&iss=http%3A%2F%2Fidp#id_token=${JWT}`),
    secrets: [CODE, JWT],
    readable: ['/cb?', 'iss=http%3A%2F%2Fidp', '#id_token='],
  },
  {
    name: 'RP-initiated logout with id_token_hint',
    shown: () => redactUrl(`/session/end?id_token_hint=${JWT}&post_logout_redirect_uri=http%3A%2F%2Fapp%2Fbye`),
    secrets: [JWT],
    readable: ['post_logout_redirect_uri=http%3A%2F%2Fapp%2Fbye'],
  },
  {
    name: 'camelCase and dashed parameter names',
    shown: () => redactUrl(`/x?accessToken=${OPAQUE}&api-key=${SECRET}&page=2`),
    secrets: [OPAQUE, SECRET],
    readable: ['page=2'],
  },
  {
    name: 'a JWT or a known key under an ordinary parameter name',
    shown: () => redactUrl(`/authorize?client_id=app&request=${JWT}&hint=${GITHUB}`),
    secrets: [JWT, GITHUB],
    readable: ['client_id=app'],
  },
  {
    name: 'a password in the userinfo',
    shown: () => redactUrl(`http://alice:${PASSWORD}@127.0.0.1:9000/mcp`),
    secrets: [PASSWORD, 'correct-'],
    readable: ['alice', '127.0.0.1:9000/mcp'],
  },
];

const headers: Case[] = [
  {
    name: 'custom credential headers, cookies and a referer with a code',
    shown: () =>
      JSON.stringify(
        redactHeaders({
          'X-Api-Key': API_KEY,
          'x-auth-token': OPAQUE,
          'x-amz-security-token': SECRET,
          'proxy-authorization': `Basic ${Buffer.from(`client:${PASSWORD}`).toString('base64')}`,
          authorization: `DPoP ${JWT}`,
          cookie: `sid=${OPAQUE}; theme=dark`,
          'set-cookie': [`session=${SECRET}; Path=/; HttpOnly`],
          referer: `http://127.0.0.1:5555/cb?code=${CODE}&state=s1`,
          'x-hub-signature-256': `sha256=${SECRET}`,
        }),
      ),
    secrets: [API_KEY, OPAQUE, SECRET, JWT, CODE, Buffer.from(`client:${PASSWORD}`).toString('base64')],
    // Basic: the client id names the client; not one character of the secret is shown.
    readable: ['"proxy-authorization":"Basic client:(secret hidden)"', '"authorization":"DPoP ', 'Path=/; HttpOnly', 'state=s1'],
  },
  {
    name: 'secret-looking values under ordinary header names',
    shown: () => JSON.stringify(redactHeaders({ 'x-forwarded-access': JWT, 'x-debug': `upstream key ${SLACK} rejected`, 'x-request-id': 'req-42' })),
    secrets: [JWT, SLACK],
    readable: ['upstream key ', ' rejected', '"x-request-id":"req-42"'],
  },
  {
    name: 'ordinary headers stay whole, including the ones that only mention auth',
    shown: () =>
      JSON.stringify(
        redactHeaders({
          'www-authenticate': 'Bearer resource_metadata="http://127.0.0.1:8400/.well-known/oauth-protected-resource/shop", error="invalid_token"',
          'access-control-allow-credentials': 'true',
          'access-control-allow-headers': 'authorization, mcp-session-id',
          'mcp-session-id': '3f2a9c1e-1111-2222-3333-444455556666',
          'keep-alive': 'timeout=5',
          'content-type': 'application/json',
          'x-oauth-scopes': 'repo, read:org',
        }),
      ),
    secrets: [],
    readable: [
      'resource_metadata=\\"http://127.0.0.1:8400/.well-known/oauth-protected-resource/shop\\"',
      '"access-control-allow-credentials":"true"',
      'authorization, mcp-session-id',
      '3f2a9c1e-1111-2222-3333-444455556666',
      'timeout=5',
      'repo, read:org',
    ],
  },
];

const json = (value: unknown): string => renderBody(JSON.stringify(value), 'application/json')!;

const bodies: Case[] = [
  {
    name: 'JSON: camelCase and PascalCase member names',
    shown: () => json({ data: { AccessToken: OPAQUE, apiKey: API_KEY, refreshToken: SECRET, userName: 'alice' } }),
    secrets: [OPAQUE, API_KEY, SECRET],
    readable: ['"userName":"alice"', '"AccessToken":"', '"apiKey":"'],
  },
  {
    name: 'JSON: arrays and objects under a secret name',
    shown: () => json({ assertion: [OPAQUE, SECRET], client_secret: { current: CODE, previous: [API_KEY] }, scope: 'shop:read' }),
    secrets: [OPAQUE, SECRET, CODE, API_KEY],
    readable: ['"scope":"shop:read"'],
  },
  {
    name: 'JSON: the token-exchange, logout, device and registration names',
    shown: () =>
      json({
        id_token_hint: JWT,
        logout_token: JWT.replace('s1G', 'x2H'),
        client_assertion: OPAQUE,
        actor_token: SECRET,
        subject_token: CODE,
        device_code: API_KEY,
        registration_access_token: GITHUB,
        client_id: 'app-1',
      }),
    secrets: [JWT, JWT.replace('s1G', 'x2H'), OPAQUE, SECRET, CODE, API_KEY, GITHUB],
    readable: ['"client_id":"app-1"'],
  },
  {
    name: 'JSON: a JWT and a known key under ordinary names (an MCP answer)',
    shown: () => json({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: `software statement ${JWT}; deploy key ${GITHUB}` }], software_statement: JWT } }),
    secrets: [JWT, GITHUB],
    readable: ['"jsonrpc":"2.0"', 'software statement ', '; deploy key '],
  },
  {
    name: 'form: the password and client secret are hidden, the code shortened',
    shown: () => renderBody(new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORD, client_secret: SECRET, code: CODE }).toString(), 'application/x-www-form-urlencoded')!,
    secrets: [PASSWORD, 'correct-', 'staple', SECRET, 'cs_9f8e7', CODE],
    readable: ['grant_type=password', 'username=alice', `password=(hidden, ${PASSWORD.length} chars)`, `client_secret=(hidden, ${SECRET.length} chars)`, 'code=c0de_4f9…b5c'],
  },
  {
    name: 'form as parsed by express: the password hidden',
    shown: () => renderParsedBody({ username: 'alice', password: PASSWORD, clientAssertion: OPAQUE }, 'application/x-www-form-urlencoded')!,
    secrets: [PASSWORD, 'correct-', OPAQUE],
    readable: ['username=alice', `password=(hidden, ${PASSWORD.length} chars)`],
  },
  {
    name: 'truncated JSON cut inside a token (no closing quote)',
    shown: () => {
      const whole = JSON.stringify({ token_type: 'Bearer', access_token: `${OPAQUE}${OPAQUE}`, padding: 'x'.repeat(9000) });
      const cut = whole.indexOf(OPAQUE) + OPAQUE.length + 10;
      return renderBody(whole.slice(0, cut), 'application/json', whole.length)!;
    },
    secrets: [OPAQUE],
    readable: ['"token_type":"Bearer"', 'bytes in all'],
  },
  {
    name: 'truncated JSON with a camelCase member and a cut JWT',
    shown: () => {
      const whole = JSON.stringify({ refreshToken: SECRET, idToken: JWT, padding: 'x'.repeat(9000) });
      return renderBody(whole.slice(0, whole.indexOf(JWT) + JWT.length - 20), 'application/json', whole.length)!;
    },
    secrets: [SECRET, JWT.slice(0, JWT.length - 20)],
    readable: ['"refreshToken":"'],
  },
  {
    name: 'plain text with a JWT and a bearer credential',
    shown: () => renderBody(`invalid_token: ${JWT} expired (sent as Authorization: Bearer ${OPAQUE})`, 'text/plain')!,
    secrets: [JWT, OPAQUE],
    readable: ['invalid_token: ', ' expired (sent as Authorization: Bearer '],
  },
  {
    name: 'plain text: a JSON-ish log line with a secret member',
    shown: () => renderBody(`{"level":"warn","apiKey":"${API_KEY}","msg":"retrying"`, 'text/plain')!,
    secrets: [API_KEY],
    readable: ['"level":"warn"', '"msg":"retrying"'],
  },
];

describe.each([
  ['URLs', urls],
  ['headers', headers],
  ['bodies', bodies],
])('%s', (_group, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const shown = c.shown();
    for (const secret of c.secrets) expect(shown, `${secret.slice(0, 12)}… survived in ${shown.slice(0, 300)}`).not.toContain(secret);
    for (const part of c.readable ?? []) expect(shown).toContain(part);
  });
});

describe('what stays as it was', () => {
  it('URLs and bodies with nothing secret are returned unchanged', () => {
    for (const url of ['/auth?client_id=abc&scope=shop%3Aread', '/docs#section-2', 'http://127.0.0.1:8400/shop', '/cb?state=s1#frag']) expect(redactUrl(url)).toBe(url);
    const mcp = JSON.stringify({ jsonrpc: '2.0', id: 7, result: { tools: [{ name: 'task-list', description: 'desk-top sk-short eyJ' }] } });
    expect(renderBody(mcp, 'application/json')).toBe(mcp);
    expect(renderBody('plain words, nothing else', 'text/plain')).toBe('plain words, nothing else');
  });

  it('tokens keep head…tail so they can be told apart; passwords show only their length', () => {
    expect(redactUrl(`/cb#access_token=${OPAQUE}`)).toBe(`/cb#access_token=${encodeURIComponent('opaque_Z…Ed8')}`);
    const headerSet: RawHeaders = { 'x-api-key': API_KEY };
    expect(redactHeaders(headerSet)['x-api-key']).toBe('sk-live-…5eF');
    expect(json({ password: 'hunter2' })).toBe('{"password":"(hidden, 7 chars)"}');
  });
});
