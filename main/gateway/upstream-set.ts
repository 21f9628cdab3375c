/**
 * The upstream connections that serve one client channel: the route's shared channel (catalogs
 * and stateless 2026-07-28 requests) or one 2025 session. A server→client request an upstream
 * sends is routed back to the client whose call caused it; one connection per session keeps
 * that unambiguous.
 */
import type { ClientCapabilities, Notification, Result } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

import type { RouteConfig, UpstreamConfig } from '../config/schema.js';
import type { TraceBus } from '../trace/trace-bus.js';
import { connectMcpUpstream } from '../upstream/mcp-upstream.js';
import type { UpstreamOAuth } from '../upstream/oauth/upstream-oauth.js';
import { connectOpenApiUpstream } from '../upstream/openapi-upstream.js';
import { connectRestUpstream } from '../upstream/rest-upstream.js';
import { SupervisedUpstream, type UpstreamState } from '../upstream/supervised-upstream.js';
import type { UpstreamEvents, UpstreamRequest } from '../upstream/upstream.js';
import { UpstreamError, describeError } from '../upstream/upstream-error.js';
import type { InteractiveCall } from './interactive-call.js';
import { scrubSecrets, upstreamSecrets } from './upstream-summary.js';

export interface ChannelHooks {
  /** 2025 session only: the client to ask or tell when no call of its is in flight. */
  session?: {
    id: string;
    request(request: UpstreamRequest): Promise<Result>;
    notify(notification: Notification): Promise<void>;
    clientCapabilities(): ClientCapabilities | undefined;
  };
  onListChanged(upstream: string, method: string): void;
  onResourceUpdated(upstream: string, uri: string): void;
  onState?(upstream: string, state: UpstreamState, detail?: string): void;
}

export interface UpstreamSetContext {
  route: RouteConfig;
  baseDir: string;
  trace: TraceBus;
  /** The gateway's own OAuth client, for upstreams with `auth` (their tokens, never the client's). */
  oauth?: UpstreamOAuth;
}

const CAPABILITY_FOR: Record<string, 'roots' | 'sampling' | 'elicitation'> = {
  'roots/list': 'roots',
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
};

const LIST_CHANGED = new Set([
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
]);

export class UpstreamSet {
  readonly upstreams = new Map<string, SupervisedUpstream>();
  private readonly inFlight = new Map<string, Set<InteractiveCall>>();

  constructor(
    private readonly context: UpstreamSetContext,
    private readonly hooks: ChannelHooks,
  ) {
    for (const config of context.route.upstreams) {
      this.upstreams.set(config.name, this.supervise(config));
    }
  }

