/**
 * The demo's config as the window first saves it (<dataDir>/demo.yaml, main/admin/config-editor.ts):
 * the running config, with the demo's own users left out (they are the default) and any other
 * user's password replaced by a hash of it — Gatehouse never writes a password into a file.
 */
import { describe, expect, it } from 'vitest';

import { demoDocument } from '../../main/admin/config-editor.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { verifyPassword } from '../../main/idp/password-hash.js';

const ROUTES = [{ path: '/echo', upstreams: [{ name: 'echo', kind: 'stdio', command: 'node', args: ['server.js'] }] }];

describe('the demo config the window writes', () => {
  it('leaves the default demo users out', async () => {
    const text = (await demoDocument(gatehouseConfigSchema.parse({ idp: 'builtin', routes: ROUTES }))).toString();
    expect(text).not.toMatch(/users:/);
    expect(text).not.toMatch(/password/);
  });

  it('writes other users with a hash of their password, never the password', async () => {
    const config = gatehouseConfigSchema.parse({
      idp: { kind: 'builtin', users: [{ username: 'carol', password: 'carol-secret-1', groups: ['ops'] }] },
      routes: ROUTES,
    });
    const doc = await demoDocument(config);
    const text = doc.toString();
    expect(text).not.toContain('carol-secret-1');
    expect(text).not.toMatch(/^\s*password:/m);
    const written = gatehouseConfigSchema.parse(doc.toJS());
    const carol = written.idp!.users[0]!;
    expect(carol.password).toBeUndefined();
    expect(await verifyPassword('carol-secret-1', carol.password_hash!)).toBe(true);
  });
});
