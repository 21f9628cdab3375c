/**
 * The printed result of a benchmark run: one table of measurements (median over the rounds), then
 * each target of the performance issue with the figures it compares and PASS or MISS. A miss is
 * reported, never turned into a failing exit code: this is a benchmark, not a test (STYLE.md).
 */
import type { LoadResult } from './load-generator.js';

export interface Round {
  result: LoadResult;
  /** CPU time the hop under test (proxy, gateway) used per measured call; undefined for direct. */
  hopCpuMsPerCall?: number;
  /** CPU time the upstream used per measured call, when it is a process of its own. */
  upstreamCpuMsPerCall?: number;
}

export interface Measurement {
  group: string;
  target: string;
  concurrency: number;
  rounds: Round[];
  /** Why rounds failed, if some did. */
  failures: string[];
}

/** One figure per column: the median over the rounds that produced a result. */
export interface Summary {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  callsPerSecond: number;
  minCallsPerSecond: number;
  maxCallsPerSecond: number;
  clientCpuMsPerCall: number;
  hopCpuMsPerCall?: number;
  upstreamCpuMsPerCall?: number;
  errors: number;
  notes: string[];
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(measurement: Measurement): Summary | undefined {
  const results = measurement.rounds.map((round) => round.result);
  if (results.length === 0) return undefined;
  const rates = results.map((r) => r.callsPerSecond);
  const known = (values: Array<number | undefined>) => values.filter((value): value is number => value !== undefined);
  const hop = known(measurement.rounds.map((round) => round.hopCpuMsPerCall));
  const upstream = known(measurement.rounds.map((round) => round.upstreamCpuMsPerCall));
  const notes: string[] = [];
  const truncated = results.filter((r) => r.truncated);
  if (truncated.length) notes.push(`time cap hit in ${truncated.length}/${results.length} round${results.length === 1 ? '' : 's'}`);
  const firstError = results.find((r) => r.firstError)?.firstError;
  if (firstError) notes.push(`first error: ${firstError.slice(0, 80)}`);
  if (measurement.failures.length) notes.push(`${measurement.failures.length} round(s) failed: ${measurement.failures[0]!.slice(0, 80)}`);
  return {
    calls: median(results.map((r) => r.completed)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    callsPerSecond: median(rates),
    minCallsPerSecond: Math.min(...rates),
    maxCallsPerSecond: Math.max(...rates),
    clientCpuMsPerCall: median(results.map((r) => r.clientCpuMsPerCall)),
    hopCpuMsPerCall: hop.length ? median(hop) : undefined,
    upstreamCpuMsPerCall: upstream.length ? median(upstream) : undefined,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    notes,
  };
}

const ms = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value.toFixed(2) : '-');
const rate = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '-');

