/**
 * A route with one Streamable HTTP upstream: server-everything's `streamableHttp` server, started
 * by the test as a child process on a free loopback port. Clients of both protocol eras must see
 * through the gateway what a client connected to that server directly sees, and the upstream's
 * questions (sampling, elicitation) and progress must reach the client whose call caused them.
 *
 * Each 2025 session gets its own upstream HTTP session; 2026-07-28 requests share the route's.
 */
import { Client, StreamableHTTPClientTransport, type Tool } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { CLIENT_ERAS, connectAnsweringClient, type AnsweringClient, type ClientEra } from '../fixtures/answering-client.js';
import { connectDirectClient, startServerEverythingHttp, type ServerEverythingHttp } from '../fixtures/server-everything.js';
import { waitForTrace } from '../fixtures/wait-for-trace.js';
import { defineCoreRelayChecks } from './core-relay-checks.js';

const ROUTE = '/everything-http';

let upstream: ServerEverythingHttp;
let direct: Client;
let directTools: Tool[];
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startServerEverythingHttp();
  direct = await connectDirectClient(new StreamableHTTPClientTransport(new URL(upstream.url)));
  directTools = (await direct.listTools()).tools;
  gateway = await startGateway({
    config: gatehouseConfigSchema.parse({
      listen: { port: 0 },
      routes: [{ path: ROUTE, upstreams: [{ name: 'everything', kind: 'http', url: upstream.url }] }],
    }),
  });
  // server-everything asks for roots 350 ms after each initialize, with no call in flight; on the
  // route's shared upstream session nobody can be asked then. Waiting for the gateway's answer
  // keeps that question out of the first test's call.
  await waitForTrace(
    gateway.trace,
    (event) => event.type === 'server-request.relayed' && event.session === undefined && event.method === 'roots/list',
    "roots/list from the route's shared upstream session after its initialize",
  );
});

afterAll(async () => {
  await gateway?.close();
  await direct?.close();
  await upstream?.close();
});

describe.each(CLIENT_ERAS)('a $name client ($protocol) through a Streamable HTTP upstream', (era: ClientEra) => {
  let subject: AnsweringClient;

  beforeAll(async () => {
    subject = await connectAnsweringClient(gateway.url(ROUTE), era);
    if (era.name === 'legacy') {
      // Same question on this session's own upstream session: let this client answer it first.
      await waitForTrace(
        gateway.trace,
        (event) => event.type === 'server-request.relayed' && event.session === subject.sessionId && event.method === 'roots/list',
        `roots/list relayed to session ${subject.sessionId}`,
      );
    }
  });

  afterAll(async () => {
    await subject?.close();
  });

  defineCoreRelayChecks(() => ({ era, subject, directTools }));
});
