/**
 * Connector for upstreams that speak MCP (Streamable HTTP, legacy HTTP+SSE, stdio): the SDK's
 * Client on the transport the config names. Requests are forwarded by method; what the upstream
 * sends on its own is handed to {@link UpstreamEvents}.
 */
import path from 'node:path';

import {
  Client,
  SSEClientTransport,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  type FetchLike,
  type Notification,
  type RequestMethod,
  type Result,
  type StandardSchemaV1,
  type Transport,
} from '@modelcontextprotocol/client';

import type { HttpUpstreamConfig, SseUpstreamConfig, StdioUpstreamConfig } from '../config/schema.js';
import { fetchWithCallHeaders } from './call-headers.js';
import { authorizationNeededIn } from './oauth/oauth-client-error.js';
import { installedUpstreamOAuth, isSecuredUpstream, loginTarget, type UpstreamOAuth } from './oauth/upstream-oauth.js';
import { SupervisedStdioTransport } from './stdio-transport.js';
import type { ForwardOptions, UpstreamConnection, UpstreamEvents, UpstreamRequest } from './upstream.js';
import { UpstreamError, describeError } from './upstream-error.js';

export type McpUpstreamConfig = HttpUpstreamConfig | SseUpstreamConfig | StdioUpstreamConfig;

export interface McpUpstreamContext {
  /** Directory of the config file, for relative stdio `cwd`. */
  baseDir: string;
  onStderr?: (line: string) => void;
  /** The gateway's OAuth client, for upstreams with `auth` (default: the one installed for the process). */
  oauth?: UpstreamOAuth;
  /** The route the upstream belongs to, for login messages and traces. */
  route?: string;
}

const CLIENT_INFO = { name: 'gatehouse', version: '0.1.0' };

/** The server→client requests a gateway can relay to the client that caused them. */
const RELAYED_SERVER_REQUESTS = ['sampling/createMessage', 'elicitation/create', 'roots/list'] as const;

/** The fetch an HTTP upstream is reached with: with the gateway's own token when the upstream is secured. */
function upstreamFetch(config: HttpUpstreamConfig | SseUpstreamConfig, context: McpUpstreamContext): FetchLike {
  if (!isSecuredUpstream(config)) return fetchWithCallHeaders;
  const oauth = context.oauth ?? installedUpstreamOAuth();
  if (!oauth) {
    throw new UpstreamError(
      'upstream_unavailable',
      config.name,
      `upstream "${config.name}" has auth: oauth, but this Gatehouse has no secret store to keep its tokens in — start it through \`gatehouse serve\` or the app (then run \`gatehouse login ${loginTarget(context.route, config.name)}\`)`,
    );
  }
  return oauth.authorizer(config, context.route).fetch(fetchWithCallHeaders);
}

function createTransport(config: McpUpstreamConfig, context: McpUpstreamContext): Transport {
  switch (config.kind) {
    case 'http':
      return new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers ?? {} }, fetch: upstreamFetch(config, context) });
    case 'sse':
      return new SSEClientTransport(new URL(config.url), { requestInit: { headers: config.headers ?? {} }, fetch: upstreamFetch(config, context) });
    case 'stdio':
      return new SupervisedStdioTransport({
        command: config.command,
        args: config.args,
        env: config.env,
        cwd: config.cwd ? path.resolve(context.baseDir, config.cwd) : undefined,
        onStderr: context.onStderr,
      });
  }
}

function describeExit(transport: Transport): string | undefined {
  if (!(transport instanceof SupervisedStdioTransport) || !transport.exit) return undefined;
  const { code, signal, stderrTail } = transport.exit;
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
  return tail ? `${how} (stderr: ${tail})` : how;
}

/**
 * The result check for `tools/call`, the method nearly every relayed request is: none here. The
 * route's SDK Server checks every tools/call result against its era's schema before it answers
 * (whatever the handler), so the client's own check would parse each result a second time on the
 * gateway's hottest path. Other methods keep the client's check: their results are not checked
 * again on the way out.
 */
const CHECKED_ON_THE_WAY_OUT: StandardSchemaV1<unknown, Result> = {
  '~standard': { version: 1, vendor: 'gatehouse', validate: (value) => ({ value: value as Result }) },
};

/** fetch's own failure (refused, reset, DNS): the upstream is not there, as opposed to answering badly. */
function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

