/**
 * The window end to end, in real Chromium against the running demo (launchGatehouse, as the CLI
 * and the Electron shell start it): routes, a test-client login as alice drawn as a handshake
 * sequence diagram with decoded JWTs and no whole token on the page, the catalog as alice, a
 * refused cancel-order call in Decisions with its rule, an ACL matrix edit that changes what
 * alice sees, the OAuth doctor, and an injected fault marked in the trace. Every assertion reads
 * the page, not the admin API. The tests run in order and build on each other (one browser, one
 * Gatehouse). Each screen is saved as a screenshot (see ./screenshots.ts).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchGatehouse, type LaunchedGatehouse } from '../../main/admin/launch.js';
import { startTestKeychain, useTestKeychainInThisProcess, type TestKeychain } from '../helpers/test-keychain.js';
import { launchChromium } from './chromium-launch.js';
import { ensureRendererBuilt } from './renderer-build.js';
import { everythingOnPage, openScreen as openScreenOf } from './window-page.js';
import { saveScreenshot } from './screenshots.js';

const SHOP = '/ecommerce-mcp';
const OTHER = '/everything';
const HIDDEN_FROM_ALICE = ['cancel-order', 'get-customer', 'update-customer-contact'];
/** The handshake as the spec orders it; other arrows (consent, jwks…) may come in between. */
const HANDSHAKE = ['challenge', 'resource-metadata', 'authorization-server-metadata', 'registration', 'authorize', 'login', 'token', 'mcp initialize', 'mcp tools/list'];
/** Three base64url segments joined by dots, long enough to be a real token rather than a shortened one. */
const WHOLE_JWT = /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g;
const UI_TIMEOUT_MS = 20_000;

let keychain: TestKeychain;
let dataDir: string;
let launched: LaunchedGatehouse;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const byTestId = (id: string): Locator => page.getByTestId(id);

const openScreen = (screen: string): Promise<Locator> => openScreenOf(page, screen);

/**
 * The little of an element the page-side callbacks read. The project's Node tsconfig has no DOM
 * lib (and should not get one for the sake of a test), so Playwright hands these over untyped.
 */
interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  querySelector(selector: string): PageElement | null;
}

/** Whole JWTs anywhere in the page's text or markup (attributes, collapsed details, hidden nodes). */
async function wholeTokensOnPage(): Promise<string[]> {
  return ((await everythingOnPage(page)).match(WHOLE_JWT) ?? []).filter((candidate) => candidate.length > 100);
}


/** Arrows of the shown sequence diagram as `step` or `mcp <method>`, top to bottom. */
async function arrowSteps(): Promise<string[]> {
  return byTestId('seq-arrow').evaluateAll((arrows: PageElement[]) =>
    arrows.map((arrow) => {
      const step = arrow.dataset.step ?? '';
      if (step !== 'mcp') return step;
      // The label reads `<JSON-RPC method> [item]`.
      const label = arrow.querySelector('.tr-label-text')?.textContent ?? '';
      return `mcp ${label.split(' ')[0] ?? ''}`;
    }),
  );
}

/** Positions of `wanted` in `steps`, each after the previous; -1 where one is missing. */
function positionsInOrder(steps: string[], wanted: string[]): number[] {
  let from = 0;
  return wanted.map((step) => {
    const at = steps.indexOf(step, from);
    if (at >= 0) from = at + 1;
    return at;
  });
}

/** Opens a route card's Faults panel (it starts open when a fault is on). */
async function openFaults(card: Locator): Promise<void> {
  await card.waitFor();
  if (!(await card.getByTestId('faults-panel').isVisible())) await card.locator('.route-faults summary').click();
  await card.getByTestId('faults-panel').waitFor();
}

async function runTestClient(user: string): Promise<void> {
  await openScreen('test-client');
  await byTestId('tc-route').selectOption(SHOP);
  await byTestId('tc-user').selectOption(user);
  await byTestId('tc-start').click();
  await byTestId('tc-state').and(page.locator('[data-state="new"]')).waitFor();
  await byTestId('tc-run').click();
}

beforeAll(async () => {
  await ensureRendererBuilt();
  // A throwaway keychain: the settings screen lists a real Secret Service, never the developer's.
  keychain = await startTestKeychain();
  useTestKeychainInThisProcess(keychain);
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-window-'));
  launched = await launchGatehouse({ demo: true, port: 0, adminPort: 0, dataDir });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  // The admin server's strict CSP: a violation means part of the window silently did not load.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(launched.admin.windowUrl);
});

