/**
 * The test client's steps in words, in the order MCP Inspector's guided OAuth flow walks them:
 * what happens, and what usually fixes a failure there.
 */
import type { TestClientStepName } from '../../../shared/admin-api.js';

export interface TestStepDescription {
  title: string;
  does: string;
  /** The usual fix when this step fails; the step's own error says what went wrong. */
  usualFix: string;
}

export const TEST_STEP_CATALOG: Record<TestClientStepName, TestStepDescription> = {
  probe: {
    title: 'Probe the route',
    does: 'Call the MCP endpoint without a token and expect 401 with a resource_metadata URL.',
    usualFix: 'The route must answer 401 with WWW-Authenticate: Bearer resource_metadata="…" — check the route is up and has auth configured.',
  },
  'resource-metadata': {
    title: 'Protected resource metadata',
    does: 'Fetch the RFC 9728 document and read authorization_servers and scopes_supported.',
    usualFix: 'Serve /.well-known/oauth-protected-resource/<route> with resource equal to the route URL; turn off the "404 the path-suffixed metadata" fault if it is on.',
  },
  'authorization-server-metadata': {
    title: 'Authorization server metadata',
    does: 'Discover the issuer’s endpoints (RFC 8414, then OpenID Connect discovery).',
    usualFix: 'The issuer in the PRM must be reachable and its metadata issuer byte-identical (no trailing slash difference).',
  },
  registration: {
    title: 'Register the client',
    does: 'Register dynamically (RFC 7591) and receive a client id, unless one is pre-registered.',
    usualFix: 'Enable dynamic client registration at the IdP, or configure a pre-registered client id for the route.',
  },
  authorize: {
    title: 'Authorize',
    does: 'Open the authorization endpoint with PKCE S256 and the resource indicator (RFC 8707).',
    usualFix: 'The IdP must accept the resource parameter and the loopback redirect URI on any port.',
  },
  login: {
    title: 'Sign in',
    does: 'Sign in as the chosen user and grant consent.',
    usualFix: 'Check the user exists in the built-in IdP (Settings) or finish the login in the browser.',
  },
  token: {
    title: 'Exchange the code',
    does: 'Trade the code and PKCE verifier for an access token whose audience is this route.',
    usualFix: 'The token’s aud must be the route URL: set the IdP’s resource indicator or audience.',
  },
  initialize: {
    title: 'Initialize',
    does: 'Send initialize with the token and open an MCP session.',
    usualFix: 'A 401 here means the token was refused: open the handshake trace to see which claim failed.',
  },
  'list-tools': {
    title: 'List tools',
    does: 'Ask for tools/list: the ACL decides what this user sees.',
    usualFix: 'An empty list usually means the ACL hides everything from this user’s groups: see Catalog for why.',
  },
};
