/**
 * Ready-to-paste client configs for a route, each written for what that client actually supports
 * (../shared/MCP-AUTH-FIELD-NOTES.md, as reported in 2025–2026): Cursor's mcp.json, Claude
 * Desktop's claude_desktop_config.json (stdio only, so through mcp-remote), VS Code's
 * .vscode/mcp.json and Claude Code's `claude mcp add`. Where the route's identity provider has no
 * registration endpoint, each one carries a pre-registered client id in that client's own way.
 * With machine clients at the built-in IdP, also a script: a client_credentials token, then the
 * MCP Inspector CLI with it — what a CI job does.
 */
import type { ClientConfigSnippet, RouteSummary } from '../../shared/admin-api.js';

/** How a client can get a client id at the route's authorization server. */
export type Registration = 'dynamic' | 'pre-registered' | 'unknown';

export interface ClientConfigInput {
  route: RouteSummary;
  /** The name the server gets in the client, e.g. gatehouse-ecommerce-mcp. */
  name: string;
  registration: Registration;
  /** The built-in IdP: its users sign in on its own page; its machine clients get tokens by client_credentials. */
  builtinIdp?: {
    users: Array<{ username: string; groups: string[] }>;
    demoPasswords: boolean;
    issuer?: string;
    /** `secret` only where it is published (the demo's); otherwise the script reads it from the environment. */
    machineClients?: Array<{ clientId: string; groups: string[]; secret?: string }>;
  };
}

const CLIENT_ID_PLACEHOLDER = 'YOUR_CLIENT_ID';
/** mcp-remote's and Claude Code's loopback redirect ports must be fixed to be registered ahead. */
const CLAUDE_CODE_CALLBACK_PORT = 8080;
const MCP_REMOTE_CALLBACK_PORT = 3334;

