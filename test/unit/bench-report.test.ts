/**
 * The benchmark's verdicts (test/bench/report.ts): figures in, PASS / MISS / info out. The
 * benchmark itself is never a test (STYLE.md); what is tested here is that it judges its own
 * figures by the performance issue's rules — added latency against the pipe proxy at c=1,
 * throughput against direct at c=32, stdio against supergateway — and shows the SDK-only relay
 * beside them for scale.
 */
import { describe, expect, it } from 'vitest';

import type { LoadResult } from '../bench/load-generator.js';
import { evaluateTargets, formatTable, type Measurement, type TargetNames } from '../bench/report.js';

const NAMES: TargetNames = {
  httpGroup: 'HTTP',
  stdioGroup: 'stdio',
  direct: 'direct',
  proxy: 'pipe',
  sdkRelay: 'relay',
  gatehouse: 'gatehouse',
  gatehouseStdio: 'gatehouse',
  supergateway: 'supergateway',
};

function result(p50Ms: number, callsPerSecond: number): LoadResult {
  return { completed: 1000, errors: 0, elapsedMs: 1000, p50Ms, p99Ms: p50Ms * 3, callsPerSecond, clientCpuMsPerCall: 1, truncated: false };
}

function measured(group: string, target: string, concurrency: number, p50Ms: number, callsPerSecond: number, hopCpuMsPerCall?: number): Measurement {
  return { group, target, concurrency, rounds: [{ result: result(p50Ms, callsPerSecond), hopCpuMsPerCall, upstreamCpuMsPerCall: 0.5 }], failures: [] };
}

/** direct 2 ms; pipe +1 ms; relay +4 ms; gatehouse +`added` ms at c=1 and `rate` calls/s at c=32 (direct 1000/s). */
function run(added: number, rate: number, stdioFactor = 2): Measurement[] {
  return [
    measured('HTTP', 'direct', 1, 2, 400),
    measured('HTTP', 'pipe', 1, 3, 300, 1),
    measured('HTTP', 'relay', 1, 6, 150, 3),
    measured('HTTP', 'gatehouse', 1, 2 + added, 200, 2.5),
    measured('HTTP', 'direct', 32, 30, 1000),
    measured('HTTP', 'pipe', 32, 40, 800, 0.4),
    measured('HTTP', 'relay', 32, 70, 500, 1.3),
    measured('HTTP', 'gatehouse', 32, 60, rate, 1.2),
    measured('stdio', 'gatehouse', 1, 5, 100 * stdioFactor),
    measured('stdio', 'supergateway', 1, 300, 100),
    measured('stdio', 'gatehouse', 32, 60, 300 * stdioFactor),
    measured('stdio', 'supergateway', 32, 5000, 300),
  ];
}

const verdictOf = (measurements: Measurement[], name: RegExp) => evaluateTargets(measurements, NAMES).find((line) => name.test(line.name));

describe('benchmark verdicts', () => {
  it('passes the latency target at exactly 1.5× the pipe proxy’s added p50, and misses it above', () => {
    expect(verdictOf(run(1.5, 800), /added p50 at c=1/)?.verdict).toBe('PASS');
    expect(verdictOf(run(1.6, 800), /added p50 at c=1/)?.verdict).toBe('MISS');
    expect(verdictOf(run(1.6, 800), /added p50 at c=1/)?.detail).toMatch(/1\.60×/);
  });

  it('judges throughput at c=32 against 70% of direct', () => {
    expect(verdictOf(run(1, 700), /c=32 throughput/)?.verdict).toBe('PASS');
    expect(verdictOf(run(1, 690), /c=32 throughput/)?.verdict).toBe('MISS');
  });

  it('judges stdio against supergateway at both concurrencies', () => {
    const lines = evaluateTargets(run(1, 800, 1.4), NAMES).filter((line) => line.name.startsWith('stdio'));
    expect(lines.map((line) => line.verdict)).toEqual(['MISS', 'MISS']);
    expect(evaluateTargets(run(1, 800, 1.5), NAMES).filter((line) => line.name.startsWith('stdio')).map((line) => line.verdict)).toEqual(['PASS', 'PASS']);
  });

  it('shows the SDK-only relay for scale, never as a verdict', () => {
    const c1 = verdictOf(run(3, 400), /for scale, c=1/);
    expect(c1?.verdict).toBe('info');
    // relay adds 4 ms (4× the pipe's 1 ms); gatehouse adds 3 ms = 0.75× of it
    expect(c1?.detail).toMatch(/\+4\.00 ms = 4\.00× the pipe proxy's; gatehouse adds 0\.75×/);
    const c32 = verdictOf(run(3, 400), /for scale, c=32/);
    expect(c32?.detail).toMatch(/500\/s → 50% of direct; gatehouse 80% of it/);
  });

  it('says n/a, not PASS, when a measurement is missing', () => {
    const withoutProxy = run(1, 800).filter((m) => m.target !== 'pipe');
    expect(verdictOf(withoutProxy, /added p50 at c=1/)?.verdict).toBe('n/a');
    expect(verdictOf(withoutProxy, /for scale, c=1/)).toBeUndefined();
  });

  it('prints a failed target as FAILED with its reason', () => {
    const table = formatTable([{ group: 'HTTP', target: 'gatehouse', concurrency: 1, rounds: [], failures: ['connection refused'] }]);
    expect(table).toMatch(/FAILED: connection refused/);
  });
});
