/**
 * The admin API against the real demo, started the way the CLI and the Electron shell start it
 * (launchGatehouse): who may call it (token, Origin, Host), what it says about routes, catalogs
 * and decisions, the live event stream, the ACL matrix round trip through a real YAML file and a
 * gateway reload, settings, and the window's own page with its CSP. Alice signs in with the MCP
 * SDK's OAuth client against the built-in IdP, so decisions and trace events come from real traffic.
 */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import type { AclMatrix, AdminError, AdminStreamMessage, CatalogView, ClientConfigSnippet, DecisionRecord, DoctorReport, Overview, RouteSummary, Settings } from '../../shared/admin-api.js';
import type { TraceEvent } from '../../shared/trace-events.js';
import { CONTENT_SECURITY_POLICY } from '../../main/admin/renderer-static.js';
import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { parseConfig } from '../../main/config/load-config.js';
import { createTestOAuthProvider } from '../helpers/oauth-login.js';

const SHOP = '/ecommerce-mcp';
const ALICE_TOOLS = ['list-orders', 'get-order', 'list-inventory', 'check-inventory', 'restock-item'];
const HIDDEN_FROM_ALICE = ['cancel-order', 'get-customer', 'update-customer-contact'];

const run = promisify(execFile);
let launched: LaunchedGatehouse;
let dataDir: string;
let rendererDir: string;
const clients: Client[] = [];

function api(pathname: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const { token = launched.admin.token, headers, ...rest } = init;
  return fetch(`${launched.admin.url}${pathname}`, {
    ...rest,
    headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...(rest.body ? { 'content-type': 'application/json' } : {}), ...headers },
  });
}

async function json<T>(pathname: string, init: RequestInit = {}): Promise<T> {
  const response = await api(pathname, init);
  const body = (await response.json()) as T | AdminError;
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${JSON.stringify(body)}`);
  return body as T;
}

/** fetch cannot set Host; node:http can, for the DNS-rebinding check. */
function rawGet(pathname: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${launched.admin.url}${pathname}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function visibleTools(user: string): Promise<string[]> {
  const view = await json<CatalogView>(`/api/catalog?route=${encodeURIComponent(SHOP)}&user=${user}`);
  return view.items.filter((item) => item.kind === 'tools' && item.visible).map((item) => item.name);
}

/** Reads an SSE body as messages, one per `data:` line group. */
async function* sseMessages(response: Response): AsyncGenerator<AdminStreamMessage> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      if (data) yield JSON.parse(data) as AdminStreamMessage;
    }
  }
}

async function signInAlice(): Promise<Client> {
  const url = new URL(launched.gateway.url(SHOP));
  const provider = createTestOAuthProvider({ credentials: { username: 'alice', password: 'demo' } });
  const first = new Client({ name: 'admin-api-test', version: '1.0.0' });
  await expect(first.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }))).rejects.toBeInstanceOf(UnauthorizedError);
  const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
  await transport.finishAuth(provider.callbackParams!);
  const client = new Client({ name: 'admin-api-test', version: '1.0.0' });
  clients.push(client);
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  return client;
}

beforeAll(async () => {
  // No session bus: the settings screen reports the keychain as unavailable, and a developer's real keyring is never touched.
  for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY']) delete process.env[name];
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-admin-api-'));
  rendererDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-admin-renderer-'));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Gatehouse</title><script type="module" src="./app.js"></script>');
  await writeFile(path.join(rendererDir, 'app.js'), 'console.log("window")');
  launched = await launchGatehouse({ demo: true, port: 0, dataDir, rendererDir });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await launched?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(rendererDir, { recursive: true, force: true });
});

describe('who may call the admin API', () => {
  it('refuses a request without the token, and one with a wrong token, with 401', async () => {
    for (const token of [null, 'not-the-token']) {
      const response = await api('/api/overview', { token });
      expect(response.status).toBe(401);
      const body = (await response.json()) as AdminError;
      expect(body.error).toBe('unauthorized');
      expect(body.message).toMatch(/token/);
    }
  });

  it('refuses a page of another origin with 403, even with the token', async () => {
    const auth = { authorization: `Bearer ${launched.admin.token}` };
    const foreign = await rawGet('/api/overview', { ...auth, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((JSON.parse(foreign.body) as AdminError).error).toBe('forbidden_origin');
    const own = await rawGet('/api/overview', { ...auth, origin: launched.admin.url });
    expect(own.status).toBe(200);
  });

  it('refuses a Host that is not this server (DNS rebinding) with 403', async () => {
    const response = await rawGet('/api/overview', { authorization: `Bearer ${launched.admin.token}`, host: `evil.example:${launched.admin.port}` });
    expect(response.status).toBe(403);
    expect((JSON.parse(response.body) as AdminError).error).toBe('forbidden_host');
    const localhost = await rawGet('/api/overview', { authorization: `Bearer ${launched.admin.token}`, host: `localhost:${launched.admin.port}` });
    expect(localhost.status).toBe(200);
  });

  it('sends no CORS headers and keeps answers out of caches', async () => {
    const response = await api('/api/overview');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('gives the window URL with the token in the fragment', () => {
    expect(launched.admin.windowUrl).toBe(`${launched.admin.url}/#token=${launched.admin.token}`);
    expect(launched.admin.token.length).toBeGreaterThanOrEqual(43);
  });
});