export function serverName(routePath: string): string {
  return `gatehouse-${routePath.replace(/^\//, '').replace(/[^A-Za-z0-9_-]+/g, '-') || 'route'}`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** POSIX shell quoting, for the copied command lines. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function authNotes(input: ClientConfigInput): string[] {
  const { route, registration, builtinIdp } = input;
  if (route.auth.mode === 'none') return ['This route has no sign-in: the client connects straight away.'];
  const notes: string[] = [];
  if (builtinIdp) {
    const users = builtinIdp.users.map((u) => `${u.username}${u.groups.length ? ` (${u.groups.join(', ')})` : ''}`).join(', ');
    notes.push(
      `On first connect the client registers itself with Gatehouse's built-in identity provider (dynamic client registration) and opens its sign-in page: sign in as ${users}${builtinIdp.demoPasswords ? ' — password demo' : ''}.`,
    );
  } else if (registration === 'dynamic') {
    notes.push(`The identity provider (${route.auth.issuer}) offers dynamic client registration: the client registers itself and opens its sign-in page.`);
  } else if (registration === 'pre-registered') {
    notes.push(
      `The identity provider (${route.auth.issuer}) has no registration endpoint: register a client there first and put its client id where ${CLIENT_ID_PLACEHOLDER} stands (Entra, Google, Cognito and Okta work this way).`,
    );
  } else {
    notes.push(
      `Gatehouse could not read ${route.auth.issuer}'s metadata to tell whether it offers dynamic client registration; if it does not, register a client there and give its client id as shown in the field notes.`,
    );
  }
  if (route.auth.scopes.length) notes.push(`Scopes on this route: ${route.auth.scopes.join(' ')}. Tools that need more ask for it by step-up (403 insufficient_scope).`);
  return notes;
}

function cursor(input: ClientConfigInput): ClientConfigSnippet {
  const { route, name, registration } = input;
  const staticClient = route.auth.mode !== 'none' && registration === 'pre-registered';
  const server = {
    url: route.url,
    ...(staticClient ? { auth: { CLIENT_ID: CLIENT_ID_PLACEHOLDER, scopes: route.auth.scopes } } : {}),
  };
  const notes = authNotes(input);
  if (staticClient) notes.push('Register http://localhost:8787/callback (current Cursor) and cursor://anysphere.cursor-mcp/oauth/callback (older versions) as redirect URIs of that client.');
  if (route.auth.resourceMetadataUrl) notes.push(`Cursor reads the path-suffixed metadata first (${route.auth.resourceMetadataUrl}); Gatehouse serves it.`);
  return { client: 'cursor', title: 'Cursor', file: '~/.cursor/mcp.json (or .cursor/mcp.json in the project)', language: 'json', content: json({ mcpServers: { [name]: server } }), notes };
}

function claudeDesktop(input: ClientConfigInput): ClientConfigSnippet {
  const { route, name, registration } = input;
  const staticClient = route.auth.mode !== 'none' && registration === 'pre-registered';
  const args = ['-y', 'mcp-remote', route.url, ...(staticClient ? [String(MCP_REMOTE_CALLBACK_PORT), '--static-oauth-client-info', JSON.stringify({ client_id: CLIENT_ID_PLACEHOLDER })] : [])];
  const notes = [
    "Claude Desktop's config file only launches local (stdio) servers; remote ones are added as connectors, which must be reachable from Anthropic's cloud over https. So this runs mcp-remote (needs Node.js), which bridges stdio to the route's URL and does the sign-in in your browser.",
    ...authNotes(input),
  ];
  if (staticClient) notes.push(`Register http://localhost:${MCP_REMOTE_CALLBACK_PORT}/oauth/callback as a redirect URI of that client (mcp-remote listens on port ${MCP_REMOTE_CALLBACK_PORT} here).`);
  if (route.auth.mode !== 'none') notes.push('mcp-remote keeps tokens and its client registration in ~/.mcp-auth: delete that folder after changing the identity provider or its users.');
  return {
    client: 'claude-desktop',
    title: 'Claude Desktop',
    file: 'claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/, Windows: %APPDATA%\\Claude\\)',
    language: 'json',
    content: json({ mcpServers: { [name]: { command: 'npx', args } } }),
    notes,
  };
}

function vscode(input: ClientConfigInput): ClientConfigSnippet {
  const { route, name, registration } = input;
  const notes = authNotes(input);
  if (route.auth.mode !== 'none') {
    notes.push("VS Code checks that the metadata's resource is exactly this URL; Gatehouse serves it that way, so connect with the URL as written.");
    if (registration === 'pre-registered') {
      notes.push('With no registration endpoint VS Code asks for the client id when it first connects; register http://127.0.0.1:33418 and https://vscode.dev/redirect as its redirect URIs.');
    }
  }
  return { client: 'vscode', title: 'VS Code', file: '.vscode/mcp.json', language: 'json', content: json({ servers: { [name]: { type: 'http', url: route.url } } }), notes };
}

function claudeCode(input: ClientConfigInput): ClientConfigSnippet {
  const { route, name, registration } = input;
  const staticClient = route.auth.mode !== 'none' && registration === 'pre-registered';
  const words = ['claude', 'mcp', 'add', '--transport', 'http', ...(staticClient ? ['--client-id', CLIENT_ID_PLACEHOLDER, '--callback-port', String(CLAUDE_CODE_CALLBACK_PORT)] : []), name, route.url];
  const notes = authNotes(input);
  if (route.auth.mode !== 'none') notes.push('Then run /mcp inside Claude Code to sign in.');
  if (staticClient) {
    notes.push(
      `Register http://localhost:${CLAUDE_CODE_CALLBACK_PORT}/callback as a redirect URI of that client. Some Claude Code versions still try client metadata documents or registration first; add --client-secret for a confidential client (it prompts for the secret).`,
    );
  }
  return { client: 'claude-code', title: 'Claude Code', language: 'shell', content: `${words.map(shellQuote).join(' ')}\n`, notes };
}

function machineScript(input: ClientConfigInput): ClientConfigSnippet | undefined {
  const { route, builtinIdp } = input;
  const machine = builtinIdp?.machineClients?.[0];
  if (route.auth.mode === 'none' || !builtinIdp?.issuer || !machine) return undefined;
  // In the form, URL-encoded by curl (client_secret_post): HTTP Basic would need the secret
  // form-encoded first (RFC 6749 §2.3.1), which a secret with + or % does not survive.
  const secret = machine.secret === undefined ? '"client_secret=$CLIENT_SECRET"' : shellQuote(`client_secret=${machine.secret}`);
  const form = [
    `-d grant_type=client_credentials`,
    `--data-urlencode ${shellQuote(`client_id=${machine.clientId}`)}`,
    `--data-urlencode ${secret}`,
    `--data-urlencode ${shellQuote(`resource=${route.url}`)}`,
    ...(route.auth.scopes.length ? [`--data-urlencode ${shellQuote(`scope=${route.auth.scopes.join(' ')}`)}`] : []),
  ];
  const content = [
    // -f: an error answer fails the pipe, and node, given nothing to parse, stops the script there.
    `TOKEN=$(curl -fsS ${form.join(' ')} ${shellQuote(`${builtinIdp.issuer}/token`)} \\`,
    `  | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token') &&`,
    `npx @modelcontextprotocol/inspector@2 --cli ${shellQuote(route.url)} --transport http --method tools/list --header "Authorization: Bearer $TOKEN"`,
    '',
  ].join('\n');
  const notes = [
    `A script or CI job has no person to sign in: it is machine client ${machine.clientId}${machine.groups.length ? ` (${machine.groups.join(', ')})` : ''} of the built-in identity provider and gets its token with the client_credentials grant (no refresh token: ask again when it expires).`,
  ];
  if (machine.secret === undefined) notes.push(`Set CLIENT_SECRET to its client_secret from the config (idp.clients).`);
  return { client: 'machine', title: 'Script / CI (client credentials)', language: 'shell', content, notes };
}

export function clientConfigs(input: ClientConfigInput): ClientConfigSnippet[] {
  const script = machineScript(input);
  return [cursor(input), claudeDesktop(input), vscode(input), claudeCode(input), ...(script ? [script] : [])];
}
