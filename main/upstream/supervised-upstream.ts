/**
 * Keeps one upstream connection alive: connects, and when the connection ends (a stdio server
 * that crashed, an HTTP server that went away) reconnects with exponential backoff. Calls made
 * while it is down wait for the next connection for a short while, then fail with the reason.
 */
import type { Notification, Result, ServerCapabilities } from '@modelcontextprotocol/client';

import type { UpstreamConfig } from '../config/schema.js';
import { authorizationNeededIn } from './oauth/oauth-client-error.js';
import type { ForwardOptions, UpstreamConnection, UpstreamEvents, UpstreamRequest } from './upstream.js';
import { UpstreamError, describeError } from './upstream-error.js';

/** `auth_needed`: a secured upstream waits for a person to log in (gatehouse login, the window). */
export type UpstreamState = 'connecting' | 'connected' | 'restarting' | 'auth_needed' | 'error' | 'closed';

export interface SupervisorOptions {
  /** Called on every state change, with the reason in words. */
  onState?: (state: UpstreamState, detail?: string) => void;
  /** How long a call waits for a (re)connection before failing. */
  waitForConnectionMs?: number;
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/**
 * While a login is awaited, how often the secret store is read again: a login in another process
 * (gatehouse login) lands there. A call arriving meanwhile checks at once.
 */
const AUTH_RECHECK_MS = 15_000;

/** How long a call waits for an upstream connection that is still being made. */
const FIRST_CONNECT_WAIT_MS = 30_000;

export type Connector = (events: UpstreamEvents) => Promise<UpstreamConnection>;

export class SupervisedUpstream implements UpstreamConnection {
  readonly name: string;
  readonly kind: UpstreamConfig['kind'];
  state: UpstreamState = 'connecting';
  lastError?: string;

  private current?: UpstreamConnection;
  private ready: Promise<void>;
  private markReady!: () => void;
  private attempt = 0;
  /** The connection attempt under way or last made. */
  private attempt_: Promise<void> = Promise.resolve();
  private retryTimer?: NodeJS.Timeout;
  private readonly waitMs: number;

  constructor(
    config: Pick<UpstreamConfig, 'name' | 'kind'>,
    private readonly connector: Connector,
    private readonly events: UpstreamEvents,
    private readonly options: SupervisorOptions = {},
  ) {
    this.name = config.name;
    this.kind = config.kind;
    this.waitMs = options.waitForConnectionMs ?? 5_000;
    this.ready = this.newReadyPromise();
  }

  get capabilities(): ServerCapabilities {
    return this.current?.capabilities ?? {};
  }

  /** The capabilities, once connected: waits for the connection the way a call does. */
  async connectedCapabilities(): Promise<ServerCapabilities> {
    return (await this.connection()).capabilities;
  }

  /** First connection; resolves either way — a failed upstream retries in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  async request(request: UpstreamRequest, options?: ForwardOptions): Promise<Result> {
    const connection = await this.connection();
    try {
      return await connection.request(request, options);
    } catch (error) {
      const needed = authorizationNeededIn(error);
      // Tokens that died mid-session (refresh token revoked): stop using this connection until a login.
      if (needed && this.current === connection) {
        this.current = undefined;
        this.ready = this.newReadyPromise();
        this.awaitLogin(needed.message);
        void connection.close().catch(() => undefined);
      }
      throw error;
    }
  }

  /** Tries to connect now instead of at the next retry (a login just happened). */
  retryNow(): void {
    if (this.current || this.state === 'closed' || this.state === 'connecting') return;
    clearTimeout(this.retryTimer);
    this.setState('connecting');
    void this.connect();
  }

  async notify(notification: Notification): Promise<void> {
    if (this.current) await this.current.notify(notification);
  }

  async close(): Promise<void> {
    this.setState('closed');
    clearTimeout(this.retryTimer);
    const current = this.current;
    this.current = undefined;
    await current?.close().catch(() => undefined);
  }

  private newReadyPromise(): Promise<void> {
    return new Promise((resolve) => (this.markReady = resolve));
  }

  private async connection(): Promise<UpstreamConnection> {
    if (this.current) return this.current;
    if (this.state === 'closed') throw new UpstreamError('upstream_unavailable', this.name, `upstream "${this.name}" is shut down`);
    if (this.state === 'auth_needed') {
      // Reads the secret store again (no network without tokens): a login may have happened since.
      this.retryNow();
      await this.attempt_;
      if (this.current) return this.current;
      throw new UpstreamError('upstream_unavailable', this.name, this.lastError ?? `upstream "${this.name}" needs a login`);
    }
    // A connection still being made (a new session's stdio server starting on a busy machine) is
    // worth waiting for longer than one that failed and waits for its next retry.
    const waitMs = this.state === 'connecting' ? Math.max(this.waitMs, FIRST_CONNECT_WAIT_MS) : this.waitMs;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), waitMs)));
    const outcome = await Promise.race([this.ready.then(() => 'ready' as const), gaveUp]);
    clearTimeout(timer);
    if (outcome === 'ready' && this.current) return this.current;
    throw new UpstreamError(
      'upstream_unavailable',
      this.name,
      `upstream "${this.name}" is not connected${this.lastError ? ` (${this.lastError})` : ''}; Gatehouse keeps retrying — fix the upstream and call again`,
    );
  }

  private connect(): Promise<void> {
    this.attempt_ = this.connectOnce();
    return this.attempt_;
  }

  private async connectOnce(): Promise<void> {
    if (this.state === 'closed') return;
    let connection: UpstreamConnection | undefined;
    try {
      connection = await this.connector({
        onNotification: (notification) => this.events.onNotification(notification),
        onRequest: (request, signal) => this.events.onRequest(request, signal),
        onClose: (reason) => this.lost(connection, reason),
      });
    } catch (error) {
      const needed = authorizationNeededIn(error);
      if (needed) {
        this.awaitLogin(needed.message);
        return;
      }
      this.lastError = describeError(error);
      this.setState('error', this.lastError);
      this.scheduleRetry();
      return;
    }
    if (this.isClosed()) {
      await connection.close().catch(() => undefined);
      return;
    }
    this.current = connection;
    this.attempt = 0;
    this.lastError = undefined;
    this.setState('connected');
    this.markReady();
  }

  /** Read through a method: the state changes while a connect is awaited. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private lost(connection: UpstreamConnection | undefined, reason: string): void {
    if (this.current !== connection || this.state === 'closed') return;
    this.current = undefined;
    this.ready = this.newReadyPromise();
    this.lastError = reason;
    this.setState('restarting', reason);
    this.events.onClose(reason);
    this.scheduleRetry();
  }

  private awaitLogin(message: string): void {
    this.lastError = message;
    this.setState('auth_needed', message);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), AUTH_RECHECK_MS);
    this.retryTimer.unref();
  }

  private scheduleRetry(): void {
    if (this.state === 'closed') return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private setState(state: UpstreamState, detail?: string): void {
    this.state = state;
    this.options.onState?.(state, detail);
  }
}
