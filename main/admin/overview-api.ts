/** GET /api/overview: what is running, where, and from which config. */
import express, { type Router } from 'express';

import type { IdpClientSummary, IdpUserSummary, Overview } from '../../shared/admin-api.js';
import type { IdpClient, IdpUser } from '../config/schema.js';
import { GATEHOUSE_VERSION } from '../gateway/gateway.js';
import type { AdminContext } from './admin-context.js';

/** A built-in IdP user without the password; says whether the config keeps it only hashed (the test client then needs it typed). */
export function userSummary(user: IdpUser): IdpUserSummary {
  return {
    username: user.username,
    groups: [...user.groups],
    ...(user.name ? { name: user.name } : {}),
    ...(user.email ? { email: user.email } : {}),
    passwordHashed: user.password === undefined,
  };
}

/** A built-in IdP machine client without its secret. */
export function clientSummary(client: IdpClient): IdpClientSummary {
  return { clientId: client.client_id, groups: [...client.groups], ...(client.name ? { name: client.name } : {}) };
}

export function overview(context: AdminContext): Overview {
  const { gateway } = context;
  const users = gateway.config.idp?.users ?? [];
  return {
    version: GATEHOUSE_VERSION,
    gatewayUrl: gateway.url(''),
    listen: { host: gateway.host, port: gateway.port },
    adminUrl: context.adminUrl(),
    ...(context.configPath ? { configPath: context.configPath } : {}),
    demo: context.demo,
    desktop: context.desktop,
    ...(gateway.idp ? { idp: { issuer: gateway.idp.issuer, users: users.map(userSummary), clients: (gateway.config.idp?.clients ?? []).map(clientSummary) } } : {}),
    dataDir: context.dataDir,
  };
}

export function overviewRouter(context: AdminContext): Router {
  const router = express.Router();
  router.get('/overview', (_req, res) => {
    res.json(overview(context));
  });
  return router;
}
