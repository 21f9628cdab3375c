/**
 * One run of the built-in test client against a gateway route, stepped like MCP Inspector's
 * guided OAuth flow: each step runs when asked, and leaves a record (one-line summary, the HTTP
 * exchanges with secrets shortened, how long it took, and on failure the reason and the fix).
 * Sign-in is automated for a built-in IdP user; otherwise the session waits for the user's
 * browser to come back to its loopback redirect URI. A machine client of the built-in IdP skips
 * registration and sign-in: its token step is a client_credentials request.
 */
import type { TestClientSession, TestClientStep, TestClientStepName, ToolCallOutcome } from '../../shared/admin-api.js';
import type { OAuthClientStepEvent } from '../../shared/trace-events.js';
import type { TraceBus } from '../trace/trace-bus.js';
import { listenForRedirect } from '../upstream/oauth/loopback-redirect.js';
import { TestClientConnection } from './test-client-connection.js';
import { TestClientError } from './test-client-error.js';
import { ExchangeRecorder } from './test-client-exchange.js';
import { AuthorizationErrorResponse, LoginRejected, signInToBuiltinIdp, type LoginCredentials } from './test-client-login.js';
import { OAuthFlow, StepFailure, type StepOutcome } from './test-client-oauth-flow.js';

export const STEP_ORDER: readonly TestClientStepName[] = [
  'probe',
  'resource-metadata',
  'authorization-server-metadata',
  'registration',
  'authorize',
  'login',
  'token',
  'initialize',
  'list-tools',
];

/** What a machine client never does: it is registered in the config and signs no one in. */
const PERSON_ONLY_STEPS = new Set<TestClientStepName>(['registration', 'authorize', 'login']);

/** How long a browser login may take before the loopback redirect listener gives up (the session's idle limit). */
const LOGIN_TIMEOUT_MS = 30 * 60_000;

const OAUTH_STEPS = new Set<TestClientStepName>(['resource-metadata', 'authorization-server-metadata', 'registration', 'authorize', 'login', 'token']);

/** The test client's steps as the `oauth.client` trace event names them. */
const TRACE_STEP: Partial<Record<TestClientStepName, OAuthClientStepEvent['step']>> = {
  'resource-metadata': 'resource-metadata',
  'authorization-server-metadata': 'authorization-server-metadata',
  registration: 'registration',
  authorize: 'authorize',
  login: 'callback',
  token: 'token',
};

export interface TestClientSessionOptions {
  id: string;
  /** The route's path, e.g. /ecommerce-mcp */
  route: string;
  /** The route's URL on the running gateway. */
  url: string;
  /** A built-in IdP user to sign in as; without one the sign-in happens in the user's browser. */
  credentials?: LoginCredentials;
  /** A machine client of the built-in IdP to be instead (client_credentials, nobody signs in). */
  machine?: { clientId: string; clientSecret: string };
  trace: TraceBus;
}

