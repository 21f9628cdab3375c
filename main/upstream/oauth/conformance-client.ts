/**
 * The OAuth client as the official MCP conformance suite drives it (`conformance client
 * --command "<cmd>" --suite auth`): the suite appends the server URL to the command and passes
 * the scenario in MCP_CONFORMANCE_SCENARIO and, for pre-registered clients, the credentials in
 * MCP_CONFORMANCE_CONTEXT. It is the gateway's own client — same provider, authorizer, step-up —
 * with a store that forgets and a "browser" that follows the suite's authorize redirect (its
 * authorization server approves without a person). The client_credentials scenarios (SEP-1046)
 * hand over a machine client's secret or private key instead; no browser is involved then.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { exportJWK, importPKCS8 } from 'jose';

import { upstreamOAuthSchema } from '../../config/schema.js';
import { TraceBus } from '../../trace/trace-bus.js';
import { followRedirectStep } from './browser-step.js';
import { EphemeralSecretStore } from './ephemeral-secret-store.js';
import { UpstreamOAuth } from './upstream-oauth.js';

export interface ConformanceClientOptions {
  env?: NodeJS.ProcessEnv;
  /** The Client ID Metadata Document URL to offer when the server supports CIMD. */
  clientMetadataUrl?: string;
  log?: (line: string) => void;
}

interface ConformanceContext {
  client_id?: string;
  client_secret?: string;
  /** PKCS#8 PEM of a machine client's key (private_key_jwt). */
  private_key_pem?: string;
  signing_algorithm?: string;
}

function contextFrom(env: NodeJS.ProcessEnv): ConformanceContext {
  const raw = env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return {};
  const parsed = JSON.parse(raw) as Record<string, unknown>;
  const text = (key: string) => (typeof parsed[key] === 'string' ? parsed[key] : undefined);
  return { client_id: text('client_id'), client_secret: text('client_secret'), private_key_pem: text('private_key_pem'), signing_algorithm: text('signing_algorithm') };
}

/** What `auth:` would say for this scenario in a Gatehouse config. */
async function authConfigFor(scenario: string | undefined, context: ConformanceContext, clientMetadataUrl: string | undefined): Promise<Record<string, unknown>> {
  const client = {
    ...(context.client_id ? { client_id: context.client_id } : {}),
    ...(context.client_secret ? { client_secret: context.client_secret } : {}),
  };
  if (!scenario?.startsWith('auth/client-credentials')) return { type: 'oauth', ...client, ...(clientMetadataUrl ? { client_metadata_url: clientMetadataUrl } : {}) };
  if (!context.private_key_pem) return { type: 'oauth', grant: 'client_credentials', ...client };
  const algorithm = context.signing_algorithm ?? 'RS256';
  const key = await exportJWK(await importPKCS8(context.private_key_pem, algorithm, { extractable: true }));
  return { type: 'oauth', grant: 'client_credentials', ...client, token_endpoint_auth_method: 'private_key_jwt', private_key_jwk: key, signing_algorithm: algorithm };
}

/** Connects, lists tools and calls the first one; 0 when all of it worked. */
export async function runConformanceClient(serverUrl: string, options: ConformanceClientOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const context = contextFrom(env);
  const trace = new TraceBus();
  trace.subscribe((event) => {
    if (event.type === 'oauth.client') log(`[oauth ${event.step} ${event.outcome}] ${event.detail ?? ''}`);
  });
  const auth = upstreamOAuthSchema.parse(await authConfigFor(env.MCP_CONFORMANCE_SCENARIO, context, options.clientMetadataUrl));
  const oauth = new UpstreamOAuth({ store: new EphemeralSecretStore(), trace, browser: () => followRedirectStep(), verifyClientMetadataUrl: false });
  const authorizer = oauth.authorizer({ name: 'conformance', kind: 'http', url: serverUrl, timeout_ms: 30_000, auth }, `/${env.MCP_CONFORMANCE_SCENARIO ?? 'conformance'}`);

  const client = new Client({ name: 'gatehouse-conformance', version: '0.1.0' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(serverUrl), { fetch: authorizer.fetch(fetch) }));
    const { tools } = await client.listTools();
    log(`tools: ${tools.map((tool) => tool.name).join(', ')}`);
    if (tools[0]) await client.callTool({ name: tools[0].name, arguments: {} });
    return 0;
  } catch (error) {
    log(`conformance client: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}
