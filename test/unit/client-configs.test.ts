/**
 * Client configs (main/admin/client-configs.ts) for the cases the demo does not show: a route
 * without auth, and an external IdP without a registration endpoint, where each client needs a
 * pre-registered client id given its own way (MCP-AUTH-FIELD-NOTES.md).
 */
import { describe, expect, it } from 'vitest';

import type { ClientConfigSnippet, RouteSummary } from '../../shared/admin-api.js';
import { clientConfigs, serverName } from '../../main/admin/client-configs.js';

const URL_ = 'http://127.0.0.1:8400/team/search';

function route(auth: RouteSummary['auth']): RouteSummary {
  return { path: '/team/search', url: URL_, auth, upstreams: [], traffic: { requests: 0, errors: 0, denied: 0 }, acl: false, faults: {} };
}

const byClient = (snippets: ClientConfigSnippet[]) => Object.fromEntries(snippets.map((s) => [s.client, s])) as Record<ClientConfigSnippet['client'], ClientConfigSnippet>;

describe('client configs', () => {
  it('names the server after the route', () => {
    expect(serverName('/team/search')).toBe('gatehouse-team-search');
  });

  it('without auth: plain configs and a note that there is no sign-in', () => {
    const snippets = byClient(clientConfigs({ route: route({ mode: 'none', scopes: [] }), name: 'gatehouse-team-search', registration: 'dynamic' }));
    expect(JSON.parse(snippets.cursor.content)).toEqual({ mcpServers: { 'gatehouse-team-search': { url: URL_ } } });
    expect(JSON.parse(snippets.vscode.content)).toEqual({ servers: { 'gatehouse-team-search': { type: 'http', url: URL_ } } });
    expect(snippets.cursor.notes).toEqual([expect.stringMatching(/no sign-in/)]);
    expect(snippets['claude-desktop'].notes.join(' ')).not.toMatch(/mcp-auth/);
  });

  it('an IdP without registration: each client gets a pre-registered client id its own way', () => {
    const auth: RouteSummary['auth'] = {
      mode: 'jwt',
      issuer: 'https://login.microsoftonline.com/tenant/v2.0',
      scopes: ['api://search/.default'],
      resourceMetadataUrl: 'http://127.0.0.1:8400/.well-known/oauth-protected-resource/team/search',
    };
    const snippets = byClient(clientConfigs({ route: route(auth), name: 'search', registration: 'pre-registered' }));

    expect(JSON.parse(snippets.cursor.content)).toEqual({ mcpServers: { search: { url: URL_, auth: { CLIENT_ID: 'YOUR_CLIENT_ID', scopes: ['api://search/.default'] } } } });
    expect(snippets.cursor.notes.join(' ')).toMatch(/localhost:8787\/callback/);

    const desktop = JSON.parse(snippets['claude-desktop'].content) as { mcpServers: { search: { command: string; args: string[] } } };
    expect(desktop.mcpServers.search.command).toBe('npx');
    const args = desktop.mcpServers.search.args;
    expect(args.slice(0, 3)).toEqual(['-y', 'mcp-remote', URL_]);
    expect(JSON.parse(args[args.indexOf('--static-oauth-client-info') + 1]!)).toEqual({ client_id: 'YOUR_CLIENT_ID' });
    expect(snippets['claude-desktop'].notes.join(' ')).toMatch(/oauth\/callback/);

    expect(snippets.vscode.notes.join(' ')).toMatch(/127\.0\.0\.1:33418/);
    expect(snippets['claude-code'].content).toBe(`claude mcp add --transport http --client-id YOUR_CLIENT_ID --callback-port 8080 search ${URL_}\n`);
    for (const snippet of Object.values(snippets)) expect(snippet.notes.join(' ')).toMatch(/no registration endpoint/);
  });

  it('quotes what a shell would split', () => {
    const snippets = byClient(clientConfigs({ route: { ...route({ mode: 'none', scopes: [] }), url: 'http://127.0.0.1:8400/a b' }, name: "it's", registration: 'dynamic' }));
    expect(snippets['claude-code'].content).toBe(`claude mcp add --transport http 'it'\\''s' 'http://127.0.0.1:8400/a b'\n`);
  });

  it('a machine client of the built-in IdP gets a script: its secret from the environment unless it is the published demo one', () => {
    const auth: RouteSummary['auth'] = { mode: 'jwt', issuer: 'http://127.0.0.1:8401', scopes: ['shop:read'] };
    const builtinIdp = { users: [], demoPasswords: false, issuer: 'http://127.0.0.1:8401', machineClients: [{ clientId: 'nightly', groups: ['ops'] }] };
    const script = byClient(clientConfigs({ route: route(auth), name: 'search', registration: 'dynamic', builtinIdp })).machine;
    expect(script.content).toContain(
      `curl -fsS -d grant_type=client_credentials --data-urlencode client_id=nightly --data-urlencode "client_secret=$CLIENT_SECRET" --data-urlencode resource=${URL_} --data-urlencode scope=shop:read http://127.0.0.1:8401/token`,
    );
    expect(script.content).toContain(`access_token') &&\nnpx @modelcontextprotocol/inspector@2 --cli ${URL_} --transport http --method tools/list --header "Authorization: Bearer $TOKEN"`);
    expect(script.notes.join(' ')).toContain('Set CLIENT_SECRET');
    const none = clientConfigs({ route: route({ mode: 'none', scopes: [] }), name: 'search', registration: 'dynamic', builtinIdp });
    expect(none.map((s) => s.client)).not.toContain('machine');
  });
});
