/**
 * Renders the app and tray icons from their SVG sources with headless Chromium, so the PNGs in
 * build/ can be regenerated after an edit to icon.svg or tray/tray.svg:
 *
 *   node --import tsx build/render-icons.ts
 *
 * Outputs: build/icon.png (1024², electron-builder derives .icns and .ico from it),
 * build/icons/NxN.png (Linux), build/tray/trayTemplate{,@2x}.png (macOS menu bar: black on
 * transparent, the system tints it) and build/tray/tray{,@2x}.png (Windows and Linux, in colour).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { chromium, type Page } from 'playwright-core';

const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const TRAY_COLOUR = '#14b8a6';

async function render(page: Page, svg: string, size: number, file: string): Promise<void> {
  await page.setViewportSize({ width: size, height: size });
  const sized = svg.replace(/<svg([^>]*?)\swidth="\d+"\s+height="\d+"/, `<svg$1 width="${size}" height="${size}"`);
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`);
  await writeFile(file, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  const icon = await readFile(here('./icon.svg'), 'utf8');
  await render(page, icon, 1024, here('./icon.png'));
  for (const size of LINUX_SIZES) await render(page, icon, size, here(`./icons/${size}x${size}.png`));

  const tray = await readFile(here('./tray/tray.svg'), 'utf8');
  const template = tray.replace('currentColor', '#000000');
  const coloured = tray.replace('currentColor', TRAY_COLOUR);
  await render(page, template, 16, here('./tray/trayTemplate.png'));
  await render(page, template, 32, here('./tray/trayTemplate@2x.png'));
  await render(page, coloured, 16, here('./tray/tray.png'));
  await render(page, coloured, 32, here('./tray/tray@2x.png'));
  console.log(`rendered build/icon.png, ${LINUX_SIZES.length} Linux sizes and 4 tray images`);
} finally {
  await browser.close();
}
