/**
 * No token passthrough, on every upstream kind: the client's Authorization header (and the token
 * in any form) never reaches an upstream; only the claims the route forwards (claim_to_header) do.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { startRecordingApi, type RecordingApi } from '../fixtures/recording-api.js';
import { startRecordingProxy, type RecordingProxy } from '../fixtures/recording-proxy.js';
import { startServerEverythingHttp, type ServerEverythingHttp } from '../fixtures/server-everything.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';

const TEE = fileURLToPath(new URL('../fixtures/stdio-tee.mjs', import.meta.url));

describe('no token passthrough, on every upstream kind', () => {
  let issuer: TestIssuer;
  let dir: string;
  let api: RecordingApi;
  let http: ServerEverythingHttp;
  let sse: ServerEverythingHttp;
  let httpProxy: RecordingProxy;
  let sseProxy: RecordingProxy;
  let gateway: RunningGateway;
  let token: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-passthrough-'));
    issuer = await startTestIssuer();
    api = await startRecordingApi();
    [http, sse] = await Promise.all([startServerEverythingHttp('streamableHttp'), startServerEverythingHttp('sse')]);
    httpProxy = await startRecordingProxy(new URL(http.url).origin);
    sseProxy = await startRecordingProxy(new URL(sse.url).origin);
    const auth = { issuer: issuer.issuer, groups_optional: true, claim_to_header: { 'X-Gatehouse-User': 'sub', 'X-Gatehouse-Groups': 'groups' } };
    gateway = await startGateway({
      dataDir: dir,
      config: gatehouseConfigSchema.parse({
        listen: { port: 0 },
        routes: [
          { path: '/rest', auth, upstreams: [{ name: 'api', kind: 'rest', base_url: api.url, tools: [{ name: 'ping-api', method: 'GET', path: '/ping' }] }] },
          { path: '/http', auth, upstreams: [{ name: 'http', kind: 'http', url: httpProxy.url('/mcp') }] },
          { path: '/sse', auth, upstreams: [{ name: 'sse', kind: 'sse', url: sseProxy.url('/sse') }] },
          { path: '/stdio', auth, upstreams: [{ name: 'stdio', kind: 'stdio', command: process.execPath, args: [TEE], env: { TEE_FILE: path.join(dir, 'stdin.log') } }] },
        ],
      }),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([httpProxy?.close(), sseProxy?.close(), http?.close(), sse?.close(), api?.close(), issuer?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  async function callThrough(route: string, tool: string, args: Record<string, unknown>) {
    token = await issuer.sign({ sub: 'alice', client_id: 'c1', groups: ['ops', 'dev'], aud: gateway.url(route) });
    const client = new Client({ name: 'passthrough', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(route)), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const result = await client.callTool({ name: tool, arguments: args });
    await client.close();
    return result;
  }

  it('rest: no Authorization, the token nowhere, the forwarded claims present', async () => {
    await callThrough('/rest', 'ping-api', {});
    const last = api.requests.at(-1)!;
    expect(last.headers.authorization).toBeUndefined();
    expect(last.headers['x-gatehouse-user']).toBe('alice');
    expect(last.headers['x-gatehouse-groups']).toBe('ops,dev');
    expect(JSON.stringify(api.requests)).not.toContain(token);
  });

  it.each([
    ['http', () => httpProxy],
    ['sse', () => sseProxy],
  ])('%s: no Authorization, the token nowhere; the call carries the forwarded claims', async (kind, proxy) => {
    const before = proxy().seen.length;
    const result = await callThrough(`/${kind}`, 'echo', { message: 'hello' });
    expect(JSON.stringify(result)).toContain('Echo: hello');
    const seen = proxy().seen;
    expect(seen.every((request) => request.headers.authorization === undefined)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(token);
    const call = seen.slice(before).find((request) => request.body.includes('"tools/call"'))!;
    expect(call.headers['x-gatehouse-user']).toBe('alice');
  });

  it('stdio: the token never appears in what the gateway writes to the process', async () => {
    const result = await callThrough('/stdio', 'echo', { message: 'over stdio' });
    expect(JSON.stringify(result)).toContain('Echo: over stdio');
    const written = await readFile(path.join(dir, 'stdin.log'), 'utf8');
    expect(written).toContain('over stdio');
    expect(written).not.toContain(token);
    expect(written).not.toContain(token.split('.')[2]!);
  });
});
