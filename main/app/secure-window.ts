/**
 * The window's locks. It shows one thing — the admin origin — with Chromium's sandbox and context
 * isolation and no Node; it never navigates elsewhere, never opens windows of its own, and hands
 * web links to the system browser. (Electron's security checklist, items 2–4, 13–15:
 * https://www.electronjs.org/docs/latest/tutorial/security)
 */
import type { BrowserWindowConstructorOptions, Event, HandlerDetails, WebContents, WindowOpenHandlerResponse } from 'electron';

import { isAdminOrigin } from './bootstrap-channel.js';
import type { WindowBounds } from './window-state.js';

export interface WindowOptionsInput {
  /** Absolute path of the built preload (out/main/preload.cjs). */
  preload: string;
  bounds?: WindowBounds;
  /** Window icon (Linux and Windows; macOS takes the app bundle's). */
  icon?: string;
}

export const DEFAULT_BOUNDS = { width: 1280, height: 820 } as const;

export function secureWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Gatehouse',
    width: input.bounds?.width ?? DEFAULT_BOUNDS.width,
    height: input.bounds?.height ?? DEFAULT_BOUNDS.height,
    ...(input.bounds ? { x: input.bounds.x, y: input.bounds.y } : {}),
    minWidth: 880,
    minHeight: 560,
    // Shown once the first paint is ready, so the user never sees a blank frame.
    show: false,
    backgroundColor: '#0f1115',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: {
      preload: input.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** Links the system browser may open: web pages only, never file:, javascript: or custom schemes. */
export function isExternalWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

type LockableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Keeps the window on the admin origin. A link elsewhere (the spec pages the doctor cites, an
 * IdP's console) opens in the system browser; redirects and window.open to anywhere are refused.
 */
export function lockNavigation(contents: LockableContents, adminOrigin: string, openExternal: (url: string) => Promise<void>): void {
  const openOutside = (url: string): void => {
    if (isExternalWebLink(url)) void openExternal(url).catch(() => undefined);
  };
  contents.on('will-navigate', (event: Event, url: string) => {
    if (isAdminOrigin(url, adminOrigin)) return;
    event.preventDefault();
    openOutside(url);
  });
  contents.on('will-redirect', (event: Event, url: string) => {
    if (!isAdminOrigin(url, adminOrigin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event: Event) => event.preventDefault());
  contents.setWindowOpenHandler((details: HandlerDetails): WindowOpenHandlerResponse => {
    openOutside(details.url);
    return { action: 'deny' };
  });
}
