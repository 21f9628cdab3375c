/**
 * Traffic counters of one route for the window's routes screen: requests, errors, refusals and
 * the gateway-measured latency of recent requests. Counting is a few additions per request; the
 * percentiles are computed only when asked for.
 */
import type { RouteTraffic } from '../../shared/admin-api.js';

/** How many recent durations the percentiles are taken over. */
const WINDOW = 500;

export interface TrafficSample {
  status: number;
  durationMs: number;
  /** An upstream call failed while serving it (the client got a JSON-RPC error). */
  upstreamFailed: boolean;
  /** The route's ACL refused it. */
  denied: boolean;
  /** A notification stream (GET SSE): counted, but its open-ended duration is no latency. */
  stream: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 10) / 10;
}

export class RouteTrafficStats {
  private requests = 0;
  private errors = 0;
  private denied = 0;
  private lastAt?: number;
  private readonly durations = new Float64Array(WINDOW);
  private filled = 0;
  private next = 0;

  record(sample: TrafficSample, at = Date.now()): void {
    this.requests += 1;
    this.lastAt = at;
    if (sample.status >= 500 || sample.upstreamFailed) this.errors += 1;
    if (sample.status === 401 || sample.status === 403 || sample.denied) this.denied += 1;
    if (sample.stream) return;
    this.durations[this.next] = sample.durationMs;
    this.next = (this.next + 1) % WINDOW;
    this.filled = Math.min(WINDOW, this.filled + 1);
  }

  snapshot(): RouteTraffic {
    const traffic: RouteTraffic = { requests: this.requests, errors: this.errors, denied: this.denied };
    if (this.lastAt !== undefined) traffic.lastAt = this.lastAt;
    if (this.filled > 0) {
      const sorted = Array.from(this.durations.subarray(0, this.filled)).sort((a, b) => a - b);
      traffic.p50Ms = percentile(sorted, 50);
      traffic.p95Ms = percentile(sorted, 95);
    }
    return traffic;
  }
}
