/**
 * PUT /api/faults {route, faults} → RouteSummary, and POST /api/faults/tokens {route, action}
 * → {affected}: inject faults on a route, or expire / revoke the tokens it has seen, so a developer
 * watches how their client copes. The gateway marks every exchange a fault shaped in the trace.
 */
import express, { type Router } from 'express';

import type { FaultSet } from '../../shared/admin-api.js';
import type { AdminContext } from './admin-context.js';
import { badRequest, conflict } from './admin-error.js';
import { findRoute, routeSummary } from './route-summary.js';

const FLAGS = ['drop_resource_metadata', 'hide_path_metadata', 'upstream_failure'] as const;

export function parseFaults(value: unknown): FaultSet {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('faults must be an object, e.g. {"drop_resource_metadata": true}');
  const given = value as Record<string, unknown>;
  const problems: string[] = [];
  const faults: FaultSet = {};
  const known = new Set<string>([...FLAGS, 'require_scope', 'upstream_delay_ms']);
  for (const key of Object.keys(given)) if (!known.has(key)) problems.push(`unknown fault "${key}" (known: ${[...known].join(', ')})`);
  for (const flag of FLAGS) {
    const v = given[flag];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') problems.push(`${flag} must be true or false`);
    else faults[flag] = v;
  }
  if (given.require_scope !== undefined) {
    if (typeof given.require_scope !== 'string' || /\s/.test(given.require_scope.trim())) problems.push('require_scope must be one scope name, e.g. "shop:admin"');
    else if (given.require_scope.trim()) faults.require_scope = given.require_scope.trim();
  }
  if (given.upstream_delay_ms !== undefined) {
    const ms = given.upstream_delay_ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 120_000) problems.push('upstream_delay_ms must be a whole number of milliseconds from 0 to 120000');
    else faults.upstream_delay_ms = ms;
  }
  if (problems.length) throw badRequest('The faults were not applied', problems);
  return faults;
}

export function faultsRouter(context: AdminContext): Router {
  const { gateway } = context;
  const router = express.Router();

  router.put('/faults', (req, res) => {
    const body = (req.body ?? {}) as { route?: unknown; faults?: unknown };
    const runtime = findRoute(gateway, body.route);
    gateway.setFaults(runtime.route.path, parseFaults(body.faults));
    res.json(routeSummary(gateway, findRoute(gateway, runtime.route.path)));
  });

  router.post('/faults/tokens', async (req, res) => {
    const body = (req.body ?? {}) as { route?: unknown; action?: unknown };
    const runtime = findRoute(gateway, body.route);
    if (body.action !== 'expire' && body.action !== 'revoke') throw badRequest('action must be "expire" or "revoke"');
    if (!runtime.resourceServer) throw conflict(`route ${runtime.route.path} has no auth, so there are no tokens to ${body.action} — add auth to the route first`);
    // {affected, detail}: the count the contract names, and what happened in words.
    res.json(await gateway.invalidateTokens(runtime.route.path, body.action));
  });

  return router;
}
