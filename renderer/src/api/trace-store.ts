/**
 * The window's copy of the trace: events from GET /api/trace and the live stream, ordered by seq,
 * de-duplicated, capped. Listeners are told at most once per animation frame, so a burst of 10,000
 * events costs one render, not 10,000.
 */
import type { TraceEvent } from '../../../shared/trace-events.js';

export const TRACE_CAP = 20_000;

type Schedule = (flush: () => void) => void;

// Read off globalThis so this file also type-checks (and runs) outside a browser, in unit tests.
const nextFrame: Schedule = (flush) => {
  const raf = (globalThis as { requestAnimationFrame?: (callback: () => void) => number }).requestAnimationFrame;
  if (raf) raf(flush);
  else setTimeout(flush, 16);
};

export class TraceStore {
  private events: readonly TraceEvent[] = [];
  private pending: TraceEvent[] = [];
  private scheduled = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly cap = TRACE_CAP,
    private readonly schedule: Schedule = nextFrame,
  ) {}

  /** The current, immutable snapshot (a new array after every flush). */
  readonly snapshot = (): readonly TraceEvent[] => this.events;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The highest seq held, so a reconnect can ask for what it missed. */
  lastSeq(): number {
    const last = this.pending.length > 0 ? this.pending[this.pending.length - 1] : this.events[this.events.length - 1];
    return Math.max(last?.seq ?? 0, this.events[this.events.length - 1]?.seq ?? 0);
  }

  add(events: readonly TraceEvent[]): void {
    if (events.length === 0) return;
    this.pending.push(...events);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  clear(): void {
    this.events = [];
    this.pending = [];
    this.emit();
  }

  /** Merges pending events in; public so tests and benchmarks can flush without a frame. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const incoming = this.pending;
    this.pending = [];
    const lastHeld = this.events[this.events.length - 1]?.seq ?? -Infinity;
    let merged: TraceEvent[];
    if (incoming.every((event, i) => event.seq > (i === 0 ? lastHeld : incoming[i - 1].seq))) {
      // The common case: the stream appends in order.
      merged = this.events.concat(incoming);
    } else {
      const bySeq = new Map<number, TraceEvent>();
      for (const event of this.events) bySeq.set(event.seq, event);
      for (const event of incoming) bySeq.set(event.seq, event);
      merged = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    }
    this.events = merged.length > this.cap ? merged.slice(merged.length - this.cap) : merged;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
