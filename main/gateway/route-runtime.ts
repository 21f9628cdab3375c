/**
 * Everything one route needs at run time: the shared upstream connections and the catalog built
 * from them, the 2025 sessions (each with its own upstream connections, so server→client
 * requests find their client), and the 2026-07-28 stateless handler — both eras on one URL.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import type { Result } from '@modelcontextprotocol/client';
import {
  WebStandardStreamableHTTPServerTransport,
  createMcpHandler,
  createRequestStateCodec,
  isLegacyRequest,
  type AuthInfo,
  type McpHttpHandler,
  type RequestMethod,
  type Server,
} from '@modelcontextprotocol/server';

import type { Authenticated, ResourceServer } from '../auth/resource-server.js';
import type { RouteConfig } from '../config/schema.js';
import type { ItemKind } from '../../shared/policy.js';
import type { Principal } from '../auth/principal.js';
import { compilePolicy, decide, isAllowed, type CompiledPolicy } from '../policy/index.js';
import type { AuditLog } from '../trace/audit-log.js';
import type { TraceBus } from '../trace/trace-bus.js';
import { describeError } from '../upstream/upstream-error.js';
import { RouteCatalog, type UpstreamCatalog } from './catalog.js';
import { ParkedCalls } from './interactive-call.js';
import { jsonRpcErrorResponse } from './json-rpc-error-response.js';
import { RouteAccess } from './route-access.js';
import type { RouteFaults } from './route-faults.js';
import { createRouteServer, type ParkedState, type RouteServerContext } from './route-server.js';
import type { UpstreamOAuth } from '../upstream/oauth/upstream-oauth.js';
import type { SupervisedUpstream } from '../upstream/supervised-upstream.js';
import { UpstreamSet, type ChannelHooks, type UpstreamSetContext } from './upstream-set.js';

export interface RouteRuntimeOptions {
  baseDir: string;
  trace: TraceBus;
  maxBodyBytes: number;
  version: string;
  /** Most concurrent 2025 sessions on this route; each may spawn its own stdio servers. */
  maxSessions?: number;
  /** A session nobody used for this long is closed. */
  sessionIdleMs?: number;
  /** Present when the route is protected (auth in its config). */
  resourceServer?: ResourceServer;
  /** Where access decisions are recorded. */
  audit?: AuditLog;
  /** The gateway's own OAuth client for secured upstreams. */
  upstreamOAuth?: UpstreamOAuth;
  /** The route's injected faults (they outlive this runtime across reloads). */
  faults?: RouteFaults;
}

interface LegacySession {
  id: string;
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
  upstreams: UpstreamSet;
  lastSeen: number;
  /** Who opened it (subject and client); empty on unprotected routes. */
  owner: string;
  closed?: boolean;
}

function ownerOf(auth: Authenticated | undefined): string {
  return auth ? `${auth.principal.subject}\0${auth.principal.clientId ?? ''}` : '';
}

const LIST_METHODS = [
  ['tools', 'tools/list', 'tools'],
  ['prompts', 'prompts/list', 'prompts'],
  ['resources', 'resources/list', 'resources'],
  ['resourceTemplates', 'resources/templates/list', 'resourceTemplates'],
] as const;

export class RouteRuntime {
  readonly catalog: RouteCatalog;
  readonly shared: UpstreamSet;
  private readonly sessions = new Map<string, LegacySession>();
  private readonly parked = new ParkedCalls();
  private readonly modern: McpHttpHandler;
  private readonly serverContext: RouteServerContext;
  private readonly sweeper: NodeJS.Timeout;
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly principalSets = new Map<string, { set: UpstreamSet; lastSeen: number }>();
  /** The compiled ACL; replaced in place when only the ACL changes, so sessions survive. */
  private policy?: CompiledPolicy;

