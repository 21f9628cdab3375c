/**
 * An HTTP upstream that dies and comes back: calls in between fail at once with an error that
 * names the upstream and what to do; once it is back (a new process, which has forgotten
 * Gatehouse's session), the gateway opens a new session by itself and calls work again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { startServerEverythingHttp, type ServerEverythingHttp } from '../fixtures/server-everything.js';

describe('an HTTP upstream that dies and comes back', () => {
  let upstream: ServerEverythingHttp;
  let gateway: RunningGateway;
  let client: Client;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-http-restart-'));
    upstream = await startServerEverythingHttp();
    gateway = await startGateway({ dataDir, config: gatehouseConfigSchema.parse({ listen: { port: 0 }, routes: [{ path: '/remote', upstreams: [{ name: 'remote', kind: 'http', url: upstream.url }] }] }) });
    client = new Client({ name: 'restart', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url('/remote'))));
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await upstream?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const echo = (message: string) => client.callTool({ name: 'echo', arguments: { message } });

  it('fails fast while it is down, naming the upstream and the fix; the gateway keeps serving', async () => {
    expect(JSON.stringify(await echo('before'))).toContain('Echo: before');
    const port = new URL(upstream.url).port;
    await upstream.close();
    await expect(echo('while down')).rejects.toThrow(/upstream "remote" \(http http:\/\/127\.0\.0\.1:\d+\/mcp\) cannot be reached: .*ECONNREFUSED.* check that the server is running/);
    expect((await fetch(gateway.url('/'))).status).toBe(200);

    upstream = await startServerEverythingHttp('streamableHttp', Number(port));
    let answer: unknown;
    const deadline = Date.now() + 15_000;
    while (!answer && Date.now() < deadline) {
      try {
        answer = await echo('after');
      } catch (error) {
        expect((error as Error).message).toMatch(/upstream "remote"/);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(JSON.stringify(answer)).toContain('Echo: after');
  });
});
