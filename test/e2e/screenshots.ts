/**
 * Screenshots of the window's screens: always into test-artifacts/screenshots (gitignored, kept
 * by CI), and with GATEHOUSE_UPDATE_SCREENSHOTS=1 also into docs/screenshots, which the README
 * links — so the docs change only when someone asks for current images.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Page } from 'playwright-core';

import { REPO_ROOT } from './renderer-build.js';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');
const DOCS = path.join(REPO_ROOT, 'docs', 'screenshots');

export async function saveScreenshot(page: Page, screen: string): Promise<void> {
  const folders = process.env.GATEHOUSE_UPDATE_SCREENSHOTS === '1' ? [ARTIFACTS, DOCS] : [ARTIFACTS];
  // Finished transitions and no blinking caret: the image shows the state the test just asserted.
  const image = await page.screenshot({ animations: 'disabled', caret: 'hide' });
  for (const folder of folders) {
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, `${screen}.png`), image);
  }
}
