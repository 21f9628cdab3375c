/**
 * The window's size, place and maximized state, kept in the app's data folder between launches.
 * Written atomically (temp file + rename) so a crash mid-write leaves the old state, and clamped
 * on the way back in, so a window last seen on a monitor that is gone reopens where it can be seen.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

import type { BrowserWindow, Display, Rectangle } from 'electron';

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: WindowBounds;
  maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';

/** The least of a window that must be on some display for it to count as visible. */
const MIN_VISIBLE = 64;

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function parseState(value: unknown): WindowState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { bounds, maximized } = value as { bounds?: Record<string, unknown>; maximized?: unknown };
  if (typeof bounds !== 'object' || bounds === null) return undefined;
  const { x, y, width, height } = bounds;
  if (!isFiniteNumber(x) || !isFiniteNumber(y) || !isFiniteNumber(width) || !isFiniteNumber(height)) return undefined;
  if (width <= 0 || height <= 0) return undefined;
  return { bounds: { x, y, width, height }, maximized: maximized === true };
}

/** The saved state, or undefined when there is none or it is unreadable (a fresh default is fine then). */
export async function loadWindowState(file: string): Promise<WindowState | undefined> {
  try {
    return parseState(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, 'utf8');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Bounds that show on a display: kept as saved when enough of the window is on one display's work
 * area; otherwise moved onto the primary (first) display and shrunk to fit it. No displays at all
 * (a headless session) leaves the saved bounds alone.
 */
export function clampToDisplays(bounds: WindowBounds, displays: ReadonlyArray<Pick<Display, 'workArea'>>): WindowBounds {
  if (displays.length === 0) return bounds;
  const visible = displays.some(({ workArea }) => {
    const { width, height } = overlap(bounds, workArea);
    return width >= Math.min(MIN_VISIBLE, bounds.width) && height >= Math.min(MIN_VISIBLE, bounds.height);
  });
  if (visible) return bounds;
  const area = displays[0].workArea;
  const width = Math.min(bounds.width, area.width);
  const height = Math.min(bounds.height, area.height);
  return {
    x: area.x + Math.round((area.width - width) / 2),
    y: area.y + Math.round((area.height - height) / 2),
    width,
    height,
  };
}

type TrackedWindow = Pick<BrowserWindow, 'on' | 'getNormalBounds' | 'isMaximized' | 'isDestroyed'>;

/**
 * Saves the window's state when it is moved, resized, maximized or closed. Moves come in bursts,
 * so saving waits for a quiet moment; closing saves at once. Returns a flush for shutdown.
 */
export function trackWindowState(
  window: TrackedWindow,
  file: string,
  onError: (error: unknown) => void,
  quietMs = 400,
): () => Promise<void> {
  let last: WindowState | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const capture = (): void => {
    if (window.isDestroyed()) return;
    last = { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const state = last;
    if (!state) return writing;
    last = undefined;
    writing = writing.then(() => saveWindowState(file, state)).catch(onError);
    return writing;
  };
  const later = (): void => {
    capture();
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void flush(), quietMs);
    timer.unref();
  };
  window.on('resize', later);
  window.on('move', later);
  window.on('maximize', later);
  window.on('unmaximize', later);
  window.on('close', () => {
    capture();
    void flush();
  });
  return flush;
}
