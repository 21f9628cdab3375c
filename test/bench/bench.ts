/**
 * `npm run bench`: what Gatehouse costs on the tools/call path, measured against going direct,
 * against the least a reverse proxy can do (pipe-proxy.ts), and — for stdio servers — against
 * supergateway, the tool most people use to put a stdio server on HTTP. Prints one table and the
 * performance issue's targets with PASS/MISS; exits 0 whatever the figures (non-zero only when
 * the benchmark itself broke).
 *
 * Every party runs in a process of its own (upstream, proxy or gateway, load generator) on
 * 127.0.0.1, each in its own process group, all stopped at the end, on error and on Ctrl-C.
 * Each target is measured in several rounds, the targets taking turns, and the table shows the
 * median: the machine is shared (2 cores), and a burst of other work should not decide a ratio.
 *
 * Environment:
 * - BENCH_QUICK=1: a smoke run with few calls and one round (figures are rough).
 * - BENCH_ROUNDS=N: rounds per target (default 3; 1 with BENCH_QUICK).
 * - BENCH_CLIENTS=N: spread the in-flight calls over N SDK client sessions (default 1: c=32 is
 *   32 concurrent calls on one session).
 * - BENCH_ONLY=http|stdio|auth|render: run one part only (auth: OAuth and ACL costs, auth-policy-bench.ts;
 *   render: the window's handshake trace with 10,000 events in Chromium, render-bench.ts).
 * - BENCH_CPU_PROF=DIR: run the Gatehouse processes under `node --cpu-prof`, profiles into DIR.
 */
import { realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { z } from 'zod';

import type { gatehouseConfigSchema, upstreamSchema } from '../../main/config/schema.js';
import { killAllNow, spawnTracked, startService, stopAll, stopProcess, waitForHttp, type Service } from './child-processes.js';
import type { LoadMessage, LoadResult, LoadSpec } from './load-generator.js';
import { processCpuMs } from './process-cpu.js';
import { runAuthBench, runPolicyBench } from './auth-policy-bench.js';
import { formatRenderFigures, runRenderBench } from './render-bench.js';
import { evaluateTargets, formatTable, formatTargets, type Measurement, type Round, type TargetNames } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const TSX = ['--import', 'tsx'];

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${name}=${raw} is not a positive whole number; unset it for the default (${fallback})\n`);
    process.exit(2);
  }
  return value;
}

// The stdio echo server runs on plain `node` (type stripping) and the gateway wants Node ≥ 22.12.
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 22) {
  process.stderr.write(`The benchmark needs Node 22 or newer, this is ${process.version}: run it with \`npm run bench\`, which puts the project's Node 22 first on PATH\n`);
  process.exit(2);
}

const quick = process.env.BENCH_QUICK === '1';
const rounds = positiveInteger('BENCH_ROUNDS', quick ? 1 : 3);
const clients = positiveInteger('BENCH_CLIENTS', 1);
const cpuProfDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
const only = process.env.BENCH_ONLY;
if (only !== undefined && only !== 'http' && only !== 'stdio' && only !== 'auth' && only !== 'render') {
  process.stderr.write(`BENCH_ONLY=${only} is not understood: use BENCH_ONLY=http, stdio, auth or render, or leave it unset for all\n`);
  process.exit(2);
}

interface Plan {
  concurrency: number;
  warmupCalls: number;
  calls: number;
  maxMs: number;
}

/** Calls per round: fixed counts, each round capped in time (stdio through supergateway is slow). */
const HTTP_PLANS: Plan[] = quick
  ? [
      { concurrency: 1, warmupCalls: 50, calls: 300, maxMs: 10_000 },
      { concurrency: 32, warmupCalls: 200, calls: 1_000, maxMs: 10_000 },
    ]
  : [
      { concurrency: 1, warmupCalls: 200, calls: 1_000, maxMs: 20_000 },
      { concurrency: 32, warmupCalls: 500, calls: 3_000, maxMs: 20_000 },
    ];
