/**
 * PUT /api/settings through the real admin server (launchGatehouse, config mode and the demo):
 * a password the window sends is written as a salted scrypt `password_hash`, never as itself; a
 * user sent without one keeps its node exactly as written (`${ENV}` reference, plaintext or hash);
 * the demo's in-memory passwords are hashed too; the file still loads; and the window learns
 * which users the test client needs a typed password for (`passwordHashed`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { loadConfig } from '../../main/config/load-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { isPasswordHash } from '../../main/config/password-hash-format.js';
import { hashPassword, verifyPassword } from '../../main/idp/password-hash.js';
import type { AdminError, Overview } from '../../shared/admin-api.js';

/** Long and unusual, so a leak is found by a plain substring search. */
const CAROL_PASSWORD = 'carol-hash-only-kestrel-4402';
const CAROL_HASH = await hashPassword(CAROL_PASSWORD);
const ERIN_OLD = 'erin-plaintext-marmot-7731';
const ERIN_NEW = 'erin-new-secret-otter-8842';
const DAVE_PASSWORD = 'dave-fresh-secret-heron-6610';

interface SavedUser {
  username: string;
  password?: string;
  password_hash?: string;
  groups: string[];
}

let shop: RunningShopApi;
let dir: string;

function configText(shopUrl: string): string {
  return `# The team's gateway — keep this comment.
listen:
  port: 0
idp:
  kind: builtin
  port: 0
  users:
    - username: alice
      password: \${HASHED_SETTINGS_ALICE_PASSWORD:-wonderland} # from the environment
      groups: [warehouse-ops]
    - username: carol
      password_hash: ${CAROL_HASH}
      groups: [auditors]
    - username: erin
      password: ${ERIN_OLD}
      groups: []
routes:
  - path: /shop
    auth:
      issuer: builtin
      scopes_supported: [shop:read]
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

function client(launched: LaunchedGatehouse) {
  const call = (pathname: string, init: RequestInit = {}) =>
    fetch(`${launched.admin.url}${pathname}`, {
      ...init,
      headers: { authorization: `Bearer ${launched.admin.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
  return {
    call,
    putSettings: (body: unknown) => call('/api/settings', { method: 'PUT', body: JSON.stringify(body) }),
    overview: async () => (await (await call('/api/overview')).json()) as Overview,
  };
}

function usersIn(text: string): SavedUser[] {
  return (parseYaml(text) as { idp: { users: SavedUser[] } }).idp.users;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-settings-hashed-'));
  shop = await startShopApi();
});

