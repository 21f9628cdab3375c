/**
 * The window saves demo edits (the ACL matrix) to `<dataDir>/demo.yaml`, but the demo itself is
 * rebuilt in memory on every launch (its shop API and ports change). So the next demo launch takes
 * the access rules back from that file — only those, route by route — and a file that no longer
 * fits the demo is set aside with a warning, never a failed start.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { parse } from 'yaml';

import { gatehouseConfigSchema, type GatehouseConfig } from '../config/schema.js';

export const DEMO_FILE = 'demo.yaml';

export interface SavedDemoAcls {
  config: GatehouseConfig;
  /** Routes whose access rules came from the file. */
  applied: string[];
  file: string;
  /** Why the file was set aside, when it was. */
  problem?: string;
}

export async function applySavedDemoAcls(config: GatehouseConfig, dataDir: string): Promise<SavedDemoAcls> {
  const file = path.join(dataDir, DEMO_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { config, applied: [], file };
  }
  const setAside = (why: string): SavedDemoAcls => ({ config, applied: [], file, problem: `${file} was not applied (${why}); the demo runs with its default access rules — fix or delete the file` });
  let saved: unknown;
  try {
    saved = parse(text);
  } catch (error) {
    return setAside(`not YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const routes = (saved as { routes?: unknown })?.routes;
  if (!Array.isArray(routes)) return setAside('it has no routes');
  const acls = new Map<string, unknown>();
  for (const route of routes as Array<{ path?: unknown; acl?: unknown }>) {
    if (typeof route?.path === 'string' && route.acl !== undefined) acls.set(route.path, route.acl);
  }
  const applied: string[] = [];
  const merged = {
    ...config,
    routes: config.routes.map((route) => {
      if (!acls.has(route.path) || !route.auth) return route;
      applied.push(route.path);
      return { ...route, acl: acls.get(route.path) };
    }),
  };
  const checked = gatehouseConfigSchema.safeParse(merged);
  if (!checked.success) return setAside(checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return { config: checked.data, applied, file };
}