const STDIO_PLANS: Plan[] = quick
  ? [
      { concurrency: 1, warmupCalls: 10, calls: 100, maxMs: 5_000 },
      { concurrency: 32, warmupCalls: 64, calls: 300, maxMs: 5_000 },
    ]
  : [
      { concurrency: 1, warmupCalls: 50, calls: 500, maxMs: 8_000 },
      { concurrency: 32, warmupCalls: 160, calls: 1_500, maxMs: 8_000 },
    ];

const NAMES: TargetNames = {
  httpGroup: 'HTTP upstream',
  stdioGroup: 'stdio upstream',
  direct: 'direct',
  proxy: 'pipe proxy',
  sdkRelay: 'SDK relay (SDK only, both sides)',
  gatehouse: 'gatehouse',
  gatehouseStdio: 'gatehouse',
  supergateway: 'supergateway (default: stateless)',
};
const SUPERGATEWAY_STATEFUL = 'supergateway --stateful';

const CALL_TIMEOUT_MS = 30_000;

interface Target {
  name: string;
  url: string;
  /** The process whose CPU time is the hop's cost; none when going direct. */
  hopPid?: number;
  /** The upstream's process, when it is one of ours (HTTP); a stdio upstream is the hop's child. */
  upstreamPid?: number;
}

function nodeService<T>(name: string, script: string, args: string[] = [], extraExecArgv: string[] = []): Promise<Service<T>> {
  return startService<T>(name, process.execPath, [...TSX, ...extraExecArgv, path.join(HERE, script), ...args], { cwd: ROOT });
}

function profileArgs(label: string): string[] {
  return cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`] : [];
}

/** A config as a user writes it (defaults left out); gatehouse-process.ts validates it with the real schema. */
function gatehouseConfig(routePath: string, upstream: z.input<typeof upstreamSchema>): z.input<typeof gatehouseConfigSchema> {
  return { listen: { host: '127.0.0.1', port: 0 }, routes: [{ path: routePath, upstreams: [upstream] }] };
}

function startGatehouse(label: string, config: z.input<typeof gatehouseConfigSchema>): Promise<Service<{ urls: Record<string, string> }>> {
  return nodeService(`gatehouse (${label})`, 'gatehouse-process.ts', [JSON.stringify(config)], profileArgs(`gatehouse-${label}`));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * supergateway over the same stdio server. `--logLevel none`: its default (`info`) logs every
 * message, and what is compared here is forwarding, not logging. It has no bind-address option
 * and listens on all interfaces; it is only ever called on 127.0.0.1.
 */
async function startSupergateway(name: string, stdioCommand: string, stateful: boolean): Promise<Service<{ url: string }>> {
  const port = await freePort();
  const bin = realpathSync(path.join(ROOT, 'node_modules/.bin/supergateway'));
  const args = [bin, '--stdio', stdioCommand, '--outputTransport', 'streamableHttp', '--port', String(port), '--logLevel', 'none', ...(stateful ? ['--stateful'] : [])];
  const child = spawnTracked(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `http://127.0.0.1:${port}/mcp`;
  try {
    await waitForHttp(url, child);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  return { name, child, ready: { url }, stop: () => stopProcess(child) };
}

/**
 * One round in a fresh load-generator process; the result comes back over IPC. The hop's CPU
 * time is sampled when the load generator says the warm-up is over and when the result arrives.
 */
function runRound(spec: LoadSpec, target: Target): Promise<Round> {
  const child = spawnTracked(process.execPath, [...TSX, path.join(HERE, 'load-generator.ts'), JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Process start + connect + warm-up (a quarter of maxMs at most) + run + calls in flight.
  const budgetMs = spec.maxMs * 1.25 + 2 * spec.callTimeoutMs + 15_000;
  let hopAtStart: number | undefined;
  let upstreamAtStart: number | undefined;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stopProcess(child);
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`load generator gave no result within ${Math.round(budgetMs / 1000)} s`))), budgetMs);
    child.on('message', (message: LoadMessage) => {
      if (message.kind === 'measuring') {
        hopAtStart = processCpuMs(target.hopPid);
        upstreamAtStart = processCpuMs(target.upstreamPid);
        return;
      }
      if (message.kind === 'error') {
        finish(() => reject(new Error(message.message)));
        return;
      }
      const result: LoadResult = message.result;
      const perCall = (atStart: number | undefined, atEnd: number | undefined) =>
        atStart !== undefined && atEnd !== undefined && result.completed > 0 ? (atEnd - atStart) / result.completed : undefined;
      const round: Round = {
        result,
        hopCpuMsPerCall: perCall(hopAtStart, processCpuMs(target.hopPid)),
        upstreamCpuMsPerCall: perCall(upstreamAtStart, processCpuMs(target.upstreamPid)),
      };
      finish(() => resolve(round));
    });
    child.once('exit', (code, signal) => finish(() => reject(new Error(`load generator exited (${signal ?? `code ${code}`}) without a result`))));
  });
}