describe('overview, routes and client configs', () => {
  it('describes the running demo', async () => {
    const overview = await json<Overview>('/api/overview');
    expect(overview.demo).toBe(true);
    expect(overview.desktop).toBe(false);
    expect(overview.listen.port).toBe(launched.gateway.port);
    expect(overview.gatewayUrl).toBe(`http://127.0.0.1:${launched.gateway.port}`);
    expect(overview.adminUrl).toBe(launched.admin.url);
    expect(overview.dataDir).toBe(dataDir);
    expect(overview.configPath).toBeUndefined();
    expect(overview.idp?.issuer).toBe(launched.gateway.idp!.issuer);
    expect(overview.idp?.users.map((u) => u.username)).toEqual(['alice', 'bob']);
    // No password and no hash of one: only whether a user's password is stored hashed.
    expect(JSON.stringify(overview)).not.toMatch(/"password(_hash)?"\s*:|scrypt\$/);
    expect(overview.idp?.users.map((u) => u.passwordHashed)).toEqual([false, false]);
  });

  it('lists both demo routes with their URLs, auth mode and metadata URL', async () => {
    const routes = await json<RouteSummary[]>('/api/routes');
    expect(routes.map((r) => r.path).sort()).toEqual(['/ecommerce-mcp', '/everything']);
    for (const route of routes) {
      expect(route.url).toBe(launched.gateway.url(route.path));
      expect(route.auth.mode).toBe('jwt');
      expect(route.auth.issuer).toBe(launched.gateway.idp!.issuer);
      expect(route.auth.resourceMetadataUrl).toBe(`http://127.0.0.1:${launched.gateway.port}/.well-known/oauth-protected-resource${route.path}`);
      expect(route.upstreams.length).toBe(1);
      expect(route.upstreams[0]!.state).toBe('connected');
      expect(route.traffic.requests).toBeGreaterThanOrEqual(0);
    }
    expect(routes.find((r) => r.path === SHOP)!.acl).toBe(true);
    expect(routes.find((r) => r.path === SHOP)!.auth.scopes).toEqual(expect.arrayContaining(['shop:read', 'shop:write']));
  });

  it('writes a config for each client that parses and points at the route', async () => {
    for (const routePath of [SHOP, '/everything']) {
      const url = launched.gateway.url(routePath);
      const name = `gatehouse-${routePath.slice(1)}`;
      const snippets = await json<ClientConfigSnippet[]>(`/api/client-configs?route=${encodeURIComponent(routePath)}`);
      expect(snippets.map((s) => s.client)).toEqual(['cursor', 'claude-desktop', 'vscode', 'claude-code', 'machine']);
      const byClient = Object.fromEntries(snippets.map((s) => [s.client, s]));
      for (const snippet of snippets.filter((s) => s.language === 'json')) expect(() => JSON.parse(snippet.content)).not.toThrow();

      const cursor = JSON.parse(byClient.cursor!.content) as { mcpServers: Record<string, { url: string; auth?: unknown }> };
      expect(cursor.mcpServers[name]).toEqual({ url });

      const desktop = JSON.parse(byClient['claude-desktop']!.content) as { mcpServers: Record<string, { command: string; args: string[] }> };
      expect(desktop.mcpServers[name]).toEqual({ command: 'npx', args: ['-y', 'mcp-remote', url] });
      expect(byClient['claude-desktop']!.notes.join(' ')).toMatch(/stdio/);

      const vscode = JSON.parse(byClient.vscode!.content) as { servers: Record<string, { type: string; url: string }> };
      expect(vscode.servers[name]).toEqual({ type: 'http', url });
      expect(byClient.vscode!.file).toBe('.vscode/mcp.json');

      expect(byClient['claude-code']!.content).toBe(`claude mcp add --transport http ${name} ${url}\n`);
      // The built-in IdP has registration: every client gets the sign-in note, none a static client id.
      for (const snippet of snippets.filter((s) => s.client !== 'machine')) {
        expect(snippet.notes.join(' ')).toMatch(/dynamic client registration/);
        expect(snippet.content).not.toContain('YOUR_CLIENT_ID');
      }
    }
  });

  it("gives a script for the demo's machine client that really lists the tools its groups allow (curl, the IdP, the Inspector CLI)", async () => {
    const snippets = await json<ClientConfigSnippet[]>(`/api/client-configs?route=${encodeURIComponent(SHOP)}`);
    const script = snippets.find((s) => s.client === 'machine')!;
    expect(script.content).toContain('--data-urlencode client_id=demo-agent --data-urlencode client_secret=demo');
    expect(script.notes.join(' ')).toContain('client_credentials');
    const { stdout } = await run('sh', ['-c', script.content], { timeout: 60_000, env: process.env });
    const listed = JSON.parse(stdout) as { tools: Array<{ name: string }> };
    expect(listed.tools.map((tool) => tool.name)).toEqual(ALICE_TOOLS);
  }, 90_000);

  it('answers an unknown route with 404 naming the routes there are', async () => {
    const response = await api('/api/client-configs?route=/nope');
    expect(response.status).toBe(404);
    expect(((await response.json()) as AdminError).message).toContain('/ecommerce-mcp');
  });
});