afterAll(async () => {
  await shop?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('config mode', () => {
  let launched: LaunchedGatehouse;
  let configPath: string;

  beforeAll(async () => {
    configPath = path.join(dir, 'gatehouse.yaml');
    await writeFile(configPath, configText(shop.url));
    launched = await launchGatehouse({ configPath, dataDir: path.join(dir, 'data'), rendererDir: path.join(dir, 'renderer-not-built') });
  });

  afterAll(async () => {
    await launched?.close();
  });

  it('tells the window which users the test client needs a typed password for', async () => {
    const users = (await client(launched).overview()).idp!.users;
    expect(users.map((u) => [u.username, u.passwordHashed])).toEqual([
      ['alice', false],
      ['carol', true],
      ['erin', false],
    ]);
    expect(JSON.stringify(users)).not.toContain(CAROL_HASH);
  });

  it('writes a new or changed password only as password_hash, keeps unsent ones as written, and the file holds no plaintext password', async () => {
    const response = await client(launched).putSettings({
      idp: {
        users: [
          { username: 'alice', groups: ['warehouse-ops'] },
          { username: 'carol', groups: ['auditors'] },
          { username: 'erin', groups: ['auditors'], password: ERIN_NEW },
          { username: 'dave', groups: [], password: DAVE_PASSWORD },
        ],
      },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ saved: true, configPath });

    const text = await readFile(configPath, 'utf8');
    for (const secret of [ERIN_OLD, ERIN_NEW, DAVE_PASSWORD, CAROL_PASSWORD]) expect(text).not.toContain(secret);
    expect(text).toContain("# The team's gateway — keep this comment.");

    const users = usersIn(text);
    expect(users.map((u) => u.username)).toEqual(['alice', 'carol', 'erin', 'dave']);
    const [alice, carol, erin, dave] = users as [SavedUser, SavedUser, SavedUser, SavedUser];
    // alice: the ${ENV} reference, untouched — the only password key left in the file.
    expect(alice.password).toBe('${HASHED_SETTINGS_ALICE_PASSWORD:-wonderland}');
    expect(alice.password_hash).toBeUndefined();
    expect(text.match(/^\s*password:/gm)).toHaveLength(1);
    // carol: her hash, exactly as it was.
    expect(carol).toMatchObject({ password_hash: CAROL_HASH });
    expect(carol.password).toBeUndefined();
    // erin: her old plaintext password replaced by a hash of the new one.
    expect(erin.password).toBeUndefined();
    expect(isPasswordHash(erin.password_hash!)).toBe(true);
    expect(await verifyPassword(ERIN_NEW, erin.password_hash!)).toBe(true);
    expect(await verifyPassword(ERIN_OLD, erin.password_hash!)).toBe(false);
    // dave: new, hashed.
    expect(dave.password).toBeUndefined();
    expect(await verifyPassword(DAVE_PASSWORD, dave.password_hash!)).toBe(true);
  });

  it('the saved file loads as a config again, with the hashes and the ${ENV} password', async () => {
    const config = await loadConfig(configPath, {});
    const users = config.idp!.users;
    expect(users.map((u) => [u.username, u.password !== undefined, u.password_hash !== undefined])).toEqual([
      ['alice', true, false],
      ['carol', false, true],
      ['erin', false, true],
      ['dave', false, true],
    ]);
    expect(users[0]!.password).toBe('wonderland');
  });

  it('keeps the error messages: a new user without a password is refused, saving nothing', async () => {
    const before = await readFile(configPath, 'utf8');
    const response = await client(launched).putSettings({ idp: { users: [{ username: 'frank', groups: [] }] } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as AdminError).problems?.join(' ')).toMatch(/user "frank" is new: give it a password/);
    expect(await readFile(configPath, 'utf8')).toBe(before);
  });
});

describe('the demo', () => {
  let launched: LaunchedGatehouse;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = path.join(dir, 'demo-data');
    launched = await launchGatehouse({ demo: true, port: 0, dataDir, rendererDir: path.join(dir, 'renderer-not-built') });
  });

  afterAll(async () => {
    await launched?.close();
  });

  it("keeps the demo users' published password as it is (no secret: the test client signs in with it) and hashes a new user's", async () => {
    const response = await client(launched).putSettings({
      idp: {
        users: [
          { username: 'alice', groups: ['warehouse-ops'] },
          { username: 'bob', groups: ['customer-support'] },
          { username: 'dave', groups: [], password: DAVE_PASSWORD },
        ],
      },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const text = await readFile(path.join(dataDir, 'demo.yaml'), 'utf8');
    expect(text).not.toContain(DAVE_PASSWORD);
    const users = usersIn(text);
    expect(users.map((u) => u.username)).toEqual(['alice', 'bob', 'dave']);
    expect(users.slice(0, 2).map((u) => [u.password, u.password_hash])).toEqual([
      ['demo', undefined],
      ['demo', undefined],
    ]);
    expect(users[2]!.password).toBeUndefined();
    expect(await verifyPassword(DAVE_PASSWORD, users[2]!.password_hash!)).toBe(true);
  });

  it('marks none of the running demo users hashed, so the window signs them in without asking', async () => {
    const users = (await client(launched).overview()).idp!.users;
    expect(users.map((u) => [u.username, u.passwordHashed])).toEqual([
      ['alice', false],
      ['bob', false],
    ]);
  });
});
