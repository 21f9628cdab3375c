/**
 * A forwarded call that the upstream may interrupt with server→client requests (elicitation,
 * sampling, roots). Such a request is turned into an `input_required` result: the client — a
 * 2026-07-28 client itself, or the SDK's legacy shim for a 2025 session — answers it and retries
 * with the answers, and the call resumes where it was. Between rounds the call is parked here,
 * under an id sealed into an HMAC-protected `requestState` bound to the caller.
 */
import { randomUUID } from 'node:crypto';

import type { Result } from '@modelcontextprotocol/client';
import { ProtocolError, ProtocolErrorCode, type InputRequests, type ServerContext } from '@modelcontextprotocol/server';

import type { UpstreamRequest } from '../upstream/upstream.js';

interface PendingServerRequest {
  key: string;
  request: UpstreamRequest;
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
}

type Outcome = { kind: 'result'; result: Result } | { kind: 'error'; error: unknown } | { kind: 'input' };

export class InteractiveCall {
  /** The handler context of the current round: progress and logs relate to it. */
  ctx: ServerContext;
  readonly abort = new AbortController();
  private readonly waiting = new Map<string, PendingServerRequest>();
  private outcome?: Outcome;
  private wake?: () => void;
  private detachAbort?: () => void;

  constructor(ctx: ServerContext) {
    this.ctx = ctx;
    this.follow(ctx);
  }

  /** Starts the upstream call; its settlement wakes whoever waits in {@link next}. */
  run(call: (signal: AbortSignal) => Promise<Result>): void {
    call(this.abort.signal).then(
      (result) => this.settle({ kind: 'result', result }),
      (error: unknown) => this.settle({ kind: 'error', error }),
    );
  }

  /** The upstream asks the client something; resolves with the client's answer. */
  ask(request: UpstreamRequest): Promise<Result> {
    return new Promise((resolve, reject) => {
      const key = `${request.method.replace(/\W/g, '_')}_${randomUUID().slice(0, 8)}`;
      this.waiting.set(key, { key, request, resolve, reject });
      if (!this.outcome) this.outcome = { kind: 'input' };
      this.wake?.();
    });
  }

  /** A new round of the same call (a retry carrying inputResponses). */
  resume(ctx: ServerContext): void {
    this.ctx = ctx;
    this.follow(ctx);
    const responses = ctx.mcpReq.inputResponses ?? {};
    for (const [key, pending] of this.waiting) {
      const answer = responses[key];
      this.waiting.delete(key);
      if (answer && typeof answer === 'object') pending.resolve(answer as Result);
      else pending.reject(new ProtocolError(ProtocolErrorCode.InvalidParams, `the client did not answer ${pending.request.method}`));
    }
  }

  /** Waits until the call finishes or the upstream needs input from the client. */
  async next(): Promise<{ kind: 'result'; result: Result } | { kind: 'input'; inputRequests: InputRequests }> {
    if (!this.outcome) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    const outcome = this.outcome!;
    if (outcome.kind === 'error') {
      this.detachAbort?.();
      throw outcome.error;
    }
    if (outcome.kind === 'result') {
      this.detachAbort?.();
      return outcome;
    }
    this.outcome = undefined;
    // This round's request ends with the input_required answer; its end is not a cancellation.
    this.detachAbort?.();
    const inputRequests: InputRequests = {};
    for (const [key, pending] of this.waiting) {
      inputRequests[key] = { method: pending.request.method, params: pending.request.params } as InputRequests[string];
    }
    return { kind: 'input', inputRequests };
  }

  cancel(reason: string | Error): void {
    const error = typeof reason === 'string' ? new Error(reason) : reason;
    this.abort.abort(error);
    for (const pending of this.waiting.values()) pending.reject(error);
    this.waiting.clear();
  }

  private settle(outcome: Outcome): void {
    // A result that arrives while input is pending still wins: the call is over.
    this.outcome = outcome;
    this.wake?.();
  }

  /** Cancellation of the current round's request cancels the upstream call. */
  private follow(ctx: ServerContext): void {
    this.detachAbort?.();
    const signal = ctx.mcpReq.signal;
    const onAbort = () => this.cancel('cancelled by the client');
    signal.addEventListener('abort', onAbort, { once: true });
    this.detachAbort = () => signal.removeEventListener('abort', onAbort);
  }
}

/** Calls waiting for the client's next round, each for a bounded time. */
export class ParkedCalls {
  private readonly parked = new Map<string, { call: InteractiveCall; timer: NodeJS.Timeout }>();

  constructor(private readonly ttlMs = 10 * 60_000) {}

  park(call: InteractiveCall): string {
    const id = randomUUID();
    const timer = setTimeout(() => {
      this.parked.delete(id);
      call.cancel('the client did not come back with the requested input in time');
    }, this.ttlMs);
    timer.unref();
    this.parked.set(id, { call, timer });
    return id;
  }

  take(id: string): InteractiveCall | undefined {
    const entry = this.parked.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.parked.delete(id);
    return entry.call;
  }

  cancelAll(reason: string): void {
    for (const { call, timer } of this.parked.values()) {
      clearTimeout(timer);
      call.cancel(reason);
    }
    this.parked.clear();
  }
}
