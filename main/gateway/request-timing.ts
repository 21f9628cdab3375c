/**
 * Time spent upstream during one HTTP exchange, so every response can say how much of its
 * latency was the upstream's and how much the gateway's (as Kong's X-Kong-Upstream-Latency /
 * X-Kong-Proxy-Latency do).
 */
import { currentExchange, type ExchangeCapture } from '../trace/exchange-capture.js';

export const UPSTREAM_LATENCY_HEADER = 'X-Gatehouse-Upstream-Latency';
export const PROXY_LATENCY_HEADER = 'X-Gatehouse-Proxy-Latency';

interface Timing {
  upstreamMs: number;
}

// Kept beside the exchange the request is recorded under, whose async context already follows the
// request's work: a second AsyncLocalStorage would add its own bookkeeping to every promise.
const timings = new WeakMap<ExchangeCapture, Timing>();

export function withTiming<T>(work: (timing: Timing) => Promise<T>): Promise<T> {
  const timing: Timing = { upstreamMs: 0 };
  const exchange = currentExchange();
  if (exchange) timings.set(exchange, timing);
  return work(timing);
}

export function addUpstreamTime(ms: number): void {
  const exchange = currentExchange();
  const timing = exchange && timings.get(exchange);
  if (timing) timing.upstreamMs += ms;
}
