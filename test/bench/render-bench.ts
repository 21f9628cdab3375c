/**
 * What the handshake screen costs to render with 10,000 trace events (issue #5: "UI stays
 * responsive with 10,000 trace events"), in real Chromium: builds the bench page
 * (renderer/src/trace/bench.html: TraceView fed synthetic events generated in the page) with Vite,
 * serves it on 127.0.0.1, and times first render, scrolling, opening a connection, switching to the
 * raw list, filtering it and a burst of new events. Each figure is the median over a few fresh page
 * loads. Prints a table; never fails on a figure (STYLE.md: a benchmark is not a test).
 *
 * Runnable alone: `node --import tsx test/bench/render-bench.ts`. Environment: BENCH_QUICK=1 (one
 * run), BENCH_RENDER_RUNS=N, BENCH_RENDER_EVENTS=N (default 10,000), CHROMIUM=/path/to/chromium.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';

import type { TraceBench, TraceBenchStep } from '../../renderer/src/trace/trace-bench-api.js';

export interface RenderFigure {
  name: string;
  value: number;
  unit: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH_DIR = path.join(ROOT, 'renderer/src/trace');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw} is not a positive whole number; unset it for the default (${fallback})`);
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function buildBenchPage(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: BENCH_DIR,
    base: './',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, rollupOptions: { input: path.join(BENCH_DIR, 'bench.html') }, modulePreload: { polyfill: false } },
  });
}

/** Serves the built page from `dir` on a free loopback port (module scripts do not load from file://). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = path.join(dir, pathname === '/' ? 'bench.html' : pathname);
    if (!file.startsWith(dir)) {
      response.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench.html` };
}

const STEPS: Array<{ name: string; step: TraceBenchStep }> = [
  { name: 'first render (connections + diagram)', step: { call: 'mount', arg: 0 } },
  { name: 'scroll connection list', step: { call: 'scrollConnections' } },
  { name: 'open a connection', step: { call: 'openConnection' } },
  { name: 'switch to raw event list', step: { call: 'showEvents' } },
  { name: 'scroll raw event list', step: { call: 'scrollEvents' } },
  { name: 'filter raw list by text (first)', step: { call: 'filter', arg: 'cancel-order' } },
  { name: 'filter raw list by text (second)', step: { call: 'filter', arg: 'get-order' } },
  { name: 'append 500 live events', step: { call: 'append', arg: 500 } },
];

async function runOnce(page: Page, url: string, events: number): Promise<number[]> {
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as { gatehouseBench?: unknown }).gatehouseBench !== undefined);
  const figures: number[] = [];
  for (const { step } of STEPS) {
    const resolved = step.call === 'mount' ? { call: step.call, arg: events } : step;
    figures.push(
      await page.evaluate(({ call, arg }) => {
        const bench = (globalThis as unknown as { gatehouseBench: TraceBench }).gatehouseBench;
        return (bench[call] as (arg?: unknown) => Promise<number>)(arg);
      }, resolved),
    );
  }
  return figures;
}

/** Builds the bench page, runs it in Chromium and returns the median of each step, in ms. */
export async function runRenderBench(): Promise<RenderFigure[]> {
  const quick = process.env.BENCH_QUICK === '1';
  const runs = setting('BENCH_RENDER_RUNS', quick ? 1 : 5);
  const events = setting('BENCH_RENDER_EVENTS', 10_000);
  const outDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-render-bench-'));
  let server: Server | undefined;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    await buildBenchPage(outDir);
    const served = await serve(outDir);
    server = served.server;
    const samples: number[][] = STEPS.map(() => []);
    for (let run = 0; run < runs; run++) {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      try {
        const figures = await runOnce(page, served.url, events);
        figures.forEach((value, index) => samples[index]!.push(value));
      } finally {
        await page.close();
      }
    }
    return STEPS.map((step, index) => ({ name: `trace screen, ${events.toLocaleString('en')} events: ${step.name} (p50 of ${runs})`, value: median(samples[index]!), unit: 'ms' }));
  } finally {
    await browser.close();
    if (server) await new Promise((resolve) => server!.close(resolve));
    await rm(outDir, { recursive: true, force: true });
  }
}

export function formatRenderFigures(figures: readonly RenderFigure[]): string[] {
  const width = Math.max(...figures.map((f) => f.name.length));
  return [`${'render (Chromium)'.padEnd(width)}  ${'p50'.padStart(9)}`, ...figures.map((f) => `${f.name.padEnd(width)}  ${`${f.value.toFixed(1)} ${f.unit}`.padStart(9)}`)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${formatRenderFigures(await runRenderBench()).join('\n')}\n`);
  } catch (error) {
    process.stderr.write(`render benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
