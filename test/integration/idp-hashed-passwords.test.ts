/**
 * Built-in IdP users whose config keeps only a salted scrypt hash of the password
 * (`password_hash`), against a real gateway and its real built-in IdP: the MCP SDK's OAuth client
 * signs in with the right password and is refused with a wrong one (a plaintext user beside it
 * keeps working), and the window's test client asks for the password it cannot know
 * (`password_needed`), signs in with it when typed, and fails its login step — not the request —
 * when it is wrong. The password never appears in the trace or a session record.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { closeTestClients, testClientRouter } from '../../main/admin/test-client-router.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { hashPassword } from '../../main/idp/password-hash.js';
import type { AdminError, TestClientSession, TestClientStepName } from '../../shared/admin-api.js';
import { createTestOAuthProvider, LoginRejected, type LoginCredentials } from '../helpers/oauth-login.js';

const ROUTE = '/ecommerce-mcp';
const OPEN_ROUTE = '/open-shop';
/** Long and unusual, so a leak is found by a plain substring search. */
const ALICE_PASSWORD = 'hashed-alice-wombat-9183-staple';
const WRONG_PASSWORD = 'not-alices-password-5521';

let shop: RunningShopApi;
let gateway: RunningGateway;
let dataDir: string;
let admin: Server;
let base: string;
const clients: Client[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-hashed-passwords-'));
  shop = await startShopApi();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  const shopRoute = demo.routes.find((route) => route.path === ROUTE)!;
  const config = gatehouseConfigSchema.parse({
    ...demo,
    idp: {
      kind: 'builtin',
      port: 0,
      users: [
        { username: 'alice', password_hash: await hashPassword(ALICE_PASSWORD), groups: ['warehouse-ops'] },
        { username: 'bob', password: 'demo', groups: ['customer-support'] },
      ],
    },
    routes: [shopRoute, { ...shopRoute, path: OPEN_ROUTE, auth: undefined, acl: undefined }],
  });
  gateway = await startGateway({ dataDir, config });
  const app = express();
  app.use('/api/test-client', testClientRouter({ gateway }));
  admin = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  base = `http://127.0.0.1:${(admin.address() as AddressInfo).port}/api/test-client`;
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await closeTestClients();
  await new Promise((resolve) => admin?.close(resolve));
  await gateway?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The MCP SDK's OAuth client against the route, signing in on the IdP's own pages with these credentials. */
async function connectAs(credentials: LoginCredentials): Promise<Client> {
  const provider = createTestOAuthProvider({ credentials });
  const first = new Client({ name: 'hashed-password-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  clients.push(first);
  // The first connect runs the whole authorization (the provider's "browser" signs in) and ends
  // in UnauthorizedError, unless the sign-in itself was refused: that error comes out as it is.
  const outcome = await first.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider })).then(
    () => new Error('connected without signing in'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof UnauthorizedError)) throw outcome;
  const transport = new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider });
  await transport.finishAuth(provider.callbackParams!);
  const client = new Client({ name: 'hashed-password-test', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url(ROUTE)), { authProvider: provider }));
  return client;
}

async function api<T = TestClientSession>(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${pathname}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

function stepOf(session: TestClientSession, name: TestClientStepName) {
  return session.steps.find((step) => step.name === name)!;
}

describe('the built-in IdP with a password_hash user', () => {
  it('signs alice in with the right password, and her token opens the route', async () => {
    const client = await connectAs({ username: 'alice', password: ALICE_PASSWORD });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('list-orders');
  });

  it('refuses alice with a wrong password, and with the stored hash typed as the password', async () => {
    await expect(connectAs({ username: 'alice', password: WRONG_PASSWORD })).rejects.toBeInstanceOf(LoginRejected);
    const hash = gateway.config.idp!.users.find((user) => user.username === 'alice')!.password_hash!;
    await expect(connectAs({ username: 'alice', password: hash })).rejects.toBeInstanceOf(LoginRejected);
  });

  it('keeps signing in a plaintext user beside it, and refuses an unknown one', async () => {
    const client = await connectAs({ username: 'bob', password: 'demo' });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await expect(connectAs({ username: 'mallory', password: ALICE_PASSWORD })).rejects.toBeInstanceOf(LoginRejected);
  });

  it('never puts the password into the trace', () => {
    const trace = JSON.stringify(gateway.trace.recent());
    expect(trace).toContain('"idp.step"');
    expect(trace).not.toContain(ALICE_PASSWORD);
    expect(trace).not.toContain(WRONG_PASSWORD);
  });
});

describe("the window's test client with a password_hash user", () => {
  it('asks for the password it cannot know: password_needed, with the fix', async () => {
    const answer = await api<AdminError>('POST', '/sessions', { route: ROUTE, user: 'alice' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('password_needed');
    expect(answer.body.message).toMatch(/alice's password is stored hashed in the config \(password_hash\).*type the password in/);
  });

  it('signs in with the typed password and connects; the record says "(hidden)", never the password', async () => {
    const created = await api('POST', '/sessions', { route: ROUTE, user: 'alice', password: ALICE_PASSWORD });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.user).toBe('alice');
    const done = await api('POST', `/sessions/${created.body.id}/run`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const login = stepOf(done.body, 'login');
    expect(login.status, login.error).toBe('ok');
    expect(login.summary).toMatch(/^signed in as alice \(login → consent\)/);
    expect(login.detail).toMatchObject({ user: 'alice', password: '(hidden)' });
    expect(done.body.state).toBe('connected');
    expect(JSON.stringify(done.body)).not.toContain(ALICE_PASSWORD);
    await api('DELETE', `/sessions/${created.body.id}`);
  });

  it('a wrong typed password fails the login step as a refused sign-in, not the request', async () => {
    const created = await api('POST', '/sessions', { route: ROUTE, user: 'alice', password: WRONG_PASSWORD });
    expect(created.status).toBe(201);
    const failed = await api('POST', `/sessions/${created.body.id}/run`);
    expect(failed.status).toBe(200);
    expect(failed.body.state).toBe('failed');
    const login = stepOf(failed.body, 'login');
    expect(login.status).toBe('error');
    expect(login.error).toMatch(/refused the sign-in: Wrong username or password/);
    expect(stepOf(failed.body, 'token').status).toBe('pending');
    expect(JSON.stringify(failed.body)).not.toContain(WRONG_PASSWORD);
  });

  it('a plaintext user still needs no password typed', async () => {
    const created = await api('POST', '/sessions', { route: ROUTE, user: 'bob' });
    expect(created.status).toBe(201);
    const done = await api('POST', `/sessions/${created.body.id}/run`);
    expect(done.body.state).toBe('connected');
  });

  it('a route without sign-in needs no password, even for alice', async () => {
    const created = await api('POST', '/sessions', { route: OPEN_ROUTE, user: 'alice' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const done = await api('POST', `/sessions/${created.body.id}/run`);
    expect(done.body.state).toBe('connected');
  });

  it('a password without a user is a bad request that says so', async () => {
    const answer = await api<AdminError>('POST', '/sessions', { route: ROUTE, password: ALICE_PASSWORD });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/password was sent without a user/) });
    expect(JSON.stringify(answer.body)).not.toContain(ALICE_PASSWORD);
  });
});
