/**
 * In-process bus for trace events with a bounded ring buffer, so a window that opens late still
 * sees the recent past and a long-running gateway never grows without bound.
 */
import type { TraceEvent, TraceEventInput } from '../../shared/trace-events.js';

export type TraceListener = (event: TraceEvent) => void;

export class TraceBus {
  // A circular buffer: dropping the oldest event is O(1) (Array.shift moves every element, on
  // every event once the buffer is full).
  private readonly buffer: TraceEvent[] = [];
  private oldest = 0;
  private readonly listeners = new Set<TraceListener>();
  private seq = 0;

  constructor(private readonly capacity = 5_000) {}

  emit(input: TraceEventInput): void {
    const event = { ...input, seq: ++this.seq, time: Date.now() } as TraceEvent;
    if (this.buffer.length < this.capacity) this.buffer.push(event);
    else {
      this.buffer[this.oldest] = event;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
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
    return this.oldest === 0 ? this.buffer.slice() : [...this.buffer.slice(this.oldest), ...this.buffer.slice(0, this.oldest)];
  }

  subscribe(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
