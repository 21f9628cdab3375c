/**
 * An upstream that answers tools/call with something that is not a CallToolResult. The gateway
 * relays tools/call results without checking them on the upstream side (the route's SDK Server
 * checks every tools/call result on the way out), so this is what proves the check still
 * happens once: the client gets a JSON-RPC error naming the malformed field — not the bad
 * result, not a hang — and the next call on the same session works.
 */
import { fileURLToPath } from 'node:url';

import { ProtocolError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { CLIENT_ERAS, connectAnsweringClient, type AnsweringClient } from '../fixtures/answering-client.js';
import { textOf } from './core-relay-checks.js';

const ROUTE = '/malformed';
const SERVER = fileURLToPath(new URL('../fixtures/malformed-result-server.mjs', import.meta.url));

describe.each(CLIENT_ERAS)('a malformed tools/call result from the upstream ($name client)', (era) => {
  let gateway: RunningGateway;
  let subject: AnsweringClient;

  beforeAll(async () => {
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { port: 0 },
        routes: [{ path: ROUTE, upstreams: [{ name: 'malformed', kind: 'stdio', command: process.execPath, args: [SERVER] }] }],
      }),
    });
    subject = await connectAnsweringClient(gateway.url(ROUTE), era);
  });

  afterAll(async () => {
    await subject?.close();
    await gateway?.close();
  });

  it('is refused with an error that names what is wrong with it', async () => {
    const failure = await subject.client.callTool({ name: 'broken', arguments: {} }).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    expect(failure).toHaveProperty('error');
    const error = (failure as { error: unknown }).error;
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).message).toMatch(/Invalid tools\/call result/);
    expect((error as ProtocolError).message).toMatch(/content/);
  });

  it('leaves the session working: the next call is answered', async () => {
    const result = await subject.client.callTool({ name: 'fine', arguments: {} });
    expect(textOf(result)).toBe('fine');
  });
});
