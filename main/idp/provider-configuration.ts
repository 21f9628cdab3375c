/**
 * The oidc-provider configuration of the built-in IdP: an OAuth 2.1 authorization server for MCP
 * clients. Authorization code with PKCE S256 for every client, `iss` on every authorization
 * response (RFC 9207, always on in oidc-provider 9), open dynamic client registration (RFC 7591),
 * Client ID Metadata Documents, resource indicators (RFC 8707) with per-route token formats,
 * refresh tokens rotated on every use, introspection (RFC 7662) and revocation (RFC 7009), and
 * client_credentials (OAuth 2.1 §4.2) for the machine clients the config lists, nobody else.
 *
 * Every default oidc-provider says a deployment "should/must change" is set here, so it prints
 * nothing at start; what stays a development choice (no TLS on loopback) is deliberate.
 */
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { interactionPolicy } from 'oidc-provider';

import type { BuiltinIdpConfig } from '../config/schema.js';
import type { AccountStore } from './account-store.js';
import { createClientMetadataValidator, EXTRA_CLIENT_PROPERTIES } from './client-metadata.js';
import { clientLabel, describeError, type IdpTracer } from './idp-trace.js';
import { PAGE_HEADERS, renderErrorPage } from './interaction-pages.js';
import type { IdpKeys } from './key-store.js';
import { defaultResource, isLoopbackHost, resourceServerInfo, type IdpResource } from './resource-servers.js';
import type { IdpStorage } from './storage-adapter.js';

/** OpenID scopes (the provider's "static" scopes); route scopes come from the resources. */
export const OPENID_SCOPES = ['openid', 'offline_access', 'profile', 'email'] as const;

export const COOKIE_NAMES = {
  session: 'gatehouse_idp_session',
  interaction: 'gatehouse_idp_interaction',
  resume: 'gatehouse_idp_resume',
} as const;

export interface ProviderConfigurationInput {
  config: BuiltinIdpConfig;
  keys: IdpKeys;
  storage: IdpStorage;
  accounts: AccountStore;
  resources: () => IdpResource[];
  introspectionClient: { clientId: string; clientSecret: string };
  tracer: IdpTracer;
}

const AUTHORIZATION_CODE_TTL_S = 60;
const INTERACTION_TTL_S = 60 * 60;
const SESSION_TTL_S = 24 * 60 * 60;

/**
 * The default policy plus one consent check: the user confirms every authorization, whatever
 * the client asks for. A development IdP is where people watch the handshake, and without it a
 * request with no scope would skip the consent page entirely.
 */
