/**
 * `npm run bench`: what Gatehouse costs on the tools/call path, measured against going direct,
 * against the least a reverse proxy can do (pipe-proxy.ts), and — for stdio servers — against
 * supergateway, the tool most people use to put a stdio server on HTTP. Prints one table and the
 * performance issue's targets with PASS/MISS; always exits 0 unless the benchmark itself broke.
 *
 * Every party runs in a process of its own (upstream, proxy or gateway, load generator) on
 * 127.0.0.1, each in its own process group, all stopped at the end, on error and on Ctrl-C.
 *
 * Environment:
 * - BENCH_QUICK=1: a smoke run with few calls (seconds, not minutes; figures are rough).
 * - BENCH_CLIENTS=N: spread the in-flight calls over N SDK client sessions (default 1: c=32 is
 *   32 concurrent calls on one session).
 * - BENCH_CPU_PROF=DIR: run the Gatehouse processes under `node --cpu-prof`, profiles into DIR.
 */
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';

import type { GatehouseConfig } from '../../main/config/schema.js';
import { killAllNow, spawnTracked, startService, stopAll, stopProcess, waitForHttp, type Service } from './child-processes.js';
import type { LoadMessage, LoadResult, LoadSpec } from './load-generator.js';
import { evaluateTargets, formatTable, formatTargets, type Measurement, type TargetNames } from './report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const TSX = ['--import', 'tsx'];

const quick = process.env.BENCH_QUICK === '1';
const clients = Math.max(1, Number(process.env.BENCH_CLIENTS ?? 1) || 1);
const cpuProfDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;

interface Plan {
  concurrency: number;
  warmupCalls: number;
  calls: number;
  maxMs: number;
}

/** Calls per run: fixed counts, each run capped in time (stdio through supergateway is slow). */
const HTTP_PLANS: Plan[] = quick
  ? [
      { concurrency: 1, warmupCalls: 50, calls: 300, maxMs: 10_000 },
      { concurrency: 32, warmupCalls: 200, calls: 1_000, maxMs: 10_000 },
    ]
  : [
      { concurrency: 1, warmupCalls: 300, calls: 2_000, maxMs: 60_000 },
      { concurrency: 32, warmupCalls: 1_000, calls: 5_000, maxMs: 60_000 },
    ];
const STDIO_PLANS: Plan[] = quick
  ? [
      { concurrency: 1, warmupCalls: 10, calls: 100, maxMs: 5_000 },
      { concurrency: 32, warmupCalls: 64, calls: 300, maxMs: 5_000 },
    ]
  : [
      { concurrency: 1, warmupCalls: 100, calls: 1_000, maxMs: 20_000 },
      { concurrency: 32, warmupCalls: 320, calls: 3_000, maxMs: 20_000 },
    ];

const NAMES: TargetNames = {
  httpGroup: 'HTTP upstream',
  stdioGroup: 'stdio upstream',
  direct: 'direct',
  proxy: 'pipe proxy',
  gatehouse: 'gatehouse',
  gatehouseStdio: 'gatehouse',
  supergateway: 'supergateway (default: stateless)',
};
const SUPERGATEWAY_STATEFUL = 'supergateway --stateful';

const CALL_TIMEOUT_MS = 30_000;

function nodeService<T>(name: string, script: string, args: string[] = [], extraExecArgv: string[] = []): Promise<Service<T>> {
  return startService<T>(name, process.execPath, [...TSX, ...extraExecArgv, path.join(HERE, script), ...args], { cwd: ROOT });
}

