/**
 * Window state (main/app/window-state.ts): saved atomically, read back defensively, and clamped
 * onto the displays there are now.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { clampToDisplays, loadWindowState, saveWindowState, trackWindowState } from '../../main/app/window-state.js';
import { createElectronStandIn } from '../fixtures/electron-stand-in.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-window-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const laptop = { workArea: { x: 0, y: 25, width: 1440, height: 875 } };
const monitorLeft = { workArea: { x: -1920, y: 0, width: 1920, height: 1080 } };

describe('saving and loading', () => {
  it('round-trips and leaves no temp file behind', async () => {
    const file = path.join(dir, 'nested', 'window-state.json');
    await saveWindowState(file, { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
    expect(await loadWindowState(file)).toEqual({ bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
    expect(await readdir(path.dirname(file))).toEqual(['window-state.json']);
  });

  it('treats a missing, corrupt or nonsensical file as no state', async () => {
    const file = path.join(dir, 'window-state.json');
    expect(await loadWindowState(file)).toBeUndefined();
    for (const content of ['{not json', '[]', '{"bounds":{"x":"1","y":0,"width":10,"height":10}}', '{"bounds":{"x":0,"y":0,"width":0,"height":10}}']) {
      await writeFile(file, content);
      expect(await loadWindowState(file)).toBeUndefined();
    }
  });
});

describe('clamping onto displays', () => {
  it('keeps bounds that are visible, on any display', () => {
    const onLaptop = { x: 100, y: 100, width: 1200, height: 700 };
    expect(clampToDisplays(onLaptop, [laptop])).toEqual(onLaptop);
    const onLeftMonitor = { x: -1800, y: 50, width: 1200, height: 800 };
    expect(clampToDisplays(onLeftMonitor, [laptop, monitorLeft])).toEqual(onLeftMonitor);
    // Hanging partly off the edge is fine while enough of it shows.
    const partly = { x: 1300, y: 100, width: 1200, height: 700 };
    expect(clampToDisplays(partly, [laptop])).toEqual(partly);
  });

  it('brings a window from a display that is gone onto the primary one, shrunk to fit and centred', () => {
    expect(clampToDisplays({ x: -1800, y: 50, width: 1600, height: 1000 }, [laptop])).toEqual({ x: 0, y: 25, width: 1440, height: 875 });
    expect(clampToDisplays({ x: 5000, y: 5000, width: 800, height: 600 }, [laptop])).toEqual({ x: 320, y: 163, width: 800, height: 600 });
  });

  it('leaves bounds alone when no display is known', () => {
    expect(clampToDisplays({ x: 5000, y: 5000, width: 800, height: 600 }, [])).toEqual({ x: 5000, y: 5000, width: 800, height: 600 });
  });
});

describe('tracking a window', () => {
  it('saves after moves and on close', async () => {
    const file = path.join(dir, 'window-state.json');
    const electron = createElectronStandIn();
    const window = new electron.BrowserWindow({ x: 0, y: 0, width: 900, height: 600 });
    const errors: unknown[] = [];
    const flush = trackWindowState(window as never, file, (error) => errors.push(error), 0);
    window.setBounds({ x: 30, y: 40, width: 1000, height: 650 });
    window.maximize();
    await flush();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ bounds: { x: 30, y: 40, width: 1000, height: 650 }, maximized: true });

    window.maximized = false;
    window.bounds = { x: 50, y: 60, width: 1100, height: 700 };
    window.close();
    await flush();
    expect(await loadWindowState(file)).toEqual({ bounds: { x: 50, y: 60, width: 1100, height: 700 }, maximized: false });
    expect(errors).toEqual([]);
  });

  it('reports a failed save instead of throwing', async () => {
    const blocker = path.join(dir, 'file-not-dir');
    await writeFile(blocker, '');
    const electron = createElectronStandIn();
    const window = new electron.BrowserWindow({});
    const errors: unknown[] = [];
    const flush = trackWindowState(window as never, path.join(blocker, 'window-state.json'), (error) => errors.push(error), 0);
    window.setBounds({ x: 1, y: 2, width: 300, height: 200 });
    await flush();
    expect(errors).toHaveLength(1);
  });
});
