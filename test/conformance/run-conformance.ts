/**
 * Drives the official MCP conformance CLI (@modelcontextprotocol/conformance, `conformance server`)
 * against a server URL and reads its verdict per scenario.
 *
 * The CLI's verdict: a scenario fails when one of its checks has status FAILURE (WARNING and INFO
 * do not fail it); the exit code is 1 when any scenario failed. With `-o DIR` it writes
 * DIR/server-<scenario>-<timestamp>/checks.json per scenario; that goes to a throwaway temp dir so
 * the repository stays clean, and is read for the per-check detail the exit code lacks.
 *
 * Starting the CLI costs about a second of CPU, a scenario a few milliseconds, so the whole suite
 * runs in one CLI process ({@link runServerSuite}); only scenarios that process did not finish are
 * run again, one process each ({@link runScenario}), two at a time (the machines have 2 cores).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { z } from 'zod';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliPath = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

/** One check as the CLI writes it to checks.json (only the fields read here). */
const checkSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.string().describe('SUCCESS, FAILURE, WARNING, INFO or SKIPPED'),
  errorMessage: z.string().optional(),
});
export type ConformanceCheck = z.infer<typeof checkSchema>;

export interface ScenarioResult {
  scenario: string;
  /** The scenario ran to the end and none of its checks has status FAILURE. */
  passed: boolean;
  /** The CLI's stdout and stderr, without colour codes. */
  output: string;
  checks: ConformanceCheck[];
  /** `id: errorMessage` of each FAILURE check (or why the run itself failed). */
  failures: string[];
  /** `id: errorMessage` of each WARNING check; warnings do not fail a scenario. */
  warnings: string[];
}

export interface RunOptions {
  /** Kill a single-scenario CLI run after this long and count the scenario as failed. Default 30 s. */
  timeoutMs?: number;
}

export interface SuiteOptions extends RunOptions {
  /** Kill the whole-suite CLI run after this long; what it did not finish is run again scenario by scenario. Default 120 s. */
  suiteTimeoutMs?: number;
}

/**
 * The suite calls `fs.globSync` (Node ≥ 22). Under `npx`/npm scripts the `node` devDependency puts
 * Node 22 first on PATH, so this process already is one; otherwise use that devDependency directly.
 */
function node22(): string {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 22) return process.execPath;
  const local = join(repoRoot, 'node_modules', '.bin', 'node');
  if (existsSync(local)) return local;
  throw new Error(`the conformance suite needs Node ≥ 22 (this is ${process.version}); run through npx/npm, or npm install the "node" devDependency`);
}

const ANSI = /\x1b\[[0-9;]*m/g;

interface Exit {
  code: number | null;
  output: string;
  timedOut: boolean;
}

function runCli(args: string[], timeoutMs: number): Promise<Exit> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node22(), [cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output: output.replace(ANSI, ''), timedOut });
    });
  });
}

/** Names of every server scenario the installed suite knows (`conformance list --server`), pending ones included. */
export async function listServerScenarios(): Promise<string[]> {
  const { code, output } = await runCli(['list', '--server'], 30_000);
  if (code !== 0) throw new Error(`conformance list --server exited ${String(code)}:\n${output}`);
  const names = [...output.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1]!);
  if (names.length === 0) throw new Error(`conformance list --server listed no scenarios:\n${output}`);
  return names;
}

/** `server-<scenario>-<ISO timestamp with : and . replaced by ->`, one per finished scenario. */
const RESULT_DIR = /^server-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

/** checks.json of every scenario the CLI finished, by scenario name. */
async function readResults(outDir: string): Promise<Map<string, ConformanceCheck[]>> {
  const found = new Map<string, ConformanceCheck[]>();
  for (const entry of await readdir(outDir)) {
    const scenario = RESULT_DIR.exec(entry)?.[1];
    const file = join(outDir, entry, 'checks.json');
    if (scenario === undefined || !existsSync(file)) continue;
    found.set(scenario, z.array(checkSchema).parse(JSON.parse(await readFile(file, 'utf8'))));
  }
  return found;
}

