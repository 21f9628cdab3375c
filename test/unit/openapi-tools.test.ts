import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OpenApiError, toolsFromOpenApi, type OpenApiImport } from '../../main/config/openapi-tools.js';
import { restToolSchema, type RestToolConfig } from '../../main/config/schema.js';
import { connectRestUpstream } from '../../main/upstream/rest-upstream.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'openapi');
const petstore = path.join(fixtures, 'petstore-3.1.yaml');
const orders = path.join(fixtures, 'orders-3.0.yaml');

function tool(imported: OpenApiImport, name: string): RestToolConfig {
  const found = imported.tools.find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name} in ${imported.tools.map((t) => t.name).join(', ')}`);
  return found;
}

function parameter(t: RestToolConfig, name: string) {
  return t.parameters.find((p) => p.name === name);
}

async function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('OpenAPI 3.1 (petstore-3.1.yaml)', () => {
  let imported: OpenApiImport;
  beforeAll(async () => {
    imported = await toolsFromOpenApi(petstore);
  });

  it('makes one tool per operation it can call, named by operationId or method and path', () => {
    expect(imported.tools.map((t) => [t.name, t.method, t.path])).toEqual([
      ['listPets', 'GET', '/pets'],
      ['createPet', 'POST', '/pets'],
      ['getPet', 'GET', '/pets/{petId}'],
      ['updatePet', 'PUT', '/pets/{petId}'],
      ['deletePet', 'DELETE', '/pets/{petId}'],
      ['get-pets-petId-visits', 'GET', '/pets/{petId}/visits'],
      ['plantTree', 'POST', '/trees'],
    ]);
  });

  it('produces tools that are valid Gatehouse REST tool config, with no $ref and no cycle left', () => {
    for (const t of imported.tools) expect(restToolSchema.parse(t)).toEqual(t);
    const text = JSON.stringify(imported.tools);
    expect(text).not.toContain('$ref');
  });

  it('places path, query and header parameters, resolving component parameters and path-item parameters', () => {
    expect(tool(imported, 'listPets').parameters).toEqual([
      { name: 'limit', in: 'query', description: 'How many pets at most.', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
      { name: 'tag', in: 'query', description: 'Only pets with one of these tags.', schema: { type: 'array', items: { type: 'string' } } },
      { name: 'X-Request-Id', in: 'header', description: "Correlates the call in the store's logs.", schema: { type: 'string', format: 'uuid' } },
    ]);
    expect(tool(imported, 'getPet').parameters).toEqual([
      { name: 'petId', in: 'path', required: true, description: "The pet's id.", schema: { type: 'integer', minimum: 1 } },
    ]);
    // Authorization is ignored, as OpenAPI requires; X-Reason stays.
    expect(tool(imported, 'deletePet').parameters.map((p) => [p.name, p.in])).toEqual([
      ['petId', 'path'],
      ['X-Reason', 'header'],
    ]);
  });

  it('turns each top-level property of a JSON body into a body argument, with its resolved schema and required-ness', () => {
    const createPet = tool(imported, 'createPet');
    expect(createPet.parameters.map((p) => [p.name, p.in, p.required ?? false])).toEqual([
      ['X-Request-Id', 'header', false],
      // id is readOnly: not sent in requests.
      ['name', 'body', true],
      ['species', 'body', true],
      ['tag', 'body', false],
      ['owner', 'body', false],
    ]);
    expect(parameter(createPet, 'name')?.description).toBe("The pet's name.");
    expect(parameter(createPet, 'species')?.schema).toEqual({ type: 'string', enum: ['cat', 'dog', 'parrot'] });
    expect(parameter(createPet, 'tag')?.schema).toEqual({ type: ['string', 'null'] });
    expect(parameter(createPet, 'owner')?.schema).toEqual({
      type: 'object',
      required: ['email'],
      properties: { email: { type: 'string', format: 'email' }, phone: { type: 'string' } },
    });
    // application/json; charset=utf-8 is JSON too.
    expect(tool(imported, 'updatePet').parameters.map((p) => p.name)).toEqual(['petId', 'name', 'species', 'tag', 'owner']);
  });

  it('makes the properties of an optional body optional', () => {
    expect(parameter(tool(imported, 'plantTree'), 'root')?.required).toBeUndefined();
  });

  it('cuts a recursive schema where it closes, saying so', () => {
    expect(parameter(tool(imported, 'plantTree'), 'root')?.schema).toEqual({
      title: 'TreeNode',
      type: 'object',
      properties: {
        name: { type: 'string' },
        children: { type: 'array', items: { type: 'object', description: 'Recursive: the same shape as TreeNode, not expanded further.' } },
      },
    });
  });

  it('keeps summary and description, and sets annotations from the method', () => {
    expect(tool(imported, 'listPets').description).toBe('List pets\n\nPets in the store, newest first.');
    expect(tool(imported, 'createPet').description).toBe('Add a pet');
    expect(tool(imported, 'getPet').annotations).toEqual({ title: 'Get a pet', readOnlyHint: true });
    expect(tool(imported, 'createPet').annotations).toEqual({ title: 'Add a pet', readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(tool(imported, 'updatePet').annotations).toEqual({ title: 'Replace a pet', readOnlyHint: false, idempotentHint: true });
    expect(tool(imported, 'deletePet').annotations).toEqual({ title: 'Remove a pet', readOnlyHint: false, destructiveHint: true, idempotentHint: true });
  });

  it('reports every operation or argument it could not map, with the reason', () => {
    expect(imported.skipped).toEqual([
      { operation: 'post-pets-petId-photos', reason: 'request body is multipart/form-data; Gatehouse REST tools send JSON bodies only' },
      { operation: 'get-pets-petId-visits', reason: 'optional cookie parameter "theme": Gatehouse REST tools send no cookies, so the tool is made without it' },
      { operation: 'renamePet', reason: 'argument "petId" is both a path parameter and a body property; a tool\'s arguments share one namespace' },
      { operation: 'getSession', reason: 'required cookie parameter "session_id": Gatehouse REST tools send no cookies' },
      { operation: 'searchPets', reason: 'query parameter "filter" uses style deepObject, which Gatehouse REST tools do not produce' },
    ]);
    expect(tool(imported, 'get-pets-petId-visits').parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['petId', 'path', true],
      ['since', 'query', true],
    ]);
  });

  it('lists servers with variables at their defaults, leaving out a relative server of a local file', () => {
    expect(imported.servers).toEqual(['https://eu.petstore.example.com/v1']);
  });
});

describe('OpenAPI 3.0 (orders-3.0.yaml)', () => {
  it('maps operations and rewrites the 3.0 schema dialect as JSON Schema', async () => {
    const imported = await toolsFromOpenApi(orders);
    expect(imported.tools.map((t) => t.name)).toEqual(['createOrder', 'getOrder']);
    for (const t of imported.tools) restToolSchema.parse(t);
    expect(tool(imported, 'getOrder').parameters).toEqual([
      { name: 'orderId', in: 'path', required: true, schema: { type: 'string', pattern: '^ord_[a-z0-9]+$' } },
      { name: 'expand', in: 'query', schema: { type: 'boolean' } },
    ]);
    expect(tool(imported, 'getOrder').annotations).toEqual({ readOnlyHint: true });
    expect(tool(imported, 'getOrder').description).toBeUndefined();
    expect(tool(imported, 'createOrder').parameters).toEqual([
      { name: 'sku', in: 'body', required: true, schema: { type: 'string' } },
      { name: 'quantity', in: 'body', required: true, schema: { type: 'integer', minimum: 1 } },
      { name: 'note', in: 'body', schema: { type: ['string', 'null'], examples: ['gift wrap please'] } },
      { name: 'discount', in: 'body', schema: { type: 'number', exclusiveMinimum: 0 } },
    ]);
    expect(imported.skipped).toEqual([
      { operation: 'setLabels', reason: 'request body (application/json) is not an object with properties; only its top-level properties can become arguments' },
    ]);
    expect(imported.servers).toEqual([]);
  });

  it('resolves a relative server against the URL the document was fetched from, port included', async () => {
    const app = express();
    app.get('/specs/orders.yaml', (_req, res) => {
      res.type('application/yaml').send(readFileSync(orders, 'utf8'));
    });
    const api = await listen(app);
    try {
      const imported = await toolsFromOpenApi(`${api.url}/specs/orders.yaml`);
      expect(imported.servers).toEqual([`${api.url}/api`]);
      expect(imported.tools).toEqual((await toolsFromOpenApi(orders)).tools);
    } finally {
      await api.close();
    }
  });
});

describe('selection', () => {
  it('takes the operations with a tag', async () => {
    const imported = await toolsFromOpenApi(petstore, { tags: ['admin'] });
    expect(imported.tools.map((t) => t.name)).toEqual(['deletePet']);
    // Unselected operations are not reported; selected ones that cannot be mapped are.
    expect(imported.skipped.map((s) => s.operation)).toEqual(['getSession']);
  });

  it('takes operations by operationId, or by generated name for those without one', async () => {
    const imported = await toolsFromOpenApi(petstore, { operationIds: ['getPet', 'get-pets-petId-visits'] });
    expect(imported.tools.map((t) => t.name)).toEqual(['getPet', 'get-pets-petId-visits']);
  });

  it('takes the union of tags and operationIds', async () => {
    const imported = await toolsFromOpenApi(petstore, { tags: ['trees'], operationIds: ['listPets'] });
    expect(imported.tools.map((t) => t.name)).toEqual(['listPets', 'plantTree']);
  });

  it('takes everything when both are empty', async () => {
    const all = await toolsFromOpenApi(petstore);
    expect((await toolsFromOpenApi(petstore, { tags: [], operationIds: [] })).tools).toEqual(all.tools);
  });

  it('reports a selector that matches nothing', async () => {
    const imported = await toolsFromOpenApi(petstore, { tags: ['dogs'], operationIds: ['getPett'] });
    expect(imported.tools).toEqual([]);
    expect(imported.skipped).toEqual([
      { operation: 'tag dogs', reason: 'no operation has tag "dogs" — check the selection' },
      { operation: 'getPett', reason: 'no operation has operationId "getPett" — check the selection' },
    ]);
  });
});

describe('names', () => {
  it('slugs operationIds a tool name cannot hold and deduplicates generated names', async () => {
    const ok = { responses: { '200': { description: 'ok' } } };
    const spec = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/things': { get: ok, post: { ...ok, operationId: 'get-things' } },
        '/stuff': { get: { ...ok, operationId: 'list stuff (v2)!' } },
      },
    };
    const before = structuredClone(spec);
    const imported = await toolsFromOpenApi(spec);
    // The operationId keeps its name; the generated one yields.
    expect(imported.tools.map((t) => [t.name, t.method, t.path])).toEqual([
      ['get-things-2', 'GET', '/things'],
      ['get-things', 'POST', '/things'],
      ['list-stuff-v2', 'GET', '/stuff'],
    ]);
    for (const t of imported.tools) restToolSchema.parse(t);
    expect(spec).toEqual(before);
  });
});

describe('documents that are not OpenAPI 3.0/3.1', () => {
  it('names the file and the parser reason', async () => {
    const file = path.join(fixtures, 'not-openapi.yaml');
    const error = await toolsFromOpenApi(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenApiError);
    expect((error as OpenApiError).spec).toBe(file);
    expect((error as Error).message).toBe(`${file} is not a valid Openapi API definition — is this an OpenAPI 3.0/3.1 document?`);
  });

  it('says when the file cannot be read', async () => {
    const file = path.join(fixtures, 'missing.yaml');
    await expect(toolsFromOpenApi(file)).rejects.toThrow(
      new RegExp(`^Error opening file ${file.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT.* — check the path of the OpenAPI document`),
    );
  });

  it('refuses Swagger 2.0 with the way out', async () => {
    const swagger = { swagger: '2.0', info: { title: 't', version: '1' }, paths: {} };
    await expect(toolsFromOpenApi(swagger)).rejects.toThrow(
      'the OpenAPI document: this is a Swagger 2.0 document; Gatehouse reads OpenAPI 3.0/3.1 — convert it first (e.g. npx swagger2openapi)',
    );
  });

  it('names the URL when a fetched document does not parse', async () => {
    const app = express();
    app.get('/openapi.json', (_req, res) => {
      res.type('application/json').send('{"openapi": "3.1.0", "info": ');
    });
    const api = await listen(app);
    try {
      await expect(toolsFromOpenApi(`${api.url}/openapi.json`)).rejects.toThrow(new RegExp(`^${api.url}/openapi.json: .* — is this an OpenAPI 3.0/3.1 document\\?$`, 's'));
    } finally {
      await api.close();
    }
  });
});

describe('calling the imported tools', () => {
  interface Received {
    method: string;
    path: string;
    query: Record<string, unknown>;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }
  const received: Received[] = [];
  let api: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.use((req, _res, next) => {
      received.push({ method: req.method, path: req.path, query: { ...req.query }, headers: { ...req.headers }, body: req.body });
      next();
    });
    app.get('/v1/pets', (req, res) => {
      res.json([{ id: 1, name: 'Rex', species: 'dog', tag: req.query['tag'] }]);
    });
    app.post('/v1/pets', (req, res) => {
      res.status(201).json({ id: 7, ...(req.body as object) });
    });
    app.delete('/v1/pets/:petId', (_req, res) => {
      res.status(204).end();
    });
    api = await listen(app);
  });
  afterAll(async () => {
    await api.close();
  });

  it('sends path, query, header and body arguments where the document says', async () => {
    const { tools } = await toolsFromOpenApi(petstore, { tags: ['pets', 'admin'] });
    const upstream = connectRestUpstream({ name: 'api', kind: 'rest', base_url: `${api.url}/v1`, timeout_ms: 5000, tools });

    const listed = await upstream.request({
      method: 'tools/call',
      params: { name: 'listPets', arguments: { limit: 5, tag: ['good', 'small'], 'X-Request-Id': 'req-1' } },
    });
    expect(listed).toMatchObject({ structuredContent: { result: [{ name: 'Rex', tag: ['good', 'small'] }] } });
    expect(received.at(-1)).toMatchObject({ method: 'GET', path: '/v1/pets', query: { limit: '5', tag: ['good', 'small'] }, headers: { 'x-request-id': 'req-1' } });

    const created = await upstream.request({
      method: 'tools/call',
      params: { name: 'createPet', arguments: { name: 'Tom', species: 'cat', owner: { email: 'ann@example.com' }, 'X-Request-Id': 'req-2' } },
    });
    expect(created).toMatchObject({ structuredContent: { id: 7, name: 'Tom' } });
    const post = received.at(-1);
    expect(post).toMatchObject({ method: 'POST', path: '/v1/pets', headers: { 'x-request-id': 'req-2', 'content-type': 'application/json' } });
    expect(post?.body).toEqual({ name: 'Tom', species: 'cat', owner: { email: 'ann@example.com' } });

    const deleted = await upstream.request({ method: 'tools/call', params: { name: 'deletePet', arguments: { petId: 7, 'X-Reason': 'adopted' } } });
    expect(deleted).not.toHaveProperty('isError');
    expect(received.at(-1)).toMatchObject({ method: 'DELETE', path: '/v1/pets/7', headers: { 'x-reason': 'adopted' } });
  });
});