export async function connectMcpUpstream(
  config: McpUpstreamConfig,
  events: UpstreamEvents,
  context: McpUpstreamContext,
): Promise<UpstreamConnection> {
  const transport = createTransport(config, context);
  const client = new Client(CLIENT_INFO, {
    capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } },
  });
  for (const method of RELAYED_SERVER_REQUESTS) {
    client.setRequestHandler(method, (request, ctx) =>
      events.onRequest({ method, params: request.params as Record<string, unknown> | undefined }, ctx.mcpReq.signal) as never,
    );
  }
  client.fallbackNotificationHandler = async (notification) => events.onNotification(notification);

  let closed = false;
  let closeReason = '';
  client.onclose = () => {
    if (closed) return;
    closed = true;
    const exit = describeExit(transport);
    closeReason = exit ? `upstream "${config.name}" ${exit}` : `upstream "${config.name}" closed the connection`;
    events.onClose(closeReason);
  };
  client.onerror = () => {
    // Transport hiccups (an SSE stream that drops and reconnects) are not fatal; a fatal one closes.
  };

  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => undefined);
    const needed = authorizationNeededIn(error);
    if (needed) throw needed;
    const where = config.kind === 'stdio' ? `"${config.command} ${config.args.join(' ')}"` : config.url;
    const exit = describeExit(transport);
    throw new UpstreamError(
      'upstream_unreachable',
      config.name,
      `upstream "${config.name}" (${config.kind} ${where}) could not be started or reached: ${exit ?? describeError(error)} — check the ${config.kind === 'stdio' ? 'command, args and cwd' : 'URL and that the server is running'}`,
      { cause: error },
    );
  }

  return {
    name: config.name,
    kind: config.kind,
    capabilities: client.getServerCapabilities() ?? {},
    async request(request: UpstreamRequest, options: ForwardOptions = {}): Promise<Result> {
      if (closed) throw new UpstreamError('upstream_unavailable', config.name, `${closeReason} — Gatehouse is restarting it; retry the call`);
      try {
        const outgoing = { method: request.method as RequestMethod, params: request.params };
        const requestOptions = { signal: options.signal, onprogress: options.onprogress, timeout: config.timeout_ms, resetTimeoutOnProgress: true };
        return request.method === 'tools/call'
          ? await client.request(outgoing, CHECKED_ON_THE_WAY_OUT, requestOptions)
          : await client.request(outgoing, requestOptions);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : error;
        const needed = authorizationNeededIn(error);
        if (needed) throw needed;
        if (error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed) {
          throw new UpstreamError(
            'upstream_exited',
            config.name,
            `${closeReason || `upstream "${config.name}" closed the connection`} while handling ${request.method} — Gatehouse is restarting it; retry the call`,
            { cause: error },
          );
        }
        const sessionLost = error instanceof SdkHttpError && (error.status === 404 || (error.status === 400 && /session/i.test(error.message)));
        if (sessionLost && config.kind !== 'stdio') {
          // The upstream no longer knows our session (it restarted; some servers answer 400, not
          // the spec's 404): start over with a new one.
          void client.close();
          throw new UpstreamError(
            'upstream_unavailable',
            config.name,
            `upstream "${config.name}" no longer knows Gatehouse's session (it probably restarted) — Gatehouse is reconnecting; retry the call`,
            { cause: error },
          );
        }
        if (isNetworkError(error)) {
          throw new UpstreamError(
            'upstream_unreachable',
            config.name,
            `upstream "${config.name}" (${config.kind} ${'url' in config ? config.url : ''}) cannot be reached: ${describeError(error)} — check that the server is running; Gatehouse retries on the next call`,
            { cause: error },
          );
        }
        if (error instanceof SdkHttpError) {
          throw new UpstreamError(
            'upstream_unavailable',
            config.name,
            `upstream "${config.name}" answered HTTP ${error.status} to ${request.method}: ${error.message.slice(0, 300)}`,
            { cause: error },
          );
        }
        if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
          throw new UpstreamError(
            'upstream_timeout',
            config.name,
            `upstream "${config.name}" did not answer ${request.method} within ${config.timeout_ms} ms — raise timeout_ms for this upstream if it is just slow`,
            { cause: error },
          );
        }
        throw error;
      }
    },
    async notify(notification: Notification): Promise<void> {
      if (!closed) await client.notification(notification);
    },
    async close(): Promise<void> {
      closed = true;
      closeReason = `upstream "${config.name}" was shut down`;
      await client.close();
    },
  };
}
