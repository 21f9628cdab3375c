/**
 * Kong's "secure internal MCP gateway" recipe as a decK file, served unchanged but for the
 * addresses (the REST services are the local demo shop; the issuer is a local one): the 401
 * challenge and metadata, and the catalog and refusals per consumer group, as Kong's docs say.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfigWithNotes } from '../../main/config/load-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/kong/secure-internal-mcp.yaml', import.meta.url));

describe('a Kong decK file (secure internal MCP gateway recipe)', () => {
  let dir: string;
  let shop: RunningShopApi;
  let issuer: TestIssuer;
  let gateway: RunningGateway;
  let notes: string[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-kong-'));
    shop = await startShopApi();
    issuer = await startTestIssuer();
    const shopPort = new URL(shop.url).port;
    // Only addresses change: the services point at the local shop, the realm at a local issuer
    // (validated by JWKS: the issuer cannot introspect).
    const text = (await readFile(FIXTURE, 'utf8'))
      .replaceAll('host: httpbin.konghq.com', 'host: 127.0.0.1')
      .replaceAll('port: 443', `port: ${shopPort}`)
      .replaceAll('protocol: https', 'protocol: http')
      .replaceAll('path: /anything', 'path: /')
      .replaceAll('http://localhost:8080/realms/gatehouse', issuer.issuer)
      .replace(/^\s*introspection_endpoint:.*\n\s*client_id:.*\n\s*client_secret:.*\n/m, '\n');
    const file = path.join(dir, 'kong.yaml');
    await writeFile(file, text);
    const loaded = await loadConfigWithNotes(file);
    expect(loaded.format).toBe('kong');
    notes = loaded.notes.map((note) => `${note.field}: ${note.message}`);
    gateway = await startGateway({ dataDir: dir, config: { ...loaded.config, listen: { ...loaded.config.listen, port: 0 } } });
  });

  afterAll(async () => {
    await gateway?.close();
    await shop?.close();
    await issuer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(groups: string[], sub: string): Promise<Client> {
    const token = await issuer.sign({ sub, groups, client_id: 'kong-test', scope: 'openid' });
    const client = new Client({ name: 'kong-user', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url('/ecommerce-mcp')), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return client;
  }

  it('names what it cannot honour (the rate-limiting plugin among them)', () => {
    expect(notes.some((note) => /rate-limiting/.test(note))).toBe(true);
  });

  it('answers without a token with the challenge and serves the metadata', async () => {
    const response = await fetch(gateway.url('/ecommerce-mcp'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain(`resource_metadata="${gateway.url('/.well-known/oauth-protected-resource/ecommerce-mcp')}"`);
    const metadata = (await (await fetch(gateway.url('/.well-known/oauth-protected-resource/ecommerce-mcp'))).json()) as { authorization_servers: string[] };
    expect(metadata.authorization_servers).toEqual([issuer.issuer]);
  });

  it('gives each consumer group its catalog, and refuses the other group’s tools before the service', async () => {
    const ops = await connect(['warehouse-ops'], 'alice');
    const support = await connect(['customer-support'], 'bob');
    const opsTools = (await ops.listTools()).tools.map((tool) => tool.name);
    const supportTools = (await support.listTools()).tools.map((tool) => tool.name);
    expect(opsTools).toContain('restock-item');
    expect(opsTools).not.toContain('cancel-order');
    expect(supportTools).toContain('cancel-order');
    expect(supportTools).not.toContain('restock-item');
    await expect(ops.callTool({ name: 'cancel-order', arguments: { orderId: '1042' } })).rejects.toThrow(/not available to you/);
    expect((await (await fetch(`${shop.url}/orders/1042`)).json()) as { status: string }).toMatchObject({ status: 'pending' });
    const listed = await ops.callTool({ name: 'list-orders', arguments: {} });
    expect(JSON.stringify(listed)).not.toMatch(/not available/);
    await ops.close();
    await support.close();
  });

  it('rejects a token without a consumer group (consumer_groups_optional: false)', async () => {
    const token = await issuer.sign({ sub: 'mallory', client_id: 'kong-test' });
    const response = await fetch(gateway.url('/ecommerce-mcp'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/carries no group/);
  });
});
