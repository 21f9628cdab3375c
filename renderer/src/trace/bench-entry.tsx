/**
 * The render benchmark's page (test/bench/render-bench.ts builds it with Vite and drives it in
 * Chromium): the handshake screen's TraceView fed synthetic events generated in the page, and a
 * small API on `window.gatehouseBench` that performs one interaction and resolves with the
 * milliseconds until the result was on screen. A benchmark, not a test: it measures, never asserts.
 */
import { createRoot, type Root } from 'react-dom/client';

import type { TraceEvent } from '../../../shared/trace-events.js';
import '../styles.css';
import { syntheticTrace } from './synthetic-trace.js';
import type { TraceBench } from './trace-bench-api.js';
import { TraceView } from './TraceView.js';

declare global {
  interface Window {
    gatehouseBench?: TraceBench;
  }
}

let root: Root | undefined;
let events: TraceEvent[] = [];

/** Resolves after the next frame has been produced: rAF runs before paint, the timeout after it. */
const painted = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

async function until(check: () => boolean, limitMs = 10_000): Promise<void> {
  const start = performance.now();
  await painted();
  while (!check()) {
    if (performance.now() - start > limitMs) throw new Error('the trace screen did not show the expected result within 10 s');
    await painted();
  }
}

async function timed(action: () => void, check: () => boolean = () => true): Promise<number> {
  const start = performance.now();
  action();
  await until(check);
  return performance.now() - start;
}

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`the bench page has no ${selector}`);
  return found;
}

function render(): void {
  root ??= createRoot(element('#root'));
  root.render(<TraceView events={events} />);
}

function scrollToMiddle(selector: string): Promise<number> {
  const list = element(selector);
  const before = document.querySelector(`${selector} [data-testid]`)?.textContent;
  return timed(
    () => {
      list.scrollTop = list.scrollHeight / 2;
    },
    () => document.querySelector(`${selector} [data-testid]`)?.textContent !== before,
  );
}

window.gatehouseBench = {
  mount(count) {
    events = syntheticTrace(count);
    return timed(render, () => document.querySelectorAll('[data-testid="connection-row"]').length > 0 && document.querySelector('[data-testid="seq-arrow"]') !== null);
  },
  scrollConnections: () => scrollToMiddle('.tr-connections'),
  openConnection() {
    const rows = document.querySelectorAll<HTMLElement>('[data-testid="connection-row"]');
    const row = rows[Math.floor(rows.length / 2)]!;
    const id = row.dataset.connection;
    return timed(
      () => row.click(),
      () => document.querySelector<HTMLElement>('.tr-center')?.dataset.connection === id,
    );
  },
  showEvents: () => timed(() => element('[data-testid="trace-mode-events"]').click(), () => document.querySelector('[data-testid="event-row"]') !== null),
  scrollEvents: () => scrollToMiddle('[data-testid="event-list"]'),
  filter(text) {
    const input = element<HTMLInputElement>('[data-testid="event-filter-text"]');
    const before = element('[data-testid="event-count"]').textContent;
    // React's onChange listens for `input` events carrying a value set through the native setter.
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    return timed(
      () => {
        setValue.call(input, text);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      },
      () => element('[data-testid="event-count"]').textContent !== before,
    );
  },
  append(count) {
    const last = events[events.length - 1]!;
    const more = syntheticTrace(count, last.time + 1_000).map((event) => ({ ...event, seq: event.seq + last.seq }));
    events = events.concat(more);
    const expected = String(events.length);
    // The connections are regrouped in a deferred render: done when the view says it grouped them all.
    return timed(render, () => element('[data-testid="trace-view"]').dataset.groupedEvents === expected);
  },
};
