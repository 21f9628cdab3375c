/**
 * main/app/app.ts — the Electron entry — loaded as Electron would load it, with `electron`
 * replaced by the stand-in (vi.mock) and the launcher by a recorder: it must hand the shell the
 * real CSP, a preload and tray icon that exist, and launch Gatehouse in desktop mode.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { CONTENT_SECURITY_POLICY } from '../../main/admin/renderer-static.js';
import { standIn, userDataDir } from '../fixtures/electron-stand-in-module.js';

vi.mock('electron', () => import('../fixtures/electron-stand-in-module.js'));

const launched = vi.hoisted(() => ({ options: [] as unknown[], closes: 0 }));
vi.mock('../../main/admin/launch.js', () => ({
  launchGatehouse: async (options: unknown) => {
    launched.options.push(options);
    return {
      gateway: { port: 8400, routes: new Map([['/everything', {}]]), url: (route: string) => `http://127.0.0.1:8400${route}`, onChange: () => () => undefined },
      admin: { url: 'http://127.0.0.1:47003', port: 47003, token: 'entry-token', windowUrl: 'http://127.0.0.1:47003/#token=entry-token' },
      close: async () => void launched.closes++,
    };
  },
}));

afterAll(async () => {
  await rm(userDataDir, { recursive: true, force: true });
});

describe('the Electron entry (app.ts)', () => {
  it('starts the desktop shell on the real pieces', async () => {
    await import('../../main/app/app.js');
    await vi.waitFor(() => expect(standIn.windows).toHaveLength(1));

    expect(launched.options).toEqual([expect.objectContaining({ demo: true, desktop: true, rendererDir: expect.stringMatching(/renderer[/\\]dist$/) })]);
    const [window] = standIn.windows;
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(window.options.webPreferences.preload).toMatch(/preload\.cjs$/);
    expect(window.webContents.loaded).toEqual(['http://127.0.0.1:47003']);

    // The tray icon is a real file in build/.
    expect(existsSync(standIn.trays[0].image)).toBe(true);

    let response: any;
    standIn.session.defaultSession.headersListener!({ url: 'http://127.0.0.1:47003/', responseHeaders: {} }, (r) => (response = r));
    expect(response.responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('quits through the shell: Gatehouse closed once, then exit 0', async () => {
    standIn.app.quit();
    standIn.app.quit();
    await vi.waitFor(() => expect(standIn.calls.exit).toEqual([0]));
    expect(launched.closes).toBe(1);
  });
});
