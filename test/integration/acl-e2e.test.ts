/**
 * The demo ACL enforced end to end with real parts only: the demo shop behind /ecommerce-mcp,
 * the built-in IdP, and the MCP SDK's own OAuth client signing in as alice (warehouse-ops) and
 * bob (customer-support). What each one lists, what a forbidden call is answered with (the same
 * as an unknown tool, before any upstream), the decision it leaves in the trace, the audit log
 * under load (one line per decision, no token), and the persona preview agreeing with the real
 * lists. docs/policy.md has the matrix.
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  auth,
  Client,
  ProtocolError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type CallToolResult,
} from '@modelcontextprotocol/client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { DecisionEvent, TraceEvent, UpstreamCallEvent } from '../../shared/trace-events.js';
import { createTestOAuthProvider, type LoginCredentials, type TestOAuthProvider } from '../helpers/oauth-login.js';

const ROUTE = '/ecommerce-mcp';
const ALICE: LoginCredentials = { username: 'alice', password: 'demo' };
const BOB: LoginCredentials = { username: 'bob', password: 'demo' };
/** docs/policy.md, "The demo ACL", in catalog order. */
const ALICE_TOOLS = ['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'restock-item'];
const BOB_TOOLS = ['list-orders', 'get-order', 'cancel-order', 'list-inventory', 'check-inventory', 'get-customer', 'update-customer-contact'];
const ALL_TOOLS = 8;
/** Words a refusal must not carry: it may not tell a caller why, or that the tool exists. */
const REVEALING = /customer-support|warehouse-ops|group|rule|acl|policy|denied|forbidden|permission|no_match/i;

let shop: RunningShopApi;
let gateway: RunningGateway;
let dataDir: string;
const clients: Client[] = [];
/** Every token and code the tests handle: none may appear in the audit log. */
const secrets = new Set<string>();

async function remember(provider: TestOAuthProvider): Promise<void> {
  const tokens = await provider.tokens();
  if (provider.authorizationCode) secrets.add(provider.authorizationCode);
  if (tokens?.access_token) secrets.add(tokens.access_token);
  if (tokens?.refresh_token) secrets.add(tokens.refresh_token);
}

/** The SDK client's own sign-in: connect → 401 → discovery, registration, PKCE → finishAuth. */
async function signIn(credentials: LoginCredentials): Promise<TestOAuthProvider> {
  const provider = createTestOAuthProvider({ credentials });
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider });
  const first = newClient('legacy');
  await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  await transport.finishAuth(provider.callbackParams!);
  await remember(provider);
  return provider;
}

/**
 * A token with shop:write too, so the write tools pass the route's step-up check and reach the
 * ACL (a shop:read token is stopped earlier, by the 403, and never gets an ACL decision).
 */
async function signInWriter(credentials: LoginCredentials): Promise<TestOAuthProvider> {
  const provider = createTestOAuthProvider({ credentials });
  const scope = 'shop:read shop:write';
  expect(await auth(provider, { serverUrl: gateway.url(ROUTE), scope })).toBe('REDIRECT');
  expect(await auth(provider, { serverUrl: gateway.url(ROUTE), scope, authorizationCode: provider.authorizationCode!, iss: provider.iss })).toBe('AUTHORIZED');
  await remember(provider);
  expect(String(decodeJwt((await provider.tokens())!.access_token).scope).split(' ')).toEqual(expect.arrayContaining(['shop:read', 'shop:write']));
  return provider;
}

function newClient(mode: 'legacy' | 'auto'): Client {
  const client = new Client({ name: 'gatehouse-acl-e2e', version: '1.0.0' }, { versionNegotiation: { mode } });
  clients.push(client);
  return client;
}

async function connect(provider: TestOAuthProvider, mode: 'legacy' | 'auto' = 'legacy'): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = newClient(mode);
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider });
  await client.connect(transport);
  return { client, transport };
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

function lastSeq(): number {
  return gateway.trace.recent().at(-1)?.seq ?? 0;
}

