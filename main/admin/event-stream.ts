/**
 * GET /api/events: the live stream the window reads with fetch (so it carries the token) as
 * Server-Sent Events — `hello` with the last trace seq, then every trace event, and the route
 * list whenever the gateway says something changed (at most a few times a second). A window that
 * stops reading is dropped rather than buffered without bound: it reconnects and catches up with
 * `?after=SEQ`, which replays what the trace buffer still holds.
 */
import type { Request, Response } from 'express';

import type { AdminStreamMessage } from '../../shared/admin-api.js';
import type { AdminContext } from './admin-context.js';
import { routeSummaries } from './route-summary.js';
import { integerParam, traceSince } from './trace-api.js';

export interface EventStreamOptions {
  keepAliveMs?: number;
  /** Least time between two `routes` messages. */
  routesIntervalMs?: number;
  /** Bytes a client may leave unread before it is dropped. */
  maxBufferedBytes?: number;
}

export function eventStreamHandler(context: AdminContext, options: EventStreamOptions = {}) {
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const routesIntervalMs = options.routesIntervalMs ?? 250;
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const { gateway } = context;

  return (req: Request, res: Response): void => {
    const after = integerParam(req.query.after, 'after', 0, Number.MAX_SAFE_INTEGER);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies (none expected on loopback, but cheap) must not hold events back.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();

    let closed = false;
    const cleanups: Array<() => void> = [];
    const close = () => {
      if (closed) return;
      closed = true;
      for (const cleanup of cleanups) cleanup();
      res.end();
    };

    const send = (message: AdminStreamMessage, id?: number) => {
      if (closed) return;
      if (res.writableLength > maxBufferedBytes) {
        // The window is not reading: end its stream; it reconnects with ?after=.
        close();
        return;
      }
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(message)}\n\n`);
    };

    const recent = gateway.trace.recent();
    send({ kind: 'hello', lastSeq: recent.at(-1)?.seq ?? 0 });
    if (after !== undefined) for (const event of traceSince(gateway.trace, after, Number.MAX_SAFE_INTEGER)) send({ kind: 'trace', event }, event.seq);
    cleanups.push(gateway.trace.subscribe((event) => send({ kind: 'trace', event }, event.seq)));

    let lastRoutesAt = 0;
    let routesTimer: NodeJS.Timeout | undefined;
    const pushRoutes = () => {
      routesTimer = undefined;
      lastRoutesAt = Date.now();
      send({ kind: 'routes', routes: routeSummaries(gateway) });
    };
    cleanups.push(
      gateway.onChange(() => {
        if (routesTimer) return;
        routesTimer = setTimeout(pushRoutes, Math.max(0, lastRoutesAt + routesIntervalMs - Date.now()));
      }),
    );
    cleanups.push(() => clearTimeout(routesTimer));

    const keepAlive = setInterval(() => {
      if (!closed) res.write(': keep-alive\n\n');
    }, keepAliveMs);
    cleanups.push(() => clearInterval(keepAlive));

    req.on('close', close);
    res.on('close', close);
    res.on('error', close);
  };
}