const describeCheck = (check: ConformanceCheck): string => `${check.id}: ${check.errorMessage ?? check.description}`;

function toResult(scenario: string, checks: ConformanceCheck[], output: string, extraFailures: string[] = []): ScenarioResult {
  const failures = [...checks.filter((check) => check.status === 'FAILURE').map(describeCheck), ...extraFailures];
  if (checks.length === 0 && failures.length === 0) failures.push('the conformance CLI wrote no checks');
  return {
    scenario,
    passed: failures.length === 0,
    output,
    checks,
    failures,
    warnings: checks.filter((check) => check.status === 'WARNING').map(describeCheck),
  };
}

/** Runs one scenario against `url` (the MCP endpoint) in its own CLI process. */
export async function runScenario(url: string, scenario: string, options: RunOptions = {}): Promise<ScenarioResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const outDir = await mkdtemp(join(tmpdir(), 'gatehouse-conformance-'));
  try {
    const exit = await runCli(['server', '--url', url, '--scenario', scenario, '-o', outDir], timeoutMs);
    const checks = exit.timedOut ? [] : ((await readResults(outDir)).get(scenario) ?? []);
    const extra: string[] = [];
    if (exit.timedOut) extra.push(`the conformance CLI did not finish within ${timeoutMs} ms and was killed`);
    else if (exit.code !== 0 && !checks.some((check) => check.status === 'FAILURE')) {
      extra.push(`the conformance CLI exited ${String(exit.code)} without a FAILURE check (see output)`);
    }
    return toResult(scenario, checks, exit.output, extra);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** The part of a whole-suite run's output that belongs to `scenario`. */
function sectionOf(output: string, scenario: string): string {
  const start = output.indexOf(`=== Running scenario: ${scenario} ===`);
  if (start < 0) return '';
  const end = output.indexOf('=== Running scenario: ', start + 1);
  return output
    .slice(start, end < 0 ? undefined : end)
    .split('\n')
    .filter((line) => !line.startsWith('Results saved to')) // a temp dir that is already gone
    .join('\n')
    .trim();
}

/**
 * Runs every server scenario the suite knows against `url` (`conformance server --suite all`, the
 * same set `conformance list --server` prints), in the order `scenarios` gives. A scenario the
 * suite process did not finish (it hung, or the process died) is run again on its own.
 */
export async function runServerSuite(url: string, scenarios: readonly string[], options: SuiteOptions = {}): Promise<ScenarioResult[]> {
  const suiteTimeoutMs = options.suiteTimeoutMs ?? 120_000;
  const outDir = await mkdtemp(join(tmpdir(), 'gatehouse-conformance-'));
  let exit: Exit;
  let found: Map<string, ConformanceCheck[]>;
  try {
    exit = await runCli(['server', '--url', url, '--suite', 'all', '-o', outDir], suiteTimeoutMs);
    found = await readResults(outDir);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }

  const results = new Map<string, ScenarioResult>();
  for (const [scenario, checks] of found) {
    const detail = checks.map((check) => `[${check.status}] ${check.id}: ${check.description}${check.errorMessage ? ` — ${check.errorMessage}` : ''}`);
    results.set(scenario, toResult(scenario, checks, [sectionOf(exit.output, scenario), ...detail].join('\n')));
  }

  const unfinished = scenarios.filter((scenario) => !results.has(scenario));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unfinished.length) {
      const scenario = unfinished[next++]!;
      const alone = await runScenario(url, scenario, options);
      const why = exit.timedOut ? `the whole-suite run was killed after ${suiteTimeoutMs} ms before finishing it` : 'the whole-suite run did not finish it';
      results.set(scenario, { ...alone, output: `(${why}; run again on its own)\n${alone.output}` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(2, unfinished.length) }, worker));

  return scenarios.map((scenario) => results.get(scenario)!);
}
