/**
 * Time spent upstream during one HTTP exchange, so every response can say how much of its
 * latency was the upstream's and how much the gateway's (as Kong's X-Kong-Upstream-Latency /
 * X-Kong-Proxy-Latency do).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const UPSTREAM_LATENCY_HEADER = 'X-Gatehouse-Upstream-Latency';
export const PROXY_LATENCY_HEADER = 'X-Gatehouse-Proxy-Latency';

interface Timing {
  upstreamMs: number;
}

const storage = new AsyncLocalStorage<Timing>();

export function withTiming<T>(work: (timing: Timing) => Promise<T>): Promise<T> {
  const timing: Timing = { upstreamMs: 0 };
  return storage.run(timing, () => work(timing));
}

export function addUpstreamTime(ms: number): void {
  const timing = storage.getStore();
  if (timing) timing.upstreamMs += ms;
}