describe('catalog as a persona', () => {
  it('shows alice 5 shop tools and explains the 3 hidden ones', async () => {
    const view = await json<CatalogView>(`/api/catalog?route=${encodeURIComponent(SHOP)}&user=alice`);
    expect(view.enforced).toBe(true);
    expect(view.persona).toEqual({ subject: 'alice', groups: ['warehouse-ops'] });
    const tools = view.items.filter((item) => item.kind === 'tools');
    expect(tools).toHaveLength(8);
    expect(tools.filter((t) => t.visible).map((t) => t.name)).toEqual(ALICE_TOOLS);
    for (const name of HIDDEN_FROM_ALICE) {
      const item = tools.find((t) => t.name === name)!;
      expect(item.visible).toBe(false);
      expect(item.callable).toBe(false);
      expect(['deny', 'no_match']).toContain(item.list.effect);
      expect(item.list.considered.map((c) => c.id)).toContain('customer-support-only');
      expect(item.list.reason).toMatch(/alice/);
    }
    const cancel = tools.find((t) => t.name === 'cancel-order')!;
    expect(cancel.description).toMatch(/Cancel an order/);
    expect(cancel.inputSchema).toMatchObject({ type: 'object', properties: { orderId: expect.any(Object) } });
    expect(cancel.annotations).toMatchObject({ destructiveHint: true });
    expect(cancel.upstream).toBe('shop');
  });

  it('takes hand-entered claims as a persona', async () => {
    const view = await json<CatalogView>('/api/catalog', { method: 'POST', body: JSON.stringify({ route: SHOP, persona: { claims: { sub: 'carol', groups: ['customer-support'] } } }) });
    expect(view.persona.subject).toBe('carol');
    expect(view.items.filter((i) => i.kind === 'tools' && i.visible)).toHaveLength(7);
  });

  it("previews the demo's machine client by its client id, with its group's tools", async () => {
    const overview = await json<Overview>('/api/overview');
    expect(overview.idp?.clients).toEqual([{ clientId: 'demo-agent', groups: ['warehouse-ops'], name: 'Demo agent (warehouse ops)' }]);
    const view = await json<CatalogView>(`/api/catalog?route=${encodeURIComponent(SHOP)}&user=demo-agent`);
    expect(view.persona).toEqual({ subject: 'demo-agent', groups: ['warehouse-ops'] });
    expect(view.items.filter((i) => i.kind === 'tools' && i.visible).map((i) => i.name)).toEqual(ALICE_TOOLS);
  });

  it('refuses an unknown user with 400 and the users there are', async () => {
    const response = await api(`/api/catalog?route=${encodeURIComponent(SHOP)}&user=mallory`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as AdminError).message).toMatch(/alice, bob/);
  });
});

