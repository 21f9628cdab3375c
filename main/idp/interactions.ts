/**
 * The user-facing part of the authorization endpoint: oidc-provider hands the browser to
 * /interaction/:uid whenever it needs a login or a consent, and these routes answer with the
 * pages and report the result back with `interactionFinished`.
 *
 * CSRF: every POST needs the interaction cookie oidc-provider set for this uid (SameSite=Lax,
 * path-scoped, so a cross-site form post does not carry it and `interactionDetails` fails), and
 * a cross-origin Origin header is refused outright.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import { errors, type Client, type Interaction } from 'oidc-provider';

import { SPEC } from '../auth/spec-references.js';
import { noteExchange } from '../trace/exchange-capture.js';
import type { AccountStore } from './account-store.js';
import { clientLabel, type IdpTracer } from './idp-trace.js';
import { PAGE_HEADERS, renderConsentPage, renderErrorPage, renderLoginPage, type RequestSummary } from './interaction-pages.js';
import { isLoopbackHost } from './resource-servers.js';

export interface InteractionRoutesOptions {
  provider: Provider;
  accounts: AccountStore;
  tracer: IdpTracer;
  /** The IdP's own origin, e.g. http://127.0.0.1:8401 */
  origin: string;
}

const LOGIN_FAILURE_TEXT: Record<'unknown_user' | 'wrong_password' | 'missing_credentials', string> = {
  unknown_user: 'unknown username',
  wrong_password: 'wrong password',
  missing_credentials: 'username or password missing',
};

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).set(PAGE_HEADERS).send(html);
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

function resourcesOf(params: Interaction['params']): string[] {
  const resource = params.resource;
  if (typeof resource === 'string') return [resource];
  return asList(resource);
}

function summarize(interaction: Interaction, client: Client | undefined): RequestSummary {
  const clientId = String(interaction.params.client_id ?? '');
  const metadata = client?.metadata();
  const software = [metadata?.software_id, metadata?.software_version].filter((v): v is string => typeof v === 'string').join(' ');
  return {
    clientName: client?.clientName ?? clientId,
    clientId,
    ...(software ? { software } : {}),
    resources: resourcesOf(interaction.params),
    scopes: asList(interaction.params.scope),
    ...(typeof interaction.params.redirect_uri === 'string' ? { redirectUri: interaction.params.redirect_uri } : {}),
  };
}

