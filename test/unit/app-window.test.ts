/**
 * The window's locks (main/app/secure-window.ts, session-policy.ts, bootstrap-channel.ts) against
 * the Electron stand-in: what the window may load, open and ask for, and who learns the token.
 */
import { describe, expect, it } from 'vitest';

import { BOOTSTRAP_CHANNEL, serveBootstrap } from '../../main/app/bootstrap-channel.js';
import { isExternalWebLink, lockNavigation, secureWindowOptions } from '../../main/app/secure-window.js';
import { applySessionPolicy, withPolicyHeader } from '../../main/app/session-policy.js';
import { createElectronStandIn } from '../fixtures/electron-stand-in.js';

const ADMIN = 'http://127.0.0.1:47001';

describe('window options', () => {
  it('isolate the page, sandbox it, keep Node out and load the preload', () => {
    const options = secureWindowOptions({ preload: '/app/out/main/preload.cjs' });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options.show).toBe(false);
  });

  it('take saved bounds when given', () => {
    const options = secureWindowOptions({ preload: '/p.cjs', bounds: { x: 40, y: 50, width: 1000, height: 700 } });
    expect(options).toMatchObject({ x: 40, y: 50, width: 1000, height: 700 });
  });
});

describe('navigation lock', () => {
  function lockedWindow() {
    const electron = createElectronStandIn();
    const window = new electron.BrowserWindow({});
    lockNavigation(window.webContents as never, ADMIN, electron.shell.openExternal);
    return { electron, contents: window.webContents };
  }

  it('lets the window move within the admin origin', () => {
    const { contents, electron } = lockedWindow();
    expect(contents.navigate(`${ADMIN}/routes`)).toBe(true);
    expect(contents.navigate(`${ADMIN}/api/overview`, 'will-redirect')).toBe(true);
    expect(electron.calls.openExternal).toEqual([]);
  });

  it('refuses another origin — another port on loopback too — and hands web links to the system browser', () => {
    const { contents, electron } = lockedWindow();
    expect(contents.navigate('https://modelcontextprotocol.io/specification')).toBe(false);
    expect(contents.navigate('http://127.0.0.1:8400/ecommerce-mcp')).toBe(false);
    expect(electron.calls.openExternal).toEqual(['https://modelcontextprotocol.io/specification', 'http://127.0.0.1:8400/ecommerce-mcp']);
  });

  it('never opens file:, javascript: or custom schemes, not even outside', () => {
    const { contents, electron } = lockedWindow();
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.navigate('javascript:alert(1)')).toBe(false);
    expect(contents.navigate('vscode://settings')).toBe(false);
    expect(electron.calls.openExternal).toEqual([]);
  });

  it('refuses redirects away from the admin origin without opening them', () => {
    const { contents, electron } = lockedWindow();
    expect(contents.navigate('https://evil.example/', 'will-redirect')).toBe(false);
    expect(electron.calls.openExternal).toEqual([]);
  });

  it('denies window.open and opens only http(s) links externally', () => {
    const { contents, electron } = lockedWindow();
    expect(contents.open('https://www.rfc-editor.org/rfc/rfc9728')).toEqual({ action: 'deny' });
    expect(contents.open(`${ADMIN}/trace`)).toEqual({ action: 'deny' });
    expect(contents.open('file:///home/user/.ssh/id_ed25519')).toEqual({ action: 'deny' });
    expect(contents.open('javascript:void(0)')).toEqual({ action: 'deny' });
    expect(electron.calls.openExternal).toEqual(['https://www.rfc-editor.org/rfc/rfc9728', `${ADMIN}/trace`]);
  });

  it('refuses webviews', () => {
    const { contents } = lockedWindow();
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    contents.emit('will-attach-webview', event);
    expect(event.defaultPrevented).toBe(true);
  });

  it('tells web links from the rest', () => {
    expect(isExternalWebLink('https://example.com')).toBe(true);
    expect(isExternalWebLink('http://example.com')).toBe(true);
    for (const url of ['file:///x', 'javascript:1', 'data:text/html,hi', 'mailto:a@b', 'not a url', '']) expect(isExternalWebLink(url)).toBe(false);
  });
});

describe('session policy', () => {
  const CSP = "default-src 'self'";

  it('puts our CSP on every response, replacing one in any case', () => {
    const electron = createElectronStandIn();
    applySessionPolicy(electron.session.defaultSession as never, ADMIN, CSP);
    let response: any;
    electron.session.defaultSession.headersListener!(
      { url: `${ADMIN}/`, responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } },
      (r) => (response = r),
    );
    expect(response.responseHeaders).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CSP] });
    expect(withPolicyHeader(undefined, CSP)).toEqual({ 'Content-Security-Policy': [CSP] });
  });

  it('denies permission requests and checks, but lets the admin page write the clipboard', () => {
    const electron = createElectronStandIn();
    applySessionPolicy(electron.session.defaultSession as never, ADMIN, CSP);
    const contents = { getURL: () => `${ADMIN}/` };
    const ask = (permission: string, url: string): boolean => {
      let granted: boolean | undefined;
      electron.session.defaultSession.permissionRequestHandler!(contents, permission, (g: boolean) => (granted = g), { requestingUrl: url });
      return granted!;
    };
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'hid']) {
      expect(ask(permission, `${ADMIN}/`)).toBe(false);
      expect(electron.session.defaultSession.permissionCheckHandler!(null, permission, ADMIN, {})).toBe(false);
    }
    expect(ask('clipboard-sanitized-write', `${ADMIN}/routes`)).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(electron.session.defaultSession.permissionCheckHandler!(null, 'clipboard-sanitized-write', 'https://evil.example', {})).toBe(false);
  });
});

describe('bootstrap channel', () => {
  function served() {
    const electron = createElectronStandIn();
    const own = { id: 'own window' };
    serveBootstrap(electron.ipcMain as never, (sender) => sender === (own as never), { adminUrl: ADMIN, token: 'launch-token' });
    return { electron, own };
  }

  it("answers the window's own top frame on the admin origin with exactly the URL and token", () => {
    const { electron, own } = served();
    const answer = electron.ipcMain.sendSync(BOOTSTRAP_CHANNEL, own, { url: `${ADMIN}/`, parent: null });
    expect(answer).toEqual({ adminUrl: ADMIN, token: 'launch-token' });
  });

  it('answers nobody else: another webContents, a subframe, another origin, no frame', () => {
    const { electron, own } = served();
    expect(electron.ipcMain.sendSync(BOOTSTRAP_CHANNEL, { id: 'other' }, { url: `${ADMIN}/`, parent: null })).toBeNull();
    expect(electron.ipcMain.sendSync(BOOTSTRAP_CHANNEL, own, { url: `${ADMIN}/`, parent: {} })).toBeNull();
    expect(electron.ipcMain.sendSync(BOOTSTRAP_CHANNEL, own, { url: 'https://evil.example/', parent: null })).toBeNull();
    expect(electron.ipcMain.sendSync(BOOTSTRAP_CHANNEL, own, { url: 'http://127.0.0.1:8400/', parent: null })).toBeNull();
    expect(electron.ipcMain.sendSync(BOOTSTRAP_CHANNEL, own, null)).toBeNull();
  });
});