describe('live traffic: event stream, trace and decisions', () => {
  it('streams hello, then the trace of a real sign-in and list; the decisions land in the audit log', async () => {
    const abort = new AbortController();
    const stream = await api('/api/events', { signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const messages = sseMessages(stream);
    const hello = (await messages.next()).value as AdminStreamMessage;
    expect(hello.kind).toBe('hello');
    const lastSeq = hello.kind === 'hello' ? hello.lastSeq : -1;
    // hello names the newest event when the stream opened; background events (an upstream's
    // stderr, a key fetch) may have been added since.
    expect(lastSeq).toBeGreaterThan(0);
    expect(lastSeq).toBeLessThanOrEqual(launched.gateway.trace.recent().at(-1)?.seq ?? 0);

    const alice = await signInAlice();
    expect((await alice.listTools()).tools.map((t) => t.name)).toEqual(ALICE_TOOLS);

    const seen: TraceEvent[] = [];
    for await (const message of messages) {
      if (message.kind !== 'trace') continue;
      expect(message.event.seq).toBeGreaterThan(lastSeq);
      seen.push(message.event);
      if (message.event.type === 'policy.decision' && message.event.decision.item === 'cancel-order') break;
    }
    abort.abort();
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
    expect(seen.some((e) => e.type === 'idp.step' || e.type === 'http.exchange')).toBe(true);

    const trace = await json<TraceEvent[]>(`/api/trace?after=${lastSeq}&limit=10`);
    expect(trace.length).toBeGreaterThan(0);
    expect(trace.length).toBeLessThanOrEqual(10);
    expect(trace[0]!.seq).toBe(lastSeq + 1);

    const decisions = await json<DecisionRecord[]>(`/api/decisions?route=${encodeURIComponent(SHOP)}&subject=alice`);
    const filtered = decisions.filter((d) => d.effect === 'filtered').map((d) => d.item);
    expect(filtered).toEqual(expect.arrayContaining(HIDDEN_FROM_ALICE));
    expect(decisions.filter((d) => d.effect === 'allow').map((d) => d.item)).toEqual(expect.arrayContaining(ALICE_TOOLS));
    const onlyFiltered = await json<DecisionRecord[]>(`/api/decisions?route=${encodeURIComponent(SHOP)}&effect=filtered&item=cancel-order&limit=1`);
    expect(onlyFiltered).toHaveLength(1);
    expect(onlyFiltered[0]!.rule ?? onlyFiltered[0]!.reason).toBeTruthy();
  });

  it('pushes the routes when a route changes', async () => {
    const abort = new AbortController();
    const messages = sseMessages(await api('/api/events', { signal: abort.signal }));
    expect((await messages.next()).value).toMatchObject({ kind: 'hello' });
    await json<RouteSummary>('/api/faults', { method: 'PUT', body: JSON.stringify({ route: SHOP, faults: { hide_path_metadata: true } }) });
    let pushed: RouteSummary[] | undefined;
    for await (const message of messages) {
      if (message.kind === 'routes' && message.routes.find((r) => r.path === SHOP)?.faults.hide_path_metadata) {
        pushed = message.routes;
        break;
      }
    }
    abort.abort();
    expect(pushed!.map((r) => r.path).sort()).toEqual(['/ecommerce-mcp', '/everything']);
    await json<RouteSummary>('/api/faults', { method: 'PUT', body: JSON.stringify({ route: SHOP, faults: {} }) });
  });

  it('drops a window that stops reading instead of buffering without bound', async () => {
    const emitted = 400;
    const { ended, received } = await new Promise<{ ended: boolean; received: number }>((resolve, reject) => {
      const req = httpRequest(`${launched.admin.url}/api/events`, { headers: { authorization: `Bearer ${launched.admin.token}` } }, (res) => {
        res.pause();
        // A problem list of 64 KB per event: 400 of them are far more than the stream may hold back.
        const problems = [Array.from({ length: 64 * 1024 }, () => 'x').join('')];
        for (let i = 0; i < emitted; i++) launched.gateway.trace.emit({ type: 'config.rejected', file: 'flood.yaml', problems });
        let received = 0;
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          const parts = buffer.split('\n\n');
          buffer = parts.pop()!;
          received += parts.filter((part) => part.includes('"flood.yaml"')).length;
        });
        res.on('end', () => resolve({ ended: true, received }));
        res.on('error', reject);
        res.resume();
      });
      req.on('error', reject);
      req.end();
    });
    expect(ended).toBe(true);
    expect(received).toBeLessThan(emitted);
  });

  it('refuses a bad filter with 400', async () => {
    expect((await api('/api/decisions?effect=maybe')).status).toBe(400);
    expect((await api('/api/trace?limit=-1')).status).toBe(400);
  });
});

