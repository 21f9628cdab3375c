/**
 * Every step of the identity provider as an `idp.step` trace event, so the window can draw the
 * whole OAuth handshake. Sources: oidc-provider's events, a middleware after the endpoints that
 * emit none (discovery, JWKS, introspection), and the sign-in pages.
 *
 * Secrets never reach an event: no token, code, client secret or password is read here except to
 * test its presence. Details name the client, subject, resource, scopes and the error code with
 * its description.
 */
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';

import type { IdpStepEvent } from '../../shared/trace-events.js';
import type { TraceBus } from '../trace/trace-bus.js';

export type IdpStep = IdpStepEvent['step'];

export interface IdpStepFields {
  clientId?: string;
  subject?: string;
  resource?: string;
  detail?: string;
}

export class IdpTracer {
  constructor(private readonly trace: TraceBus) {}

  step(step: IdpStep, outcome: 'ok' | 'error', fields: IdpStepFields = {}): void {
    const event: { -readonly [K in keyof IdpStepFields]: IdpStepFields[K] } = {};
    // Leave absent fields out rather than present-but-undefined, so events compare cleanly.
    for (const key of ['clientId', 'subject', 'resource', 'detail'] as const) {
      if (fields[key] !== undefined && fields[key] !== '') event[key] = fields[key];
    }
    this.trace.emit({ type: 'idp.step', step, outcome, ...event });
  }
}

/** The OAuth error parts of an oidc-provider error: code, public description, internal detail. */
interface OAuthErrorLike {
  error?: string;
  error_description?: string;
  error_detail?: string;
  message?: string;
}

export function describeError(err: unknown): string {
  const e = (err ?? {}) as OAuthErrorLike;
  const code = e.error ?? 'server_error';
  const description = e.error_description ?? (e.error ? undefined : e.message);
  const detail = e.error_detail && e.error_detail !== description ? ` (${e.error_detail})` : '';
  return `${code}${description ? `: ${description}` : ''}${detail}`;
}

export function clientLabel(client: Client | undefined, fallbackId?: string): string {
  if (!client) return fallbackId ? `client ${fallbackId}` : 'an unidentified client';
  return client.clientName ? `'${client.clientName}' (${client.clientId})` : `client ${client.clientId}`;
}

