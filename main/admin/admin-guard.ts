/**
 * Who may talk to the admin API: only the window Gatehouse opened. Three checks, in order:
 * the Host header names this loopback server (a DNS-rebinding page cannot pass as us), an Origin,
 * when a browser sends one, is the admin origin itself (another site's page is refused), and
 * every /api request carries the per-launch bearer token. No CORS headers are ever sent, so a
 * foreign page cannot read an answer even if it guessed a request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import type { RequestHandler } from 'express';

import { AdminApiError } from './admin-error.js';

export interface AdminGuardOptions {
  port: () => number;
  token: string;
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function hostGuard(options: AdminGuardOptions): RequestHandler {
  return (req, _res, next) => {
    const port = options.port();
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts(port).includes(host)) {
      next(new AdminApiError(403, 'forbidden_host', `Host "${req.headers.host ?? ''}" is not this admin server; open it as http://127.0.0.1:${port}/`));
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts(port).some((allowed) => origin === `http://${allowed}`)) {
      next(new AdminApiError(403, 'forbidden_origin', `Requests from ${origin} are refused: only the Gatehouse window (http://127.0.0.1:${port}) may use the admin API`));
      return;
    }
    next();
  };
}

export function tokenGuard(options: AdminGuardOptions): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !sameSecret(match[1]!, options.token)) {
      next(
        new AdminApiError(
          401,
          'unauthorized',
          match
            ? 'The admin token is wrong: it changes on every launch — reopen the window from Gatehouse (the URL it prints carries the new one)'
            : 'The admin API needs Authorization: Bearer <token>; open the window from Gatehouse, whose URL carries the token',
        ),
      );
      return;
    }
    next();
  };
}