describe('ACL matrix', () => {
  it('shows the demo ACL as an editable tools × groups grid', async () => {
    const matrix = await json<AclMatrix>(`/api/acl-matrix?route=${encodeURIComponent(SHOP)}`);
    expect(matrix.editable).toBe(true);
    expect(matrix.groups).toEqual(['warehouse-ops', 'customer-support']);
    expect(matrix.tools).toHaveLength(8);
    expect(matrix.configPath).toBe(path.join(dataDir, 'demo.yaml'));
    const cell = (tool: string, group: string) => matrix.cells.find((c) => c.tool === tool && c.group === group)!;
    expect(cell('cancel-order', 'warehouse-ops')).toMatchObject({ allowed: false });
    expect(cell('cancel-order', 'customer-support')).toMatchObject({ allowed: true, rule: 'customer-support-only' });
    expect(cell('restock-item', 'warehouse-ops')).toMatchObject({ allowed: true, rule: 'warehouse-ops-only' });
    expect(cell('list-orders', 'warehouse-ops')).toMatchObject({ allowed: true, rule: 'default' });
    expect(matrix.lint).toEqual([]);
  });

  it('saves a grant into the YAML file (atomically), reloads, and alice sees the tool', async () => {
    const response = await api('/api/acl-matrix', { method: 'PUT', body: JSON.stringify({ route: SHOP, cells: [{ tool: 'cancel-order', group: 'warehouse-ops', allowed: true }] }) });
    expect(response.status).toBe(200);
    const matrix = (await response.json()) as AclMatrix;
    const file = path.join(dataDir, 'demo.yaml');
    expect(matrix.configPath).toBe(file);
    expect(matrix.cells.find((c) => c.tool === 'cancel-order' && c.group === 'warehouse-ops')!.allowed).toBe(true);

    expect(await visibleTools('alice')).toEqual(['list-orders', 'get-order', 'cancel-order', 'list-inventory', 'check-inventory', 'restock-item']);
    expect(await visibleTools('bob')).toHaveLength(7);

    const text = await readFile(file, 'utf8');
    const written = parseYaml(text) as { routes: Array<{ path: string; acl: { rules: Array<{ id: string; match: string[] }> } }> };
    const rules = written.routes.find((r) => r.path === SHOP)!.acl.rules;
    expect(rules.find((r) => r.id === 'customer-support-only')!.match).toEqual(['get-customer', 'update-customer-contact']);
    expect(rules.find((r) => r.id === 'warehouse-ops-only')!.match).toEqual(['restock-item']);
    // The saved file is a valid config on its own, with no password in it and no temp file beside it.
    expect(parseConfig(text, file).routes.map((r) => r.path)).toEqual([SHOP, '/everything']);
    expect(text).not.toMatch(/password/);
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('edits the saved file on the next save, keeping its comments', async () => {
    const file = path.join(dataDir, 'demo.yaml');
    await writeFile(file, `# my note about the shop\n${await readFile(file, 'utf8')}`);
    const matrix = await json<AclMatrix>('/api/acl-matrix', {
      method: 'PUT',
      body: JSON.stringify({ route: SHOP, cells: [{ tool: 'list-orders', group: 'customer-support', allowed: false }] }),
    });
    expect(matrix.cells.find((c) => c.tool === 'list-orders' && c.group === 'customer-support')).toMatchObject({ allowed: false });
    expect(matrix.cells.find((c) => c.tool === 'list-orders' && c.group === 'warehouse-ops')).toMatchObject({ allowed: true, rule: 'warehouse-ops-only' });
    expect(await visibleTools('bob')).not.toContain('list-orders');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# my note about the shop');
    expect(text).toContain('list-orders');
  });

  it('the next demo launch takes the saved access rules back, and sets aside a file that no longer fits', async () => {
    const next = await launchGatehouse({ demo: true, port: 0, dataDir, rendererDir });
    try {
      expect(next.warnings).toEqual([]);
      const alice = next.gateway.previewPersona(SHOP, { user: 'alice' }).tools.filter((t) => t.visible).map((t) => t.name);
      expect(alice).toContain('cancel-order');
      const bob = next.gateway.previewPersona(SHOP, { user: 'bob' }).tools.filter((t) => t.visible).map((t) => t.name);
      expect(bob).not.toContain('list-orders');
    } finally {
      await next.close();
    }
    const elsewhere = await mkdtemp(path.join(tmpdir(), 'gatehouse-admin-api-stale-'));
    try {
      await writeFile(path.join(elsewhere, 'demo.yaml'), `routes:\n  - path: ${SHOP}\n    acl: {rules: [{id: r, kind: tools, match: [x], effect: allow, subjects: {groups: [g]}, colour: blue}]}\n`);
      const stale = await launchGatehouse({ demo: true, port: 0, dataDir: elsewhere, rendererDir });
      try {
        expect(stale.warnings.join('\n')).toMatch(/demo\.yaml was not applied .*the demo runs with its default access rules/);
        expect(stale.gateway.previewPersona(SHOP, { user: 'alice' }).tools.filter((t) => t.visible)).toHaveLength(5);
      } finally {
        await stale.close();
      }
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('refuses an unknown group or tool with 400 and problems, saving nothing', async () => {
    const before = await readFile(path.join(dataDir, 'demo.yaml'), 'utf8');
    const response = await api('/api/acl-matrix', {
      method: 'PUT',
      body: JSON.stringify({ route: SHOP, cells: [{ tool: 'cancel-order', group: 'interns', allowed: true }, { tool: 'drop-tables', group: 'warehouse-ops', allowed: true }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as AdminError;
    expect(body.problems).toHaveLength(2);
    expect(body.problems!.join('\n')).toMatch(/unknown group "interns"/);
    expect(body.problems!.join('\n')).toMatch(/no tool "drop-tables"/);
    expect(await readFile(path.join(dataDir, 'demo.yaml'), 'utf8')).toBe(before);
  });
});

describe('faults, settings, the window', () => {
  it('sets and clears faults on a route', async () => {
    const summary = await json<RouteSummary>('/api/faults', { method: 'PUT', body: JSON.stringify({ route: SHOP, faults: { drop_resource_metadata: true, upstream_delay_ms: 5 } }) });
    expect(summary.faults).toEqual({ drop_resource_metadata: true, upstream_delay_ms: 5 });
    const cleared = await json<RouteSummary>('/api/faults', { method: 'PUT', body: JSON.stringify({ route: SHOP, faults: {} }) });
    expect(cleared.faults).toEqual({});
    const bad = await api('/api/faults', { method: 'PUT', body: JSON.stringify({ route: SHOP, faults: { upstream_delay_ms: 'slow', explode: true } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as AdminError).problems).toHaveLength(2);
  });

  it('runs the OAuth doctor on a route, and refuses what is not a URL', async () => {
    const report = await json<DoctorReport>('/api/doctor', { method: 'POST', body: JSON.stringify({ route: SHOP }) });
    expect(report.target).toBe(launched.gateway.url(SHOP));
    expect(report.checks.length).toBeGreaterThan(0);
    expect(report.checks.filter((check) => check.status === 'fail')).toEqual([]);
    const bad = await api('/api/doctor', { method: 'POST', body: JSON.stringify({ url: 'not a url' }) });
    expect(bad.status).toBe(400);
  });

  it('mounts the built-in test client under /api/test-client, behind the token', async () => {
    expect((await api('/api/test-client/sessions/nope', { token: null })).status).toBe(401);
    const unknown = await api('/api/test-client/sessions/nope');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as AdminError).message).not.toMatch(/No admin API endpoint/);
  });

  it("refuses a user named like a machine client, saying which it is, and saves nothing", async () => {
    const answer = await api('/api/settings', {
      method: 'PUT',
      body: JSON.stringify({ idp: { users: [{ username: 'alice', groups: ['warehouse-ops'] }, { username: 'demo-agent', groups: [], password: 'a-New-passw0rd' }] } }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as AdminError).problems?.join(' ')).toContain(`"demo-agent" is a machine client's id (idp.clients in the config); pick another username`);
    expect((await json<Settings>('/api/settings')).idp?.users.map((u) => u.username)).toEqual(['alice', 'bob']);
  });

  it('gives the settings without any password', async () => {
    const settings = await json<Settings>('/api/settings');
    expect(settings.listen).toEqual({ host: '127.0.0.1', port: launched.gateway.port });
    expect(settings.adminPort).toBe(launched.admin.port);
    expect(settings.idp?.users.map((u) => u.username)).toEqual(['alice', 'bob']);
    // The demo's machine client, without its secret (which is also "demo").
    expect(settings.idp?.clients).toEqual([{ clientId: 'demo-agent', groups: ['warehouse-ops'], name: 'Demo agent (warehouse ops)' }]);
    expect(settings.dataDir).toBe(dataDir);
    expect(['keychain', 'encrypted-file', 'unavailable']).toContain(settings.secretsBackend);
    if (settings.secretsBackend === 'unavailable') expect(settings.secretsProblem).toBeTruthy();
    for (const user of settings.idp!.users) expect(Object.keys(user).filter((key) => key === 'password' || key === 'password_hash')).toEqual([]);
    expect(JSON.stringify(settings)).not.toContain('"demo"');
  });

  it('serves the window with its CSP, for any page path, but never for /api', async () => {
    for (const pathname of ['/', '/routes/ecommerce-mcp']) {
      const page = await fetch(`${launched.admin.url}${pathname}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await page.text()).toContain('<title>Gatehouse</title>');
    }
    const asset = await fetch(`${launched.admin.url}/app.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${launched.admin.url}/api/nothing-here`)).status).toBe(401);
    const unknown = await api('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as AdminError).error).toBe('not_found');
  });

  it('expires the tokens a route has seen', async () => {
    const result = await json<{ affected: number; detail: string }>('/api/faults/tokens', { method: 'POST', body: JSON.stringify({ route: SHOP, action: 'expire' }) });
    expect(result.affected).toBeGreaterThanOrEqual(1);
    expect(result.detail).toMatch(/expired/);
    const bad = await api('/api/faults/tokens', { method: 'POST', body: JSON.stringify({ route: SHOP, action: 'explode' }) });
    expect(bad.status).toBe(400);
  });
});