function traceSince(seq: number): TraceEvent[] {
  return gateway.trace.recent().filter((event) => event.seq > seq);
}

/** The order as the shop API itself has it, not as the gateway reports it. */
async function orderStatus(orderId: string): Promise<string> {
  const response = await fetch(`${shop.url}/orders/${orderId}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { status: string }).status;
}

/** Runs `count` jobs with at most `concurrency` in flight. */
async function pool<T>(count: number, concurrency: number, job: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await job(index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-acl-e2e-'));
  shop = await startShopApi();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  // Only the shop route, with the demo ACL; /everything would spawn server-everything for nothing.
  const routes = demo.routes.filter((route) => route.path === ROUTE);
  expect(routes[0]?.acl).toBeDefined();
  gateway = await startGateway({ dataDir, config: gatehouseConfigSchema.parse({ ...demo, routes }) });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await gateway?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the demo ACL through real OAuth sign-ins', () => {
  let alice: TestOAuthProvider;
  let bob: TestOAuthProvider;
  let aliceClient: Client;
  let bobClient: Client;

  beforeAll(async () => {
    alice = await signIn(ALICE);
    bob = await signIn(BOB);
    aliceClient = (await connect(alice)).client;
    bobClient = (await connect(bob)).client;
  });

  it('the tokens carry the demo groups', async () => {
    expect(decodeJwt((await alice.tokens())!.access_token)).toMatchObject({ sub: 'alice', groups: ['warehouse-ops'] });
    expect(decodeJwt((await bob.tokens())!.access_token)).toMatchObject({ sub: 'bob', groups: ['customer-support'] });
  });

  it('a tool alice may not see does not reveal itself by asking her to step up: the ACL answers', async () => {
    // alice's token has shop:read only; cancel-order needs shop:write, but she may not see it at all.
    const refused = await aliceClient.callTool({ name: 'cancel-order', arguments: { orderId: '1043' } }).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: number },
    );
    expect(refused?.code).toBe(-32602);
    expect(refused?.message).toMatch(/Tool cancel-order is not available to you on this route/);
  });

  it('alice (warehouse-ops) lists exactly her 5 tools', async () => {
    expect(aliceClient.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    expect(await toolNames(aliceClient)).toEqual(ALICE_TOOLS);
  });

  it('bob (customer-support) lists exactly his 7 tools', async () => {
    expect(await toolNames(bobClient)).toEqual(BOB_TOOLS);
  });

  it('a 2026-07-28 client of alice lists the same 5 tools', async () => {
    const { client } = await connect(alice, 'auto');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(await toolNames(client)).toEqual(ALICE_TOOLS);
  });

  it('a filtered list leaves one decision per catalog item in the trace, the hidden ones with their reason', async () => {
    const before = lastSeq();
    await toolNames(aliceClient);
    const decisions = traceSince(before).filter((event): event is DecisionEvent => event.type === 'policy.decision' && event.subject === 'alice');
    expect(decisions).toHaveLength(ALL_TOOLS);
    expect(decisions.every((event) => event.method === 'tools/list' && event.decision.right === 'list')).toBe(true);
    const hidden = decisions.filter((event) => event.decision.effect !== 'allow').map((event) => event.decision.item);
    expect(hidden.sort()).toEqual(['cancel-order', 'get-customer', 'update-customer-contact']);
  });

  describe('alice calling cancel-order with a shop:write token', () => {
    let writerProvider: TestOAuthProvider;
    let writer: Client;
    let error: unknown;
    let unknownToolError: unknown;
    let events: TraceEvent[];

    beforeAll(async () => {
      writerProvider = await signInWriter(ALICE);
      writer = (await connect(writerProvider)).client;
      expect(await orderStatus('1042')).toBe('pending');
      const before = lastSeq();
      error = await writer.callTool({ name: 'cancel-order', arguments: { orderId: '1042', reason: 'acl e2e: alice may not' } }).then(
        (result) => result,
        (e: unknown) => e,
      );
      events = traceSince(before);
      unknownToolError = await writer.callTool({ name: 'cancel-orders', arguments: {} }).then(
        (result) => result,
        (e: unknown) => e,
      );
    });

    it('is refused with -32602, worded exactly as for a tool that does not exist', () => {
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ code: -32602 });
      const message = (error as ProtocolError).message;
      expect(message).toMatch(/Tool cancel-order is not available to you on this route/);
      expect(unknownToolError).toBeInstanceOf(ProtocolError);
      expect(unknownToolError).toMatchObject({ code: -32602 });
      expect((unknownToolError as ProtocolError).message.replaceAll('cancel-orders', 'cancel-order')).toBe(message);
    });

    it('reveals nothing about why', () => {
      const refusal = error as ProtocolError;
      expect(refusal.message).not.toMatch(REVEALING);
      expect(JSON.stringify(refusal.data ?? null)).not.toMatch(REVEALING);
    });

    it('never reached the shop: no upstream.call, and order 1042 is still pending', async () => {
      const upstreamCalls = events.filter((event): event is UpstreamCallEvent => event.type === 'upstream.call' && event.item === 'cancel-order');
      expect(upstreamCalls).toEqual([]);
      expect(await orderStatus('1042')).toBe('pending');
    });

    it('left a policy.decision naming the rule that decided it, with a reason', () => {
      const decision = events.find((event): event is DecisionEvent => event.type === 'policy.decision' && event.decision.item === 'cancel-order');
      expect(decision, `no policy.decision for cancel-order in: ${events.map((e) => e.type).join(', ')}`).toBeDefined();
      expect(decision).toMatchObject({ route: ROUTE, subject: 'alice', groups: ['warehouse-ops'], method: 'tools/call' });
      expect(decision!.decision).toMatchObject({ version: 1, right: 'call', kind: 'tools', item: 'cancel-order' });
      expect(decision!.decision.effect).not.toBe('allow');
      // The demo rule customer-support-only replaces the default for cancel-order and does not
      // apply to alice: nothing allows her, which is a no_match (docs/policy.md, "The decision
      // record") — the rule is named in `considered` and in the reason.
      expect(decision!.decision.effect).toBe('no_match');
      expect(decision!.decision.considered).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'customer-support-only', applies: false, why: expect.stringMatching(/no subject match/) })]),
      );
      expect(decision!.decision.reason).toMatch(/alice/);
      expect(decision!.decision.reason).toMatch(/customer-support-only/);
    });

    it('is refused the same way for a 2026-07-28 client, before any upstream', async () => {
      const { client } = await connect(writerProvider, 'auto');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const before = lastSeq();
      const modernError = await client.callTool({ name: 'cancel-order', arguments: { orderId: '1042' } }).then(
        (result) => result,
        (e: unknown) => e,
      );
      expect(modernError).toBeInstanceOf(ProtocolError);
      expect(modernError).toMatchObject({ code: -32602, message: (error as ProtocolError).message });
      expect(traceSince(before).filter((event) => event.type === 'upstream.call')).toEqual([]);
      expect(await orderStatus('1042')).toBe('pending');
    });

    it('was written to the audit log as a call decision', async () => {
      const lines = await gateway.audit.query({ route: ROUTE, subject: 'alice', item: 'cancel-order', limit: 10 });
      expect(lines[0]).toMatchObject({ v: 1, method: 'tools/call', right: 'call', effect: 'no_match', groups: ['warehouse-ops'] });
      expect(lines[0]!.reason).toMatch(/customer-support-only/);
    });
  });

  describe('bob calling cancel-order with a shop:write token', () => {
    it('works: the shop cancels order 1042, and the decision names rule customer-support-only', async () => {
      const writer = (await connect(await signInWriter(BOB))).client;
      const before = lastSeq();
      const result = (await writer.callTool({ name: 'cancel-order', arguments: { orderId: '1042', reason: 'acl e2e: bob may' } })) as CallToolResult;
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      expect(await orderStatus('1042')).toBe('cancelled');
      const events = traceSince(before);
      expect(events.some((event) => event.type === 'upstream.call' && event.item === 'cancel-order')).toBe(true);
      const decision = events.find((event): event is DecisionEvent => event.type === 'policy.decision' && event.decision.item === 'cancel-order');
      expect(decision?.decision).toMatchObject({ effect: 'allow', rule: { id: 'customer-support-only', effect: 'allow' }, matched: { groups: ['customer-support'] } });
      expect(decision!.decision.reason).toMatch(/bob/);
    });
  });
});

describe('the audit log under load: 1,000 calls, 16 at a time', () => {
  const CALLS = 1000;
  const SKU = 'MUG-CER-350';
  let sessionId: string;
  let clientId: string;
  let outcomes: Array<'ok' | 'refused' | string>;
  /** policy.decision events of the load session, counted as they are emitted (the trace buffer is bounded). */
  let traced: DecisionEvent[];

  beforeAll(async () => {
    const provider = await signInWriter(ALICE);
    clientId = (await provider.clientInformation())!.client_id;
    const { client, transport } = await connect(provider);
    sessionId = transport.sessionId!;
    expect(sessionId).toBeTruthy();
    traced = [];
    const unsubscribe = gateway.trace.subscribe((event) => {
      if (event.type === 'policy.decision' && event.session === sessionId) traced.push(event);
    });
    try {
      // One list too, so the audit holds list lines for this session that the count must account for.
      expect(await toolNames(client)).toEqual(ALICE_TOOLS);
      outcomes = await pool(CALLS, 16, async (index) => {
        const allowed = index % 2 === 0;
        try {
          const result = (await client.callTool(
            allowed ? { name: 'check-inventory', arguments: { sku: SKU } } : { name: 'cancel-order', arguments: { orderId: '1044', reason: `load ${index}` } },
          )) as CallToolResult;
          return result.isError ? `tool error: ${JSON.stringify(result.content)}` : 'ok';
        } catch (e) {
          return e instanceof ProtocolError && e.code === -32602 ? 'refused' : `unexpected: ${String(e)}`;
        }
      });
    } finally {
      unsubscribe();
    }
  }, 300_000);

  it('every allowed call succeeded and every forbidden one was refused', async () => {
    const unexpected = outcomes.filter((outcome) => outcome !== 'ok' && outcome !== 'refused');
    expect(unexpected.slice(0, 3)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(CALLS / 2);
    expect(outcomes.filter((outcome) => outcome === 'refused')).toHaveLength(CALLS / 2);
    expect(await orderStatus('1044')).toBe('pending');
  });

  it('holds exactly one line per decision: 1,000 calls and the list’s 8 items, none missing', async () => {
    const lines = (await gateway.audit.query({ route: ROUTE, subject: 'alice', limit: 1_000_000 })).filter((line) => line.session === sessionId);
    const calls = lines.filter((line) => line.method === 'tools/call');
    const listed = lines.filter((line) => line.method === 'tools/list');
    expect(calls).toHaveLength(CALLS);
    expect(listed).toHaveLength(ALL_TOOLS);
    expect(lines).toHaveLength(CALLS + ALL_TOOLS);

    const allowed = calls.filter((line) => line.item === 'check-inventory');
    const refused = calls.filter((line) => line.item === 'cancel-order');
    expect(allowed).toHaveLength(CALLS / 2);
    expect(refused).toHaveLength(CALLS / 2);
    expect(allowed.every((line) => line.effect === 'allow' && line.rule === 'default' && line.right === 'call')).toBe(true);
    expect(refused.every((line) => line.effect === 'no_match' && line.right === 'call' && /customer-support-only/.test(line.reason))).toBe(true);
    expect(listed.filter((line) => line.effect === 'filtered').map((line) => line.item).sort()).toEqual(['cancel-order', 'get-customer', 'update-customer-contact']);
    expect(lines.every((line) => line.subject === 'alice' && line.client === clientId && line.groups.join() === 'warehouse-ops')).toBe(true);

    // The item filter agrees with the session filter.
    const byItem = (await gateway.audit.query({ route: ROUTE, subject: 'alice', item: 'check-inventory', limit: 1_000_000 })).filter((line) => line.session === sessionId);
    expect(byItem.filter((line) => line.method === 'tools/call')).toHaveLength(CALLS / 2);
    expect(byItem.filter((line) => line.method === 'tools/list')).toHaveLength(1);
  });

  it('matches the trace: one policy.decision per audit line', () => {
    expect(traced.filter((event) => event.method === 'tools/call')).toHaveLength(CALLS);
    expect(traced.filter((event) => event.method === 'tools/list')).toHaveLength(ALL_TOOLS);
  });

  it('never holds an access token, refresh token or authorization code', async () => {
    expect(secrets.size).toBeGreaterThanOrEqual(8);
    const dir = path.join(dataDir, 'audit');
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const secret of secrets) expect(text.includes(secret), `${file} holds a secret`).toBe(false);
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
      expect(text).not.toMatch(/bearer/i);
    }
  });
});

describe('persona preview', () => {
  let aliceList: string[];
  let bobList: string[];

  beforeAll(async () => {
    aliceList = await toolNames((await connect(await signIn(ALICE))).client);
    bobList = await toolNames((await connect(await signIn(BOB))).client);
  });

  it('alice as a built-in user sees what her real tools/list shows', () => {
    const preview = gateway.previewPersona(ROUTE, { user: 'alice' });
    expect(preview).toMatchObject({ subject: 'alice', groups: ['warehouse-ops'], enforced: true });
    expect(preview.tools).toHaveLength(ALL_TOOLS);
    expect(preview.tools.filter((tool) => tool.visible).map((tool) => tool.name)).toEqual(aliceList);
    expect(aliceList).toEqual(ALICE_TOOLS);
  });

  it('hand-entered claims of a customer-support member see what bob’s real tools/list shows', () => {
    const preview = gateway.previewPersona(ROUTE, { claims: { sub: 'carol', groups: ['customer-support'] } });
    expect(preview).toMatchObject({ subject: 'carol', groups: ['customer-support'], enforced: true });
    expect(preview.tools.filter((tool) => tool.visible).map((tool) => tool.name)).toEqual(bobList);
    expect(bobList).toEqual(BOB_TOOLS);
  });

  it('gives every hidden item its list and call decisions, each with a reason', () => {
    for (const persona of [{ user: 'alice' }, { claims: { sub: 'carol', groups: ['customer-support'] } }]) {
      const preview = gateway.previewPersona(ROUTE, persona);
      const hidden = preview.tools.filter((tool) => !tool.visible);
      expect(hidden).toHaveLength(ALL_TOOLS - preview.tools.filter((tool) => tool.visible).length);
      expect(hidden.length).toBeGreaterThan(0);
      for (const tool of hidden) {
        expect(tool.callable, tool.name).toBe(false);
        expect(tool.list).toMatchObject({ right: 'list', kind: 'tools', item: tool.name });
        expect(tool.list.effect).not.toBe('allow');
        expect(tool.call.effect).not.toBe('allow');
        expect(tool.list.reason, tool.name).toMatch(new RegExp(`${preview.subject}.*${tool.name}`));
        expect(tool.call.reason, tool.name).toMatch(new RegExp(`${preview.subject}.*${tool.name}`));
      }
      for (const tool of preview.tools.filter((t) => t.visible)) {
        expect(tool.callable, tool.name).toBe(true);
        expect(tool.list.rule?.id, tool.name).toBeDefined();
      }
    }
  });

  it('carol’s hidden restock-item names the rule that keeps it for warehouse-ops', () => {
    const restock = gateway.previewPersona(ROUTE, { claims: { sub: 'carol', groups: ['customer-support'] } }).tools.find((tool) => tool.name === 'restock-item')!;
    expect(restock.visible).toBe(false);
    expect(restock.list.reason).toMatch(/warehouse-ops-only/);
  });
});
