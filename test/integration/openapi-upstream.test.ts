/**
 * An `openapi` upstream through the gateway, and `gatehouse import openapi`: the operations of a
 * 3.1 document (with $refs) become tools that call a real local REST server.
 */
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../main/config/load-config.js';
import { gatehouseConfigSchema } from '../../main/config/schema.js';
import { startGateway, type RunningGateway } from '../../main/gateway/gateway.js';

const SPEC = fileURLToPath(new URL('../fixtures/openapi/petstore-3.1.yaml', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));

describe('OpenAPI documents as upstreams', () => {
  let api: import('node:http').Server;
  let apiUrl: string;
  let gateway: RunningGateway;
  let client: Client;
  const seen: Array<{ path: string; query: unknown; requestId?: string }> = [];

  beforeAll(async () => {
    const app = express();
    app.get('/pets', (req, res) => {
      seen.push({ path: req.path, query: req.query, requestId: req.header('x-request-id') });
      res.json([{ id: 7, name: 'Rex' }]);
    });
    app.get('/pets/:petId', (req, res) => {
      seen.push({ path: req.path, query: req.query });
      if (req.params.petId === '404') res.status(404).json({ error: 'no such pet' });
      else res.json({ id: Number(req.params.petId), name: 'Rex' });
    });
    api = await new Promise((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    gateway = await startGateway({
      config: gatehouseConfigSchema.parse({
        listen: { port: 0 },
        routes: [{ path: '/pets', upstreams: [{ name: 'petstore', kind: 'openapi', spec: SPEC, base_url: apiUrl, include: { tags: ['pets'], operations: ['deletePet'] } }] }],
      }),
    });
    client = new Client({ name: 'openapi', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url('/pets'))));
  });

  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await new Promise((resolve) => api?.close(resolve));
  });

  it('lists one tool per selected operation, with resolved schemas and hints', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['listPets', 'createPet', 'getPet', 'deletePet']));
    expect(names).not.toContain('plantTree');
    const getPet = tools.find((tool) => tool.name === 'getPet')!;
    expect(getPet.annotations).toMatchObject({ readOnlyHint: true, title: 'Get a pet' });
    expect(getPet.inputSchema.required).toEqual(['petId']);
    expect(JSON.stringify(tools)).not.toContain('$ref');
    expect(tools.find((tool) => tool.name === 'deletePet')!.annotations).toMatchObject({ destructiveHint: true });
  });

  it('calls the REST server with path, query and header parameters', async () => {
    const list = await client.callTool({ name: 'listPets', arguments: { limit: 5, tag: ['dog', 'cat'] } });
    expect(list.isError).toBeFalsy();
    expect(seen.at(-1)).toMatchObject({ path: '/pets', query: { limit: '5', tag: ['dog', 'cat'] } });
    const pet = await client.callTool({ name: 'getPet', arguments: { petId: 7 } });
    expect(pet.structuredContent).toEqual({ id: 7, name: 'Rex' });
    const missing = await client.callTool({ name: 'getPet', arguments: { petId: 404 } });
    expect(missing.isError).toBe(true);
    expect(JSON.stringify(missing.content)).toContain('HTTP 404');
  });

  it('gatehouse check loads each OpenAPI document: skipped operations are named, a missing one is a problem', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-openapi-check-'));
    const run = (file: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(process.execPath, [BIN, 'check', '--config', file], (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, out: stdout + stderr }));
      });
    try {
      const good = path.join(dir, 'good.yaml');
      await writeFile(good, `routes:\n  - path: /pets\n    upstreams:\n      - {name: petstore, kind: openapi, spec: ${JSON.stringify(SPEC)}, base_url: "http://127.0.0.1:1"}\n`);
      const ok = await run(good);
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/\/pets › petstore: 7 tool\(s\) from .*, 5 operation\(s\) skipped/);
      expect(ok.out).toMatch(/skipped getSession: required cookie parameter "session_id"/);
      const bad = path.join(dir, 'bad.yaml');
      await writeFile(bad, 'routes:\n  - path: /x\n    upstreams:\n      - {name: nope, kind: openapi, spec: ./missing.yaml, base_url: "http://127.0.0.1:1"}\n');
      const failed = await run(bad);
      expect(failed.code).toBe(1);
      expect(failed.out).toMatch(/\/x › nope: .*missing\.yaml.*check the path of the OpenAPI document/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gatehouse import openapi prints a config whose route spells out the tools', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [BIN, 'import', 'openapi', SPEC, '--base-url', apiUrl, '--route', '/petstore', '--tag', 'pets'], (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err })));
    });
    const config = parseConfig(stdout, 'imported.yaml', {});
    const upstream = config.routes[0]!.upstreams[0]!;
    expect(config.routes[0]!.path).toBe('/petstore');
    expect(upstream).toMatchObject({ kind: 'rest', base_url: apiUrl });
    expect(upstream.kind === 'rest' && upstream.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['listPets', 'getPet']));
    expect(stderr).toMatch(/tool\(s\) on route \/petstore/);
  });
});
