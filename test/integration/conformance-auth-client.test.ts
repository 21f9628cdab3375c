/**
 * The official MCP conformance suite drives Gatehouse's OAuth client (test/conformance/auth-client.ts,
 * which runs main/upstream/oauth/ as is): every auth scenario of the 2025-11-25 revision must
 * pass, and so must the draft ones it passes today (a draft scenario that starts failing is a
 * change to look at, and goes to the README's list with its reason). Of the extension scenarios,
 * the client_credentials ones (SEP-1046) must pass: `grant: client_credentials` upstreams.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFORMANCE = path.join(REPO_ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const CLIENT_COMMAND = `${process.execPath} --import tsx test/conformance/auth-client.ts`;

interface SuiteResult {
  /** scenario → passed / failed check counts, from the suite summary. */
  scenarios: Map<string, { passed: number; failed: number; warnings: number }>;
  output: string;
}

async function runSuite(suite: string, outputDir: string): Promise<SuiteResult> {
  return runClient(['--suite', suite, '--verbose', '-o', outputDir]);
}

async function runClient(args: string[]): Promise<SuiteResult> {
  const { stdout, stderr } = await run(process.execPath, [CONFORMANCE, 'client', '--command', CLIENT_COMMAND, ...args], {
    cwd: REPO_ROOT,
    timeout: 150_000,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
  const scenarios = new Map<string, { passed: number; failed: number; warnings: number }>();
  for (const match of stdout.matchAll(/^[✓✗] (\S+): (\d+) passed, (\d+) failed(?:, (\d+) warnings)?/gmu)) {
    scenarios.set(match[1]!, { passed: Number(match[2]), failed: Number(match[3]), warnings: Number(match[4] ?? 0) });
  }
  // One scenario run alone ends with "Passed: 8/8, 0 failed, 0 warnings" (on stderr) instead of a suite summary.
  const single = /^Passed: (\d+)\/\d+, (\d+) failed, (\d+) warnings/m.exec(stderr);
  const scenario = args[args.indexOf('--scenario') + 1];
  if (single && args.includes('--scenario') && scenario) scenarios.set(scenario, { passed: Number(single[1]), failed: Number(single[2]), warnings: Number(single[3]) });
  const at = stdout.indexOf('=== SUITE SUMMARY ===');
  return { scenarios, output: at >= 0 ? stdout.slice(at) : `${stdout.slice(-3000)}\n${stderr.slice(-3000)}` };
}

/** The client scenarios `conformance list` tags with a revision, e.g. 2025-11-25. */
async function scenariosFor(revision: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, [CONFORMANCE, 'list'], { cwd: REPO_ROOT, timeout: 30_000 });
  const client = stdout.slice(stdout.indexOf('Client scenarios'));
  return [...client.matchAll(/^\s+- (auth\/\S+) \[([^\]]+)\]/gm)].filter((match) => match[2]!.split(',').includes(revision)).map((match) => match[1]!);
}

describe('the MCP conformance suite against the OAuth client', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-conformance-auth-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes every 2025-11-25 auth scenario (--suite auth)', async () => {
    const expected = await scenariosFor('2025-11-25');
    expect(expected.length).toBeGreaterThanOrEqual(14);
    const result = await runSuite('auth', path.join(dir, 'auth'));
    for (const scenario of expected) {
      const outcome = result.scenarios.get(scenario);
      expect(outcome, `${scenario} did not run:\n${result.output}`).toBeDefined();
      expect({ scenario, failed: outcome!.failed, warnings: outcome!.warnings }, result.output).toEqual({ scenario, failed: 0, warnings: 0 });
    }
  }, 160_000);

  it('passes the draft auth scenarios (--suite draft)', async () => {
    const result = await runSuite('draft', path.join(dir, 'draft'));
    expect([...result.scenarios.keys()].sort(), result.output).toEqual(['auth/offline-access-not-supported', 'auth/offline-access-scope', 'auth/resource-mismatch']);
    for (const [scenario, outcome] of result.scenarios) {
      expect({ scenario, failed: outcome.failed, warnings: outcome.warnings }, result.output).toEqual({ scenario, failed: 0, warnings: 0 });
    }
  }, 100_000);

  it.each(['auth/client-credentials-basic', 'auth/client-credentials-jwt'])('passes the extension scenario %s (client_credentials, SEP-1046)', async (scenario) => {
    const result = await runClient(['--scenario', scenario]);
    const outcome = result.scenarios.get(scenario);
    expect(outcome, `${scenario} did not run:\n${result.output}`).toBeDefined();
    expect(outcome!.passed, result.output).toBeGreaterThan(0);
    expect({ scenario, failed: outcome!.failed, warnings: outcome!.warnings }, result.output).toEqual({ scenario, failed: 0, warnings: 0 });
  }, 60_000);
});