  constructor(
    public route: RouteConfig,
    private readonly options: RouteRuntimeOptions,
  ) {
    this.catalog = new RouteCatalog(route.prefix, route.upstreams.map((u) => u.name));
    const codec = createRequestStateCodec<ParkedState>({
      key: randomBytes(32),
      // A parked call can only be resumed by the session (or client) that started it.
      bind: (ctx) => `${route.path}\0${ctx.sessionId ?? ''}\0${ctx.http?.authInfo?.clientId ?? ''}\0${String(ctx.http?.authInfo?.extra?.subject ?? '')}`,
    });
    this.policy = route.acl ? compilePolicy(route.acl) : undefined;
    const access = new RouteAccess(route.path, () => this.policy, options.trace, options.audit);
    const faults = options.faults;
    this.serverContext = { route, access, catalog: this.catalog, parked: this.parked, codec, trace: options.trace, version: options.version, faults: faults && (() => faults.faults) };
    this.shared = new UpstreamSet(this.upstreamContext(), this.channelHooks(undefined, true));
    this.modern = createMcpHandler((ctx) => createRouteServer(this.serverContext, this.modernSet(ctx.authInfo)), {
      legacy: 'reject',
      maxRequestBodySize: options.maxBodyBytes,
      onerror: () => undefined,
    });
    this.sweeper = setInterval(() => this.closeIdleSessions(), 60_000);
    this.sweeper.unref();
  }

  /** Connects the shared upstreams and loads their catalogs; upstreams that fail keep retrying. */
  async start(): Promise<void> {
    await this.shared.start();
    await Promise.all(this.route.upstreams.map((u) => this.refresh(u.name)));
  }

  /**
   * Applies a new ACL to the running route and tells every client its lists may have changed
   * (what a session may see can change with it).
   */
  replaceAcl(acl: RouteConfig['acl']): void {
    this.policy = acl ? compilePolicy(acl) : undefined;
    this.route = { ...this.route, acl };
    for (const method of ['notifications/tools/list_changed', 'notifications/prompts/list_changed', 'notifications/resources/list_changed']) this.announce(method);
  }

  /** Whether the route's ACL lets this principal see an item (everyone sees everything without one). */
  canSee(kind: ItemKind, name: string, principal: Principal): boolean {
    return !this.policy || isAllowed(decide(this.policy, principal, { right: 'list', kind, name }));
  }

  /** The compiled ACL, for previews and lint. */
  get compiledPolicy(): CompiledPolicy | undefined {
    return this.policy;
  }

  get resourceServer(): ResourceServer | undefined {
    return this.options.resourceServer;
  }

  get faults(): RouteFaults | undefined {
    return this.options.faults;
  }

  /**
   * This upstream's connection in every set of the route — the shared one, each principal's and
   * each 2025 session's — for what concerns them all (a login or logout changed its tokens).
   */
  connectionsTo(upstream: string): SupervisedUpstream[] {
    const sets = [this.shared, ...[...this.principalSets.values()].map(({ set }) => set), ...[...this.sessions.values()].map((session) => session.upstreams)];
    return sets.flatMap((set) => set.upstreams.get(upstream) ?? []);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Serves one HTTP exchange; `auth` is the verified caller on a protected route. `parsedBody`
   * is the body already parsed, when the caller has it: the SDK then does not read it again.
   */
  async handle(request: Request, auth?: Authenticated, parsedBody?: unknown): Promise<Response> {
    // A request on a known 2025 session is legacy by definition: no need to classify its body.
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId && this.sessions.has(sessionId)) return this.handleLegacy(request, auth, parsedBody);
    if (!(await isLegacyRequest(request, parsedBody, { maxRequestBodySize: this.options.maxBodyBytes }))) {
      return this.modern.fetch(request, { authInfo: auth?.authInfo, ...(parsedBody !== undefined ? { parsedBody } : {}) });
    }
    return this.handleLegacy(request, auth, parsedBody);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.parked.cancelAll('the gateway is shutting down');
    await Promise.all([...this.sessions.values()].map((session) => this.closeSession(session)));
    await this.modern.close();
    await Promise.all([...this.principalSets.values()].map(({ set }) => set.close()));
    this.principalSets.clear();
    await this.shared.close();
  }