  async start(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((upstream) => upstream.start()));
  }

  get(name: string): SupervisedUpstream {
    const upstream = this.upstreams.get(name);
    if (!upstream) throw new ProtocolError(ProtocolErrorCode.InternalError, `route ${this.context.route.path} has no upstream "${name}"`);
    return upstream;
  }

  /** Marks a call as in flight on an upstream, so server→client requests find their way back. */
  track(upstream: string, call: InteractiveCall): () => void {
    let calls = this.inFlight.get(upstream);
    if (!calls) this.inFlight.set(upstream, (calls = new Set()));
    calls.add(call);
    return () => calls.delete(call);
  }

  async close(): Promise<void> {
    await Promise.all([...this.upstreams.values()].map((upstream) => upstream.close()));
  }

  private supervise(config: UpstreamConfig): SupervisedUpstream {
    const events = this.eventsFor(config.name);
    const { route, baseDir, trace, oauth } = this.context;
    return new SupervisedUpstream(
      config,
      (connectionEvents) =>
        config.kind === 'rest'
          ? Promise.resolve(connectRestUpstream(config))
          : config.kind === 'openapi'
            ? connectOpenApiUpstream(config, baseDir)
            : connectMcpUpstream(config, connectionEvents, {
              baseDir,
              oauth,
              route: route.path,
              onStderr: (line) => trace.emit({ type: 'upstream.stderr', route: route.path, session: this.hooks.session?.id, upstream: config.name, line: line.slice(0, 2_000) }),
            }),
      events,
      {
        onState: (state, detail) => {
          if (state !== 'connecting') {
            // The trace's state names are fewer than the supervisor's: a state it does not name (auth_needed) is an error with its name in the detail.
            const traced = state === 'connected' || state === 'restarting' || state === 'error' || state === 'closed' || state === 'auth_needed' ? state : 'error';
            const shown = traced === state ? detail : `${state}${detail ? `: ${detail}` : ''}`;
            // Connection errors quote the URL or command line, credentials included: the trace gets them shortened.
            trace.emit({ type: 'upstream.state', route: route.path, session: this.hooks.session?.id, upstream: config.name, state: traced, detail: shown && scrubSecrets(shown, upstreamSecrets(config)) });
          }
          this.hooks.onState?.(config.name, state, detail);
        },
      },
    );
  }

  private eventsFor(upstream: string): UpstreamEvents {
    const { route, trace } = this.context;
    const session = this.hooks.session;
    return {
      onNotification: (notification) => {
        trace.emit({ type: 'notification.relayed', route: route.path, session: session?.id, upstream, method: notification.method, direction: 'upstream-to-client' });
        if (LIST_CHANGED.has(notification.method)) {
          this.hooks.onListChanged(upstream, notification.method);
          return;
        }
        if (notification.method === 'notifications/resources/updated') {
          const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
          if (typeof uri === 'string') this.hooks.onResourceUpdated(upstream, uri);
          if (session) void session.notify(notification).catch(() => undefined);
          return;
        }
        const call = this.soleCall(upstream);
        if (call) void call.ctx.mcpReq.notify(notification).catch(() => undefined);
        else if (session) void session.notify(notification).catch(() => undefined);
      },
      onRequest: async (request) => {
        try {
          const result = await this.routeServerRequest(upstream, request);
          trace.emit({ type: 'server-request.relayed', route: route.path, session: session?.id, upstream, method: request.method, outcome: 'answered' });
          return result;
        } catch (error) {
          trace.emit({ type: 'server-request.relayed', route: route.path, session: session?.id, upstream, method: request.method, outcome: 'failed', error: describeError(error) });
          throw error;
        }
      },
      onClose: (reason) => {
        const error = new UpstreamError('upstream_exited', upstream, `${reason} while a call was running — Gatehouse is restarting it; retry the call`);
        for (const call of this.inFlight.get(upstream) ?? []) call.cancel(error);
      },
    };
  }

  private soleCall(upstream: string): InteractiveCall | undefined {
    const calls = this.inFlight.get(upstream);
    if (!calls || calls.size === 0) return undefined;
    // Within one 2025 session every call belongs to the same client, so any of them can carry it.
    if (calls.size === 1 || this.hooks.session) return calls.values().next().value;
    return undefined;
  }

  private routeServerRequest(upstream: string, request: UpstreamRequest): Promise<Result> {
    const session = this.hooks.session;
    if (session) {
      // One client per session: push the request to it, on the stream of a call in flight when
      // there is one — as the upstream would if the client were connected directly.
      const capability = CAPABILITY_FOR[request.method];
      if (capability && !session.clientCapabilities()?.[capability]) {
        throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `the client did not declare the ${capability} capability, so Gatehouse cannot relay ${request.method} to it`);
      }
      const call = this.soleCall(upstream);
      if (call) return call.ctx.mcpReq.send({ method: request.method, params: request.params } as never) as Promise<Result>;
      return session.request(request);
    }
    const call = this.soleCall(upstream);
    if (call) return call.ask(request);
    const calls = this.inFlight.get(upstream)?.size ?? 0;
    throw new ProtocolError(
      ProtocolErrorCode.InvalidRequest,
      calls > 1
        ? `Gatehouse cannot tell which of ${calls} concurrent calls your ${request.method} belongs to on this shared connection`
        : `Gatehouse has no client call in flight to relay ${request.method} to (stateless clients can only be asked during a call)`,
    );
  }
}