function pad(cells: string[], widths: number[], alignRight: boolean[]): string {
  return cells
    .map((cell, i) => (alignRight[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
}

export function formatTable(measurements: readonly Measurement[]): string {
  const header = ['', 'target', 'c', 'calls', 'p50 ms', 'p99 ms', 'calls/s', '(min–max)', 'CPU ms/call: client / hop / upstream', 'errors', 'note'];
  const right = [false, false, true, true, true, true, true, true, true, true, false];
  const rows = measurements.map((m) => {
    const s = summarize(m);
    if (!s) return [m.group, m.target, String(m.concurrency), '-', '-', '-', '-', '', '-', '-', `FAILED: ${m.failures[0] ?? 'no result'}`];
    const spread = m.rounds.length > 1 ? `${rate(s.minCallsPerSecond)}–${rate(s.maxCallsPerSecond)}` : '';
    const cpu = `${ms(s.clientCpuMsPerCall)} / ${ms(s.hopCpuMsPerCall)} / ${ms(s.upstreamCpuMsPerCall)}`;
    return [m.group, m.target, String(m.concurrency), String(Math.round(s.calls)), ms(s.p50Ms), ms(s.p99Ms), rate(s.callsPerSecond), spread, cpu, String(s.errors), s.notes.join('; ')];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines = [pad(header, widths, right), widths.map((w) => '-'.repeat(w)).join('  ')];
  let group = '';
  for (const row of rows) {
    // The group name once per block, a blank line between blocks.
    if (row[0] !== group && group !== '') lines.push('');
    const shown = row[0] === group ? ['', ...row.slice(1)] : row;
    group = row[0]!;
    lines.push(pad(shown, widths, right));
  }
  return lines.join('\n');
}

export interface TargetLine {
  name: string;
  detail: string;
  verdict: 'PASS' | 'MISS' | 'n/a' | 'info';
}

export interface TargetNames {
  httpGroup: string;
  stdioGroup: string;
  direct: string;
  proxy: string;
  /** The SDK-only relay (sdk-relay.ts): shown for scale, not a target. */
  sdkRelay: string;
  gatehouse: string;
  gatehouseStdio: string;
  supergateway: string;
}

/**
 * The targets:
 * - Gatehouse's added p50 (its p50 − direct p50) ≤ 1.5× the bare pipe proxy's added p50 — at c=1,
 *   where latency is not queueing; the c=32 figure is shown for information;
 * - Gatehouse's c=32 throughput ≥ 70% of direct;
 * - stdio calls/s through Gatehouse ≥ 1.5× supergateway's (default mode), at c=1 and c=32.
 * Beside them, for scale (verdict 'info'): the same figures for the SDK-only relay, the least any
 * gateway that terminates MCP with the SDK can cost.
 */
export function evaluateTargets(measurements: readonly Measurement[], names: TargetNames): TargetLine[] {
  const find = (group: string, target: string, concurrency: number): Summary | undefined => {
    const measurement = measurements.find((m) => m.group === group && m.target === target && m.concurrency === concurrency);
    return measurement && summarize(measurement);
  };
  const lines: TargetLine[] = [];
  for (const concurrency of [1, 32]) {
    const direct = find(names.httpGroup, names.direct, concurrency);
    const proxy = find(names.httpGroup, names.proxy, concurrency);
    const gatehouse = find(names.httpGroup, names.gatehouse, concurrency);
    const name = `added p50 at c=${concurrency}: gatehouse ≤ 1.5× pipe proxy`;
    if (!direct || !proxy || !gatehouse) {
      lines.push({ name, detail: 'missing measurement', verdict: 'n/a' });
      continue;
    }
    const gatehouseAdded = gatehouse.p50Ms - direct.p50Ms;
    const proxyAdded = proxy.p50Ms - direct.p50Ms;
    const ratio = proxyAdded > 0 ? `${(gatehouseAdded / proxyAdded).toFixed(2)}×` : 'the proxy adds nothing measurable';
    const cpu = gatehouse.hopCpuMsPerCall !== undefined && proxy.hopCpuMsPerCall !== undefined ? `; hop CPU/call ${ms(gatehouse.hopCpuMsPerCall)} vs ${ms(proxy.hopCpuMsPerCall)} ms` : '';
    lines.push({
      name,
      detail: `gatehouse ${gatehouseAdded >= 0 ? '+' : ''}${ms(gatehouseAdded)} ms, pipe proxy ${proxyAdded >= 0 ? '+' : ''}${ms(proxyAdded)} ms → ${ratio}${cpu}`,
      verdict: concurrency === 1 ? (gatehouseAdded <= 1.5 * proxyAdded ? 'PASS' : 'MISS') : 'info',
    });
  }
  {
    const direct = find(names.httpGroup, names.direct, 32);
    const gatehouse = find(names.httpGroup, names.gatehouse, 32);
    const proxy = find(names.httpGroup, names.proxy, 32);
    const name = 'c=32 throughput: gatehouse ≥ 70% of direct';
    if (!direct || !gatehouse) lines.push({ name, detail: 'missing measurement', verdict: 'n/a' });
    else {
      const share = gatehouse.callsPerSecond / direct.callsPerSecond;
      const proxyShare = proxy ? `; pipe proxy ${(100 * (proxy.callsPerSecond / direct.callsPerSecond)).toFixed(0)}%` : '';
      const totalCpu = (s: Summary) => s.clientCpuMsPerCall + (s.hopCpuMsPerCall ?? 0) + (s.upstreamCpuMsPerCall ?? Number.NaN);
      const cpuShare = totalCpu(direct) / totalCpu(gatehouse);
      const cpu = Number.isFinite(cpuShare) ? `; CPU ms/call, all processes: direct ${ms(totalCpu(direct))}, gatehouse ${ms(totalCpu(gatehouse))} (→ ${(100 * cpuShare).toFixed(0)}% if CPU-bound)` : '';
      // Wall-clock rates swing with whatever else the machine runs; CPU per call much less.
      const disagree = Number.isFinite(cpuShare) && Math.abs(share - cpuShare) > 0.2 ? ' — calls/s and CPU disagree: the machine was busy, trust the CPU figure' : '';
      lines.push({
        name,
        detail: `gatehouse ${rate(gatehouse.callsPerSecond)}/s vs direct ${rate(direct.callsPerSecond)}/s → ${(100 * share).toFixed(0)}%${proxyShare}${cpu}${disagree}`,
        verdict: share >= 0.7 ? 'PASS' : 'MISS',
      });
    }
  }
  {
    const direct = find(names.httpGroup, names.direct, 1);
    const proxy = find(names.httpGroup, names.proxy, 1);
    const relay = find(names.httpGroup, names.sdkRelay, 1);
    const gatehouse = find(names.httpGroup, names.gatehouse, 1);
    if (direct && proxy && relay && gatehouse) {
      const relayAdded = relay.p50Ms - direct.p50Ms;
      const proxyAdded = proxy.p50Ms - direct.p50Ms;
      const versusProxy = proxyAdded > 0 ? ` = ${(relayAdded / proxyAdded).toFixed(2)}× the pipe proxy's` : '';
      const versusRelay = relayAdded > 0 ? `; gatehouse adds ${((gatehouse.p50Ms - direct.p50Ms) / relayAdded).toFixed(2)}× what the SDK relay adds` : '';
      lines.push({ name: 'for scale, c=1: the SDK-only relay', detail: `adds ${relayAdded >= 0 ? '+' : ''}${ms(relayAdded)} ms${versusProxy}${versusRelay}`, verdict: 'info' });
    }
  }
  {
    const direct = find(names.httpGroup, names.direct, 32);
    const relay = find(names.httpGroup, names.sdkRelay, 32);
    const gatehouse = find(names.httpGroup, names.gatehouse, 32);
    if (direct && relay && gatehouse) {
      lines.push({
        name: 'for scale, c=32: the SDK-only relay',
        detail: `${rate(relay.callsPerSecond)}/s → ${(100 * (relay.callsPerSecond / direct.callsPerSecond)).toFixed(0)}% of direct; gatehouse ${(100 * (gatehouse.callsPerSecond / relay.callsPerSecond)).toFixed(0)}% of it`,
        verdict: 'info',
      });
    }
  }
  for (const concurrency of [1, 32]) {
    const gatehouse = find(names.stdioGroup, names.gatehouseStdio, concurrency);
    const supergateway = find(names.stdioGroup, names.supergateway, concurrency);
    const name = `stdio c=${concurrency}: gatehouse ≥ 1.5× supergateway calls/s`;
    if (!gatehouse || !supergateway) {
      lines.push({ name, detail: 'missing measurement', verdict: 'n/a' });
      continue;
    }
    const factor = gatehouse.callsPerSecond / supergateway.callsPerSecond;
    lines.push({
      name,
      detail: `gatehouse ${rate(gatehouse.callsPerSecond)}/s vs supergateway ${rate(supergateway.callsPerSecond)}/s → ${factor.toFixed(1)}×`,
      verdict: factor >= 1.5 ? 'PASS' : 'MISS',
    });
  }
  return lines;
}

export function formatTargets(lines: readonly TargetLine[]): string {
  const width = Math.max(...lines.map((line) => line.name.length));
  return lines.map((line) => `${line.verdict.padEnd(4)}  ${line.name.padEnd(width)}  ${line.detail}`).join('\n');
}
