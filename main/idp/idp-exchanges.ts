/**
 * The built-in identity provider's HTTP exchanges as `http.exchange` trace events: metadata,
 * registration, authorize, the sign-in and consent pages, token (code and refresh), JWKS,
 * introspection and revocation — bodies redacted (codes, verifiers, secrets, passwords and tokens
 * shortened), JWTs in token responses decoded, the route named from the RFC 8707 resource, and
 * each failure with the RFC section behind it.
 *
 * Three sources meet in one exchange record (main/trace/exchange-capture.ts): the Node-level
 * capture on the IdP's server (bytes, status, headers), a Koa middleware that notes what
 * oidc-provider parsed (endpoint, client, params, body), and oidc-provider's error events.
 */
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

import type { HttpExchangeEvent } from '../../shared/trace-events.js';
import { authorizationServerSpec } from '../auth/spec-references.js';
import { decodeForTrace, jwtsAmong } from '../trace/decoded-jwt.js';
import { noteExchange, type ExchangeCapture } from '../trace/exchange-capture.js';
import { redactHeaders, redactUrl, renderBody, renderParsedBody } from '../trace/redact-exchange.js';
import type { TraceBus } from '../trace/trace-bus.js';
import { describeError } from './idp-trace.js';
import { matchResource, type IdpResource } from './resource-servers.js';

type Step = HttpExchangeEvent['step'];

const STEP_BY_ENDPOINT: Record<string, Step> = {
  discovery: 'authorization-server-metadata',
  registration: 'registration',
  authorization: 'authorize',
  resume: 'authorize',
  pushed_authorization_request: 'authorize',
  token: 'token',
  jwks: 'jwks',
  introspection: 'introspection',
  revocation: 'revocation',
};

/** The step an exchange is, from oidc-provider's endpoint name or else the path. */
export function idpStep(endpoint: string | undefined, path: string): Step {
  const known = endpoint ? STEP_BY_ENDPOINT[endpoint] : undefined;
  if (known) return known;
  if (path.startsWith('/.well-known/oauth-authorization-server') || path.startsWith('/.well-known/openid-configuration')) return 'authorization-server-metadata';
  if (/^\/interaction\/[^/]+\/consent$/.test(path)) return 'consent';
  if (path.startsWith('/interaction/')) return 'login';
  return 'other';
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').join(' ') || undefined;
  return undefined;
}

/** The resource a request or its tokens name (the indicator, or a token's audience). */
function resourceOf(ctx: KoaContextWithOIDC): string | undefined {
  const oidc = ctx.oidc;
  const params = (oidc.params ?? {}) as Record<string, unknown>;
  const body = (oidc.body ?? {}) as Record<string, unknown>;
  const introspected = oidc.route === 'introspection' && ctx.body && typeof ctx.body === 'object' ? (ctx.body as { aud?: unknown }).aud : undefined;
  return text(params.resource) ?? text(body.resource) ?? text(oidc.entities.AccessToken?.aud) ?? text(oidc.entities.RefreshToken?.resource) ?? text(introspected);
}

/** Install first with `provider.use()`: after oidc-provider answered, notes what it parsed. */
export function noteProviderExchange(): Middleware {
  return async (koaCtx, next) => {
    try {
      await next();
    } finally {
      const ctx = koaCtx as KoaContextWithOIDC;
      if ((ctx as Partial<KoaContextWithOIDC>).oidc) {
        const { oidc } = ctx;
        const params = (oidc.params ?? {}) as Record<string, unknown>;
        const body = oidc.body as Record<string, unknown> | undefined;
        // A token sent to introspection or revocation: decoded when it is a JWT, never kept whole.
        const sent = typeof body?.token === 'string' ? decodeForTrace('request.token', body.token) : undefined;
        noteExchange({
          endpoint: oidc.route,
          clientId: oidc.client?.clientId ?? text(params.client_id) ?? text(body?.client_id),
          resource: resourceOf(ctx),
          requestBody: body ? renderParsedBody(body, ctx.get('content-type')) : undefined,
          ...(sent ? { jwts: [sent] } : {}),
        });
      }
    }
  };
}

interface ProviderError {
  error?: string;
  error_description?: string;
  error_detail?: string;
  message?: string;
}