function interactionPolicyAskingConsent(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy
    .get('consent')
    ?.checks.add(
      new interactionPolicy.Check('gatehouse_confirm_each_authorization', 'the user confirms each authorization', 'consent_required', (ctx) =>
        ctx.oidc.result?.consent ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );
  return policy;
}

const ERROR_HINTS: Record<string, string> = {
  invalid_redirect_uri: 'The redirect_uri is not one this client registered. Register it (dynamic client registration), or use a loopback redirect, which may change port (RFC 8252 §7.3).',
  invalid_client: 'This client_id is unknown here, maybe from an earlier Gatehouse data folder. Let the client register again (remove its cached registration).',
  invalid_target: 'The resource parameter must be the URL of a gateway route protected by this identity provider.',
  invalid_request: 'The authorization request is malformed; the details above say which parameter.',
};

export function buildProviderConfiguration(input: ProviderConfigurationInput): Configuration {
  const { config, keys, storage, accounts, resources, introspectionClient, tracer } = input;
  const gatewayClientId = introspectionClient.clientId;
  const tokenPolicyAllows = (callerId: string, tokenClientId: string | undefined) => callerId === gatewayClientId || callerId === tokenClientId;

  return {
    adapter: storage.adapterFor,
    findAccount: accounts.findAccount,
    jwks: { keys: keys.signingKeys },
    cookies: {
      keys: keys.cookieKeys,
      names: COOKIE_NAMES,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },

    clients: [
      {
        // The gateway itself: it only introspects (and may revoke); it never takes part in a flow.
        client_id: introspectionClient.clientId,
        client_secret: introspectionClient.clientSecret,
        client_name: 'Gatehouse gateway (introspection)',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      ...config.clients.map((client): ClientMetadata => ({
        client_id: client.client_id,
        client_secret: client.client_secret,
        client_name: client.name ?? client.client_id,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        // Basic or form: oidc-provider takes one method per client, and Basic is what SEP-1046 clients send first.
        token_endpoint_auth_method: 'client_secret_basic',
      })),
    ],
    clientDefaults: {
      // RFC 7591's default is authorization_code only; MCP clients that leave grant_types out
      // still expect to refresh (field notes: "re-auth every hour").
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    extraClientMetadata: {
      properties: [...EXTRA_CLIENT_PROPERTIES],
      validator: createClientMetadataValidator(new Set(OPENID_SCOPES), new Set(config.clients.map((client) => client.client_id))),
    },
    clientBasedCORS: (_ctx, origin, client) => {
      // Browser clients (MCP Inspector) call the token endpoint from their own page: allow
      // loopback origins and the origins of the client's redirect URIs.
      const parsed = URL.parse(origin);
      if (!parsed || origin === 'null') return false;
      if (isLoopbackHost(parsed.hostname)) return true;
      return (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === parsed.origin);
    },

    responseTypes: ['code'],
    pkce: { required: () => true },
    scopes: [...OPENID_SCOPES],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email'],
    },

    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      registrationManagement: { enabled: false },
      // Experimental in oidc-provider 9 (draft-ietf-oauth-client-id-metadata-document-02): an
      // https client_id URL is fetched as the client's metadata, no registration needed.
      clientIdMetadataDocument: { enabled: true, ack: 'draft-02' },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx, _client, oneOf) => defaultResource(resources(), oneOf, (ctx.oidc.params as { grant_type?: string } | undefined)?.grant_type),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) =>
          resourceServerInfo({ resources, accessTokenTtlSeconds: config.access_token_ttl_s, signingAlgorithm: 'RS256' }, indicator),
      },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => tokenPolicyAllows(client.clientId, token.clientId),
      },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => {
          const allowed = tokenPolicyAllows(client.clientId, token.clientId);
          const owner = 'accountId' in token && typeof token.accountId === 'string' ? token.accountId : undefined;
          tracer.step('revocation', allowed ? 'ok' : 'error', {
            clientId: token.clientId,
            subject: owner,
            detail: allowed
              ? `${clientLabel(client)} revoked ${token.kind === 'RefreshToken' ? 'a refresh token' : 'an access token'} of ${owner ?? 'no user'}`
              : `${clientLabel(client)} may not revoke a token issued to ${token.clientId}: ignored`,
          });
          return allowed;
        },
      },
      userinfo: { enabled: true },
      // Off: a DPoP-bound token must be checked with its proof, and the gateway takes bearer
      // tokens only; without DPoP in the metadata clients do not bind their tokens.
      dPoP: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      // Only clients registered for the grant may use it: the configured machine clients.
      clientCredentials: { enabled: true },
    },

    // MCP clients rarely ask for offline_access: a refresh token goes to every client registered
    // for the refresh_token grant, is rotated on each use, and does not end with the browser
    // session (the client is not a browser).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    expiresWithSession: () => false,
    extraTokenClaims: (_ctx, token) => {
      const accountId = 'accountId' in token && typeof token.accountId === 'string' ? token.accountId : undefined;
      const user = accountId ? accounts.find(accountId) : undefined;
      if (user) return { groups: user.groups };
      const machine = token.kind === 'ClientCredentials' ? config.clients.find((client) => client.client_id === token.clientId) : undefined;
      // A JWT's sub is already the client id; introspection (RFC 7662) leaves sub out without an account.
      return machine ? { sub: machine.client_id, groups: machine.groups } : undefined;
    },

    interactions: {
      policy: interactionPolicyAskingConsent(),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    renderError: (ctx: KoaContextWithOIDC, out, error) => {
      ctx.set(PAGE_HEADERS);
      ctx.type = 'html';
      ctx.body = renderErrorPage('Authorization failed', describeError({ ...out, error_detail: undefined, message: error.message }), ERROR_HINTS[out.error]);
    },

    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.access_token_ttl_s,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.access_token_ttl_s,
      AuthorizationCode: AUTHORIZATION_CODE_TTL_S,
      IdToken: config.access_token_ttl_s,
      RefreshToken: config.refresh_token_ttl_s,
      Grant: config.refresh_token_ttl_s,
      Session: SESSION_TTL_S,
      Interaction: INTERACTION_TTL_S,
    },
  };
}
