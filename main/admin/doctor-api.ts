/**
 * POST /api/doctor {route} | {url} → DoctorReport: the OAuth checklist for one of the gateway's
 * routes (by its URL, exactly as a client sees it) or for any MCP server URL.
 */
import express, { type Router } from 'express';

import { runDoctor } from '../doctor/run-doctor.js';
import type { AdminContext } from './admin-context.js';
import { badRequest } from './admin-error.js';
import { findRoute } from './route-summary.js';

function targetUrl(context: AdminContext, body: { route?: unknown; url?: unknown }): string {
  if (body.route !== undefined) return context.gateway.url(findRoute(context.gateway, body.route).route.path);
  if (typeof body.url === 'string') {
    let url: URL;
    try {
      url = new URL(body.url);
    } catch {
      throw badRequest(`"${body.url}" is not a URL: give the MCP server's full URL, e.g. https://mcp.example.com/mcp`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest(`${body.url}: only http and https MCP servers can be checked`);
    return url.href;
  }
  throw badRequest('Send {route: "/path"} for one of Gatehouse\'s routes, or {url: "https://…"} for any MCP server');
}

export function doctorRouter(context: AdminContext): Router {
  const router = express.Router();
  router.post('/doctor', async (req, res) => {
    res.json(await runDoctor(targetUrl(context, (req.body ?? {}) as { route?: unknown; url?: unknown })));
  });
  return router;
}