/** oidc-provider's error events carry the error the client got and its internal detail: the failure of the exchange. */
export function noteProviderFailures(provider: Provider): void {
  const events = [
    'authorization.error',
    'grant.error',
    'registration_create.error',
    'introspection.error',
    'revocation.error',
    'discovery.error',
    'jwks.error',
    'userinfo.error',
    'pushed_authorization_request.error',
    'server_error',
  ] as const;
  // oidc-provider's typings overload on() per event name; these all share the (ctx, err) shape.
  const emitter = provider as unknown as { on(event: string, listener: (ctx: KoaContextWithOIDC, err: ProviderError) => void): void };
  for (const name of events) {
    emitter.on(name, (ctx, err) => {
      const route = (ctx as Partial<KoaContextWithOIDC>).oidc?.route;
      const step = idpStep(route, ctx.path);
      noteExchange({ failure: { reason: describeError(err), spec: authorizationServerSpec(step, err.error ?? 'server_error', `${err.error_description ?? ''} ${err.error_detail ?? ''}`) } });
    });
  }
}

function routeFor(resource: string | undefined, resources: readonly IdpResource[]): string | undefined {
  for (const indicator of resource?.split(' ') ?? []) {
    const match = matchResource(indicator, resources);
    if (match) return new URL(match.resource).pathname;
  }
  return undefined;
}

function parsedJson(body: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(body) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A failure the answer itself shows: a JSON error body, or an error sent to the redirect URI. */
function failureInAnswer(step: Step, status: number, json: Record<string, unknown> | undefined, location: string | undefined): HttpExchangeEvent['failure'] {
  if (status >= 400 && typeof json?.error === 'string') {
    const description = typeof json.error_description === 'string' ? json.error_description : '';
    return { reason: `${json.error}${description ? `: ${description}` : ''}`, spec: authorizationServerSpec(step, json.error, description) };
  }
  const redirected = location ? URL.parse(location, 'http://localhost') : null;
  const error = redirected?.searchParams.get('error');
  if (error) {
    const description = redirected?.searchParams.get('error_description') ?? '';
    return { reason: `${error}${description ? `: ${description}` : ''} (sent to the client's redirect URI)`, spec: authorizationServerSpec(step, error, description) };
  }
  if (status >= 400) return { reason: `the identity provider answered ${status}`, spec: authorizationServerSpec(step, 'server_error') };
  return undefined;
}

export function recordIdpExchange(trace: TraceBus, resources: () => IdpResource[]): (capture: ExchangeCapture) => void {
  return (capture) => {
    const { req, notes } = capture;
    const path = capture.target.split('?')[0]!;
    const step = notes.step ?? idpStep(notes.endpoint, path);
    const contentType = capture.contentType();
    const raw = capture.responseText();
    // Only a body kept whole is parsed; counted in bytes, as responseBytes is (non-ASCII text has more bytes than UTF-16 units).
    const json = contentType?.includes('json') && Buffer.byteLength(raw) === capture.responseBytes ? parsedJson(raw) : undefined;
    const clientId = notes.clientId ?? (step === 'registration' && typeof json?.client_id === 'string' ? json.client_id : undefined);
    // express's urlencoded parser leaves the sign-in forms in req.body; oidc-provider's bodies are noted by the Koa middleware.
    const formBody = (req as { body?: unknown }).body;
    const requestBody = notes.requestBody ?? renderParsedBody(formBody, req.headers['content-type']);
    const location = capture.responseHeaders.location === undefined ? undefined : String(capture.responseHeaders.location);
    const failure = notes.failure ?? failureInAnswer(step, capture.status, json, location);
    const jwts = [...(notes.jwts ?? []), ...(json ? jwtsAmong('response', json, ['access_token', 'id_token']) : [])];
    const userAgent = req.headers['user-agent'];
    const route = notes.route ?? routeFor(notes.resource, resources());

    trace.emit({
      type: 'http.exchange',
      server: 'idp',
      step,
      ...(route ? { route } : {}),
      connection: clientId ?? `ua:${userAgent ?? 'unknown'}@${req.socket.remoteAddress ?? 'unknown'}`,
      ...(clientId ? { clientId } : {}),
      ...(userAgent ? { userAgent } : {}),
      method: req.method ?? 'GET',
      url: `http://${req.headers.host ?? 'localhost'}${redactUrl(capture.target)}`,
      status: capture.status,
      durationMs: capture.durationMs,
      request: { headers: redactHeaders(req.headers), ...(requestBody ? { body: requestBody } : {}) },
      response: { headers: redactHeaders(capture.responseHeaders), ...(raw ? { body: renderBody(raw, contentType, capture.responseBytes) } : {}) },
      ...(jwts.length ? { jwts } : {}),
      ...(failure ? { failure } : {}),
      ...(notes.faults?.length ? { fault: notes.faults.join(', ') } : {}),
    });
  };
}
