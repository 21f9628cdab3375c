/**
 * In-process bus for trace events with a bounded ring buffer, so a window that opens late still
 * sees the recent past and a long-running gateway never grows without bound.
 */
import type { TraceEvent, TraceEventInput } from '../../shared/trace-events.js';

export type TraceListener = (event: TraceEvent) => void;

export class TraceBus {
  private readonly buffer: TraceEvent[] = [];
  private readonly listeners = new Set<TraceListener>();
  private seq = 0;

  constructor(private readonly capacity = 5_000) {}

  emit(input: TraceEventInput): void {
    const event = { ...input, seq: ++this.seq, time: Date.now() } as TraceEvent;
    this.buffer.push(event);
    if (this.buffer.length > this.capacity) this.buffer.shift();
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener (a closed window, a test) must never break the request that emitted.
      }
    }
  }

  /** The buffered events, oldest first. */
  recent(): readonly TraceEvent[] {
    return this.buffer.slice();
  }

  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
