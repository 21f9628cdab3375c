/**
 * The browser fallback opens the window through a small launcher page instead of handing the
 * address to the opener: the address carries the admin token, and a command line (xdg-open's,
 * the browser's) can be read by every local user in /proc. The page is written readable by the
 * user alone and sends the browser on to the address — the way Jupyter opens its notebooks.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const LAUNCHER_FILE = 'open-window.html';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Writes the launcher page for `windowUrl` into `dataDir` (mode 0600) and returns its file: URL. */
export async function writeWindowLauncher(windowUrl: string, dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, LAUNCHER_FILE);
  const target = escapeHtml(windowUrl);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${target}"><title>Opening Gatehouse…</title></head>
<body style="font:16px system-ui;margin:3rem">Opening Gatehouse… <a href="${target}">continue</a></body></html>
`;
  await writeFile(file, html, { mode: 0o600 });
  // An existing file keeps its old mode through writeFile: make sure.
  await chmod(file, 0o600);
  return pathToFileURL(file).href;
}
