/**
 * The admin API as a real browser sees it. test/integration/admin-api.test.ts proves over plain
 * HTTP that requests without the token or from another Origin are refused; this proves what that
 * is for: a web page of another origin, open in the same browser as the window, reads nothing from
 * the admin API — not without the token, not with a guessed one, not even with the real one — and
 * the requests it can send blind (no-cors, no preflight) are refused by the server and their
 * answers withheld by the browser. The window's own origin, with the token, reads the same
 * endpoint: the refusals are the guard's. Server statuses are read from Chromium's network layer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { logAdminTraffic } from './admin-traffic-log.js';
import { launchChromium } from './chromium-launch.js';

interface PageFetch {
  status?: number;
  body?: string;
  error?: string;
}

type FetchInit = { method?: string; mode?: 'cors' | 'no-cors'; headers?: Record<string, string>; body?: string };

const CORP_BLOCKED = 'net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin';

let launched: LaunchedGatehouse;
let dataDir: string;
let rendererDir: string;
let foreign: Server;
let foreignUrl: string;
let browser: Browser;

/** A page of another origin: any site the developer has open while Gatehouse runs. */
function startForeignSite(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>another site</title><p>nothing to see</p>');
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Runs fetch inside the page and reports what the page's script could see. */
function fetchFromPage(page: Page, url: string, init: FetchInit = {}): Promise<PageFetch> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        return { status: response.status, body: await response.text() };
      } catch (error) {
        return { error: error instanceof Error ? error.name : String(error) };
      }
    },
    { url, init },
  );
}

async function withPage<T>(url: string, run: (page: Page) => Promise<T>): Promise<T> {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    return await run(page);
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  // The window's page itself is not under test here: a stand-in keeps this file independent of a renderer build.
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-admin-security-'));
  rendererDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-admin-security-renderer-'));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>Gatehouse</title><p>window</p>');
  launched = await launchGatehouse({ demo: true, port: 0, adminPort: 0, dataDir, rendererDir });
  foreign = await startForeignSite();
  foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (foreign ? foreign.close(resolve) : resolve(undefined)));
  await launched?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (rendererDir) await rm(rendererDir, { recursive: true, force: true });
});

describe('the admin API in a browser', () => {
  it("answers the window's own origin with the token", async () => {
    await withPage(`${launched.admin.url}/`, async (page) => {
      const answer = await fetchFromPage(page, `${launched.admin.url}/api/routes`, { headers: { authorization: `Bearer ${launched.admin.token}` } });
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.body!) as Array<{ path: string }>).map((route) => route.path)).toEqual(['/ecommerce-mcp', '/everything']);
    });
  });

  it('gives a page of another origin no data, without the token, with a guessed one, or even with the real one', async () => {
    await withPage(`${foreignUrl}/`, async (page) => {
      const traffic = await logAdminTraffic(page, launched.admin.url);
      const tokens = [undefined, 'guessed-token', launched.admin.token];
      for (const token of tokens) {
        const answer = await fetchFromPage(page, `${launched.admin.url}/api/routes`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
        expect(answer, `token: ${token === launched.admin.token ? 'the real one' : String(token)}`).toEqual({ error: 'TypeError' });
      }
      const exchanges = await traffic.settled(tokens.length);
      // The plain GET reached the server and was refused for its Origin; with a token the browser
      // first asked (preflight), was refused, and never sent the token at all.
      // (Chromium reports a request and its preflight in either order: compare them sorted.)
      expect(exchanges.map(({ method, status }) => `${method} ${status ?? 'not sent'}`).sort()).toEqual(['GET 403', 'GET not sent', 'GET not sent', 'OPTIONS 403', 'OPTIONS 403']);
      await traffic.detach();
    });
  });

  it('refuses the requests another origin can send blind, and the browser withholds the answers', async () => {
    await withPage(`${foreignUrl}/`, async (page) => {
      const traffic = await logAdminTraffic(page, launched.admin.url);
      // A "simple" POST needs no preflight: the classic cross-site request forgery.
      const forged = await fetchFromPage(page, `${launched.admin.url}/api/test-client/sessions`, {
        method: 'POST',
        mode: 'no-cors',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ route: '/ecommerce-mcp', user: 'alice' }),
      });
      // As an <img> or <script> would load it: no Origin header, no token.
      const embedded = await fetchFromPage(page, `${launched.admin.url}/api/routes`, { mode: 'no-cors' });
      expect([forged, embedded]).toEqual([{ error: 'TypeError' }, { error: 'TypeError' }]);
      const exchanges = await traffic.settled(2);
      expect(exchanges.map(({ method, status, failure }) => ({ method, status, failure }))).toEqual([
        { method: 'POST', status: 403, failure: CORP_BLOCKED },
        { method: 'GET', status: 401, failure: CORP_BLOCKED },
      ]);
      await traffic.detach();
    });
  });
});
