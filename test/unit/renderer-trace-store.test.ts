import { describe, expect, it } from 'vitest';

import { TraceStore } from '../../renderer/src/api/trace-store.js';
import type { TraceEvent } from '../../shared/trace-events.js';

const event = (seq: number): TraceEvent => ({ type: 'request.in', seq, time: 1_700_000_000_000 + seq, route: '/r', era: 'modern', method: 'tools/list' });

/** A scheduler the test runs by hand, standing for requestAnimationFrame. */
function manualFrames() {
  const queued: Array<() => void> = [];
  return { schedule: (flush: () => void) => void queued.push(flush), runFrame: () => queued.splice(0).forEach((f) => f()), pending: () => queued.length };
}

describe('TraceStore', () => {
  it('tells listeners once per frame however many events arrive in it', () => {
    const frames = manualFrames();
    const store = new TraceStore(20_000, frames.schedule);
    let notified = 0;
    store.subscribe(() => notified++);
    for (let seq = 1; seq <= 10_000; seq++) store.add([event(seq)]);
    expect(frames.pending()).toBe(1);
    expect(store.snapshot()).toHaveLength(0);
    frames.runFrame();
    expect(notified).toBe(1);
    expect(store.snapshot()).toHaveLength(10_000);
    expect(store.lastSeq()).toBe(10_000);
  });

  it('keeps events ordered by seq and drops duplicates (the stream and GET /api/trace overlap)', () => {
    const frames = manualFrames();
    const store = new TraceStore(100, frames.schedule);
    store.add([event(3), event(4)]);
    frames.runFrame();
    store.add([event(1), event(2), event(3), event(5)]);
    frames.runFrame();
    expect(store.snapshot().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps only the newest events beyond its cap', () => {
    const frames = manualFrames();
    const store = new TraceStore(1_000, frames.schedule);
    store.add(Array.from({ length: 2_500 }, (_, i) => event(i + 1)));
    frames.runFrame();
    const held = store.snapshot();
    expect(held).toHaveLength(1_000);
    expect(held[0].seq).toBe(1_501);
    expect(held.at(-1)?.seq).toBe(2_500);
  });

  it('gives a new snapshot only when something changed, so React can skip renders', () => {
    const frames = manualFrames();
    const store = new TraceStore(100, frames.schedule);
    store.add([event(1)]);
    frames.runFrame();
    const before = store.snapshot();
    frames.runFrame();
    expect(store.snapshot()).toBe(before);
    store.clear();
    expect(store.snapshot()).toHaveLength(0);
    expect(store.lastSeq()).toBe(0);
  });
});