function profileArgs(label: string): string[] {
  return cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`] : [];
}

function startGatehouse(label: string, config: unknown): Promise<Service<{ urls: Record<string, string> }>> {
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

/** One load run in a fresh load-generator process; the result comes back over IPC. */
function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const child = spawnTracked(process.execPath, [...TSX, path.join(HERE, 'load-generator.ts'), JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Connect + warm-up (a quarter of maxMs at most) + run + in-flight calls + process start.
  const budgetMs = spec.maxMs * 1.25 + 2 * spec.callTimeoutMs + 15_000;
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
    child.on('message', (message: LoadMessage) =>
      finish(() => (message.kind === 'result' ? resolve(message.result) : reject(new Error(message.message)))),
    );
    child.once('exit', (code, signal) => finish(() => reject(new Error(`load generator exited (${signal ?? `code ${code}`}) without a result`))));
  });
}

const measurements: Measurement[] = [];

async function measure(group: string, target: string, url: string, plan: Plan): Promise<void> {
  const spec: LoadSpec = { url, clients, callTimeoutMs: CALL_TIMEOUT_MS, ...plan };
  const label = `${group} / ${target} / c=${plan.concurrency}`;
  process.stderr.write(`  ${label} …`);
  try {
    const result = await runLoad(spec);
    measurements.push({ group, target, concurrency: plan.concurrency, result });
    process.stderr.write(` p50 ${result.p50Ms.toFixed(2)} ms, ${result.callsPerSecond.toFixed(0)} calls/s${result.errors ? `, ${result.errors} errors` : ''}\n`);
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    measurements.push({ group, target, concurrency: plan.concurrency, failure });
    process.stderr.write(` failed: ${failure}\n`);
  }
}

function gatehouseConfig(routePath: string, upstream: GatehouseConfig['routes'][number]['upstreams'][number]): unknown {
  return { listen: { host: '127.0.0.1', port: 0 }, routes: [{ path: routePath, upstreams: [upstream] }] };
}

async function httpPhase(): Promise<void> {
  process.stderr.write('HTTP upstream\n');
  const upstream = await nodeService<{ url: string }>('echo upstream', 'echo-http-server.ts');
  const proxy = await nodeService<{ url: string }>('pipe proxy', 'pipe-proxy.ts', [upstream.ready.url]);
  const gatehouse = await startGatehouse('http', gatehouseConfig('/bench', { name: 'echo', kind: 'http', url: upstream.ready.url }));
  const targets: Array<[string, string]> = [
    [NAMES.direct, upstream.ready.url],
    [NAMES.proxy, proxy.ready.url],
    [NAMES.gatehouse, gatehouse.ready.urls['/bench']!],
  ];
  try {
    for (const plan of HTTP_PLANS) {
      for (const [target, url] of targets) await measure(NAMES.httpGroup, target, url, plan);
    }
  } finally {
    await Promise.all([gatehouse.stop(), proxy.stop()]);
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
  const targets: Array<[string, string]> = [
    [NAMES.gatehouseStdio, gatehouse.ready.urls['/stdio']!],
    [NAMES.supergateway, stateless.ready.url],
    [SUPERGATEWAY_STATEFUL, stateful.ready.url],
  ];
  try {
    for (const plan of STDIO_PLANS) {
      for (const [target, url] of targets) await measure(NAMES.stdioGroup, target, url, plan);
    }
  } finally {
    await Promise.all([gatehouse.stop(), stateless.stop(), stateful.stop()]);
  }
}

function header(): string {
  const cpu = os.cpus();
  return [
    `Gatehouse benchmark${quick ? ' (BENCH_QUICK: few calls, rough figures)' : ''} — tools/call "echo", Node ${process.version}, ${cpu.length}× ${cpu[0]?.model.trim() ?? 'CPU'}`,
    `Clients: SDK Client (legacy 2025-11-25) over Streamable HTTP, ${clients} session${clients === 1 ? '' : 's'}; c = calls in flight; each run in its own load-generator process, after a warm-up.`,
    'HTTP upstream: McpServer, sessionful, JSON responses (echo-http-server.ts). stdio upstream: McpServer on stdio (echo-stdio-server.ts), spawned by the gateway under test.',
    'supergateway (default: stateless) spawns a new stdio server for every request; --stateful keeps one per session (shown for information, not a target).',
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stderr.write(`${quick ? 'Quick run' : 'Full run (a few minutes)'}; progress on stderr, table on stdout.\n`);
  await httpPhase();
  await stdioPhase();
  const out = [
    '',
    header(),
    '',
    formatTable(measurements),
    '',
    'Targets (performance issue)',
    formatTargets(evaluateTargets(measurements, NAMES)),
    '',
    `Done in ${((Date.now() - started) / 1000).toFixed(0)} s.${cpuProfDir ? ` CPU profiles of the Gatehouse processes: ${cpuProfDir}` : ''}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
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