const measurements: Measurement[] = [];
/** Set on Ctrl-C: no new round starts while the processes are being stopped. */
let interrupted = false;

function measurementFor(group: string, target: string, concurrency: number): Measurement {
  let measurement = measurements.find((m) => m.group === group && m.target === target && m.concurrency === concurrency);
  if (!measurement) measurements.push((measurement = { group, target, concurrency, rounds: [], failures: [] }));
  return measurement;
}

/** Every plan, `rounds` times; within a round the targets take turns, starting one further each round. */
async function measureGroup(group: string, targets: readonly Target[], plans: readonly Plan[]): Promise<void> {
  for (const plan of plans) {
    for (const target of targets) measurementFor(group, target.name, plan.concurrency);
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < targets.length; turn++) {
        if (interrupted) return;
        const target = targets[(turn + round) % targets.length]!;
        const measurement = measurementFor(group, target.name, plan.concurrency);
        process.stderr.write(`  ${group} / ${target.name} / c=${plan.concurrency} / round ${round + 1}/${rounds} …`);
        try {
          const spec: LoadSpec = { url: target.url, clients, callTimeoutMs: CALL_TIMEOUT_MS, ...plan };
          const outcome = await runRound(spec, target);
          measurement.rounds.push(outcome);
          const { result } = outcome;
          process.stderr.write(` p50 ${result.p50Ms.toFixed(2)} ms, ${result.callsPerSecond.toFixed(0)} calls/s${result.errors ? `, ${result.errors} errors` : ''}\n`);
        } catch (error) {
          const failure = error instanceof Error ? error.message : String(error);
          measurement.failures.push(failure);
          process.stderr.write(` failed: ${failure}\n`);
        }
      }
    }
  }
}

async function httpPhase(): Promise<void> {
  process.stderr.write('HTTP upstream\n');
  const upstream = await nodeService<{ url: string }>('echo upstream', 'echo-http-server.ts');
  const proxy = await nodeService<{ url: string }>('pipe proxy', 'pipe-proxy.ts', [upstream.ready.url]);
  const relay = await nodeService<{ url: string }>('SDK relay', 'sdk-relay.ts', [upstream.ready.url]);
  const gatehouse = await startGatehouse('http', gatehouseConfig('/bench', { name: 'echo', kind: 'http', url: upstream.ready.url }));
  try {
    await measureGroup(
      NAMES.httpGroup,
      [
        { name: NAMES.direct, url: upstream.ready.url, upstreamPid: upstream.child.pid },
        { name: NAMES.proxy, url: proxy.ready.url, hopPid: proxy.child.pid, upstreamPid: upstream.child.pid },
        { name: NAMES.sdkRelay, url: relay.ready.url, hopPid: relay.child.pid, upstreamPid: upstream.child.pid },
        { name: NAMES.gatehouse, url: gatehouse.ready.urls['/bench']!, hopPid: gatehouse.child.pid, upstreamPid: upstream.child.pid },
      ],
      HTTP_PLANS,
    );
  } finally {
    await Promise.all([gatehouse.stop(), relay.stop(), proxy.stop()]);
    await upstream.stop();
  }
}

