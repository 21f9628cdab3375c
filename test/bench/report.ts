/**
 * The printed result of a benchmark run: one table of measurements, then each target of the
 * performance issue with the figures it compares and PASS or MISS. A miss is reported, never
 * turned into a failing exit code: this is a benchmark, not a test (STYLE.md).
 */
import type { LoadResult } from './load-generator.js';

export interface Measurement {
  group: string;
  target: string;
  concurrency: number;
  result?: LoadResult;
  /** Why there is no result (the run failed). */
  failure?: string;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');
const rate = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '-');

function pad(cells: string[], widths: number[], alignRight: boolean[]): string {
  return cells.map((cell, i) => (alignRight[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
}

export function formatTable(measurements: readonly Measurement[]): string {
  const header = ['', 'target', 'c', 'calls', 'p50 ms', 'p99 ms', 'calls/s', 'errors', 'note'];
  const right = [false, false, true, true, true, true, true, true, false];
  const rows = measurements.map((m) => {
    const r = m.result;
    if (!r) return [m.group, m.target, String(m.concurrency), '-', '-', '-', '-', '-', `FAILED: ${m.failure ?? 'no result'}`];
    const notes = [r.truncated ? `time cap hit after ${(r.elapsedMs / 1000).toFixed(1)} s` : '', r.firstError ? `first error: ${r.firstError.slice(0, 80)}` : '']
      .filter(Boolean)
      .join('; ');
    return [m.group, m.target, String(m.concurrency), String(r.completed), ms(r.p50Ms), ms(r.p99Ms), rate(r.callsPerSecond), String(r.errors), notes];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines = [pad(header, widths, right), widths.map((w) => '-'.repeat(w)).join('  ')];
  let group = '';
  for (const row of rows) {
    // The group name once per block, a blank line between blocks.
    if (row[0] !== group && group !== '') lines.push('');
    const shown = row[0] === group ? ['', ...row.slice(1)] : row;
    group = row[0]!;
    lines.push(pad(shown, widths, right).trimEnd());
  }
  return lines.join('\n');
}

export interface TargetLine {
  name: string;
  detail: string;
  verdict: 'PASS' | 'MISS' | 'n/a' | 'info';
}

function find(measurements: readonly Measurement[], group: string, target: string, concurrency: number): LoadResult | undefined {
  return measurements.find((m) => m.group === group && m.target === target && m.concurrency === concurrency)?.result;
}

export interface TargetNames {
  httpGroup: string;
  stdioGroup: string;
  direct: string;
  proxy: string;
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
 */
export function evaluateTargets(measurements: readonly Measurement[], names: TargetNames): TargetLine[] {
  const lines: TargetLine[] = [];
  for (const concurrency of [1, 32]) {
    const direct = find(measurements, names.httpGroup, names.direct, concurrency);
    const proxy = find(measurements, names.httpGroup, names.proxy, concurrency);
    const gatehouse = find(measurements, names.httpGroup, names.gatehouse, concurrency);
    const name = `added p50 at c=${concurrency}: gatehouse ≤ 1.5× pipe proxy`;
    if (!direct || !proxy || !gatehouse) {
      lines.push({ name, detail: 'missing measurement', verdict: 'n/a' });
      continue;
    }
    const gatehouseAdded = gatehouse.p50Ms - direct.p50Ms;
    const proxyAdded = proxy.p50Ms - direct.p50Ms;
    const ratio = proxyAdded > 0 ? `${(gatehouseAdded / proxyAdded).toFixed(2)}×` : 'proxy adds nothing measurable';
    lines.push({
      name,
      detail: `gatehouse +${ms(gatehouseAdded)} ms, pipe proxy +${ms(proxyAdded)} ms → ${ratio} (limit ${ms(1.5 * proxyAdded)} ms)`,
      verdict: concurrency === 1 ? (gatehouseAdded <= 1.5 * proxyAdded ? 'PASS' : 'MISS') : 'info',
    });
  }
  {
    const direct = find(measurements, names.httpGroup, names.direct, 32);
    const gatehouse = find(measurements, names.httpGroup, names.gatehouse, 32);
    const proxy = find(measurements, names.httpGroup, names.proxy, 32);
    const name = 'c=32 throughput: gatehouse ≥ 70% of direct';
    if (!direct || !gatehouse) lines.push({ name, detail: 'missing measurement', verdict: 'n/a' });
    else {
      const share = gatehouse.callsPerSecond / direct.callsPerSecond;
      const proxyShare = proxy ? `; pipe proxy ${(100 * (proxy.callsPerSecond / direct.callsPerSecond)).toFixed(0)}%` : '';
      lines.push({
        name,
        detail: `gatehouse ${rate(gatehouse.callsPerSecond)}/s vs direct ${rate(direct.callsPerSecond)}/s → ${(100 * share).toFixed(0)}%${proxyShare}`,
        verdict: share >= 0.7 ? 'PASS' : 'MISS',
      });
    }
  }
  for (const concurrency of [1, 32]) {
    const gatehouse = find(measurements, names.stdioGroup, names.gatehouseStdio, concurrency);
    const supergateway = find(measurements, names.stdioGroup, names.supergateway, concurrency);
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
