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
