/**
 * The OAuth doctor against real servers: the demo route protected by the built-in IdP (every
 * check passes), the same route without auth (skipped, with why), servers misconfigured the ways
 * the field notes report (each fault turns exactly its own check red, with the fix), and URLs
 * that give no answer (a clean report, never a throw).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { demoConfig } from '../../main/demo/demo-config.js';
import { startShopApi, type RunningShopApi } from '../../main/demo/shop-api.js';
import { CHECK_IDS } from '../../main/doctor/doctor-check.js';
import { runDoctor } from '../../main/doctor/run-doctor.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import type { DoctorCheck, DoctorReport, DoctorStatus } from '../../shared/admin-api.js';
import { startMisconfiguredServer, type Misconfiguration } from '../fixtures/misconfigured-server.js';
import { closedPort, startSilentServer } from '../fixtures/misconfigured-unanswering.js';

const ROUTE = '/ecommerce-mcp';
const OPEN_ROUTE = '/open-shop';

let shop: RunningShopApi;
let gateway: RunningGateway;
let dataDir: string;

function check(report: DoctorReport, id: string): DoctorCheck {
  const found = report.checks.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no check ${id} in the report`);
  return found;
}

/** The checks that did not pass, as id → status. */
function notPassing(report: DoctorReport): Record<string, DoctorStatus> {
  return Object.fromEntries(report.checks.filter((candidate) => candidate.status !== 'pass').map((candidate) => [candidate.id, candidate.status]));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gatehouse-doctor-'));
  shop = await startShopApi();
  const demo = demoConfig({ shopUrl: shop.url, port: 0, auth: true, idpPort: 0 });
  const protectedRoute = demo.routes.find((route) => route.path === ROUTE)!;
  const openRoute = { ...protectedRoute, path: OPEN_ROUTE, auth: undefined, acl: undefined };
  gateway = await startGateway({ dataDir, config: gatehouseConfigSchema.parse({ ...demo, routes: [protectedRoute, openRoute] }) });
});

