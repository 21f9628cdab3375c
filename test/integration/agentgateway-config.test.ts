/**
 * An agentgateway config file run unchanged: detected by content, translated, served; what
 * Gatehouse cannot honour is reported by name and position at start-up and by `gatehouse check`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadConfigWithNotes } from '../../main/config/load-config.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';
import { serverEverythingEntry } from '../fixtures/server-everything.js';
import { startTestIssuer, type TestIssuer } from '../fixtures/test-issuer.js';

const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));

describe('an agentgateway config (the short mcp: form) served unchanged', () => {
  let dir: string;
  let file: string;
  let gateway: RunningGateway;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-agentgateway-'));
    file = path.join(dir, 'config.yaml');
    await writeFile(
      file,
      [
        'mcp:',
        '  port: 3000',
        '  policies:',
        '    cors:',
        '      allowOrigins: ["*"]',
        '      allowHeaders: [mcp-protocol-version, content-type, cache-control, mcp-session-id]',
        '  targets:',
        '  - name: everything',
        '    stdio:',
        `      cmd: ${JSON.stringify(process.execPath)}`,
        `      args: [${JSON.stringify(serverEverythingEntry())}, stdio]`,
        '',
      ].join('\n'),
    );
  });

  afterAll(async () => {
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('translates it, naming what it cannot honour with its line', async () => {
    const loaded = await loadConfigWithNotes(file);
    expect(loaded.format).toBe('agentgateway');
    expect(loaded.config.routes.map((route) => route.path)).toEqual(['/mcp']);
    expect(loaded.config.routes[0]!.upstreams[0]).toMatchObject({ name: 'everything', kind: 'stdio', command: process.execPath });
    const cacheControl = loaded.notes.find((note) => note.message.includes('cache-control'));
    expect(cacheControl).toMatchObject({ line: 6 });
    expect(loaded.notes.some((note) => note.field === 'mcp.port')).toBe(true);
  });

  it('serves the same endpoint: an MCP client lists and calls the target’s tools on /mcp', async () => {
    const loaded = await loadConfigWithNotes(file);
    gateway = await startGateway({ dataDir: dir, config: { ...loaded.config, listen: { ...loaded.config.listen, port: 0 } } });
    const client = new Client({ name: 'agentgateway-user', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url('/mcp'))));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('echo');
    expect(JSON.stringify(await client.callTool({ name: 'echo', arguments: { message: 'from agentgateway config' } }))).toContain('from agentgateway config');
    await client.close();
  });

  it('gatehouse check says it is an agentgateway file and prints each note', async () => {
    const out = await new Promise<string>((resolve) => {
      execFile(process.execPath, [BIN, 'check', '--config', file], (_error, stdout, stderr) => resolve(stdout + stderr));
    });
    expect(out).toMatch(/OK — 1 route\(s\), 1 upstream\(s\)/);
    expect(out).toMatch(/agentgateway config: translated to Gatehouse's model/);
    expect(out).toMatch(/warning: not honoured: .*config\.yaml:6:\d+: mcp\.policies\.cors\.allowHeaders.*cache-control/);
  });
});

describe('gatehouse export', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
    });

  it('writes an agentgateway file that reads back as the same routes, listing what does not translate', async () => {
    const example = fileURLToPath(new URL('../../docs/examples/gatehouse.yaml', import.meta.url));
    const exported = await run(['export', 'agentgateway', '--config', example]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toMatch(/not translated: routes\[3\]\.upstreams\[0\]: REST upstream shop/);
    const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-export-'));
    try {
      const file = path.join(dir, 'agentgateway.yaml');
      await writeFile(file, exported.stdout);
      const loaded = await loadConfigWithNotes(file);
      expect(loaded.format).toBe('agentgateway');
      expect(loaded.config.routes.map((route) => route.path)).toEqual(['/everything', '/remote', '/legacy', '/all']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes a Kong decK file', async () => {
    const example = fileURLToPath(new URL('../../docs/examples/gatehouse.yaml', import.meta.url));
    const exported = await run(['export', 'kong', '--config', example]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^_format_version: "3.0"/);
    expect(exported.stdout).toMatch(/mode: conversion-listener/);
  });
});

describe('an agentgateway file with mcpAuthentication and mcpAuthorization', () => {
  let dir: string;
  let issuer: TestIssuer;
  let gateway: RunningGateway;
  const AUDIENCE = 'http://localhost:3000/stdio/mcp';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-agentgateway-auth-'));
    issuer = await startTestIssuer();
    const file = path.join(dir, 'config.yaml');
    // The layout of agentgateway's mcp-authentication and mcp-authorization examples, with a local issuer.
    await writeFile(
      file,
      `binds:
- port: 3000
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: everything
            stdio:
              cmd: ${JSON.stringify(process.execPath)}
              args: [${JSON.stringify(serverEverythingEntry())}, stdio]
      matches:
      - path:
          exact: /stdio/mcp
      policies:
        mcpAuthentication:
          mode: strict
          issuer: ${issuer.issuer}
          audiences: [${AUDIENCE}]
          jwks:
            url: ${issuer.issuer}/jwks
          resourceMetadata:
            resource: ${AUDIENCE}
            scopesSupported: [read:all]
        mcpAuthorization:
          rules:
          - 'mcp.tool.name == "echo"'
          - 'jwt.sub == "test-user" && mcp.tool.name == "get-sum"'
`,
    );
    const loaded = await loadConfigWithNotes(file);
    gateway = await startGateway({ dataDir: dir, config: { ...loaded.config, listen: { ...loaded.config.listen, port: 0 } } });
  });

  afterAll(async () => {
    await gateway?.close();
    await issuer?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(sub: string): Promise<Client> {
    const token = await issuer.sign({ sub, aud: AUDIENCE });
    const client = new Client({ name: 'agentgateway-user', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url('/stdio/mcp')), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return client;
  }

  it('answers without a token with the challenge and the metadata, as agentgateway documents', async () => {
    const response = await fetch(gateway.url('/stdio/mcp'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/resource_metadata=".*\/\.well-known\/oauth-protected-resource\/stdio\/mcp"/);
    const metadata = (await (await fetch(gateway.url('/.well-known/oauth-protected-resource/stdio/mcp'))).json()) as { authorization_servers: string[]; scopes_supported: string[] };
    expect(metadata).toMatchObject({ authorization_servers: [issuer.issuer], scopes_supported: ['read:all'] });
  });

  it('applies the CEL rules: everyone gets echo, only test-user gets get-sum', async () => {
    const testUser = await connect('test-user');
    const other = await connect('someone-else');
    expect((await testUser.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['echo', 'get-sum']);
    expect((await other.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
    expect(JSON.stringify(await testUser.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }))).toContain('5');
    await expect(other.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } })).rejects.toThrow(/not available to you/);
    await testUser.close();
    await other.close();
  });
});