  /** Re-reads one upstream's lists (all pages) into the catalog. */
  refresh(upstreamName: string): Promise<void> {
    const running = this.refreshing.get(upstreamName);
    if (running) return running;
    const work = this.load(upstreamName).finally(() => this.refreshing.delete(upstreamName));
    this.refreshing.set(upstreamName, work);
    return work;
  }

  private async load(upstreamName: string): Promise<void> {
    const upstream = this.shared.get(upstreamName);
    if (upstream.state !== 'connected') return;
    const catalog: UpstreamCatalog = { tools: [], prompts: [], resources: [], resourceTemplates: [] };
    try {
      for (const [capability, method, key] of LIST_METHODS) {
        const capabilityName = capability === 'resourceTemplates' ? 'resources' : capability;
        if (!upstream.capabilities[capabilityName]) continue;
        let cursor: string | undefined;
        do {
          const page = (await upstream.request({ method, params: cursor ? { cursor } : {} })) as Result & Record<string, unknown>;
          (catalog[key] as unknown[]).push(...((page[key] as unknown[]) ?? []));
          cursor = typeof page.nextCursor === 'string' ? page.nextCursor : undefined;
        } while (cursor);
      }
    } catch (error) {
      this.options.trace.emit({ type: 'upstream.state', route: this.route.path, upstream: upstreamName, state: 'error', detail: `listing its catalog failed: ${describeError(error)}` });
      return;
    }
    this.catalog.set(upstreamName, catalog);
  }

  /**
   * The upstream connections a 2026-07-28 request uses: one set per principal on a protected
   * route, so per-connection upstream state (roots, log level) never crosses users; the shared
   * set otherwise (an unprotected local route has one user).
   */
  private modernSet(authInfo: AuthInfo | undefined): UpstreamSet {
    const subject = authInfo?.extra?.subject;
    if (typeof subject !== 'string' || !subject) return this.shared;
    const key = `${subject}\0${authInfo!.clientId}`;
    let entry = this.principalSets.get(key);
    if (!entry) {
      if (this.principalSets.size >= (this.options.maxSessions ?? 64)) {
        const [oldestKey, oldest] = [...this.principalSets.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0]!;
        this.principalSets.delete(oldestKey);
        void oldest.set.close();
      }
      const set = new UpstreamSet(this.upstreamContext(), this.channelHooks());
      void set.start();
      entry = { set, lastSeen: Date.now() };
      this.principalSets.set(key, entry);
    }
    entry.lastSeen = Date.now();
    return entry.set;
  }

  private channelHooks(session?: ChannelHooks['session'], ownsCatalog = false): ChannelHooks {
    return {
      session,
      onListChanged: (upstream, method) => void this.refresh(upstream).then(() => this.announce(method)),
      onResourceUpdated: (_upstream, uri) => {
        if (!session) this.modern.notify.resourceUpdated(uri);
      },
      onState: !ownsCatalog
        ? undefined
        : (upstream, state) => {
            if (state === 'connected') void this.refresh(upstream).then(() => this.announce('notifications/tools/list_changed'));
          },
    };
  }

  /** Tells every client of the route that a list changed. */
  private announce(method: string): void {
    for (const session of this.sessions.values()) {
      void session.server.notification({ method }).catch(() => undefined);
    }
    if (method.includes('/tools/')) this.modern.notify.toolsChanged();
    else if (method.includes('/prompts/')) this.modern.notify.promptsChanged();
    else this.modern.notify.resourcesChanged();
  }

