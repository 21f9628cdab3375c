/**
 * Every process the benchmark starts (upstreams, proxies, gateways, load generators), and the
 * guarantee that none outlives it: each runs in its own process group, is asked to stop with
 * SIGTERM (so a gateway can close its stdio servers and a --cpu-prof profile gets written), and is
 * killed with its group if it does not — also when the benchmark fails or is interrupted.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

const STOP_GRACE_MS = 3_000;

/** The line a bench service prints on stdout once it listens: `{"ready": {...}}`. */
export interface ReadyLine<T> {
  ready: T;
}

export interface Service<T = unknown> {
  readonly name: string;
  readonly child: ChildProcess;
  readonly ready: T;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group, so grandchildren (a gateway's stdio servers) go too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** Spawns a process in its own group and keeps track of it until it exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      // The leader exited cleanly; anything it left behind in its group goes now.
      signalGroup(child, 'SIGKILL');
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child)));
}

/** Last resort from a synchronous `exit` handler: no waiting possible. */
export function killAllNow(): void {
  for (const child of running) signalGroup(child, 'SIGKILL');
}

/**
 * Starts a service that announces itself with a {@link ReadyLine} on stdout. Its stderr is kept
 * (last lines) to explain a failure to start.
 */
export function startService<T>(name: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Service<T>> {
  const child = spawnTracked(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    stderr.push(text);
    if (stderr.length > 20) stderr.shift();
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      lines.close();
      void stopProcess(child);
      reject(new Error(`${name} did not start: ${why}${stderr.length ? `\n${stderr.join('').trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no ready line within ${options.timeoutMs ?? 20_000} ms`), options.timeoutMs ?? 20_000);
    const onError = (error: Error) => fail(error.message);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (${signal ?? `code ${code}`})`);
    child.once('error', onError);
    child.once('exit', onExit);
    lines.on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof parsed !== 'object' || parsed === null || !('ready' in parsed)) return;
      clearTimeout(timer);
      child.off('error', onError);
      child.off('exit', onExit);
      // Keep draining stdout so a chatty child never blocks on a full pipe.
      lines.removeAllListeners('line');
      lines.on('line', () => undefined);
      resolve({ name, child, ready: (parsed as ReadyLine<T>).ready, stop: () => stopProcess(child) });
    });
  });
}

/** For services that print nothing useful (supergateway): polls until the URL answers at all. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${url}: the process exited before listening`);
    try {
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
