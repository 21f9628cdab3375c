/**
 * The window's built-in test client, driven through its admin endpoints against a real gateway
 * running the demo config with the built-in IdP: the guided OAuth flow step by step and in one
 * go, as a demo user and through a "browser" (the test's own sign-in helper standing in for the
 * user at the authorization URL), a route without auth, tool calls through the real ACL, the
 * errors a window can cause, and that no step record carries a whole secret.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { closeTestClients, testClientRouter } from '../../main/admin/test-client-router.js';
import { gatehouseConfigSchema, type GatehouseConfig, type IdpUser } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { AdminError, TestClientSession, TestClientStepName, ToolCallOutcome } from '../../shared/admin-api.js';
import type { DecisionEvent, IdpStepEvent, OAuthClientStepEvent, TraceEvent } from '../../shared/trace-events.js';
import { completeAuthorization } from '../helpers/oauth-login.js';

const ROUTE = '/ecommerce-mcp';
/** The demo shop again, without auth: what a route that needs no sign-in looks like. */
const OPEN_ROUTE = '/open-shop';
/** docs/policy.md, "The demo ACL", in catalog order. */
const ALICE_TOOLS = ['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'restock-item'];
const CI_JOB = { client_id: 'ci-job', client_secret: 'ci-Secret-xyz-4242', groups: ['customer-support'] };
const BOB_TOOLS = ['list-orders', 'get-order', 'cancel-order', 'list-inventory', 'check-inventory', 'get-customer', 'update-customer-contact'];
const STEPS: TestClientStepName[] = ['probe', 'resource-metadata', 'authorization-server-metadata', 'registration', 'authorize', 'login', 'token', 'initialize', 'list-tools'];
const OAUTH_STEPS = STEPS.slice(1, 7);

let shop: RunningShopApi;
let gateway: RunningGateway;
let config: GatehouseConfig;
let dataDir: string;
const admins: Array<{ server: Server; base: string }> = [];
/** Every token, code and cookie that went over the wire (seen by a pass-through fetch): none may appear in a step record. */
const secrets = new Set<string>();
const realFetch = globalThis.fetch;

function collectSecrets(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string' && /^(access_token|refresh_token|id_token|registration_access_token|code)$/.test(key)) secrets.add(inner);
    else collectSecrets(inner);
  }
}

/** Watches the traffic without changing it: token responses, codes in redirects, cookies. */
async function watchingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await realFetch(input, init);
  for (const cookie of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = cookie.split(';');
    const value = pair.slice(pair.indexOf('=') + 1);
    // An interaction id is in the IdP's own URLs (and its cookie's path): a handle, not a secret.
    if (value.length > 16 && !attributes.join(';').includes(value)) secrets.add(value);
  }
  const location = response.headers.get('location');
  if (location) {
    const code = new URL(location, String(input instanceof Request ? input.url : input)).searchParams.get('code');
    if (code) secrets.add(code);
  }
  if (response.headers.get('content-type')?.includes('json')) {
    collectSecrets(await response.clone().json().catch(() => undefined));
  }
  return response;
}

