/**
 * GET /api/trace?after=SEQ&limit=N (buffered trace events, oldest first) and
 * GET /api/decisions?route=&subject=&effect=&item=&limit= (the audit log, newest first).
 */
import express, { type Router } from 'express';

import type { AuditEntry, AuditQuery } from '../../shared/audit.js';
import type { TraceEvent } from '../../shared/trace-events.js';
import type { TraceBus } from '../trace/trace-bus.js';
import type { AdminContext } from './admin-context.js';
import { badRequest } from './admin-error.js';

const EFFECTS: ReadonlyArray<AuditEntry['effect']> = ['allow', 'deny', 'no_match', 'filtered'];

export function integerParam(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) throw badRequest(`${name} must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  return number;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** Events after `after` (the first `limit` of them), or the last `limit` when no `after` is given. */
export function traceSince(trace: TraceBus, after: number | undefined, limit: number): TraceEvent[] {
  const events = trace.recent();
  if (after === undefined) return events.slice(-limit);
  return events.filter((event) => event.seq > after).slice(0, limit);
}

export function traceRouter(context: AdminContext): Router {
  const { gateway } = context;
  const router = express.Router();

  router.get('/trace', (req, res) => {
    const after = integerParam(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParam(req.query.limit, 'limit', 1, 100_000) ?? 5_000;
    res.json(traceSince(gateway.trace, after, limit));
  });

  router.get('/decisions', async (req, res) => {
    const effect = stringParam(req.query.effect);
    if (effect && !EFFECTS.includes(effect as AuditEntry['effect'])) throw badRequest(`effect must be one of ${EFFECTS.join(', ')}, got "${effect}"`);
    const query: AuditQuery = {
      route: stringParam(req.query.route),
      subject: stringParam(req.query.subject),
      effect: effect as AuditEntry['effect'] | undefined,
      item: stringParam(req.query.item),
      from: stringParam(req.query.from),
      to: stringParam(req.query.to),
      limit: integerParam(req.query.limit, 'limit', 1, 10_000) ?? 1000,
    };
    res.json(await gateway.audit.query(query));
  });

  return router;
}
