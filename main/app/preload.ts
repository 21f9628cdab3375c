/**
 * The window's preload (sandboxed, built to CommonJS as out/main/preload.cjs). It exposes exactly
 * one object, `window.gatehouse` (AdminBootstrap), and nothing that can reach Node, Electron or
 * IPC: the window talks to Gatehouse only through the admin API, as it does in a browser.
 */
import { contextBridge, ipcRenderer } from 'electron';

import type { AdminBootstrap } from '../../shared/admin-api.js';
import { BOOTSTRAP_CHANNEL } from './bootstrap-channel.js';

function isBootstrap(value: unknown): value is AdminBootstrap {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.adminUrl === 'string' && typeof record.token === 'string';
}

const answer: unknown = ipcRenderer.sendSync(BOOTSTRAP_CHANNEL);
if (isBootstrap(answer)) {
  contextBridge.exposeInMainWorld('gatehouse', Object.freeze({ adminUrl: answer.adminUrl, token: answer.token }));
}
