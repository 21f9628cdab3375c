/**
 * Drives tools/call load at one MCP endpoint from a process of its own (spawned by bench.ts with
 * an IPC channel), so the clients' CPU is not taken from the server under test's event loop.
 *
 * Clients are the SDK's (`@modelcontextprotocol/client`, legacy 2025-11-25 mode, Streamable
 * HTTP). Concurrency c means c calls in flight at every moment: c workers, each issuing its next
 * call as soon as the previous one answers, spread over `clients` sessions round-robin.
 * A run is a fixed number of calls, cut short at a deadline; the warm-up is not measured.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export interface LoadSpec {
  url: string;
  concurrency: number;
  /** SDK clients (sessions) the workers share. */
  clients: number;
  warmupCalls: number;
  calls: number;
  /** No new call starts after this long (measured part only); calls in flight finish. */
  maxMs: number;
  /** Per-call timeout. */
  callTimeoutMs: number;
}

export interface LoadResult {
  completed: number;
  errors: number;
  firstError?: string;
  /** Wall time of the measured part: first call sent to last answer received. */
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
  /** CPU time of this (client) process per measured call. */
  clientCpuMsPerCall: number;
  /** The deadline stopped the run before `calls` were made. */
  truncated: boolean;
}

/**
 * Over IPC to bench.ts: `measuring` when the warm-up is over (so it can sample the CPU time of
 * the process under test from there), then the result or the error.
 */
export type LoadMessage = { kind: 'measuring' } | { kind: 'result'; result: LoadResult } | { kind: 'error'; message: string };

const MESSAGE = 'gatehouse-bench';

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

async function connect(url: string, index: number): Promise<Session> {
  const client = new Client({ name: `${MESSAGE}-${index}`, version: '0.1.0' }, { versionNegotiation: { mode: 'legacy' } });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

/** DELETE the session (a gateway then drops its upstream connections), then close. */
async function disconnect({ client, transport }: Session): Promise<void> {
  await transport.terminateSession().catch(() => undefined);
  await client.close().catch(() => undefined);
}

interface Phase {
  latencies: Float64Array;
  completed: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  truncated: boolean;
}

async function runPhase(clients: Client[], spec: LoadSpec, calls: number, maxMs: number): Promise<Phase> {
  const latencies = new Float64Array(calls);
  let next = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let truncated = false;
  const started = performance.now();
  const deadline = started + maxMs;

  async function worker(client: Client): Promise<void> {
    for (;;) {
      if (next >= calls) return;
      if (performance.now() > deadline) {
        truncated = true;
        return;
      }
      next += 1;
      const sent = performance.now();
      try {
        const result = await client.callTool({ name: 'echo', arguments: { message: MESSAGE } }, { timeout: spec.callTimeoutMs });
        const first = result.content[0];
        if (result.isError || first?.type !== 'text' || first.text !== MESSAGE) throw new Error(`unexpected result ${JSON.stringify(result).slice(0, 200)}`);
        latencies[completed++] = performance.now() - sent;
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  }

  await Promise.all(Array.from({ length: spec.concurrency }, (_, i) => worker(clients[i % clients.length]!)));
  return { latencies: latencies.subarray(0, completed), completed, errors, firstError, elapsedMs: performance.now() - started, truncated };
}

export async function runLoad(spec: LoadSpec, onMeasuring: () => Promise<void> = async () => undefined): Promise<LoadResult> {
  const sessions = await Promise.all(Array.from({ length: spec.clients }, (_, i) => connect(spec.url, i)));
  const clients = sessions.map((session) => session.client);
  try {
    // Warm-up gets a share of the time budget too, so a slow target cannot stall the run.
    await runPhase(clients, spec, spec.warmupCalls, Math.max(2_000, spec.maxMs / 4));
    await onMeasuring();
    const cpuBefore = process.cpuUsage();
    const phase = await runPhase(clients, spec, spec.calls, spec.maxMs);
    const cpu = process.cpuUsage(cpuBefore);
    if (phase.completed === 0) throw new Error(`no call succeeded (${phase.errors} failed): ${phase.firstError ?? 'no call was made'}`);
    const sorted = phase.latencies.slice().sort();
    return {
      completed: phase.completed,
      errors: phase.errors,
      firstError: phase.firstError,
      elapsedMs: phase.elapsedMs,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      callsPerSecond: (phase.completed / phase.elapsedMs) * 1000,
      clientCpuMsPerCall: (cpu.user + cpu.system) / 1000 / Math.max(1, phase.completed),
      truncated: phase.truncated,
    };
  } finally {
    await Promise.all(sessions.map(disconnect));
  }
}

/**
 * The SDK client's transport hands one long-lived AbortSignal to every fetch, and undici keeps an
 * abort listener on it per request until GC: past 1500, Node prints a MaxListenersExceededWarning
 * per call. That is the client's business, not the server's under test: keep thousands of them
 * off the terminal (and the cost of printing them out of the client's CPU); print any other.
 */
function quietAbortListenerWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'MaxListenersExceededWarning') process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}

// Spawned by bench.ts: the spec comes as argv[2], the result goes back over IPC.
if (process.send && process.argv[2]) {
  quietAbortListenerWarnings();
  const reply = (message: LoadMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  try {
    const result = await runLoad(JSON.parse(process.argv[2]) as LoadSpec, () => reply({ kind: 'measuring' }));
    await reply({ kind: 'result', result });
  } catch (error) {
    await reply({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  process.exit(0);
}