afterAll(async () => {
  await gateway?.close();
  await shop?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a Gatehouse demo route with the built-in IdP', () => {
  let report: DoctorReport;
  beforeAll(async () => {
    report = await runDoctor(gateway.url(ROUTE));
  });

  it('passes every check, in the checklist order', () => {
    expect(report.checks.map((candidate) => candidate.id)).toEqual(CHECK_IDS);
    expect(notPassing(report)).toEqual({});
    expect(report.target).toBe(gateway.url(ROUTE));
  });

  it('found the built-in IdP through the resource metadata, by RFC 8414', () => {
    expect(check(report, 'prm-authorization-servers').detail).toContain(gateway.idp!.issuer);
    expect(check(report, 'as-discovery').detail).toContain(`${gateway.idp!.issuer}/.well-known/oauth-authorization-server`);
    expect(check(report, 'registration').detail).toMatch(/Dynamic client registration at .* and Client ID Metadata Documents/);
  });

  it('links the spec rule of every check', () => {
    for (const candidate of report.checks) expect(candidate.spec?.url, candidate.id).toMatch(/^https:\/\//);
  });
});

describe('a route without auth', () => {
  it('reports it answers without a token and skips the OAuth checks with the reason, failing none', async () => {
    const report = await runDoctor(gateway.url(OPEN_ROUTE));
    expect(check(report, 'mcp-endpoint').status).toBe('pass');
    expect(check(report, 'challenge')).toMatchObject({ status: 'skip', detail: expect.stringContaining('does not use OAuth') });
    expect(check(report, 'prm-resource')).toMatchObject({ status: 'skip', detail: expect.stringContaining('No OAuth on this server') });
    expect(report.checks.filter((candidate) => candidate.status === 'fail')).toEqual([]);
  });
});

interface Expectation {
  /** Every check that does not pass, and how. */
  notPassing: Record<string, DoctorStatus>;
  /** The check the fault is about: words its detail and fix must contain. */
  about: { id: string; detail: RegExp; fix: RegExp };
}

const EXPECTED: Record<Exclude<Misconfiguration, 'correct'>, Expectation> = {
  'prm-resource-origin': {
    notPassing: { 'prm-resource': 'fail' },
    about: { id: 'prm-resource', detail: /resource is the origin .*VS Code refuses/, fix: /Set resource to exactly "http:\/\/127\.0\.0\.1:\d+\/mcp"/ },
  },
  'no-resource-metadata': {
    notPassing: { 'challenge-resource-metadata': 'fail', 'prm-advertised': 'skip' },
    about: { id: 'challenge-resource-metadata', detail: /no resource_metadata/, fix: /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp".*Claude Desktop/ },
  },
  'root-only-prm': {
    notPassing: { 'prm-path-suffixed': 'fail' },
    about: { id: 'prm-path-suffixed', detail: /oauth-protected-resource\/mcp: answered 404/, fix: /Serve the metadata at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp too/ },
  },
  'issuer-trailing-slash': {
    notPassing: { 'as-issuer': 'fail' },
    about: { id: 'as-issuer', detail: /differ by a trailing slash/, fix: /exactly as the issuer: "http:\/\/127\.0\.0\.1:\d+"\.$/ },
  },
  'no-s256': {
    notPassing: { 'pkce-s256': 'fail' },
    about: { id: 'pkce-s256', detail: /no code_challenge_methods_supported.*MUST refuse/, fix: /"code_challenge_methods_supported": \["S256"\]/ },
  },
  'no-registration': {
    notPassing: { registration: 'fail' },
    about: { id: 'registration', detail: /Claude Code, the MCP Inspector and mcp-remote/, fix: /pre-register a client.*VS Code asks for a client ID/ },
  },
  'no-cors-exposure': {
    notPassing: { 'cors-challenge': 'fail' },
    about: { id: 'cors-challenge', detail: /no Access-Control-Allow-Origin/, fix: /Access-Control-Expose-Headers: WWW-Authenticate, Mcp-Session-Id/ },
  },
  'preflight-401': {
    notPassing: { 'cors-preflight': 'fail' },
    about: { id: 'cors-preflight', detail: /answered 401.*preflight, which never carries a token/, fix: /Answer OPTIONS before authentication/ },
  },
  'well-known-behind-auth': {
    notPassing: {
      'prm-advertised': 'fail',
      'prm-path-suffixed': 'fail',
      'prm-root': 'fail',
      'prm-resource': 'skip',
      'prm-authorization-servers': 'skip',
      'as-discovery': 'skip',
      'as-issuer': 'skip',
      'pkce-s256': 'skip',
      registration: 'skip',
      'resource-indicator': 'skip',
      scopes: 'skip',
      'cors-metadata': 'skip',
      'well-known-public': 'fail',
    },
    about: { id: 'well-known-public', detail: /oauth-protected-resource\/mcp → 401/, fix: /Exempt \/\.well-known\/\*/ },
  },
  'keycloak-realm': {
    // Keycloak ignores `resource` (an Audience mapper is needed): its quirk warns too.
    notPassing: { 'as-discovery': 'warn', 'resource-indicator': 'warn' },
    about: { id: 'as-discovery', detail: /Found only by OIDC path append at .*\/realms\/demo\/\.well-known\/openid-configuration/, fix: /Claude Code does not fall back/ },
  },
};

describe('a correctly configured fixture (the control)', () => {
  it('passes every check', async () => {
    const server = await startMisconfiguredServer('correct');
    try {
      expect(notPassing(await runDoctor(server.url))).toEqual({});
    } finally {
      await server.close();
    }
  });
});

describe.each(Object.entries(EXPECTED) as Array<[Exclude<Misconfiguration, 'correct'>, Expectation]>)('a server with the fault %s', (fault, expected) => {
  let report: DoctorReport;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const server = await startMisconfiguredServer(fault);
    close = () => server.close();
    report = await runDoctor(server.url);
  });
  afterAll(() => close?.());

  it('turns exactly its checks red (or yellow)', () => {
    expect(notPassing(report)).toEqual(expected.notPassing);
  });

  it('says what is wrong and how to fix it, with the spec rule', () => {
    const about = check(report, expected.about.id);
    expect(about.detail).toMatch(expected.about.detail);
    expect(about.fix).toMatch(expected.about.fix);
    expect(about.spec?.url).toMatch(/^https:\/\//);
  });
});

describe('the Keycloak-style issuer', () => {
  it('is recognised from its /realms/ path and its quirk is attached to discovery', async () => {
    const server = await startMisconfiguredServer('keycloak-realm');
    try {
      const report = await runDoctor(server.url);
      expect(report.idp).toBe('Keycloak');
      expect(check(report, 'as-discovery').quirk).toMatch(/OIDC path-append form/);
      expect(check(report, 'registration').quirk).toMatch(/Trusted Hosts/);
      expect(check(report, 'resource-indicator')).toMatchObject({ status: 'warn', quirk: expect.stringContaining('Audience mapper') });
    } finally {
      await server.close();
    }
  });
});

describe('URLs that give no answer', () => {
  it('a closed port: one failed check saying the connection was refused, the rest skipped', async () => {
    const port = await closedPort();
    const report = await runDoctor(`http://127.0.0.1:${port}/mcp`);
    expect(check(report, 'mcp-endpoint')).toMatchObject({ status: 'fail', detail: expect.stringContaining('connection refused'), fix: expect.stringContaining('Start the MCP server') });
    expect(notPassing(report)).toEqual(Object.fromEntries(CHECK_IDS.map((id) => [id, id === 'mcp-endpoint' ? 'fail' : 'skip'])));
  });

  it('a server that never answers: a timeout in words', async () => {
    const silent = await startSilentServer();
    try {
      const report = await runDoctor(`http://127.0.0.1:${silent.port}/mcp`, { timeoutMs: 300 });
      expect(check(report, 'mcp-endpoint')).toMatchObject({ status: 'fail', detail: expect.stringContaining('no answer from'), fix: expect.stringContaining('longer timeout') });
    } finally {
      await silent.close();
    }
  });

  it('a path that is not an MCP endpoint: says so, quoting the server', async () => {
    const report = await runDoctor(gateway.url('/no-such-route'));
    expect(check(report, 'mcp-endpoint')).toMatchObject({ status: 'fail', detail: expect.stringContaining('No route at /no-such-route'), fix: expect.stringContaining("Check the URL's path") });
  });

  it('a string that is not a URL', async () => {
    const report = await runDoctor('localhost:8400/mcp');
    expect(check(report, 'mcp-endpoint')).toMatchObject({ status: 'fail', detail: expect.stringContaining('not an http(s) URL') });
  });
});