async function mountAdmin(options: { idpUsers?: () => readonly IdpUser[]; idleMs?: number } = {}): Promise<string> {
  const app = express();
  app.use('/api/test-client', testClientRouter({ gateway, ...options }));
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/test-client`;
  admins.push({ server, base });
  return base;
}

interface Answer<T> {
  status: number;
  body: T;
}

async function api<T = TestClientSession>(base: string, method: string, pathname: string, body?: unknown): Promise<Answer<T>> {
  const response = await realFetch(`${base}${pathname}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function createSession(base: string, body: Record<string, unknown>): Promise<TestClientSession> {
  const answer = await api(base, 'POST', '/sessions', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

function stepOf(session: TestClientSession, name: TestClientStepName) {
  return session.steps.find((step) => step.name === name)!;
}

function traceSince(seq: number): TraceEvent[] {
  return gateway.trace.recent().filter((event) => event.seq > seq);
}

function lastSeq(): number {
  return gateway.trace.recent().at(-1)?.seq ?? 0;
}

let base: string;

beforeAll(async () => {
  vi.spyOn(globalThis, 'fetch').mockImplementation(watchingFetch);
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-test-client-'));
  shop = await startShopApi();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  const shopRoute = demo.routes.find((route) => route.path === ROUTE)!;
  // No /everything: it would spawn server-everything for nothing.
  const open = { ...shopRoute, path: OPEN_ROUTE, auth: undefined, acl: undefined };
  // A machine client besides the demo's, with a secret that can be searched for.
  const idp = { ...demo.idp!, clients: [...demo.idp!.clients, CI_JOB] };
  config = gatehouseConfigSchema.parse({ ...demo, idp, routes: [shopRoute, open] });
  gateway = await startGateway({ dataDir, config });
  base = await mountAdmin();
});

afterAll(async () => {
  await closeTestClients();
  await Promise.all(admins.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  await gateway?.close();
  await shop?.close();
  vi.restoreAllMocks();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('as alice, step by step', () => {
  let session: TestClientSession;
  const snapshots: TestClientSession[] = [];
  let startSeq: number;

  beforeAll(async () => {
    startSeq = lastSeq();
    session = await createSession(base, { route: ROUTE, user: 'alice' });
    for (const _ of STEPS) {
      const answer = await api(base, 'POST', `/sessions/${session.id}/step`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      snapshots.push(answer.body);
    }
    session = snapshots.at(-1)!;
  });

  it('starts with every step pending', async () => {
    const fresh = await createSession(base, { route: ROUTE, user: 'alice' });
    expect(fresh).toMatchObject({ route: ROUTE, user: 'alice', state: 'new' });
    expect(fresh.steps.map((step) => [step.name, step.status])).toEqual(STEPS.map((name) => [name, 'pending']));
    await api(base, 'DELETE', `/sessions/${fresh.id}`);
  });

  it('runs one step per request, in the guided order, each with a summary and a duration', () => {
    snapshots.forEach((snapshot, index) => {
      const statuses = snapshot.steps.map((step) => step.status);
      expect(statuses.slice(0, index + 1).every((status) => status === 'ok'), `after step ${STEPS[index]}: ${JSON.stringify(snapshot.steps[index])}`).toBe(true);
      expect(statuses.slice(index + 1).every((status) => status === 'pending')).toBe(true);
      const step = snapshot.steps[index]!;
      expect(step.name).toBe(STEPS[index]);
      expect(step.summary).toBeTruthy();
      expect(step.summary).not.toContain('\n');
      expect(typeof step.durationMs).toBe('number');
    });
    expect(snapshots[0]!.state).toBe('authorizing');
    expect(snapshots[6]!.state).toBe('authorizing');
    expect(snapshots[7]!.state).toBe('connected');
  });

  it('probes with an initialize and reads the 401 challenge', () => {
    const probe = stepOf(session, 'probe');
    expect(probe.summary).toMatch(/^401 with resource_metadata=.*\/\.well-known\/oauth-protected-resource\/ecommerce-mcp/);
    expect(probe.detail).toMatchObject({ exchanges: [expect.objectContaining({ method: 'POST', status: 401, request: expect.objectContaining({ body: expect.objectContaining({ method: 'initialize' }) }) })] });
  });

  it('finds the resource and authorization server metadata, registers, and builds a PKCE S256 request with state and resource', () => {
    expect(stepOf(session, 'resource-metadata').detail).toMatchObject({ metadata: { resource: gateway.url(ROUTE), authorization_servers: [gateway.idp!.issuer] } });
    expect(stepOf(session, 'authorization-server-metadata').detail).toMatchObject({ metadata: { issuer: gateway.idp!.issuer } });
    const registration = stepOf(session, 'registration');
    expect(registration.summary).toMatch(/registered client \S+ \(public client, redirect http:\/\/127\.0\.0\.1:\d+\/callback\)/);
    const params = (stepOf(session, 'authorize').detail as { params: Record<string, string> }).params;
    expect(params).toMatchObject({ response_type: 'code', code_challenge_method: 'S256', resource: gateway.url(ROUTE), scope: expect.stringContaining('shop:read') });
    expect(params.state).toMatch(/^[\w-]{16,}$/);
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
  });

  it('signs in as alice on the IdP\'s own pages and checks state and iss on the way back', () => {
    const login = stepOf(session, 'login');
    expect(login.summary).toMatch(/^signed in as alice \(login → consent\); code \S+ received, state matches, iss http:\/\/127\.0\.0\.1:\d+ matches$/);
    expect(login.detail).toMatchObject({ user: 'alice', password: '(hidden)', pages: ['login', 'consent'] });
  });

  it('exchanges the code for a JWT for the route, and shows its claims decoded', () => {
    const token = stepOf(session, 'token');
    expect(token.summary).toMatch(/^JWT access token \S+…\S+ with scope .*shop:read/);
    const jwts = (token.detail as { jwts: Array<{ where: string; claims: Record<string, unknown> }> }).jwts;
    expect(jwts.find((jwt) => jwt.where === 'tokens.access_token')?.claims).toMatchObject({ sub: 'alice', groups: ['warehouse-ops'], aud: gateway.url(ROUTE) });
    const tokenRequest = (token.detail as { exchanges: Array<{ request: { body: Record<string, string> } }> }).exchanges[0]!.request.body;
    expect(tokenRequest).toMatchObject({ grant_type: 'authorization_code', resource: gateway.url(ROUTE) });
    expect(tokenRequest.code_verifier).toMatch(/…/);
  });

  it('connects with the token and lists exactly alice\'s 5 tools', () => {
    expect(session.state).toBe('connected');
    expect(stepOf(session, 'initialize').summary).toMatch(/^connected to .+, protocol 2025-11-25 with the bearer token$/);
    expect(session.tools?.map((tool) => tool.name)).toEqual(ALICE_TOOLS);
    expect(stepOf(session, 'list-tools').summary).toBe(`5 tools: ${ALICE_TOOLS.join(', ')}`);
  });

  it('has no step left after list-tools', async () => {
    const answer = await api<AdminError>(base, 'POST', `/sessions/${session.id}/step`);
    expect(answer.status).toBe(409);
    expect(answer.body.error).toBe('no_more_steps');
  });

  it('calls an allowed tool through the gateway', async () => {
    const answer = await api<ToolCallOutcome>(base, 'POST', `/sessions/${session.id}/call`, { tool: 'check-inventory', arguments: { sku: 'MUG-CER-350' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ tool: 'check-inventory', ok: true });
    expect(JSON.stringify(answer.body.result)).toContain('MUG-CER-350');
  });

  it('gets the gateway\'s refusal for cancel-order, which leaves a decision in the trace', async () => {
    const before = lastSeq();
    const answer = await api<ToolCallOutcome>(base, 'POST', `/sessions/${session.id}/call`, { tool: 'cancel-order', arguments: { orderId: '1042' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ tool: 'cancel-order', ok: false, error: { code: -32602, message: expect.stringMatching(/Tool cancel-order is not available to you on this route/) } });
    const decision = traceSince(before).find((event): event is DecisionEvent => event.type === 'policy.decision' && event.decision.item === 'cancel-order');
    expect(decision).toMatchObject({ route: ROUTE, subject: 'alice', method: 'tools/call' });
    expect(decision!.decision.effect).not.toBe('allow');
  });

  it('shows a tool alice may call but her shop:read token does not cover as the gateway\'s 403 step-up answer', async () => {
    const answer = await api<ToolCallOutcome>(base, 'POST', `/sessions/${session.id}/call`, { tool: 'restock-item', arguments: { sku: 'MUG-CER-350', quantity: 1 } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ tool: 'restock-item', ok: false, error: { code: 403, message: expect.stringMatching(/^403 insufficient_scope: the gateway wants the scope\(s\) .*shop:write/) } });
  });

  it('left its steps in the trace: the test client\'s own, the IdP\'s and the gateway\'s token check', () => {
    const events = traceSince(startSeq);
    const clientSteps = events.filter((event): event is OAuthClientStepEvent => event.type === 'oauth.client' && event.upstream === 'test-client' && event.route === ROUTE);
    expect(clientSteps.slice(0, 6).map((event) => [event.step, event.outcome])).toEqual([
      ['resource-metadata', 'ok'],
      ['authorization-server-metadata', 'ok'],
      ['registration', 'ok'],
      ['authorize', 'ok'],
      ['callback', 'ok'],
      ['token', 'ok'],
    ]);
    const idpSteps = events.filter((event): event is IdpStepEvent => event.type === 'idp.step' && event.outcome === 'ok').map((event) => event.step);
    expect(idpSteps).toEqual(expect.arrayContaining(['registration', 'login', 'consent', 'token']));
    expect(events.some((event) => event.type === 'auth.token' && event.outcome === 'valid' && event.subject === 'alice')).toBe(true);
  });

  it('keeps every whole token and code out of the step records', async () => {
    const record = JSON.stringify((await api(base, 'GET', `/sessions/${session.id}`)).body);
    expect(secrets.size).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) expect(record, `a secret starting ${secret.slice(0, 6)} is in the record`).not.toContain(secret);
    expect(record).not.toMatch(/"password":"demo"/);
  });
});

describe('run-all', () => {
  it('as alice reaches the same end in one request', async () => {
    const session = await createSession(base, { route: ROUTE, user: 'alice' });
    const answer = await api(base, 'POST', `/sessions/${session.id}/run`);
    expect(answer.status).toBe(200);
    expect(answer.body.state).toBe('connected');
    expect(answer.body.steps.map((step) => [step.name, step.status])).toEqual(STEPS.map((name) => [name, 'ok']));
    expect(answer.body.tools?.map((tool) => tool.name)).toEqual(ALICE_TOOLS);
    const refused = await api<ToolCallOutcome>(base, 'POST', `/sessions/${session.id}/call`, { tool: 'cancel-order', arguments: { orderId: '1042' } });
    expect(refused.body).toMatchObject({ ok: false, error: { code: -32602 } });
    const record = JSON.stringify(answer.body);
    for (const secret of secrets) expect(record).not.toContain(secret);
  });

  it('as bob lists his 7 tools', async () => {
    const session = await createSession(base, { route: ROUTE, user: 'bob' });
    const answer = await api(base, 'POST', `/sessions/${session.id}/run`);
    expect(answer.body.tools?.map((tool) => tool.name)).toEqual(BOB_TOOLS);
  });

  it("as a machine client: no registration or sign-in, a client_credentials token, its group's tools, its secret nowhere", async () => {
    const seq = lastSeq();
    const session = await createSession(base, { route: ROUTE, user: CI_JOB.client_id });
    expect(session).toMatchObject({ user: CI_JOB.client_id, machine: true });
    const answer = await api(base, 'POST', `/sessions/${session.id}/run`);
    expect(answer.body.state).toBe('connected');
    const personOnly = new Set(['registration', 'authorize', 'login']);
    expect(answer.body.steps.map((step) => [step.name, step.status])).toEqual(STEPS.map((name) => [name, personOnly.has(name) ? 'skipped' : 'ok']));
    expect(stepOf(answer.body, 'login').summary).toMatch(/machine client/);
    expect(stepOf(answer.body, 'token').summary).toMatch(/^JWT access token/);
    expect(answer.body.tools?.map((tool) => tool.name)).toEqual(BOB_TOOLS);
    const idpToken = traceSince(seq).find((event): event is IdpStepEvent => event.type === 'idp.step' && event.step === 'token');
    expect(idpToken).toMatchObject({ outcome: 'ok', clientId: CI_JOB.client_id, detail: expect.stringContaining('client_credentials') });
    const record = JSON.stringify(answer.body);
    expect(record).toContain(`Basic ${CI_JOB.client_id}:(secret hidden)`);
    expect(record).not.toContain(CI_JOB.client_secret);
    expect(JSON.stringify(traceSince(seq))).not.toContain(CI_JOB.client_secret);
    for (const secret of secrets) expect(record).not.toContain(secret);

    const withPassword = await api<AdminError>(base, 'POST', '/sessions', { route: ROUTE, user: CI_JOB.client_id, password: 'demo' });
    expect(withPassword).toMatchObject({ status: 400, body: { message: expect.stringMatching(/machine client.*not a password/) } });
  });

  it('on a route without auth, skips the OAuth steps', async () => {
    const session = await createSession(base, { route: OPEN_ROUTE });
    const answer = await api(base, 'POST', `/sessions/${session.id}/run`);
    expect(answer.body.state).toBe('connected');
    expect(stepOf(answer.body, 'probe')).toMatchObject({ status: 'ok', summary: expect.stringMatching(/^200 without a token: the route needs no auth/) });
    for (const name of OAUTH_STEPS) expect(stepOf(answer.body, name).status, name).toBe('skipped');
    expect(stepOf(answer.body, 'initialize').summary).not.toMatch(/bearer token/);
    expect(answer.body.tools).toHaveLength(8);
    const call = await api<ToolCallOutcome>(base, 'POST', `/sessions/${session.id}/call`, { tool: 'get-order', arguments: { orderId: '1042' } });
    expect(call.body).toMatchObject({ ok: true });
  });
});

describe('sign-in through the browser', () => {
  it('waits at the login step with the authorization URL, and carries on when the browser comes back', async () => {
    const session = await createSession(base, { route: ROUTE });
    const waiting = (await api(base, 'POST', `/sessions/${session.id}/run`)).body;
    expect(waiting.state).toBe('waiting_for_browser');
    expect(stepOf(waiting, 'token').status).toBe('pending');
    const authorizationUrl = new URL(waiting.authorizationUrl!);
    expect(authorizationUrl.origin).toBe(gateway.idp!.issuer);

    const early = await api<AdminError>(base, 'POST', `/sessions/${session.id}/step`);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: 'waiting_for_browser', message: expect.stringContaining(authorizationUrl.origin) });

    // The user at the browser: signs in, and the browser follows the redirect to the loopback listener.
    const returned = await completeAuthorization(authorizationUrl, { username: 'alice', password: 'demo' });
    secrets.add(returned.code);
    const landed = await realFetch(returned.redirectUrl);
    expect(landed.status).toBe(200);
    expect(await landed.text()).toContain('You can close this tab');

    await vi.waitFor(
      async () => {
        const now = (await api(base, 'GET', `/sessions/${session.id}`)).body;
        expect(now.steps.at(-1)!.status).toBe('ok');
      },
      { timeout: 20_000, interval: 100 },
    );
    const done = (await api(base, 'GET', `/sessions/${session.id}`)).body;
    expect(done.state).toBe('connected');
    expect(done.authorizationUrl).toBeUndefined();
    expect(stepOf(done, 'login').summary).toMatch(/state matches/);
    expect(done.tools?.map((tool) => tool.name)).toEqual(ALICE_TOOLS);
  });
});

describe('what the window can get wrong', () => {
  it('an unknown route names the routes there are', async () => {
    const answer = await api<AdminError>(base, 'POST', '/sessions', { route: '/nope', user: 'alice' });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe('unknown_route');
    expect(answer.body.message).toContain('/nope');
    expect(answer.body.message).toContain(ROUTE);
  });

  it('an unknown user names the users there are', async () => {
    const answer = await api<AdminError>(base, 'POST', '/sessions', { route: ROUTE, user: 'mallory' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'unknown_user', message: expect.stringMatching(/no user or machine client mallory.*alice, bob, demo-agent, ci-job/) });
  });

  it('a body without a route, and one that is not JSON, are 400s', async () => {
    const missing = await api<AdminError>(base, 'POST', '/sessions', { user: 'alice' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/route/) });
    const broken = await realFetch(`${base}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{route' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: 'bad_request' });
  });

  it('an unknown or deleted session is a 404; calling before connecting is a 409', async () => {
    expect((await api<AdminError>(base, 'POST', '/sessions/nope/step')).body.error).toBe('unknown_session');
    const session = await createSession(base, { route: ROUTE, user: 'alice' });
    const early = await api<AdminError>(base, 'POST', `/sessions/${session.id}/call`, { tool: 'list-orders' });
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('not_connected');
    const closed = await api(base, 'DELETE', `/sessions/${session.id}`);
    expect(closed.body.state).toBe('closed');
    expect((await api<AdminError>(base, 'GET', `/sessions/${session.id}`)).status).toBe(404);
  });

  it('a refused sign-in fails the login step with the fix, and no step runs after it', async () => {
    const wrongPassword = await mountAdmin({ idpUsers: () => [{ username: 'alice', password: 'not-her-password', groups: [] }] });
    const session = await createSession(wrongPassword, { route: ROUTE, user: 'alice' });
    const failed = (await api(wrongPassword, 'POST', `/sessions/${session.id}/run`)).body;
    expect(failed.state).toBe('failed');
    const login = stepOf(failed, 'login');
    expect(login.status).toBe('error');
    expect(login.error).toMatch(/refused the sign-in: Wrong username or password — check the password \(the one you typed, or the user's under idp\.users/);
    expect(stepOf(failed, 'token').status).toBe('pending');
    expect(JSON.stringify(failed)).not.toContain('not-her-password');
    const after = await api<AdminError>(wrongPassword, 'POST', `/sessions/${session.id}/step`);
    expect(after.status).toBe(409);
    expect(after.body).toMatchObject({ error: 'session_failed', message: expect.stringMatching(/step login failed: .* start a new session/) });
  });

  it('an idle session expires', async () => {
    const quick = await mountAdmin({ idleMs: 50 });
    const session = await createSession(quick, { route: ROUTE, user: 'alice' });
    await vi.waitFor(async () => expect((await api(quick, 'GET', `/sessions/${session.id}`)).status).toBe(404), { timeout: 10_000, interval: 50 });
  });
});

describe('shutdown', () => {
  it('closeTestClients closes every session, and a waiting loopback listener with it', async () => {
    const session = await createSession(base, { route: ROUTE });
    const waiting = (await api(base, 'POST', `/sessions/${session.id}/run`)).body;
    const redirect = new URL(waiting.authorizationUrl!).searchParams.get('redirect_uri')!;
    expect((await realFetch(`${redirect}-not-the-callback`)).status).toBe(404);
    await closeTestClients();
    await expect(realFetch(redirect)).rejects.toThrow();
  });
});
