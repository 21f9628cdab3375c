/**
 * POST /api/upstream-login {route, upstream} → UpstreamLoginStarted, and POST
 * /api/upstream-logout {route, upstream} → UpstreamLogoutResult: the window logs the gateway in
 * to a secured upstream with its own OAuth client, or out again. The login answers as soon as the
 * browser is on its way (with the authorization URL, for when none could be opened); the tokens
 * are stored in the background, and then every connection of the route to that upstream tries
 * again at once. The window follows it on the live stream (oauth.client events, upstream state).
 */
import express, { type Router } from 'express';

import type { UpstreamLoginStarted, UpstreamLogoutResult, UpstreamSummary } from '../../shared/admin-api.js';
import type { RunningGateway } from '../gateway/gateway.js';
import { startBackgroundLogin, type BackgroundLogin } from '../upstream/oauth/background-login.js';
import { forgetLogin } from '../upstream/oauth/forget-login.js';
import { OAuthClientError } from '../upstream/oauth/oauth-client-error.js';
import { OAuthTrace } from '../upstream/oauth/oauth-trace.js';
import { isSecuredUpstream, loginTarget, type SecuredUpstreamConfig, type UpstreamOAuth } from '../upstream/oauth/upstream-oauth.js';
import type { AdminContext } from './admin-context.js';
import { AdminApiError, badRequest, notFound } from './admin-error.js';
import { findRoute } from './route-summary.js';

export interface UpstreamLoginApi {
  router: Router;
  /** Stops waiting for browsers (closes the loopback listeners of logins under way). */
  close(): void;
}

interface Target {
  route: string;
  upstream: SecuredUpstreamConfig;
  oauth: UpstreamOAuth;
}

/** The secured upstream a body names, and the gateway's OAuth client — or an error that says what to fix. */
async function targetOf(context: AdminContext, body: unknown): Promise<Target> {
  const given = (body ?? {}) as { route?: unknown; upstream?: unknown };
  const runtime = findRoute(context.gateway, given.route);
  const route = runtime.route.path;
  const names = runtime.route.upstreams.map((upstream) => upstream.name);
  if (typeof given.upstream !== 'string' || !given.upstream) throw badRequest(`Name the upstream ({"route": "${route}", "upstream": "<name>"}). Upstreams of ${route}: ${names.join(', ') || '(none)'}`);
  const upstream = runtime.route.upstreams.find((candidate) => candidate.name === given.upstream);
  if (!upstream) throw notFound(`Route ${route} has no upstream "${given.upstream}". Its upstreams: ${names.join(', ') || '(none)'}`);
  if (!isSecuredUpstream(upstream)) {
    throw badRequest(`Upstream ${loginTarget(route, upstream.name)} has no auth block, so Gatehouse has nothing to log in to — add auth: {type: oauth} to it in the config (only http and sse upstreams can be secured)`);
  }
  return { route, upstream, oauth: await gatewayOAuth(context) };
}

async function gatewayOAuth(context: AdminContext): Promise<UpstreamOAuth> {
  if (context.gateway.upstreamOAuth) return context.gateway.upstreamOAuth;
  // Only a launch whose secret store failed to open (or that had no secured upstream) lacks one: say which.
  if (context.secrets) {
    try {
      await context.secrets();
    } catch (error) {
      throw new AdminApiError(503, 'secrets_unavailable', `Gatehouse cannot keep upstream tokens: ${error instanceof Error ? error.message : String(error)} — then restart Gatehouse`);
    }
  }
  throw new AdminApiError(409, 'restart_needed', 'This Gatehouse started without an OAuth client for secured upstreams (none was configured when it started) — restart Gatehouse so it creates one, then log in');
}

/** Reads the secret store again everywhere and lets every connection to the upstream try its (new or absent) tokens. */
async function takeUp(gateway: RunningGateway, target: Target): Promise<void> {
  target.oauth.reload();
  await target.oauth.authorizer(target.upstream, target.route).reloadNow();
  gateway.recheckUpstream(target.route, target.upstream.name);
}

function summaryOf(gateway: RunningGateway, route: string, name: string): UpstreamSummary {
  return gateway.upstreams(route).find((upstream) => upstream.name === name)!;
}

export function upstreamLoginApi(context: AdminContext): UpstreamLoginApi {
  const { gateway } = context;
  const router = express.Router();
  const pending = new Map<string, BackgroundLogin>();

  router.post('/upstream-login', async (req, res) => {
    const target = await targetOf(context, req.body);
    const key = loginTarget(target.route, target.upstream.name);
    let login = pending.get(key);
    if (!login) {
      const started = startBackgroundLogin({ oauth: target.oauth, upstream: target.upstream, route: target.route });
      login = started;
      pending.set(key, started);
      void started.finished
        .then(() => takeUp(gateway, target))
        // The failure is in the trace (oauth.client), where the window reads it.
        .catch(() => undefined)
        .finally(() => {
          if (pending.get(key) === started) pending.delete(key);
        });
    }
    let visit;
    try {
      visit = await login.visit;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new AdminApiError(502, error instanceof OAuthClientError ? error.code : 'login_failed', error instanceof OAuthClientError ? message : `The login to ${key} could not start: ${message}`);
    }
    const answer: UpstreamLoginStarted = visit
      ? { state: 'waiting_for_browser', authorizationUrl: visit.authorizationUrl, browserOpened: visit.opened, ...(visit.problem ? { browserProblem: visit.problem } : {}) }
      : { state: 'logged_in' };
    res.json(answer);
  });

  router.post('/upstream-logout', async (req, res) => {
    const target = await targetOf(context, req.body);
    const key = loginTarget(target.route, target.upstream.name);
    pending.get(key)?.cancel();
    const forgotten = await forgetLogin({
      vault: target.oauth.vault,
      upstream: target.upstream,
      baseDir: target.oauth.options.baseDir ?? process.cwd(),
      trace: new OAuthTrace(gateway.trace, target.upstream.name, target.route),
    });
    await takeUp(gateway, target);
    const answer: UpstreamLogoutResult = {
      forgotten: forgotten.length > 0,
      detail: forgotten.length ? `${forgotten.map((login) => login.detail).join('; ')}; removed from the ${target.oauth.vault.store.backend === 'keychain' ? 'OS keychain' : target.oauth.vault.store.backend}` : `Gatehouse held no tokens for ${key}; nothing to log out of`,
      upstream: summaryOf(gateway, target.route, target.upstream.name),
    };
    res.json(answer);
  });

  return {
    router,
    close() {
      for (const login of pending.values()) login.cancel();
      pending.clear();
    },
  };
}
