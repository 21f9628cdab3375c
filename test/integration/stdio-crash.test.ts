/**
 * A stdio upstream that dies in the middle of a call. The pending call must fail at once with a
 * JSON-RPC error that names the upstream and how its process ended (signal or exit code) — not
 * hang until the request timeout — and the gateway must start the server again by itself, so a
 * following call succeeds.
 *
 * The upstream is server-everything behind a small wrapper (test/fixtures/
 * server-everything-with-pid-file.mjs) that records each process's pid, so the test kills
 * exactly the process serving its client: the route's shared one for a 2026-07-28 client, the
 * session's own for a 2025 client.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ProtocolError, ProtocolErrorCode, type CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { CLIENT_ERAS, connectAnsweringClient, type AnsweringClient, type ClientEra } from '../fixtures/answering-client.js';
import { waitForTrace } from '../fixtures/wait-for-trace.js';
import { textOf } from './core-relay-checks.js';

const ROUTE = '/crashy';
const UPSTREAM = 'everything';
const WRAPPER = fileURLToPath(new URL('../fixtures/server-everything-with-pid-file.mjs', import.meta.url));

/** A call far longer than the test: it can only end early because its upstream died. */
const LONG_CALL = { name: 'trigger-long-running-operation', arguments: { duration: 600, steps: 600 } };
/** Bounds, not expectations: a healthy gateway needs a fraction of each. */
const SETTLE_BOUND_MS = 30_000;
const RECOVERY_BOUND_MS = 10_000;
const RETRY_PAUSE_MS = 250;

interface Crash {
  signal: NodeJS.Signals;
  /** How the gateway must describe the process's end. */
  ending: RegExp;
}

const CRASHES: Crash[] = [
  { signal: 'SIGKILL', ending: /was killed by SIGKILL/ },
  // server-everything handles SIGINT by closing and exiting with code 0: the exit-code wording.
  { signal: 'SIGINT', ending: /exited with code 0/ },
];

const CASES = CLIENT_ERAS.flatMap((era) => CRASHES.map((crash) => ({ era, crash, label: `${era.name} client, upstream ended by ${crash.signal}` })));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids the wrapper recorded whose process still runs. */
function alivePids(pidDir: string): number[] {
  return readdirSync(pidDir).map(Number).filter(isAlive);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Settles with the call's outcome; rejects if it is still pending after `ms` (a hang guard, so a failure says what hung). */
function settledWithin<T>(call: Promise<T>, ms: number, what: string): Promise<{ result: T } | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was still pending ${ms} ms later`)), ms);
  });
  const outcome = call.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  return Promise.race([outcome, bound]).finally(() => clearTimeout(timer));
}

describe.each(CASES)('$label', ({ era, crash }: { era: ClientEra; crash: Crash }) => {
  let pidDir: string;
  let gateway: RunningGateway;
  let subject: AnsweringClient;
  /** The upstream process serving `subject`, the one the test kills. */
  let victim: number;
  /** Every upstream process started before the kill. */
  let startedBeforeKill: number[];
  let failure: unknown;

  beforeAll(async () => {
    pidDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-crash-pids-'));
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { port: 0 },
        routes: [
          {
            path: ROUTE,
            upstreams: [
              {
                name: UPSTREAM,
                kind: 'stdio',
                command: process.execPath,
                args: [WRAPPER],
                env: { GATEHOUSE_TEST_PID_DIR: pidDir },
                // Longer than the test's own timeout: the call may only fail because the process died.
                timeout_ms: 300_000,
              },
            ],
          },
        ],
      }),
    });
    const shared = alivePids(pidDir);
    expect(shared, 'the route starts exactly one shared upstream process').toHaveLength(1);
    subject = await connectAnsweringClient(gateway.url(ROUTE), era);
    // The first call waits for a 2025 session's own upstream to be up.
    await subject.client.callTool({ name: 'echo', arguments: { message: 'warm-up' } });
    const serving = era.name === 'legacy' ? alivePids(pidDir).filter((pid) => !shared.includes(pid)) : shared;
    expect(serving, `exactly one upstream process serves the ${era.name} client`).toHaveLength(1);
    victim = serving[0]!;
    startedBeforeKill = readdirSync(pidDir).map(Number);
  });

  afterAll(async () => {
    await subject?.close();
    await gateway?.close();
    // Normally a no-op: the gateway ends its upstreams on close. A process it left behind is still ours.
    if (pidDir) {
      for (const pid of alivePids(pidDir)) process.kill(pid, 'SIGKILL');
      rmSync(pidDir, { recursive: true, force: true });
    }
  });

  it('fails the pending call at once with a JSON-RPC error naming the upstream and how its process ended', async () => {
    let running!: () => void;
    const started = new Promise<void>((resolve) => (running = resolve));
    const pending = subject.client.callTool(LONG_CALL, { onprogress: () => running() });
    // The first progress notification proves the upstream is working on the call.
    await settledWithin(started, SETTLE_BOUND_MS, 'the first progress notification of the long call');
    process.kill(victim, crash.signal);

    const outcome = await settledWithin(pending, SETTLE_BOUND_MS, `the call whose upstream got ${crash.signal}`);
    expect(outcome, 'the call must fail, not return a result').toHaveProperty('error');
    failure = (outcome as { error: unknown }).error;
    expect(failure).toBeInstanceOf(ProtocolError);
    const error = failure as ProtocolError;
    expect(error.code).toBe(ProtocolErrorCode.InternalError);
    expect(error.message).toContain(`upstream "${UPSTREAM}"`);
    expect(error.message).toMatch(crash.ending);

    const restarting = await waitForTrace(
      gateway.trace,
      (event) => event.type === 'upstream.state' && event.upstream === UPSTREAM && event.state === 'restarting' && event.session === subject.sessionId,
      'the upstream marked as restarting',
    );
    expect(restarting).toHaveProperty('detail', expect.stringMatching(crash.ending));
  });

  it('restarts the upstream by itself, so a following call succeeds', async () => {
    expect(isAlive(victim), `the killed upstream process ${victim} is gone`).toBe(false);
    const deadline = Date.now() + RECOVERY_BOUND_MS;
    const attempts: string[] = [];
    let result: CallToolResult | undefined;
    while (!result && Date.now() < deadline) {
      try {
        const answer = await subject.client.callTool({ name: 'echo', arguments: { message: 'after the crash' } });
        if (answer.isError) attempts.push(`isError: ${textOf(answer)}`);
        else result = answer;
      } catch (error) {
        attempts.push(error instanceof Error ? error.message : String(error));
      }
      if (!result) await delay(RETRY_PAUSE_MS);
    }
    expect(result, `no successful call within ${RECOVERY_BOUND_MS} ms; attempts:\n${attempts.join('\n')}`).toBeDefined();
    expect(result!.content).toEqual([{ type: 'text', text: 'Echo: after the crash' }]);
    const replacements = alivePids(pidDir).filter((pid) => !startedBeforeKill.includes(pid));
    expect(replacements, 'one new upstream process took over').toHaveLength(1);
  });

  // Known gateway bug, reported to the lead: fails until fixed. Checked once per era; the way
  // the process ended does not change the path the error takes.
  if (crash.signal === 'SIGKILL') {
    it('says in error.data which upstream failed and why, like every other upstream error', () => {
      expect(failure).toBeInstanceOf(ProtocolError);
      expect((failure as ProtocolError).data).toEqual({ upstream: UPSTREAM, reason: 'upstream_exited' });
    });
  }
});
