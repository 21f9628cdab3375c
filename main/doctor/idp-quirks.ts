/**
 * Identity providers recognised from their issuer or endpoint URLs, and what each is known to
 * break for MCP clients (../shared/MCP-AUTH-FIELD-NOTES.md; sources are `repo#issue`). Reported
 * behaviour, not constants: each text says what was seen and what fixes it, and is attached to
 * the check it bears on.
 */
export type QuirkTopic = 'discovery' | 'issuer' | 'pkce' | 'registration' | 'resource' | 'scopes';

export interface IdpProfile {
  name: string;
  quirks: Partial<Record<QuirkTopic, string>>;
  /** What to do about the `resource` quirk, when there is one. */
  resourceFix?: string;
}

type Recognizer = (url: URL) => IdpProfile | undefined;

const entra: Recognizer = (url) => {
  if (url.hostname !== 'login.microsoftonline.com' && url.hostname !== 'sts.windows.net') return undefined;
  return {
    name: 'Microsoft Entra ID',
    quirks: {
      registration:
        'Entra ID has no dynamic client registration: register an app and hand its client ID to clients (VS Code asks for it, Cursor takes auth.CLIENT_ID, mcp-remote --static-oauth-client-info); Claude Code and the MCP Inspector need CIMD or a DCR shim in front (mcp-remote#53).',
      resource:
        "Entra's v2 endpoints reject the RFC 8707 `resource` parameter next to scopes (AADSTS9010010: the resource parameter doesn't match the requested scopes): clients must omit `resource` and request `api://<app-id>/<scope>` (mcp-remote --disable-resource-parameter; claude-code#73460, mcp-remote#217).",
      issuer:
        "Entra tokens carry `aud` = the app's client-ID GUID (or api://<app-id>), and v1 tokens have iss=https://sts.windows.net/<tenant>/ instead of the v2.0 issuer: the resource server must accept exactly those or fail with IDX10214 (microsoft/mcp#1462).",
      scopes:
        "Entra's metadata lists only the OpenID scopes, never your API's (`api://<app-id>/<scope>`): name them in the resource metadata's scopes_supported and the 401's scope, or clients ask for nothing useful.",
    },
    resourceFix:
      'Have clients omit `resource` (mcp-remote --disable-resource-parameter) and request api://<app-id>/<scope>; make the resource server accept aud = the app ID and the v1/v2 issuer the tokens carry.',
  };
};

const keycloak: Recognizer = (url) => {
  if (!/\/realms\/[^/]+/.test(url.pathname)) return undefined;
  return {
    name: 'Keycloak',
    quirks: {
      discovery:
        "Keycloak issuers have a path (/realms/<realm>) and Keycloak serves its metadata under the issuer (<issuer>/.well-known/openid-configuration), the OIDC path-append form: clients that only try RFC 8414 path insertion (Claude Code) do not find it (ai-dial-core#1685).",
      registration:
        "Keycloak's anonymous registration is limited by client-registration policies: 'Trusted Hosts' rejects clients from unlisted hosts, 'Allowed Client Scopes' rejects scopes it does not know — relax them for MCP clients (opensearch-mcp PR#227, keycloak#43654).",
      resource:
        "Keycloak ignores `resource`; tokens of dynamically registered clients carry no `aud` for your server unless a client scope with an Audience mapper adds it — the resource server's audience check then fails.",
    },
    resourceFix: 'Add a default client scope with an Audience mapper that puts the MCP URL (or the audience your server checks) into aud.',
  };
};

const auth0: Recognizer = (url) => {
  if (!url.hostname.endsWith('.auth0.com')) return undefined;
  return {
    name: 'Auth0',
    quirks: {
      registration:
        "Auth0 has dynamic client registration off by default (Tenant Settings → Advanced), and registered clients need domain-level connections or login fails with 'no connections enabled for the client' (inspector#556).",
      resource:
        "Auth0 ignores the RFC 8707 `resource` parameter and needs `audience=<API identifier>`; without it the token is opaque/JWE and JWT validation fails with 'Invalid Compact JWS' (vscode#274226) — set the tenant's Default Audience to the MCP URL's API.",
    },
    resourceFix: "Create an API whose identifier is the MCP URL and make it the tenant's Default Audience (or have clients send audience=<identifier>).",
  };
};

const okta: Recognizer = (url) => {
  if (!url.hostname.endsWith('.okta.com') && !url.hostname.endsWith('.oktapreview.com')) return undefined;
  const customServer = url.pathname.startsWith('/oauth2/');
  return {
    name: 'Okta',
    quirks: {
      registration:
        "Okta's dynamic client registration needs an admin API token, so MCP clients cannot register: create an app integration and hand its client ID to clients.",
      scopes: customServer
        ? 'Okta custom authorization servers (issuer /oauth2/<id>) reject a request without `scope`: name the scopes in the 401 and the resource metadata (Insomnia broke on this).'
        : "This is Okta's org authorization server (no /oauth2/<id> in the issuer): it cannot issue access tokens for your own API — use a custom authorization server such as /oauth2/default.",
    },
  };
};

const cognito: Recognizer = (url) => {
  // The issuer is cognito-idp.<region>.amazonaws.com/<pool>; the endpoints are on <domain>.auth.<region>.amazoncognito.com.
  if (!/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname) && !url.hostname.endsWith('.amazoncognito.com')) return undefined;
  return {
    name: 'Amazon Cognito',
    quirks: {
      pkce:
        "Cognito does PKCE S256 but its discovery document omits code_challenge_methods_supported, so MCP clients refuse ('does not support code challenge method S256', mcp-oauth2-aws-cognito#9): serve corrected authorization server metadata (with S256) from a host you control and list that issuer.",
      registration: 'Cognito has no dynamic client registration: create an app client and hand its ID to clients, or put a DCR shim in front.',
    },
  };
};

const github: Recognizer = (url) => {
  if (url.hostname !== 'github.com' || !url.pathname.startsWith('/login/oauth')) return undefined;
  return {
    name: 'GitHub',
    quirks: {
      discovery: "GitHub's metadata is at github.com/.well-known/oauth-authorization-server/login/oauth (RFC 8414 path insertion); clients that append the well-known path to the issuer miss it.",
      registration:
        'GitHub OAuth apps have no dynamic registration and accept only the exact callback URL registered, port included (github-mcp-server#921): pre-register the app and give clients a fixed callback port.',
    },
  };
};

const google: Recognizer = (url) => {
  if (url.hostname !== 'accounts.google.com') return undefined;
  return {
    name: 'Google',
    quirks: { registration: 'Google has no dynamic client registration: create an OAuth client in the Cloud console and hand its ID (and secret) to clients.' },
  };
};

const RECOGNIZERS: Recognizer[] = [entra, keycloak, auth0, okta, cognito, github, google];

/** The IdP product behind an issuer, judged by the issuer and, when the issuer is a proxy, the endpoints. */
export function recognizeIdp(issuer: string, metadata?: Record<string, unknown>): IdpProfile | undefined {
  const candidates = [issuer, metadata?.issuer, metadata?.authorization_endpoint, metadata?.token_endpoint];
  for (const candidate of candidates) {
    const url = typeof candidate === 'string' ? URL.parse(candidate) : null;
    if (!url) continue;
    for (const recognize of RECOGNIZERS) {
      const profile = recognize(url);
      if (profile) return profile;
    }
  }
  return undefined;
}
