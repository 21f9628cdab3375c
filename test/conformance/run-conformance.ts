/**
 * Drives the official MCP conformance CLI (@modelcontextprotocol/conformance, `conformance server`)
 * against a server URL, one scenario per process, and reads its verdict.
 *
 * The CLI's verdict: exit code 1 when any check of the scenario has status FAILURE (WARNING and INFO
 * do not fail it). With `-o DIR` it also writes DIR/server-<scenario>-<timestamp>/checks.json; that
 * file goes to a throwaway temp dir so the repository stays clean, and is read for the per-check
 * detail the exit code lacks.
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
  /** The CLI exited 0 and reported no FAILURE check. */
  passed: boolean;
  /** The CLI's stdout and stderr, without colour codes. */
  output: string;
  checks: ConformanceCheck[];
  /** `id: errorMessage` of each FAILURE check (or why the run itself failed). */
  failures: string[];
  /** `id: errorMessage` of each WARNING check; warnings do not fail a scenario. */
  warnings: string[];
  durationMs: number;
}

export interface RunOptions {
  /** Kill the CLI after this long and count the scenario as failed. Default 60 s. */
  timeoutMs?: number;
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