afterAll(async () => {
  await browser?.close();
  await launched?.close();
  await keychain?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the window against the running demo', () => {
  it('lists both demo routes with their URLs on the routes screen', async () => {
    const main = await openScreen('routes');
    for (const route of [SHOP, OTHER]) {
      const card = main.locator(`[data-testid="route-row"][data-route="${route}"]`);
      await expect(card.getByTestId('route-url').textContent()).resolves.toBe(launched.gateway.url(route));
    }
    expect(await main.getByTestId('route-row').count()).toBe(2);
    // Healthy upstreams make the picture worth having.
    await main.locator('[data-testid="upstream-health"][data-state="connected"]').nth(1).waitFor();
    await byTestId('stream-status').filter({ hasText: 'Live' }).waitFor();
    await saveScreenshot(page, 'routes');
  });

  it('logs alice in with the test client, and the trace shows the whole handshake in order', async () => {
    await runTestClient('alice');
    await byTestId('tc-state').and(page.locator('[data-state="connected"]')).waitFor();
    await byTestId('tc-tool').first().waitFor();
    expect(await page.locator('[data-testid="tc-step"][data-status="error"]').count()).toBe(0);
    await saveScreenshot(page, 'test-client');

    await byTestId('tc-trace-link').click();
    await byTestId('screen-handshake').waitFor();
    // The newest connection is shown until one is picked: alice's, once the stream has delivered it.
    const listed = byTestId('seq-arrow').and(page.locator('[data-step="mcp"]')).filter({ hasText: 'tools/list' });
    await listed.first().waitFor();
    // Alice's connection: her token's subject is tagged on the requests it authorised.
    await listed.filter({ hasText: 'alice' }).first().waitFor();
    const steps = await arrowSteps();
    const positions = positionsInOrder(steps, HANDSHAKE);
    expect(
      HANDSHAKE.filter((_, index) => positions[index] === -1),
      `arrows shown: ${steps.join(' → ')}`,
    ).toEqual([]);

    await byTestId('seq-arrow').and(page.locator('[data-step="token"]')).first().click();
    const detail = byTestId('exchange-detail').and(page.locator('[data-step="token"]'));
    await detail.getByTestId('jwt').first().waitFor();
    const audiences = await detail
      .getByTestId('jwt')
      .locator('tr')
      .filter({ has: page.locator('th', { hasText: /^aud$/ }) })
      .locator('td .mono')
      .allTextContents();
    expect(audiences.some((aud) => aud.includes(launched.gateway.url(SHOP)))).toBe(true);
    await detail.getByTestId('jwt-expiry').first().waitFor();
    expect(await wholeTokensOnPage()).toEqual([]);
    await saveScreenshot(page, 'handshake');
  });

  it('shows alice 5 ecommerce tools in the catalog and why the 3 others are hidden', async () => {
    const main = await openScreen('catalog');
    await main.getByTestId('route-picker').selectOption(SHOP);
    await byTestId('persona-alice').click();
    await byTestId('catalog-summary').filter({ hasText: 'alice' }).waitFor();
    await expect(byTestId('visible-tool-count').textContent()).resolves.toBe('5');

    const hidden = main.locator('[data-testid="catalog-item"][data-kind="tools"][data-visible="false"]');
    expect((await hidden.evaluateAll((items: PageElement[]) => items.map((item) => item.dataset.name))).sort()).toEqual([...HIDDEN_FROM_ALICE].sort());
    for (const why of await hidden.getByTestId('catalog-item-why').allTextContents()) {
      expect(why).toMatch(/^hidden: /);
      expect(why).toContain('customer-support-only');
    }
    await main.locator('[data-testid="catalog-item"][data-name="cancel-order"]').click();
    await byTestId('catalog-detail').getByTestId('decision-explanation').first().waitFor();
    await saveScreenshot(page, 'catalog');
  });

  it('refuses cancel-order for alice, and Decisions shows the refusal with its rule', async () => {
    // Still on the catalog with cancel-order selected: try it as alice.
    await byTestId('try-field-orderId').fill('1042');
    await byTestId('try-it-run').click();
    const answer = byTestId('try-it-result').or(byTestId('catalog-detail').getByTestId('error-callout'));
    await answer.first().waitFor();
    expect(await byTestId('try-it-result').and(page.locator('[data-ok="true"]')).count()).toBe(0);

    const main = await openScreen('decisions');
    await byTestId('decisions-subject').fill('alice');
    await byTestId('decisions-item').fill('cancel-order');
    const calls = main.locator('[data-testid="decision-row"][data-subject="alice"][data-item="cancel-order"]').filter({ hasText: 'tools/call' });
    await calls.first().waitFor();
    const refusal = calls.and(page.locator('[data-effect="deny"], [data-effect="no_match"]')).first();
    await refusal.waitFor();
    await refusal.click();
    const explanation = byTestId('decision-detail').getByTestId('decision-explanation');
    await explanation.waitFor();
    await expect(explanation.textContent()).resolves.toContain('customer-support-only');
    await saveScreenshot(page, 'decisions');
  });

  it('saves an ACL matrix edit to a file, and alice then sees 6 tools', async () => {
    const main = await openScreen('acl');
    await main.getByTestId('route-picker').selectOption(SHOP);
    const cell = byTestId('acl-cell-cancel-order-warehouse-ops');
    await cell.waitFor();
    expect(await cell.isChecked()).toBe(false);
    await cell.check();
    await byTestId('acl-save').click();
    const saved = byTestId('acl-saved');
    await saved.waitFor();
    const file = await saved.locator('code').textContent();
    expect(file).toBeTruthy();
    expect(existsSync(file!)).toBe(true);
    expect(await cell.isChecked()).toBe(true);
    await saveScreenshot(page, 'acl');

    const catalog = await openScreen('catalog');
    await byTestId('persona-alice').click();
    await catalog.locator('[data-testid="catalog-item"][data-name="cancel-order"][data-visible="true"]').waitFor();
    await expect(byTestId('visible-tool-count').textContent()).resolves.toBe('6');
  });

  it("previews the demo's machine client like a member of its group, and Try it calls as it", async () => {
    const catalog = await openScreen('catalog');
    await byTestId('persona-demo-agent').click();
    await byTestId('catalog-summary').filter({ hasText: 'demo-agent' }).waitFor();
    // warehouse-ops, as alice: the edit above gave the group cancel-order.
    await expect(byTestId('visible-tool-count').textContent()).resolves.toBe('6');
    await catalog.locator('[data-testid="catalog-item"][data-name="check-inventory"]').click();
    await byTestId('try-field-sku').fill('TEE-ORG-M');
    await byTestId('try-it-run').click();
    await byTestId('try-it-result').and(page.locator('[data-ok="true"]')).waitFor();
  });

  it('connects the test client as the demo machine client: three steps skipped, a client_credentials token, its tools', async () => {
    await runTestClient('demo-agent');
    await byTestId('tc-state').and(page.locator('[data-state="connected"]')).waitFor();
    await byTestId('tc-tool').first().waitFor();
    expect(await page.locator('[data-testid="tc-step"][data-status="error"]').count()).toBe(0);
    expect(await page.locator('[data-testid="tc-step"][data-status="skipped"]').count()).toBe(3);
    expect(await byTestId('screen-test-client').getByText('machine client', { exact: true }).count()).toBe(1);
  });

  it('runs the OAuth doctor on the shop route with no failing check', async () => {
    await openScreen('doctor');
    await byTestId('doctor-mode-route').click();
    await byTestId('doctor-route').selectOption(SHOP);
    await byTestId('doctor-run').click();
    await byTestId('doctor-report').waitFor();
    const checks = byTestId('doctor-check');
    await checks.first().waitFor();
    const statuses = await checks.evaluateAll((items: PageElement[]) => items.map((item) => `${item.dataset.id}:${item.dataset.status}`));
    expect(statuses.length).toBeGreaterThan(3);
    expect(statuses.filter((status) => status.endsWith(':fail'))).toEqual([]);
    await saveScreenshot(page, 'doctor');
  });

  it('marks a fault switched on from the Faults panel in the trace of the next attempt', async () => {
    const main = await openScreen('routes');
    const card = main.locator(`[data-testid="route-row"][data-route="${SHOP}"]`);
    const toggle = card.getByTestId('fault-drop_resource_metadata');
    await openFaults(card);
    await toggle.check();
    await card.getByTestId('fault-badge').and(page.locator('[data-fault="drop_resource_metadata"]')).waitFor();

    await runTestClient('bob');
    await byTestId('tc-state').and(page.locator('[data-state="connected"], [data-state="failed"]')).waitFor();
    await byTestId('tc-trace-link').click();
    const faulted = byTestId('seq-arrow').and(page.locator('[data-step="challenge"][data-fault="drop_resource_metadata"]'));
    await faulted.first().waitFor();
    await faulted.first().click();
    await byTestId('exchange-detail').getByTestId('exchange-fault').waitFor();
    await saveScreenshot(page, 'handshake-fault');

    // Leave the route as the spec says for whoever looks next.
    await openScreen('routes');
    await openFaults(card);
    await toggle.uncheck();
    await card.getByTestId('fault-badge').waitFor({ state: 'detached' });
  });

  it('shows ports, demo users and the (empty) keychain in settings, with no uncaught error or CSP violation on any screen', async () => {
    await openScreen('settings');
    await byTestId('settings-port').waitFor();
    for (const user of ['alice', 'bob']) await page.locator(`[data-testid="idp-user-row"][data-username="${user}"]`).waitFor();
    expect(await byTestId('idp-clients').innerText()).toContain('demo-agent');
    // The test keychain is empty but readable: its list, not an error.
    const settings = byTestId('screen-settings');
    await byTestId('keychain').or(settings.getByText('Nothing stored')).waitFor();
    expect(await settings.getByTestId('error-callout').count()).toBe(0);
    await saveScreenshot(page, 'settings');
    expect(await wholeTokensOnPage()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
