/** GET /api/routes and GET /api/client-configs?route= */
import express, { type Router } from 'express';

import { isDemoMachineClient } from '../demo/demo-config.js';
import type { RouteRuntime } from '../gateway/route-runtime.js';
import type { AdminContext } from './admin-context.js';
import { clientConfigs, serverName, type Registration } from './client-configs.js';
import { findRoute, routeSummaries, routeSummary } from './route-summary.js';

/** Whether a client can register itself at the route's IdP (RFC 7591), read from its metadata. */
async function registrationAt(runtime: RouteRuntime): Promise<Registration> {
  const auth = runtime.route.auth;
  const resourceServer = runtime.resourceServer;
  if (!auth || !resourceServer || auth.issuer === 'builtin') return 'dynamic';
  try {
    const metadata = (await resourceServer.server.configuration()).serverMetadata();
    return metadata.registration_endpoint ? 'dynamic' : 'pre-registered';
  } catch {
    return 'unknown';
  }
}

export function routesRouter(context: AdminContext): Router {
  const { gateway } = context;
  const router = express.Router();

  router.get('/routes', (_req, res) => {
    res.json(routeSummaries(gateway));
  });

  router.get('/client-configs', async (req, res) => {
    const runtime = findRoute(gateway, req.query.route);
    const idp = gateway.config.idp;
    const builtin = runtime.route.auth?.issuer === 'builtin' && idp;
    res.json(
      clientConfigs({
        route: routeSummary(gateway, runtime),
        name: serverName(runtime.route.path),
        registration: await registrationAt(runtime),
        ...(builtin
          ? {
              builtinIdp: {
                users: idp.users.map((u) => ({ username: u.username, groups: u.groups })),
                demoPasswords: context.demo && idp.users.every((u) => u.password === 'demo'),
                issuer: gateway.idp?.issuer,
                // Only the demo's published secret is shown; any other stays where the config keeps it.
                machineClients: idp.clients.map((c) => ({ clientId: c.client_id, groups: c.groups, ...(context.demo && isDemoMachineClient(c) ? { secret: c.client_secret } : {}) })),
              },
            }
          : {}),
      }),
    );
  });

  return router;
}