  private async handleLegacy(request: Request, auth?: Authenticated, parsedBody?: unknown): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) {
        return jsonRpcErrorResponse(404, -32001, `Session not found: ${sessionId} is unknown or has ended (the gateway may have restarted) — reconnect to start a new session`);
      }
      // A session belongs to the principal that opened it: another user's token cannot ride on it.
      if (session.owner !== ownerOf(auth)) {
        return jsonRpcErrorResponse(403, -32000, `Forbidden: session ${sessionId} was opened by another user or client — start your own session (initialize) with your token`);
      }
      session.lastSeen = Date.now();
      return session.transport.handleRequest(request, { authInfo: auth?.authInfo, ...(parsedBody !== undefined ? { parsedBody } : {}) });
    }
    if (request.method === 'GET' || request.method === 'DELETE') {
      return jsonRpcErrorResponse(405, -32000, `Method not allowed: ${request.method} needs an Mcp-Session-Id from initialize`, { Allow: 'POST' });
    }
    let body = parsedBody;
    if (body === undefined) {
      try {
        body = await request.clone().json();
      } catch {
        return jsonRpcErrorResponse(400, -32700, 'Parse error: the request body is not valid JSON');
      }
    }
    // An initialize without an id is a notification: it must not open (and leak) a session.
    const isInitialize = (message: unknown) => {
      const m = message as { method?: unknown; id?: unknown } | null;
      return typeof m === 'object' && m !== null && m.method === 'initialize' && (typeof m.id === 'string' || typeof m.id === 'number');
    };
    if (!(Array.isArray(body) ? body.some(isInitialize) : isInitialize(body))) {
      return jsonRpcErrorResponse(400, -32000, 'Bad Request: send initialize first, then every request with the Mcp-Session-Id header it returned (or use protocol 2026-07-28, which needs no session)');
    }
    if (this.sessions.size >= (this.options.maxSessions ?? 64)) {
      return jsonRpcErrorResponse(503, -32000, `Too many sessions on route ${this.route.path} (${this.sessions.size}); close unused clients or wait for idle sessions to expire`);
    }
    return this.openSession(request, auth, parsedBody);
  }

  private upstreamContext(): UpstreamSetContext {
    return { route: this.route, baseDir: this.options.baseDir, trace: this.options.trace, oauth: this.options.upstreamOAuth };
  }

  private async openSession(request: Request, auth?: Authenticated, parsedBody?: unknown): Promise<Response> {
    const id = randomUUID();
    // The session object is completed below; hooks reach it lazily, after initialize.
    const session = { id, lastSeen: Date.now(), owner: ownerOf(auth) } as LegacySession;
    session.upstreams = new UpstreamSet(
      this.upstreamContext(),
      this.channelHooks({
        id,
        request: (upstreamRequest) =>
          session.server.request({ method: upstreamRequest.method as RequestMethod, params: upstreamRequest.params }) as Promise<Result>,
        notify: (notification) => session.server.notification(notification),
        clientCapabilities: () => session.server.getClientCapabilities(),
      }),
    );
    session.server = createRouteServer(this.serverContext, session.upstreams, id);
    session.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      maxRequestBodySize: this.options.maxBodyBytes,
      onsessioninitialized: () => {
        this.sessions.set(id, session);
        // Upstreams connect in the background; a call made before they are up waits for them.
        void session.upstreams.start();
      },
      onsessionclosed: () => void this.closeSession(session),
    });
    await session.server.connect(session.transport);
    const response = await session.transport.handleRequest(request, { authInfo: auth?.authInfo, ...(parsedBody !== undefined ? { parsedBody } : {}) });
    if (!this.sessions.has(id)) await this.closeSession(session);
    return response;
  }

  private async closeSession(session: LegacySession): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    this.sessions.delete(session.id);
    await session.server.close().catch(() => undefined);
    await session.upstreams.close();
  }

  private closeIdleSessions(): void {
    const idleMs = this.options.sessionIdleMs ?? 30 * 60_000;
    for (const session of this.sessions.values()) {
      if (Date.now() - session.lastSeen > idleMs) void this.closeSession(session);
    }
    for (const [key, entry] of this.principalSets) {
      if (Date.now() - entry.lastSeen > idleMs) {
        this.principalSets.delete(key);
        void entry.set.close();
      }
    }
  }
}