export function interactionRoutes({ provider, accounts, tracer, origin }: InteractionRoutesOptions): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  const idpPort = new URL(origin).port;
  // The IdP's own pages, reached by any loopback name (a browser may have been sent to localhost).
  const isOwnOrigin = (value: string) => {
    const parsed = URL.parse(value);
    return parsed !== null && parsed.protocol === 'http:' && parsed.port === idpPort && (value === origin || isLoopbackHost(parsed.hostname));
  };

  const sameOrigin = (req: Request, res: Response, next: NextFunction) => {
    const requestOrigin = req.get('origin');
    if (requestOrigin !== undefined && requestOrigin !== 'null' && !isOwnOrigin(requestOrigin)) {
      sendPage(res, 403, renderErrorPage('Request refused', `This form can only be sent from ${origin}, not from ${requestOrigin}.`));
      return;
    }
    next();
  };

  const details = async (req: Request, res: Response): Promise<{ interaction: Interaction; client: Client | undefined }> => {
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.uid !== req.params.uid) throw new errors.SessionNotFound('interaction cookie does not match this page');
    const client = await provider.Client.find(String(interaction.params.client_id ?? ''));
    noteExchange({ clientId: client?.clientId ?? (String(interaction.params.client_id ?? '') || undefined), resource: resourcesOf(interaction.params).join(' ') || undefined });
    return { interaction, client };
  };

  const loginPage = (res: Response, status: number, interaction: Interaction, client: Client | undefined, extra: { error?: string; username?: string } = {}) =>
    sendPage(res, status, renderLoginPage({ uid: interaction.uid, request: summarize(interaction, client), knownUsers: accounts.usernames(), ...extra }));

  const consentPage = (res: Response, interaction: Interaction, client: Client | undefined, accountId: string) => {
    const user = accounts.find(accountId);
    sendPage(
      res,
      200,
      renderConsentPage({
        uid: interaction.uid,
        request: summarize(interaction, client),
        username: accountId,
        ...(user?.name ? { displayName: user.name } : {}),
        groups: user?.groups ?? [],
      }),
    );
  };

  const deny = async (req: Request, res: Response, interaction: Interaction, client: Client | undefined, step: 'login' | 'consent', subject?: string) => {
    noteExchange({ failure: { reason: `the user ${step === 'login' ? 'cancelled the sign-in' : 'denied access'}: the client gets access_denied`, spec: SPEC.authorizationErrors } });
    tracer.step(step, 'error', {
      clientId: client?.clientId,
      subject,
      resource: resourcesOf(interaction.params).join(' ') || undefined,
      detail: `the user ${step === 'login' ? 'cancelled the sign-in' : 'denied access'} for ${clientLabel(client)}: the client gets access_denied`,
    });
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: step === 'login' ? 'the user cancelled the sign-in' : 'the user denied access' },
      { mergeWithLastSubmission: false },
    );
  };

  router.get('/:uid', async (req, res, next) => {
    try {
      const { interaction, client } = await details(req, res);
      noteExchange({ step: interaction.prompt.name === 'consent' ? 'consent' : 'login' });
      switch (interaction.prompt.name) {
        case 'login':
          return loginPage(res, 200, interaction, client);
        case 'consent':
          return consentPage(res, interaction, client, interaction.session?.accountId ?? '');
        default:
          return sendPage(res, 501, renderErrorPage('Unsupported step', `The identity provider asked for "${interaction.prompt.name}", which this development IdP does not implement.`));
      }
    } catch (err) {
      return next(err);
    }
  });

  router.post('/:uid/login', sameOrigin, form, async (req, res, next) => {
    try {
      const { interaction, client } = await details(req, res);
      if (interaction.prompt.name !== 'login') {
        return sendPage(res, 400, renderErrorPage('Already signed in', 'This sign-in step is already done. Go back to your application and start again.'));
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.action === 'cancel') return await deny(req, res, interaction, client, 'login');

      const username = typeof body.username === 'string' ? body.username.trim() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const check = await accounts.checkLogin(username, password);
      if (!check.ok) {
        noteExchange({ failure: { reason: `sign-in failed: ${LOGIN_FAILURE_TEXT[check.reason]} (the page is shown again)` } });
        tracer.step('login', 'error', {
          clientId: client?.clientId,
          ...(check.reason === 'wrong_password' ? { subject: username } : {}),
          detail: `sign-in failed for ${username ? `'${username}'` : 'an empty username'}: ${LOGIN_FAILURE_TEXT[check.reason]}`,
        });
        return loginPage(res, 200, interaction, client, { error: 'Wrong username or password.', username });
      }

      tracer.step('login', 'ok', {
        clientId: client?.clientId,
        subject: check.user.username,
        detail: `${check.user.username} signed in (groups: ${check.user.groups.join(', ') || 'none'}) for ${clientLabel(client)}`,
      });
      return await provider.interactionFinished(req, res, { login: { accountId: check.user.username } }, { mergeWithLastSubmission: false });
    } catch (err) {
      return next(err);
    }
  });

  router.post('/:uid/consent', sameOrigin, form, async (req, res, next) => {
    try {
      const { interaction, client } = await details(req, res);
      const accountId = interaction.session?.accountId;
      if (interaction.prompt.name !== 'consent' || !accountId) {
        return sendPage(res, 400, renderErrorPage('Nothing to approve', 'This authorization step is already done. Go back to your application and start again.'));
      }
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.decision !== 'approve') return await deny(req, res, interaction, client, 'consent', accountId);

      const clientId = String(interaction.params.client_id);
      const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
      const grant = existing ?? new provider.Grant({ accountId, clientId });
      const prompt = interaction.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (prompt.missingOIDCScope?.length) grant.addOIDCScope(prompt.missingOIDCScope.join(' '));
      if (prompt.missingOIDCClaims?.length) grant.addOIDCClaims(prompt.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();

      const resources = resourcesOf(interaction.params);
      const granted = Object.entries(prompt.missingResourceScopes ?? {}).map(([indicator, scopes]) => `${indicator}: ${scopes.join(' ')}`);
      tracer.step('consent', 'ok', {
        clientId: client?.clientId,
        subject: accountId,
        resource: resources.join(' ') || undefined,
        detail: `${accountId} allowed ${clientLabel(client)}${granted.length ? ` (new scopes ${granted.join('; ')})` : ''}${prompt.missingOIDCScope?.length ? ` (OpenID scopes ${prompt.missingOIDCScope.join(' ')})` : ''}`,
      });
      return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (err) {
      return next(err);
    }
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof errors.SessionNotFound) {
      return sendPage(
        res,
        400,
        renderErrorPage(
          'Sign-in expired',
          'This sign-in page is no longer valid: it expired, was already used, or was opened in another browser.',
          'Go back to your MCP client and connect again; it will open a fresh sign-in page.',
        ),
      );
    }
    tracer.step('login', 'error', { detail: `sign-in page failed: ${(err as Error).message}` });
    return sendPage(res, 500, renderErrorPage('Something went wrong', (err as Error).message));
  });

  return router;
}
