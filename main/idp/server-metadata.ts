/**
 * Authorization server metadata (RFC 8414, served at both /.well-known/oauth-authorization-server
 * and /.well-known/openid-configuration): `scopes_supported` lists the routes' scopes besides
 * the OpenID ones. oidc-provider only knows its static scopes, and the routes change with the
 * config, so the list is completed per request. Some clients (claude.ai) take the scopes to
 * request from here.
 */
import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

import { allResourceScopes, type IdpResource } from './resource-servers.js';

export function completeServerMetadata(resources: () => IdpResource[]): Middleware {
  return async (koaCtx, next) => {
    await next();
    const ctx = koaCtx as KoaContextWithOIDC;
    if ((ctx as Partial<KoaContextWithOIDC>).oidc?.route !== 'discovery' || ctx.status !== 200) return;
    const body = ctx.body as { scopes_supported?: string[] };
    body.scopes_supported = [...new Set([...(body.scopes_supported ?? []), ...allResourceScopes(resources())])];
  };
}
