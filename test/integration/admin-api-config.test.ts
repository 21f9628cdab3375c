/**
 * The admin API with a config file (launchGatehouse's config mode) and a real keychain: settings
 * saved into the user's own YAML without losing its comments or `${ENV}` references, the file
 * watcher and the window's saves agreeing, an ACL that is no grid shown read-only with why, and
 * the keychain screen (list shortened, reveal once, delete) against a throwaway Secret Service.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import type { AclMatrix, AdminError, KeychainEntry, Overview, Settings } from '../../shared/admin-api.js';
import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { openSecretStore, type SecretStore } from '../../main/secrets/secret-store.js';
import { startTestKeychain, useTestKeychainInThisProcess, type TestKeychain } from '../helpers/test-keychain.js';

const SERVICE = `gatehouse-admin-test-${process.pid}`;
const ACCESS_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw';

let keychain: TestKeychain;
let store: SecretStore;
let shop: RunningShopApi;
let launched: LaunchedGatehouse;
let dir: string;
let configPath: string;

function configText(shopUrl: string): string {
  return `# The team's shop gateway — keep this comment.
listen:
  port: 0
idp:
  kind: builtin
  port: 0
  users:
    - username: alice
      password: \${ADMIN_TEST_ALICE_PASSWORD:-wonderland} # from the environment
      groups: [warehouse-ops]
routes:
  - path: /shop
    auth:
      issuer: builtin
      scopes_supported: [shop:read]
    acl:
      rules:
        - id: business-hours
          kind: tools
          match: [list-orders]
          effect: allow
          when: "jwt.sub == 'alice'"
    upstreams:
      - name: shop
        kind: rest
        base_url: ${shopUrl}
        tools:
          - name: list-orders
            method: GET
            path: /orders
`;
}

async function api(pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${launched.admin.url}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${launched.admin.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
}

async function json<T>(pathname: string, init: RequestInit = {}): Promise<T> {
  const response = await api(pathname, init);
  const body = (await response.json()) as T | AdminError;
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${JSON.stringify(body)}`);
  return body as T;
}

beforeAll(async () => {
  keychain = await startTestKeychain();
  useTestKeychainInThisProcess(keychain);
  process.env.GATEHOUSE_KEYCHAIN_SERVICE = SERVICE;
  dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-admin-config-'));
  shop = await startShopApi();
  configPath = path.join(dir, 'gatehouse.yaml');
  await writeFile(configPath, configText(shop.url));
  launched = await launchGatehouse({ configPath, dataDir: path.join(dir, 'data'), rendererDir: path.join(dir, 'renderer-not-built') });
  store = await openSecretStore({ dataDir: dir, service: SERVICE });
});

afterAll(async () => {
  await launched?.close();
  await shop?.close();
  await keychain?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('config mode', () => {
  it('names the config file it runs from', async () => {
    const overview = await json<Overview>('/api/overview');
    expect(overview.configPath).toBe(configPath);
    expect(overview.demo).toBe(false);
  });

  it('says plainly when the window is not built', async () => {
    const page = await fetch(`${launched.admin.url}/`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await page.text()).toMatch(/the window is not built: run npm run build:renderer/);
  });

  it('shows an ACL with a condition read-only, with why, and refuses to save it', async () => {
    const matrix = await json<AclMatrix>('/api/acl-matrix?route=/shop');
    expect(matrix.editable).toBe(false);
    expect(matrix.whyNotEditable).toMatch(/business-hours has a condition/);
    expect(matrix.cells).toEqual([{ tool: 'list-orders', group: 'warehouse-ops', allowed: false }]);
    const response = await api('/api/acl-matrix', { method: 'PUT', body: JSON.stringify({ route: '/shop', cells: [{ tool: 'list-orders', group: 'warehouse-ops', allowed: true }] }) });
    expect(response.status).toBe(409);
  });

  it('saves settings into the file, keeping comments, ${ENV} references and unsent passwords', async () => {
    const response = await api('/api/settings', {
      method: 'PUT',
      body: JSON.stringify({
        listen: { port: 18473 },
        idp: { users: [{ username: 'alice', groups: ['warehouse-ops', 'auditors'] }, { username: 'carol', groups: ['auditors'], password: 'carol-pass' }] },
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ saved: true, restartNeeded: true, configPath });
    const text = await readFile(configPath, 'utf8');
    expect(text).toContain("# The team's shop gateway — keep this comment.");
    expect(text).toContain('${ADMIN_TEST_ALICE_PASSWORD:-wonderland}');
    const saved = parseYaml(text) as { listen: { port: number }; idp: { users: Array<{ username: string; groups: string[] }> }; routes: Array<{ acl: { rules: Array<{ when?: string }> } }> };
    expect(saved.listen.port).toBe(18473);
    expect(saved.idp.users.map((u) => [u.username, u.groups])).toEqual([
      ['alice', ['warehouse-ops', 'auditors']],
      ['carol', ['auditors']],
    ]);
    expect(saved.routes[0]!.acl.rules[0]!.when).toBe("jwt.sub == 'alice'");
    // The running gateway keeps its port until a restart; the settings say what runs now.
    const settings = await json<Settings>('/api/settings');
    expect(settings.listen.port).toBe(launched.gateway.port);
    expect(settings.configPath).toBe(configPath);
  });

  it('refuses a new user without a password, and a bad port, saving nothing', async () => {
    const before = await readFile(configPath, 'utf8');
    const noPassword = await api('/api/settings', { method: 'PUT', body: JSON.stringify({ idp: { users: [{ username: 'dave', groups: [] }] } }) });
    expect(noPassword.status).toBe(400);
    expect(((await noPassword.json()) as AdminError).problems?.join(' ')).toMatch(/dave.*password/);
    const badPort = await api('/api/settings', { method: 'PUT', body: JSON.stringify({ listen: { port: 70000 } }) });
    expect(badPort.status).toBe(400);
    expect(await readFile(configPath, 'utf8')).toBe(before);
  });
});

describe('the file watcher', () => {
  it('reloads a hand edit of the file, and the grid follows', async () => {
    const abort = new AbortController();
    const stream = await api('/api/events', { signal: abort.signal });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const text = await readFile(configPath, 'utf8');
    await writeFile(configPath, text.replace(`when: "jwt.sub == 'alice'"`, 'subjects: { groups: [auditors] }'));
    let received = '';
    while (!received.includes('"config.reloaded"')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    abort.abort();
    expect(received).toContain('"config.reloaded"');
    // That reload may be of an earlier save (the settings tests above write this file too), which
    // the watcher reports late: the edit has been taken once the grid shows it.
    let matrix = await json<AclMatrix>('/api/acl-matrix?route=/shop');
    for (const deadline = Date.now() + 15_000; !matrix.editable && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      matrix = await json<AclMatrix>('/api/acl-matrix?route=/shop');
    }
    expect(matrix.editable).toBe(true);
    expect(matrix.cells.find((c) => c.tool === 'list-orders' && c.group === 'auditors')).toMatchObject({ allowed: true, rule: 'business-hours' });
  });
});

describe('keychain', () => {
  it('reports the keychain backend in the settings', async () => {
    const settings = await json<Settings>('/api/settings');
    expect(settings.secretsBackend).toBe('keychain');
    expect(settings.secretsProblem).toBeUndefined();
  });

  it('lists entries shortened, reveals one whole on request, and deletes it', async () => {
    const ref = { kind: 'tokens' as const, issuer: 'https://idp.example', resource: 'https://api.example/mcp' };
    const value = JSON.stringify({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_at: 1_900_000_000_000 });
    await store.set(ref, value);

    const response = await api('/api/keychain');
    const text = await response.text();
    expect(text).not.toContain(ACCESS_TOKEN);
    const entries = JSON.parse(text) as KeychainEntry[];
    const entry = entries.find((e) => e.issuer === ref.issuer)!;
    expect(entry).toMatchObject({ kind: 'tokens', resource: ref.resource, preview: `${ACCESS_TOKEN.slice(0, 8)}…${ACCESS_TOKEN.slice(-3)}`, expiresAt: 1_900_000_000_000 });

    const revealed = await json<{ value: string }>('/api/keychain/reveal', { method: 'POST', body: JSON.stringify({ id: entry.id }) });
    expect(revealed.value).toBe(value);

    expect((await api(`/api/keychain?id=${encodeURIComponent(entry.id)}`, { method: 'DELETE' })).status).toBe(200);
    expect(await store.get(ref)).toBeUndefined();
    expect((await api(`/api/keychain?id=${encodeURIComponent(entry.id)}`, { method: 'DELETE' })).status).toBe(404);
  });
});
