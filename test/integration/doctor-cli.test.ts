/**
 * `gatehouse doctor URL [--json]` as a person and a script see it: the checklist with ✓ / ! / ✗,
 * the fix and spec link indented under a failing check, JSON that is the report, and exit code 0
 * only when no check fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { doctorCommand } from '../../main/doctor/doctor-cli.js';
import { CHECK_IDS } from '../../main/doctor/doctor-check.js';
import type { DoctorReport } from '../../shared/admin-api.js';
import { startMisconfiguredServer, type MisconfiguredServer } from '../fixtures/misconfigured-server.js';
import { closedPort } from '../fixtures/misconfigured-unanswering.js';

async function run(url: string, json = false): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await doctorCommand(url, { json, out: (line) => lines.push(line) });
  return { code, lines };
}

let correct: MisconfiguredServer;
let noS256: MisconfiguredServer;
let keycloak: MisconfiguredServer;

beforeAll(async () => {
  [correct, noS256, keycloak] = await Promise.all([
    startMisconfiguredServer('correct'),
    startMisconfiguredServer('no-s256'),
    startMisconfiguredServer('keycloak-realm'),
  ]);
});

afterAll(async () => {
  await Promise.all([correct, noS256, keycloak].map((server) => server?.close()));
});

describe('the checklist', () => {
  it('exits 0 and ticks every check of a correct server', async () => {
    const { code, lines } = await run(correct.url);
    expect(code).toBe(0);
    expect(lines[0]).toBe(`Gatehouse OAuth doctor — ${correct.url}`);
    expect(lines.filter((line) => line.startsWith('✓ '))).toHaveLength(CHECK_IDS.length);
    expect(lines.at(-1)).toMatch(new RegExp(`^${CHECK_IDS.length} checks: ${CHECK_IDS.length} passed, 0 warnings, 0 failed, 0 skipped \\(\\d+ ms\\)\\.$`));
  });

  it('exits 1 and puts the fix and the spec link under the failing check', async () => {
    const { code, lines } = await run(noS256.url);
    expect(code).toBe(1);
    const at = lines.indexOf('✗ PKCE with S256 advertised');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^ {4}The metadata has no code_challenge_methods_supported/);
    expect(lines[at + 2]).toMatch(/^ {4}fix: Support PKCE with S256/);
    expect(lines[at + 3]).toBe('    spec: MCP authorization — Authorization code protection (PKCE) — https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#authorization-code-protection');
  });

  it('exits 0 on warnings only, marking them with ! and naming the IdP and its quirk', async () => {
    const { code, lines } = await run(keycloak.url);
    expect(code).toBe(0);
    expect(lines[1]).toBe('Identity provider: Keycloak');
    const at = lines.indexOf("! Authorization server metadata found in the spec's discovery order");
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 5).some((line) => line.startsWith('    note: Keycloak issuers have a path'))).toBe(true);
  });

  it('states the reason of a run of skipped checks once', async () => {
    const { code, lines } = await run(`http://127.0.0.1:${await closedPort()}/mcp`);
    expect(code).toBe(1);
    expect(lines.filter((line) => line.includes('The server did not answer'))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('- '))).toHaveLength(CHECK_IDS.length - 1);
  });
});

describe('--json', () => {
  it('prints the report itself', async () => {
    const { code, lines } = await run(noS256.url, true);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as DoctorReport;
    expect(report.target).toBe(noS256.url);
    expect(report.checks.map((check) => check.id)).toEqual(CHECK_IDS);
    expect(report.checks.find((check) => check.id === 'pkce-s256')?.status).toBe('fail');
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });
});
