/**
 * The test client's MCP session: the SDK's own Client over Streamable HTTP against the real
 * gateway route, with an OAuthClientProvider that holds the token the guided flow obtained (so
 * the SDK sends it, and refreshes it if the gateway stops accepting it). Everything it does goes
 * through the gateway's auth, ACL and trace like any other client's traffic.
 */
import {
  Client,
  InsufficientScopeError,
  ProtocolError,
  StreamableHTTPClientTransport,
  type FetchLike,
  type OAuthClientInformationFull,
  type OAuthClientProvider,
  type OAuthTokens,
  type StoredOAuthTokens,
  type Tool,
} from '@modelcontextprotocol/client';

import type { ToolCallOutcome } from '../../shared/admin-api.js';

export interface HeldCredentials {
  tokens: OAuthTokens;
  issuer: string;
  clientInformation: OAuthClientInformationFull;
  redirectUrl: string;
}

/** A provider that never starts a sign-in of its own: the guided flow did that, step by step. */
function heldTokenProvider(held: HeldCredentials): OAuthClientProvider {
  let tokens: StoredOAuthTokens = { ...held.tokens, issuer: held.issuer };
  let verifier: string | undefined;
  return {
    get redirectUrl() {
      return held.redirectUrl;
    },
    get clientMetadata() {
      return { redirect_uris: [held.redirectUrl], client_name: 'Gatehouse test client', token_endpoint_auth_method: 'none' };
    },
    clientInformation: () => ({ ...held.clientInformation, issuer: held.issuer }),
    tokens: () => tokens,
    saveTokens: (saved) => {
      tokens = saved;
    },
    redirectToAuthorization: () => {
      throw new Error('the gateway no longer accepts this session\'s token and it could not be refreshed (expired or revoked) — start a new test client session to get a new one');
    },
    saveCodeVerifier: (saved) => {
      verifier = saved;
    },
    codeVerifier: () => {
      if (!verifier) throw new Error('the test client started no authorization of its own');
      return verifier;
    },
  };
}

export interface InitializeOutcome {
  serverInfo?: { name: string; version: string };
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
  instructions?: string;
  sessionId?: string;
}

export class TestClientConnection {
  private constructor(
    private readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport,
  ) {}

  static async connect(url: string, fetchFn: FetchLike, credentials: HeldCredentials | undefined): Promise<TestClientConnection> {
    const client = new Client({ name: 'gatehouse-test-client', version: '1.0.0' }, { capabilities: {} });
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      fetch: fetchFn,
      // A missing scope is shown to the user as the gateway's answer, not silently re-authorized.
      onInsufficientScope: 'throw',
      ...(credentials ? { authProvider: heldTokenProvider(credentials) } : {}),
    });
    try {
      await client.connect(transport);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    return new TestClientConnection(client, transport);
  }

  describe(): InitializeOutcome {
    const server = this.client.getServerVersion();
    return {
      ...(server ? { serverInfo: { name: server.name, version: server.version } } : {}),
      ...(this.client.getNegotiatedProtocolVersion() ? { protocolVersion: this.client.getNegotiatedProtocolVersion() } : {}),
      ...(this.client.getServerCapabilities() ? { capabilities: this.client.getServerCapabilities() as Record<string, unknown> } : {}),
      ...(this.client.getInstructions() ? { instructions: this.client.getInstructions() } : {}),
      ...(this.transport.sessionId ? { sessionId: this.transport.sessionId } : {}),
    };
  }

  async listTools(): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  async callTool(tool: string, args: Record<string, unknown>): Promise<ToolCallOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const result = await this.client.callTool({ name: tool, arguments: args });
      return { tool, ok: result.isError !== true, result, durationMs: elapsed() };
    } catch (error) {
      return { tool, ok: false, error: callError(error), durationMs: elapsed() };
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** 403 step-up answers carry the HTTP status as their code: they are not JSON-RPC errors. */
function callError(error: unknown): { code: number; message: string } {
  if (error instanceof ProtocolError) return { code: error.code, message: error.message };
  if (error instanceof InsufficientScopeError) {
    return {
      code: 403,
      message: `403 insufficient_scope: the gateway wants the scope(s) ${error.requiredScope ?? '(unnamed)'} for this call${error.errorDescription ? ` (${error.errorDescription})` : ''} — the test client's token was issued without them; start a new session on a route that grants them, or call it from an MCP client that steps up`,
    };
  }
  return { code: -32603, message: error instanceof Error ? error.message : String(error) };
}
