/**
 * Debian's Chromium driven by playwright-core (no browser download): the window's end-to-end tests
 * run in a real browser because there is no Electron binary here. A missing browser is a setup
 * problem with a one-line fix, so it fails loudly rather than skipping the tests.
 */
import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: the window's end-to-end tests need it. Install the \`chromium\` apt package (sudo apt-get install chromium; .ci/run installs it).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