function stringParam(ctx: KoaContextWithOIDC, name: string): string | undefined {
  const value = ctx.oidc?.params?.[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((v) => typeof v === 'string').join(' ');
  return undefined;
}

function audienceOf(aud: string | string[] | undefined): string | undefined {
  return Array.isArray(aud) ? aud.join(' ') : aud;
}

function scopesText(scope: string | undefined): string {
  return scope ? `scope '${scope}'` : 'no scope';
}

const STEP_BY_ROUTE: Record<string, IdpStep> = {
  discovery: 'discovery',
  registration: 'registration',
  authorization: 'authorize',
  resume: 'authorize',
  pushed_authorization_request: 'authorize',
  token: 'token',
  introspection: 'introspection',
  revocation: 'revocation',
  jwks: 'jwks',
};

/** Subscribes to oidc-provider's events. */
export function traceProviderEvents(provider: Provider, tracer: IdpTracer): void {
  provider.on('registration_create.success', (ctx, client) => {
    const body = (ctx.oidc.body ?? {}) as Record<string, unknown>;
    const declaredType = typeof body.application_type === 'string' ? body.application_type : undefined;
    const typeNote = declaredType && declaredType !== client.applicationType ? ` (declared ${declaredType}; its redirect URIs make it native, RFC 8252)` : '';
    const askedScope = typeof body.scope === 'string' ? ` Asked for scope '${body.scope}' (route scopes are granted per resource at authorization).` : '';
    const software = [client.metadata().software_id, client.metadata().software_version].filter((v) => typeof v === 'string').join(' ');
    tracer.step('registration', 'ok', {
      clientId: client.clientId,
      detail:
        `registered ${clientLabel(client)}${software ? ` [${software}]` : ''} as a ${client.applicationType}${typeNote} client, ` +
        `token_endpoint_auth_method ${client.tokenEndpointAuthMethod ?? client.clientAuthMethod}, grant types ${(client.grantTypes ?? []).join(', ')}; ` +
        `redirect URIs: ${(client.redirectUris ?? []).join(', ') || 'none'}.${askedScope}`,
    });
  });
  provider.on('registration_create.error', (ctx, err) => {
    const body = (ctx.oidc?.body ?? {}) as Record<string, unknown>;
    const redirects = Array.isArray(body.redirect_uris) ? ` for redirect URIs ${body.redirect_uris.join(', ')}` : '';
    tracer.step('registration', 'error', { detail: `registration rejected${redirects}: ${describeError(err)}` });
  });

  provider.on('interaction.started', (ctx, prompt) => {
    const reasons = prompt.reasons.length ? ` (${prompt.reasons.join(', ')})` : '';
    tracer.step('authorize', 'ok', {
      clientId: ctx.oidc.client?.clientId,
      resource: stringParam(ctx, 'resource'),
      subject: ctx.oidc.session?.accountId,
      detail: `${clientLabel(ctx.oidc.client)} asks for ${stringParam(ctx, 'resource') ?? 'no resource'} with ${scopesText(stringParam(ctx, 'scope'))}, redirect ${stringParam(ctx, 'redirect_uri') ?? '(registered one)'}; next: ${prompt.name}${reasons}`,
    });
  });
  provider.on('authorization.accepted', (ctx) => {
    tracer.step('authorize', 'ok', {
      clientId: ctx.oidc.client?.clientId,
      resource: stringParam(ctx, 'resource'),
      subject: ctx.oidc.session?.accountId,
      detail: `authorization granted: code (PKCE S256) sent to ${stringParam(ctx, 'redirect_uri') ?? 'the registered redirect URI'} with iss (RFC 9207)`,
    });
  });
  provider.on('authorization.error', (ctx, err) => {
    tracer.step('authorize', 'error', {
      clientId: ctx.oidc?.client?.clientId ?? stringParam(ctx, 'client_id'),
      resource: stringParam(ctx, 'resource'),
      subject: ctx.oidc?.session?.accountId,
      detail: `authorization request failed: ${describeError(err)}`,
    });
  });

  provider.on('grant.success', (ctx) => {
    const grantType = stringParam(ctx, 'grant_type') ?? 'unknown';
    const at = ctx.oidc.entities.AccessToken ?? ctx.oidc.entities.ClientCredentials;
    const rotated = ctx.oidc.entities.RotatedRefreshToken !== undefined;
    const format = at?.resourceServer?.accessTokenFormat === 'jwt' ? 'JWT' : 'opaque';
    const audience = audienceOf(at?.aud);
    const refresh =
      grantType === 'refresh_token'
        ? rotated
          ? ' + a new refresh token (the old one is now spent)'
          : ''
        : ctx.oidc.entities.RefreshToken
          ? ' + refresh token'
          : '';
    tracer.step(grantType === 'refresh_token' ? 'refresh' : 'token', 'ok', {
      clientId: ctx.oidc.client?.clientId,
      subject: at && 'accountId' in at ? at.accountId : undefined,
      resource: audience,
      detail: `${grantType}: ${format} access token for ${audience ?? 'the userinfo endpoint only (no resource)'}, ${scopesText(at?.scope)}, expires in ${at?.expiration ?? '?'} s${refresh}`,
    });
  });
  provider.on('grant.error', (ctx, err) => {
    const grantType = stringParam(ctx, 'grant_type');
    tracer.step(grantType === 'refresh_token' ? 'refresh' : 'token', 'error', {
      clientId: ctx.oidc?.client?.clientId ?? stringParam(ctx, 'client_id'),
      resource: stringParam(ctx, 'resource'),
      detail: `${grantType ?? 'token request'} rejected: ${describeError(err)}`,
    });
  });

  provider.on('introspection.error', (ctx, err) => {
    tracer.step('introspection', 'error', { clientId: ctx.oidc?.client?.clientId, detail: `introspection request rejected: ${describeError(err)}` });
  });
  provider.on('revocation.error', (ctx, err) => {
    tracer.step('revocation', 'error', { clientId: ctx.oidc?.client?.clientId, detail: `revocation request rejected: ${describeError(err)}` });
  });
  provider.on('discovery.error', (_ctx, err) => {
    tracer.step('discovery', 'error', { detail: describeError(err) });
  });
  provider.on('jwks.error', (_ctx, err) => {
    tracer.step('jwks', 'error', { detail: describeError(err) });
  });
  provider.on('server_error', (ctx, err) => {
    const route = (ctx as Partial<KoaContextWithOIDC>).oidc?.route;
    tracer.step(STEP_BY_ROUTE[route ?? ''] ?? 'authorize', 'error', {
      clientId: ctx.oidc?.client?.clientId,
      detail: `internal error in the identity provider on ${route ?? ctx.path}: ${err.message}`,
    });
  });
}

/**
 * A middleware after the endpoints oidc-provider emits no success event for. Install with
 * `provider.use()` so it wraps every route.
 */
export function traceEndpoints(tracer: IdpTracer): Middleware {
  return async (koaCtx, next) => {
    await next();
    const ctx = koaCtx as KoaContextWithOIDC;
    const route = (ctx as Partial<KoaContextWithOIDC>).oidc?.route;
    if (ctx.status !== 200 || route === undefined) return;
    switch (route) {
      case 'discovery':
        tracer.step('discovery', 'ok', { detail: `authorization server metadata served at ${ctx.path}` });
        break;
      case 'jwks':
        tracer.step('jwks', 'ok', { detail: `signing keys served (kids ${((ctx.body as { keys?: { kid?: string }[] }).keys ?? []).map((k) => k.kid).join(', ')})` });
        break;
      case 'introspection': {
        const body = ctx.body as { active?: boolean; sub?: string; client_id?: string; aud?: string | string[]; scope?: string; groups?: unknown };
        const caller = ctx.oidc.client?.clientId;
        if (body.active) {
          tracer.step('introspection', 'ok', {
            clientId: body.client_id,
            subject: body.sub,
            resource: audienceOf(body.aud),
            detail: `${caller ?? 'a client'} introspected a token: active, issued to ${body.client_id} for ${body.sub ?? 'no user'}, ${scopesText(body.scope)}, groups ${JSON.stringify(body.groups ?? [])}`,
          });
        } else {
          tracer.step('introspection', 'ok', { detail: `${caller ?? 'a client'} introspected a token: not active (unknown, expired, revoked, or not visible to this client)` });
        }
        break;
      }
      case 'revocation': {
        const token = ctx.oidc.entities.AccessToken ?? ctx.oidc.entities.RefreshToken;
        if (!token) tracer.step('revocation', 'ok', { clientId: ctx.oidc.client?.clientId, detail: 'revocation of an unknown or already revoked token: nothing to do (RFC 7009 §2.2)' });
        // Found tokens are traced by the revocation policy, which knows whether it allowed it.
        break;
      }
      default:
    }
  };
}