async function stdioPhase(): Promise<void> {
  process.stderr.write('stdio upstream\n');
  const server = path.join(HERE, 'echo-stdio-server.ts');
  const gatehouse = await startGatehouse('stdio', gatehouseConfig('/stdio', { name: 'echo', kind: 'stdio', command: process.execPath, args: [server] }));
  const stdioCommand = `"${process.execPath}" "${server}"`;
  const stateless = await startSupergateway(NAMES.supergateway, stdioCommand, false);
  const stateful = await startSupergateway(SUPERGATEWAY_STATEFUL, stdioCommand, true);
  try {
    await measureGroup(
      NAMES.stdioGroup,
      [
        { name: NAMES.gatehouseStdio, url: gatehouse.ready.urls['/stdio']!, hopPid: gatehouse.child.pid },
        { name: NAMES.supergateway, url: stateless.ready.url, hopPid: stateless.child.pid },
        { name: SUPERGATEWAY_STATEFUL, url: stateful.ready.url, hopPid: stateful.child.pid },
      ],
      STDIO_PLANS,
    );
  } finally {
    await Promise.all([gatehouse.stop(), stateless.stop(), stateful.stop()]);
  }
}

const loadAverage = () => os.loadavg()[0]!.toFixed(1);

function header(loadBefore: string): string {
  const cpu = os.cpus();
  return [
    `Gatehouse benchmark${quick ? ' (BENCH_QUICK: few calls, rough figures)' : ''} — tools/call "echo", Node ${process.version}, ${cpu.length}× ${cpu[0]?.model.trim() ?? 'CPU'}`,
    // Everything shares these cores: a busy machine skews the figures, so say how busy it was.
    `Load average (1 min) before the run ${loadBefore}, after ${loadAverage()}: figures from a machine busy with other work are not comparable.`,
    `Clients: SDK Client (legacy 2025-11-25) over Streamable HTTP, ${clients} session${clients === 1 ? '' : 's'}; c = calls in flight; a fresh load-generator process per round, after a warm-up.`,
    `Figures: median of ${rounds} round${rounds === 1 ? '' : 's'} (calls/s min–max beside). CPU ms/call: load generator / proxy or gateway process (not its children) / HTTP upstream.`,
    'On 2 shared cores c=32 is CPU-bound: calls/s follows the sum of the three CPU figures, which a busy machine distorts less than latency.',
    'HTTP upstream: McpServer, sessionful, JSON responses (echo-http-server.ts). stdio upstream: McpServer on stdio (echo-stdio-server.ts), spawned by the gateway under test.',
    'SDK relay: the official SDK on both sides and nothing between (sdk-relay.ts), for scale — what terminating MCP with the SDK costs before a gateway does anything.',
    'supergateway (default: stateless) spawns a new stdio server for every request; --stateful keeps one per session (for information, not a target).',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadAverage();
  process.stderr.write(`${quick ? 'Quick run' : 'Full run (several minutes)'}; progress on stderr, table on stdout.\n`);
  if (only === undefined || only === 'http') await httpPhase();
  if (only === undefined || only === 'stdio') await stdioPhase();
  const authAndPolicy = only === undefined || only === 'auth' ? [...runPolicyBench(), '', ...(await runAuthBench())] : [];
  const render = only === undefined || only === 'render' ? formatRenderFigures(await runRenderBench()) : [];
  const proxying = measurements.length
    ? [header(loadBefore), '', formatTable(measurements), '', 'Targets (performance issue)', formatTargets(evaluateTargets(measurements, NAMES))]
    : [];
  const out = [
    '',
    ...proxying,
    '',
    ...authAndPolicy,
    '',
    ...render,
    '',
    `Done in ${((Date.now() - started) / 1000).toFixed(0)} s.${cpuProfDir ? ` CPU profiles of the Gatehouse processes: ${cpuProfDir}` : ''}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping every benchmark process…\n`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.once('exit', killAllNow);

try {
  await main();
} catch (error) {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
