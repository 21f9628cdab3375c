/**
 * A built-in IdP user whose password the config keeps only hashed (`password_hash`, as the
 * window's Settings saves it), in real Chromium: the test client and the catalog's Try it ask
 * for the password before they sign in as that user, refuse to start without it, fail the login
 * step on a wrong one, and connect with the right one — and the typed password is nowhere in the
 * page's text or markup.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { hashPassword } from '../../main/idp/password-hash.js';
import { serverEverythingEntry } from '../fixtures/server-everything.js';
import { launchChromium } from './chromium-launch.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { everythingOnPage, openScreen as openScreenOf } from './window-page.js';

const ROUTE = '/everything';
const PASSWORD = 'carol-typed-this-1';
const UI_TIMEOUT_MS = 20_000;

let dataDir: string;
let launched: LaunchedGatehouse;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const byTestId = (id: string): Locator => page.getByTestId(id);

const openScreen = (screen: string): Promise<Locator> => openScreenOf(page, screen);

async function passwordOnPage(): Promise<boolean> {
  return (await everythingOnPage(page)).includes(PASSWORD);
}

beforeAll(async () => {
  await ensureRendererBuilt();
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-hashed-window-'));
  const configPath = path.join(dataDir, 'gatehouse.yaml');
  const config = {
    listen: { port: 0 },
    idp: { kind: 'builtin', port: 0, users: [{ username: 'carol', password_hash: await hashPassword(PASSWORD), groups: ['ops'] }] },
    routes: [{ path: ROUTE, auth: { issuer: 'builtin', scopes_supported: ['mcp:use'] }, upstreams: [{ name: 'everything', kind: 'stdio', command: process.execPath, args: [serverEverythingEntry(), 'stdio'] }] }],
  };
  await writeFile(configPath, JSON.stringify(config));
  launched = await launchGatehouse({ configPath, port: 0, adminPort: 0, dataDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(launched.admin.windowUrl);
});

afterAll(async () => {
  await browser?.close();
  await launched?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a user whose password is stored hashed, in the window', () => {
  it('the test client asks for the password, fails the login on a wrong one and connects with the right one', async () => {
    await openScreen('test-client');
    await byTestId('tc-route').selectOption(ROUTE);
    await byTestId('tc-user').selectOption('carol');
    await byTestId('tc-password').waitFor();
    expect(await byTestId('tc-start').isDisabled()).toBe(true);

    await byTestId('tc-password').fill('not-her-password');
    await byTestId('tc-start').click();
    await byTestId('tc-state').and(page.locator('[data-state="new"]')).waitFor();
    await byTestId('tc-run').click();
    await byTestId('tc-state').and(page.locator('[data-state="failed"]')).waitFor();
    await expect(page.locator('[data-testid="tc-step"][data-status="error"]').first().textContent()).resolves.toMatch(/refused the sign-in/);

    await byTestId('tc-password').fill(PASSWORD);
    await byTestId('tc-start').click();
    await byTestId('tc-state').and(page.locator('[data-state="new"]')).waitFor();
    await byTestId('tc-run').click();
    await byTestId('tc-state').and(page.locator('[data-state="connected"]')).waitFor();
    expect(await passwordOnPage()).toBe(false);
  });

  it("the catalog's Try it asks for the password once, then calls the tool as carol", async () => {
    const main = await openScreen('catalog');
    await main.getByTestId('route-picker').selectOption(ROUTE);
    await byTestId('persona-carol').click();
    await main.locator('[data-testid="catalog-item"][data-name="echo"]').click();
    await byTestId('try-it-password').waitFor();
    expect(await byTestId('try-it-run').isDisabled()).toBe(true);

    await byTestId('try-field-message').fill('hello from carol');
    await byTestId('try-it-password').fill(PASSWORD);
    await byTestId('try-it-run').click();
    const result = byTestId('try-it-result').and(page.locator('[data-ok="true"]'));
    await result.waitFor();
    await expect(result.textContent()).resolves.toContain('hello from carol');
    // Signed in: the next call needs no password.
    expect(await byTestId('try-it-password').count()).toBe(0);
    expect(await passwordOnPage()).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