function words(error: unknown): string {
  if (error instanceof StepFailure) return error.message;
  if (error instanceof LoginRejected) return `the identity provider refused the sign-in: ${error.pageMessage.replace(/\.$/, '')} — check the password (the one you typed, or the user's under idp.users in the config; Settings can set a new one)`;
  if (error instanceof AuthorizationErrorResponse) return `${error.message} — sign in again and approve the consent page`;
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${message}${cause}`;
}

export class TestClientRun {
  private readonly steps: TestClientStep[] = STEP_ORDER.map((name) => ({ name, status: 'pending' }));
  private state: TestClientSession['state'] = 'new';
  private readonly recorder: ExchangeRecorder;
  private readonly flow: OAuthFlow;
  private connection?: TestClientConnection;
  private tools?: TestClientSession['tools'];
  private authorizationUrl?: string;
  private busy = false;
  /** Run-all was asked for: a browser sign-in that comes back carries on to the end. */
  private runToEnd = false;
  private browserWait?: { step: TestClientStep; started: number };
  lastActive = Date.now();

  constructor(private readonly options: TestClientSessionOptions) {
    this.recorder = new ExchangeRecorder(`Gatehouse-test-client/1.0 (session ${options.id})`);
    this.flow = new OAuthFlow(options.url, this.recorder.fetch, () => listenForRedirect({ port: 0, timeoutMs: LOGIN_TIMEOUT_MS }));
  }

  get id(): string {
    return this.options.id;
  }

  snapshot(): TestClientSession {
    return {
      id: this.options.id,
      route: this.options.route,
      ...(this.options.credentials ? { user: this.options.credentials.username } : {}),
      ...(this.options.machine ? { user: this.options.machine.clientId, machine: true as const } : {}),
      state: this.state,
      steps: this.steps.map((step) => ({ ...step })),
      ...(this.authorizationUrl && this.state === 'waiting_for_browser' ? { authorizationUrl: this.authorizationUrl } : {}),
      ...(this.tools ? { tools: this.tools } : {}),
    };
  }

  /** Runs the next pending step. */
  async step(): Promise<TestClientSession> {
    this.assertCanStep();
    this.busy = true;
    try {
      await this.runNext();
    } finally {
      this.busy = false;
    }
    return this.snapshot();
  }

  /** Runs every remaining step, stopping at a failure or to wait for the browser. */
  async run(): Promise<TestClientSession> {
    this.assertCanStep();
    this.busy = true;
    this.runToEnd = true;
    try {
      await this.runRemaining();
    } finally {
      this.busy = false;
    }
    return this.snapshot();
  }

  async call(tool: string, args: Record<string, unknown>): Promise<ToolCallOutcome> {
    this.touch();
    if (this.state === 'closed') throw new TestClientError('session_closed', 'this test client session is closed — start a new one');
    if (!this.connection) {
      throw new TestClientError('not_connected', `the test client is not connected yet (state ${this.state}) — run the steps up to initialize first (POST …/run)`);
    }
    return this.connection.callTool(tool, args);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.flow.callback?.close();
    await this.connection?.close().catch(() => undefined);
  }

  /** A closed session stays closed, whatever a step still in flight finds afterwards. */
  private moveTo(state: TestClientSession['state']): void {
    if (this.state !== 'closed') this.state = state;
  }

  private touch(): void {
    this.lastActive = Date.now();
  }

  private assertCanStep(): void {
    this.touch();
    if (this.busy) throw new TestClientError('step_running', 'a step of this session is still running — wait for its answer, then ask again');
    if (this.state === 'closed') throw new TestClientError('session_closed', 'this test client session is closed — start a new one');
    if (this.state === 'failed') {
      const failed = this.steps.find((step) => step.status === 'error');
      throw new TestClientError('session_failed', `step ${failed?.name ?? '?'} failed: ${failed?.error ?? 'see the session'} — fix that, then start a new session (POST /api/test-client/sessions)`);
    }
    if (this.state === 'waiting_for_browser') {
      throw new TestClientError('waiting_for_browser', `waiting for the browser sign-in: open ${this.authorizationUrl ?? 'the authorization URL'} and sign in; the session carries on when the browser comes back`);
    }
    if (!this.steps.some((step) => step.status === 'pending')) {
      throw new TestClientError('no_more_steps', 'every step has run — call tools (POST …/call) or start a new session');
    }
  }

  private async runRemaining(): Promise<void> {
    while (this.state !== 'failed' && this.state !== 'closed' && this.state !== 'waiting_for_browser' && this.steps.some((step) => step.status === 'pending')) {
      await this.runNext();
    }
  }

  private async runNext(): Promise<void> {
    const step = this.steps.find((candidate) => candidate.status === 'pending')!;
    if (step.name === 'login' && !this.options.credentials) {
      this.waitForBrowser(step);
      return;
    }
    await this.record(step, () => this.work(step.name));
  }

  private work(name: TestClientStepName): Promise<StepOutcome> {
    const flow = this.flow;
    switch (name) {
      case 'probe':
        return flow.probe();
      case 'resource-metadata':
        return flow.fetchResourceMetadata();
      case 'authorization-server-metadata':
        return flow.fetchServerMetadata();
      case 'registration':
        return flow.register();
      case 'authorize':
        return flow.buildAuthorizationUrl();
      case 'login':
        return this.signIn();
      case 'token':
        return this.options.machine ? flow.clientCredentials(this.options.machine.clientId, this.options.machine.clientSecret) : flow.exchangeCode();
      case 'initialize':
        return this.initialize();
      case 'list-tools':
        return this.listTools();
    }
  }

  /** Signs in as the built-in user; the IdP's redirect is then followed to the loopback listener, as a browser would. */
  private async signIn(): Promise<StepOutcome> {
    const credentials = this.options.credentials!;
    const response = await signInToBuiltinIdp(this.flow.authorization!.url, credentials, this.recorder.fetch);
    const landed = await this.recorder.fetch(response.redirectUrl);
    await landed.body?.cancel();
    const accepted = this.flow.acceptAuthorizationResponse(await this.flow.callback!.received);
    return {
      summary: `signed in as ${credentials.username} (${response.pages.join(' → ') || 'existing session'}); ${accepted.summary}`,
      detail: { user: credentials.username, password: '(hidden)', pages: response.pages, ...accepted.detail },
    };
  }

  private waitForBrowser(step: TestClientStep): void {
    this.moveTo('waiting_for_browser');
    this.authorizationUrl = this.flow.authorization!.url.href;
    step.summary = `waiting for the browser: open the authorization URL and sign in; it comes back to ${this.flow.callback!.redirectUri}`;
    this.browserWait = { step, started: performance.now() };
    this.flow.callback!.received.then(
      (params) => this.browserReturned(params),
      () => undefined, // the session was closed while waiting
    );
  }

  private async browserReturned(params: URLSearchParams): Promise<void> {
    const wait = this.browserWait;
    if (!wait || this.state !== 'waiting_for_browser') return;
    this.browserWait = undefined;
    this.moveTo('authorizing');
    this.touch();
    await this.record(wait.step, async () => this.flow.acceptAuthorizationResponse(params), wait.started);
    if (this.runToEnd && !this.busy) {
      this.busy = true;
      try {
        await this.runRemaining();
      } finally {
        this.busy = false;
      }
    }
  }

  private async initialize(): Promise<StepOutcome> {
    const flow = this.flow;
    // A machine client has no redirect: the URI only tells the SDK this is no client_credentials provider of its own.
    const redirectUrl = flow.callback?.redirectUri ?? 'http://127.0.0.1/no-redirect';
    const credentials = flow.tokens ? { tokens: flow.tokens, issuer: flow.serverMetadata!.issuer, clientInformation: flow.clientInformation!, redirectUrl } : undefined;
    try {
      this.connection = await TestClientConnection.connect(this.options.url, this.recorder.fetch, credentials);
    } catch (error) {
      throw new StepFailure(`the gateway did not accept the MCP initialize: ${words(error)} — see the trace for the gateway's side (auth.token, upstream state)`);
    }
    // Closed while connecting: the connection must not outlive the session.
    if (this.state === 'closed') await this.connection.close();
    this.moveTo('connected');
    const described = this.connection.describe();
    const server = described.serverInfo ? `${described.serverInfo.name} ${described.serverInfo.version}` : 'the route';
    return {
      summary: `connected to ${server}, protocol ${described.protocolVersion ?? '?'}${credentials ? ' with the bearer token' : ''}`,
      detail: { ...described },
    };
  }

  private async listTools(): Promise<StepOutcome> {
    const tools = await this.connection!.listTools();
    this.tools = tools.map((tool) => ({
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      inputSchema: tool.inputSchema as Record<string, unknown>,
    }));
    const names = tools.map((tool) => tool.name);
    return { summary: `${names.length} tool${names.length === 1 ? '' : 's'}: ${names.join(', ') || '(none)'}`, detail: { tools: names } };
  }

  /** Runs a step's work and writes its record; a failure fails the session. */
  private async record(step: TestClientStep, work: () => Promise<StepOutcome>, started = performance.now()): Promise<void> {
    this.recorder.begin();
    try {
      const outcome = await work();
      const exchanges = this.recorder.end();
      step.status = 'ok';
      step.summary = outcome.summary;
      step.detail = { ...outcome.detail, ...(exchanges.length ? { exchanges } : {}) };
      if (step.name === 'probe') this.afterProbe();
    } catch (error) {
      const exchanges = this.recorder.end();
      step.status = 'error';
      step.error = words(error);
      step.summary = `failed: ${step.error.split(' — ')[0]}`;
      step.detail = exchanges.length ? { exchanges } : {};
      this.moveTo('failed');
    } finally {
      step.durationMs = Math.round(performance.now() - started);
      this.touch();
    }
    this.traceStep(step);
  }

  private afterProbe(): void {
    if (this.flow.authRequired) {
      this.moveTo('authorizing');
      if (this.options.machine) {
        for (const step of this.steps) {
          if (!PERSON_ONLY_STEPS.has(step.name)) continue;
          step.status = 'skipped';
          step.summary = `skipped: ${this.options.machine.clientId} is a machine client, registered in the config (idp.clients), and signs no one in`;
        }
      }
      return;
    }
    for (const step of this.steps) {
      if (OAUTH_STEPS.has(step.name)) {
        step.status = 'skipped';
        step.summary = 'skipped: the route needs no auth';
      }
    }
  }

  private traceStep(step: TestClientStep): void {
    const traced = TRACE_STEP[step.name];
    if (!traced || (step.status !== 'ok' && step.status !== 'error')) return;
    const issuer = this.flow.serverMetadata?.issuer ?? this.flow.authorizationServerUrl;
    const resource = this.flow.resourceMetadata?.resource;
    this.options.trace.emit({
      type: 'oauth.client',
      route: this.options.route,
      upstream: 'test-client',
      step: traced,
      outcome: step.status === 'ok' ? 'ok' : 'error',
      ...(issuer ? { issuer } : {}),
      ...(resource ? { resource } : {}),
      detail: step.status === 'ok' ? step.summary : step.error,
    });
  }
}
