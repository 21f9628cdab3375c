/**
 * The trace keeps the first BODY_LIMIT bytes of an MCP request's body and says how many bytes it
 * had: measured in bytes whatever the script, so a request in a language of multi-byte
 * characters is cut and labelled like an ASCII one — and a short one is kept whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { BODY_LIMIT } from '../../main/trace/redact-exchange.js';
import { CLIENT_ERAS, connectAnsweringClient, type AnsweringClient } from '../fixtures/answering-client.js';
import { serverEverythingEntry } from '../fixtures/server-everything.js';
import { waitForTrace } from '../fixtures/wait-for-trace.js';

const ROUTE = '/bodies';

describe('MCP request bodies in the trace', () => {
  let gateway: RunningGateway;
  let subject: AnsweringClient;

  beforeAll(async () => {
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { port: 0 },
        routes: [{ path: ROUTE, upstreams: [{ name: 'everything', kind: 'stdio', command: process.execPath, args: [serverEverythingEntry(), 'stdio'] }] }],
      }),
    });
    subject = await connectAnsweringClient(gateway.url(ROUTE), CLIENT_ERAS[0]!);
  });

  afterAll(async () => {
    await subject?.close();
    await gateway?.close();
  });

  async function tracedCall(message: string): Promise<{ body: string; bytes: number }> {
    const after = gateway.trace.recent().at(-1)?.seq ?? 0;
    await subject.client.callTool({ name: 'echo', arguments: { message } });
    const event = (await waitForTrace(
      gateway.trace,
      (candidate) => candidate.seq > after && candidate.type === 'http.exchange' && candidate.mcpMethod === 'tools/call',
      'the tools/call exchange',
    )) as HttpExchangeEvent;
    const sent = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name: 'echo', arguments: { message } } });
    return { body: event.request.body ?? '', bytes: Buffer.byteLength(sent) };
  }

  it('cuts a long body of multi-byte characters at the byte limit and gives its size in bytes', async () => {
    // 'é' is two bytes in UTF-8: fewer characters than BODY_LIMIT, more bytes.
    const { body, bytes } = await tracedCall('é'.repeat(BODY_LIMIT * 0.75));
    expect(body).toMatch(/… \(\d+ bytes in all; the trace keeps the first 8192\)$/);
    const told = Number(/\((\d+) bytes in all/.exec(body)![1]);
    expect(Math.abs(told - bytes)).toBeLessThan(16);
    expect(told).toBeGreaterThan(BODY_LIMIT * 1.5);
    const kept = body.slice(0, body.lastIndexOf('\n… ('));
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(BODY_LIMIT);
    expect(kept).not.toContain('\uFFFD');
  });

  it('keeps a short body whole, unlabelled', async () => {
    const { body } = await tracedCall('héllo wörld');
    expect(body).toContain('"message":"héllo wörld"');
    expect(body).not.toContain('bytes in all');
  });
});
