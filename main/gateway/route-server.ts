/**
 * The MCP server a client sees on a route: a low-level SDK Server whose handlers answer from the
 * aggregated catalog and forward calls to the upstream that owns the item, under its own name.
 * One is built per 2025 session, and one per 2026-07-28 request (cheap: handlers only).
 */
import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Result, ServerCapabilities, Tool } from '@modelcontextprotocol/client';
import {
  ProtocolError,
  ProtocolErrorCode,
  Server,
  UriTemplate,
  inputRequired,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';

import type { FaultSet } from '../../shared/admin-api.js';
import type { RouteConfig } from '../config/schema.js';
import { noteExchange, noteFault } from '../trace/exchange-capture.js';
import type { TraceBus } from '../trace/trace-bus.js';
import type { UpstreamRequest } from '../upstream/upstream.js';
import { UpstreamError, describeError } from '../upstream/upstream-error.js';
import type { RouteCatalog } from './catalog.js';
import { InteractiveCall, type ParkedCalls } from './interactive-call.js';
import { addUpstreamTime } from './request-timing.js';
import { notAvailable, type RouteAccess } from './route-access.js';
import type { UpstreamSet } from './upstream-set.js';

export interface RouteServerContext {
  route: RouteConfig;
  access: RouteAccess;
  catalog: RouteCatalog;
  parked: ParkedCalls;
  codec: RequestStateCodec<ParkedState>;
  trace: TraceBus;
  version: string;
  /** The route's injected faults, read on every upstream call. */
  faults?: () => FaultSet;
}

export interface ParkedState {
  park: string;
}

/** Every capability is advertised: a route's upstreams may come and go, the surface stays. */
const CAPABILITIES = {
  tools: { listChanged: true },
  prompts: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  logging: {},
  completions: {},
};

function toProtocolError(error: unknown): unknown {
  if (error instanceof UpstreamError) {
    return new ProtocolError(ProtocolErrorCode.InternalError, error.message, { upstream: error.upstream, reason: error.code });
  }
  return error;
}

export function createRouteServer(context: RouteServerContext, set: UpstreamSet, sessionId?: string): Server {
  const { route, catalog, trace, access } = context;
  const server = new Server(
    { name: `gatehouse${route.path.replaceAll('/', '-')}`, version: context.version },
    {
      capabilities: CAPABILITIES,
      instructions: route.description,
      requestState: { verify: (state, ctx) => context.codec.verify(state, ctx) },
    },
  );

  const traceIn = (ctx: ServerContext, item?: string) =>
    trace.emit({ type: 'request.in', route: route.path, session: sessionId ?? ctx.sessionId, era: ctx.mcpReq.envelope ? 'modern' : 'legacy', method: ctx.mcpReq.method, item });

  /** A slow or dead upstream, when the developer injected one: it counts as upstream time and fails the way a dead upstream does. */
  async function injectedFaults(upstream: string): Promise<void> {
    const faults = context.faults?.() ?? {};
    if (faults.upstream_delay_ms) {
      noteFault('upstream_delay_ms');
      await new Promise((resolve) => setTimeout(resolve, faults.upstream_delay_ms));
    }
    if (faults.upstream_failure) {
      noteFault('upstream_failure');
      throw new UpstreamError(
        'upstream_unavailable',
        upstream,
        `upstream "${upstream}" is not connected (injected fault upstream_failure on route ${route.path}); turn the fault off to reach it again`,
      );
    }
  }

  /** Forwards one request to one upstream, with trace events and latency accounting. */
  async function forward(upstream: string, request: UpstreamRequest, item: string | undefined, run: () => Promise<Result>, session = sessionId): Promise<Result> {
    trace.emit({ type: 'upstream.call', route: route.path, session, upstream, method: request.method, item });
    const started = performance.now();
    try {
      await injectedFaults(upstream);
      const result = await run();
      const durationMs = performance.now() - started;
      addUpstreamTime(durationMs);
      trace.emit({ type: 'upstream.result', route: route.path, session, upstream, method: request.method, item, durationMs, isError: (result as { isError?: boolean }).isError === true || undefined });
      return result;
    } catch (error) {
      const durationMs = performance.now() - started;
      addUpstreamTime(durationMs);
      trace.emit({ type: 'upstream.result', route: route.path, session, upstream, method: request.method, item, durationMs, error: describeError(error) });
      noteExchange({ upstreamFailed: true });
      throw toProtocolError(error);
    }
  }

  /** A call that may need the client's input midway (elicitation, sampling, roots). */
  async function forwardInteractive(upstream: string, request: UpstreamRequest, item: string, ctx: ServerContext): Promise<Result> {
    const state = ctx.mcpReq.requestState<ParkedState>();
    let call: InteractiveCall | undefined;
    if (state && typeof state === 'object' && typeof state.park === 'string') {
      call = context.parked.take(state.park);
      if (!call) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `this ${ctx.mcpReq.method} waited too long for your input and was cancelled — call it again`);
      call.resume(ctx);
    } else {
      const fresh = new InteractiveCall(ctx);
      call = fresh;
      const untrack = set.track(upstream, fresh);
      fresh.run((signal) =>
        forward(upstream, request, item, () =>
          set.get(upstream).request(request, {
            signal,
            onprogress: (progress) => {
              const token = fresh.ctx.mcpReq._meta?.progressToken;
              if (token === undefined) return;
              void fresh.ctx.mcpReq.notify({ method: 'notifications/progress', params: { ...progress, progressToken: token } }).catch(() => undefined);
            },
          }),
        ).finally(untrack),
      );
    }
    const next = await call.next();
    if (next.kind === 'result') return next.result;
    const park = context.parked.park(call);
    return inputRequired({ inputRequests: next.inputRequests, requestState: await context.codec.mint({ park }, ctx) });
  }

  function notFound(kind: string, name: string): ProtocolError {
    return new ProtocolError(ProtocolErrorCode.InvalidParams, `${kind} ${name} not found on route ${route.path}`);
  }

  /** The upstream serving a resource URI: listed, or matching a template, or the only one with resources. */
  function resourceOwner(uri: string): { upstream: string; original: string } {
    const listed = catalog.resolve<Resource>('resources', uri);
    if (listed) return { upstream: listed.upstream, original: uri };
    for (const template of catalog.resourceTemplates()) {
      if (new UriTemplate(template.uriTemplate).match(uri)) {
        const owner = catalog.resolve<ResourceTemplate>('resourceTemplates', template.name);
        if (owner) return { upstream: owner.upstream, original: uri };
      }
    }
    const candidates = new Set([...catalog.upstreamsWith('resources'), ...catalog.upstreamsWith('resourceTemplates')]);
    if (candidates.size === 1) return { upstream: [...candidates][0]!, original: uri };
    throw new ProtocolError(ProtocolErrorCode.ResourceNotFound, `resource ${uri} not found on route ${route.path}`, { uri });
  }

  server.setRequestHandler('tools/list', async (_request, ctx) => {
    traceIn(ctx);
    return { tools: await access.filter(ctx, 'tools', catalog.tools() as Tool[], (tool) => tool.name) };
  });

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const name = request.params.name;
    traceIn(ctx, name);
    const entry = catalog.resolve<Tool>('tools', name);
    // Under an ACL an unknown tool and a forbidden one get the same answer: hidden stays hidden.
    if (!entry && access.enforced) throw notAvailable('tools', name);
    await access.check(ctx, 'tools', name);
    if (!entry) throw notFound('Tool', name);
    const params = { name: entry.original, arguments: request.params.arguments ?? {} };
    return (await forwardInteractive(entry.upstream, { method: 'tools/call', params }, name, ctx)) as never;
  });

  server.setRequestHandler('prompts/list', async (_request, ctx) => {
    traceIn(ctx);
    return { prompts: await access.filter(ctx, 'prompts', catalog.prompts() as Prompt[], (prompt) => prompt.name) };
  });

  server.setRequestHandler('prompts/get', async (request, ctx) => {
    const name = request.params.name;
    traceIn(ctx, name);
    const entry = catalog.resolve<Prompt>('prompts', name);
    if (!entry && access.enforced) throw notAvailable('prompts', name);
    await access.check(ctx, 'prompts', name);
    if (!entry) throw notFound('Prompt', name);
    const params = { name: entry.original, ...(request.params.arguments ? { arguments: request.params.arguments } : {}) };
    return (await forwardInteractive(entry.upstream, { method: 'prompts/get', params }, name, ctx)) as never;
  });

  server.setRequestHandler('resources/list', async (_request, ctx) => {
    traceIn(ctx);
    return { resources: await access.filter(ctx, 'resources', catalog.resources() as Resource[], (resource) => resource.uri) };
  });

  server.setRequestHandler('resources/templates/list', async (_request, ctx) => {
    traceIn(ctx);
    return { resourceTemplates: await access.filter(ctx, 'resource_templates', catalog.resourceTemplates() as ResourceTemplate[], (template) => template.uriTemplate) };
  });

  server.setRequestHandler('resources/read', async (request, ctx) => {
    const uri = request.params.uri;
    traceIn(ctx, uri);
    await access.check(ctx, 'resources', uri);
    const owner = resourceOwner(uri);
    return (await forwardInteractive(owner.upstream, { method: 'resources/read', params: { uri } }, uri, ctx)) as never;
  });

  for (const method of ['resources/subscribe', 'resources/unsubscribe'] as const) {
    server.setRequestHandler(method, async (request, ctx) => {
      const uri = request.params.uri;
      traceIn(ctx, uri);
      await access.check(ctx, 'resources', uri);
      const owner = resourceOwner(uri);
      const upstream = set.get(owner.upstream);
      if (!(await upstream.connectedCapabilities()).resources?.subscribe) {
        throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `upstream "${owner.upstream}" does not support resource subscriptions`);
      }
      await forward(owner.upstream, { method, params: { uri } }, uri, () => upstream.request({ method, params: { uri } }, { signal: ctx.mcpReq.signal }));
      return {};
    });
  }

  server.setRequestHandler('completion/complete', async (request, ctx) => {
    const ref = request.params.ref;
    traceIn(ctx, ref.type === 'ref/prompt' ? ref.name : ref.uri);
    // Completing arguments of an item is part of seeing it.
    if (ref.type === 'ref/prompt') await access.check(ctx, 'prompts', ref.name, 'list');
    else await access.check(ctx, 'resource_templates', ref.uri, 'list');
    const owner =
      ref.type === 'ref/prompt'
        ? catalog.resolve<Prompt>('prompts', ref.name)
        : catalog.templateByUri(ref.uri);
    const upstream = owner && set.get(owner.upstream);
    if (!owner || !upstream || !(await upstream.connectedCapabilities()).completions) return { completion: { values: [], hasMore: false } };
    const params = { ...request.params, ref: ref.type === 'ref/prompt' ? { ...ref, name: owner.original } : ref };
    return (await forward(owner.upstream, { method: 'completion/complete', params }, undefined, () =>
      upstream.request({ method: 'completion/complete', params }, { signal: ctx.mcpReq.signal }),
    )) as never;
  });

  server.setRequestHandler('logging/setLevel', async (request, ctx) => {
    traceIn(ctx, request.params.level);
    await Promise.all(
      [...set.upstreams.values()].map(async (upstream) => {
        const capabilities = await upstream.connectedCapabilities().catch(() => ({}) as ServerCapabilities);
        if (!capabilities.logging) return;
        await forward(upstream.name, { method: 'logging/setLevel', params: request.params }, request.params.level, () =>
          upstream.request({ method: 'logging/setLevel', params: request.params }),
        ).catch(() => undefined);
      }),
    );
    return {};
  });

  // Methods the gateway does not know in advance reach the upstream when there is only one.
  server.fallbackRequestHandler = async (request, ctx) => {
    traceIn(ctx);
    if (route.upstreams.length !== 1) {
      throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Method not found: ${request.method} (route ${route.path} aggregates several upstreams and cannot tell which one it is for)`);
    }
    const upstream = set.get(route.upstreams[0]!.name);
    const params = request.params as Record<string, unknown> | undefined;
    return forward(upstream.name, { method: request.method, params }, undefined, () =>
      upstream.request({ method: request.method, params }, { signal: ctx.mcpReq.signal }),
    );
  };

  server.setNotificationHandler('notifications/roots/list_changed', async (notification) => {
    for (const upstream of set.upstreams.values()) {
      trace.emit({ type: 'notification.relayed', route: route.path, session: sessionId, upstream: upstream.name, method: notification.method, direction: 'client-to-upstream' });
      await upstream.notify(notification).catch(() => undefined);
    }
  });

  return server;
}
