/**
 * OpenAPI 3.0 / 3.1 operations as Gatehouse REST tools (RestToolConfig): one tool per operation,
 * its parameters and JSON request-body properties as the tool's arguments, $refs resolved by
 * @apidevtools/swagger-parser.
 *
 * What does not fit the REST connector (main/upstream/rest-upstream.ts buildRestRequest) is
 * reported in `skipped` with the reason, never dropped silently:
 * - a required cookie parameter skips the operation (tools send no cookies); an optional one is
 *   left out of the tool and noted;
 * - a request body that is not JSON, or whose schema is not an object with properties, skips the
 *   operation: only top-level properties can become `in: body` arguments;
 * - parameter serialisations the connector does not produce (deepObject, label/matrix paths,
 *   objects in the query, arrays or objects in a path or header) skip the operation rather than
 *   sending a request the API would read differently;
 * - two arguments with the same name (a path/query/header parameter and a body property, say)
 *   skip the operation: a tool's arguments are one flat object.
 *
 * Recursive schemas (a Node whose children are Nodes) are expanded once; where the recursion
 * closes, the schema is cut to `{type: <its type>}` with a description saying so. The tool stays
 * usable (any value of that type is accepted there and the API does the checking), so this is not
 * a skip.
 *
 * Header parameters named Accept, Content-Type or Authorization are ignored, as OpenAPI requires
 * (https://spec.openapis.org/oas/v3.1.1.html#fixed-fields-9). Request-body properties marked
 * readOnly are left out: OpenAPI says they are not sent in requests.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import YAML from 'yaml';

import type { RestParameterConfig, RestToolConfig } from './schema.js';

/** Which operations to import. Both empty (or absent) = all; otherwise an operation matching either is taken. */
export interface OpenApiSelection {
  /** Operation tags (OpenAPI `tags`). Example: ["pets"] */
  tags?: string[];
  /** OpenAPI operationIds, or the generated tool name of an operation without one. Example: ["getPet"] */
  operationIds?: string[];
}

export interface OpenApiImport {
  tools: RestToolConfig[];
  /**
   * The document's servers[].url, server variables replaced by their defaults. A relative URL is
   * resolved against the document's URL when it was fetched over HTTP(S); a relative server of a
   * local file or an in-memory object names no host, so it is left out (set base_url instead).
   */
  servers: string[];
  /** What could not be turned into a tool (or an argument of one), by tool name, with the reason. */
  skipped: Array<{ operation: string; reason: string }>;
}

/** A spec that could not be read or is not an OpenAPI 3.0/3.1 document. */
export class OpenApiError extends Error {
  override readonly name = 'OpenApiError';

  constructor(
    /** The file path or URL, or "the OpenAPI document" for an in-memory object. */
    readonly spec: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type JsonObject = Record<string, unknown>;
/** What the parser's typings call a document; ours is checked field by field as it is read. */
type ParserDocument = Awaited<ReturnType<typeof SwaggerParser.dereference>>;

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
/** OpenAPI's Path Item fixed fields, in the specification's order. */
const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const TOOL_METHODS = new Set<string>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function isRecord(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reports a problem found while mapping one operation; the operation is skipped with `reason`. */
class SkipOperation extends Error {}

interface Operation {
  method: string;
  path: string;
  operation: JsonObject;
  pathItem: JsonObject;
  name: string;
}

/**
 * Reads an OpenAPI 3.0/3.1 document (a file path, an http(s) URL, or an already parsed object, which
 * is not modified) and returns the selected operations as REST tools. Throws OpenApiError when the
 * document cannot be read or is not OpenAPI 3.0/3.1; everything else is reported in `skipped`.
 */
export async function toolsFromOpenApi(spec: string | object, selection: OpenApiSelection = {}): Promise<OpenApiImport> {
  const { document, httpUrl } = await loadDocument(spec);
  const isOas30 = String(document['openapi']).startsWith('3.0');
  const skipped: OpenApiImport['skipped'] = [];

  const operations = nameOperations(collectOperations(document));
  const selected = selectOperations(operations, selection, skipped);

  const tools: RestToolConfig[] = [];
  const rootServers = Array.isArray(document['servers']) ? document['servers'] : [];
  for (const op of selected) {
    try {
      tools.push(toolFromOperation(op, rootServers, isOas30, skipped));
    } catch (error) {
      if (!(error instanceof SkipOperation)) throw error;
      skipped.push({ operation: op.name, reason: error.message });
    }
  }
  return { tools, servers: serverUrls(rootServers, httpUrl), skipped };
}

async function loadDocument(spec: string | object): Promise<{ document: JsonObject; httpUrl?: string }> {
  const location = typeof spec === 'string' ? spec : 'the OpenAPI document';
  const httpUrl = typeof spec === 'string' && /^https?:\/\//i.test(spec) ? spec : undefined;
  let input: string | JsonObject;
  if (httpUrl) {
    // Fetched here rather than by the parser: the parser rewrites relative servers of a fetched
    // document to protocol + hostname, dropping the port (http://127.0.0.1:9000 → http://127.0.0.1).
    input = await fetchDocument(httpUrl);
  } else if (typeof spec === 'string') {
    input = spec;
  } else {
    // The parser resolves $refs in place; the caller's object stays as it was.
    input = structuredClone(spec) as JsonObject;
  }
  let dereferenced: unknown;
  try {
    const options = { dereference: { circular: true as const } };
    dereferenced = httpUrl
      ? await SwaggerParser.dereference(httpUrl, structuredClone(input) as ParserDocument, options)
      : await SwaggerParser.dereference(input as string | ParserDocument, options);
  } catch (error) {
    const reason = describeError(error);
    const where = reason.includes(location) ? reason : `${location}: ${reason}`;
    if (error instanceof Error && error.name === 'ResolverError') {
      // The file (or a file it $refs) could not be read: a path problem, not a format one.
      throw new OpenApiError(location, `${where} — check the path of the OpenAPI document and of the files it $refs`, { cause: error });
    }
    throw new OpenApiError(location, `${where} — is this an OpenAPI 3.0/3.1 document?`, { cause: error });
  }
  if (!isRecord(dereferenced)) {
    throw new OpenApiError(location, `${location}: the parser returned no document — is this an OpenAPI 3.0/3.1 document?`);
  }
  if (dereferenced['swagger'] !== undefined) {
    throw new OpenApiError(location, `${location}: this is a Swagger ${String(dereferenced['swagger'])} document; Gatehouse reads OpenAPI 3.0/3.1 — convert it first (e.g. npx swagger2openapi)`);
  }
  // Servers come from the document as written (see fetchDocument), the rest from the parser.
  const servers = isRecord(input) ? input['servers'] : dereferenced['servers'];
  return { document: { ...dereferenced, servers }, httpUrl };
}

async function fetchDocument(url: string): Promise<JsonObject> {
  let text: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000), headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' } });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    text = await response.text();
  } catch (error) {
    throw new OpenApiError(url, `${url}: could not fetch the OpenAPI document: ${describeError(error)} — check the URL and that the server is running`, { cause: error });
  }
  let parsed: unknown;
  try {
    // YAML 1.2 is a superset of JSON: one parser reads both.
    parsed = YAML.parse(text);
  } catch (error) {
    throw new OpenApiError(url, `${url}: ${describeError(error)} — is this an OpenAPI 3.0/3.1 document?`, { cause: error });
  }
  if (!isRecord(parsed)) {
    throw new OpenApiError(url, `${url}: the response is not a JSON or YAML object — is this an OpenAPI 3.0/3.1 document?`);
  }
  return parsed;
}

function serverUrls(servers: unknown[], httpUrl: string | undefined): string[] {
  const urls: string[] = [];
  for (const server of servers) {
    if (!isRecord(server) || typeof server['url'] !== 'string') continue;
    const variables = isRecord(server['variables']) ? server['variables'] : {};
    const url = server['url'].replace(/\{([^}]+)\}/g, (whole, name: string) => {
      const variable = variables[name];
      return isRecord(variable) && variable['default'] !== undefined ? String(variable['default']) : whole;
    });
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) urls.push(url);
    else if (httpUrl) urls.push(new URL(url, httpUrl).href.replace(/\/$/, ''));
  }
  return urls;
}

function collectOperations(document: JsonObject): Array<Omit<Operation, 'name'>> {
  const operations: Array<Omit<Operation, 'name'>> = [];
  const paths = isRecord(document['paths']) ? document['paths'] : {};
  for (const [path, pathItem] of Object.entries(paths)) {
    if (!isRecord(pathItem)) continue;
    for (const method of OPERATION_METHODS) {
      const operation = pathItem[method];
      if (isRecord(operation)) operations.push({ method: method.toUpperCase(), path, operation, pathItem });
    }
  }
  return operations;
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 128) || 'operation';
}

/**
 * Tool names: the operationId (slugged if it has characters a tool name cannot), else
 * `${method}-${path}` slugged. Names are given over the whole document before selection, so a
 * tool's name does not depend on which other operations are selected; operationIds are named
 * first so a generated name never takes one.
 */
function nameOperations(operations: Array<Omit<Operation, 'name'>>): Operation[] {
  const taken = new Set<string>();
  const unique = (wanted: string): string => {
    let name = wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted.slice(0, 128 - String(n).length - 1)}-${n}`;
    taken.add(name);
    return name;
  };
  const names = new Map<Omit<Operation, 'name'>, string>();
  for (const op of operations) {
    const id = op.operation['operationId'];
    if (typeof id === 'string' && id) names.set(op, unique(TOOL_NAME.test(id) ? id : slug(id)));
  }
  for (const op of operations) {
    if (!names.has(op)) names.set(op, unique(slug(`${op.method.toLowerCase()}-${slug(op.path)}`)));
  }
  return operations.map((op) => ({ ...op, name: names.get(op) ?? '' }));
}

function selectOperations(operations: Operation[], selection: OpenApiSelection, skipped: OpenApiImport['skipped']): Operation[] {
  const tags = selection.tags ?? [];
  const ids = selection.operationIds ?? [];
  if (tags.length === 0 && ids.length === 0) return operations;
  const tagsOf = (op: Operation): unknown[] => (Array.isArray(op.operation['tags']) ? op.operation['tags'] : []);
  const idMatches = (op: Operation, id: string): boolean => op.operation['operationId'] === id || op.name === id;
  // A selector that matches nothing is most likely a typo: say so rather than import less.
  for (const tag of tags) {
    if (!operations.some((op) => tagsOf(op).includes(tag))) {
      skipped.push({ operation: `tag ${tag}`, reason: `no operation has tag "${tag}" — check the selection` });
    }
  }
  for (const id of ids) {
    if (!operations.some((op) => idMatches(op, id))) {
      skipped.push({ operation: id, reason: `no operation has operationId "${id}" — check the selection` });
    }
  }
  return operations.filter((op) => tags.some((tag) => tagsOf(op).includes(tag)) || ids.some((id) => idMatches(op, id)));
}

function toolFromOperation(op: Operation, rootServers: unknown[], isOas30: boolean, skipped: OpenApiImport['skipped']): RestToolConfig {
  if (!TOOL_METHODS.has(op.method)) {
    throw new SkipOperation(`${op.method} ${op.path}: Gatehouse REST tools cannot send ${op.method} requests`);
  }
  const ownServers = op.operation['servers'] ?? op.pathItem['servers'];
  if (Array.isArray(ownServers) && ownServers.length > 0 && JSON.stringify(ownServers) !== JSON.stringify(rootServers)) {
    throw new SkipOperation(`${op.method} ${op.path} declares its own servers; a REST upstream has one base_url — import it into a separate upstream with that base_url`);
  }

  const parameters: RestParameterConfig[] = [];
  for (const parameter of mergedParameters(op)) {
    const mapped = parameterFromOpenApi(parameter, op, isOas30, skipped);
    if (mapped) parameters.push(mapped);
  }
  const placeholders = [...op.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
  for (const placeholder of placeholders) {
    if (!parameters.some((p) => p.in === 'path' && p.name === placeholder)) {
      throw new SkipOperation(`path ${op.path} has {${placeholder}} but the operation declares no path parameter "${placeholder}"`);
    }
  }
  parameters.push(...bodyParameters(op, isOas30));

  const seen = new Map<string, string>();
  for (const parameter of parameters) {
    const other = seen.get(parameter.name);
    if (other) {
      throw new SkipOperation(`argument "${parameter.name}" is both a ${other} parameter and a ${parameter.in} ${parameter.in === 'body' ? 'property' : 'parameter'}; a tool's arguments share one namespace`);
    }
    seen.set(parameter.name, parameter.in);
  }

  const summary = typeof op.operation['summary'] === 'string' ? op.operation['summary'].trim() : '';
  const details = typeof op.operation['description'] === 'string' ? op.operation['description'].trim() : '';
  const description = [summary, details, op.operation['deprecated'] === true ? 'Deprecated.' : ''].filter(Boolean).join('\n\n');
  return {
    name: op.name,
    ...(description ? { description } : {}),
    method: op.method as RestToolConfig['method'],
    path: op.path,
    parameters,
    annotations: annotationsFor(op.method, summary),
  };
}

/**
 * MCP tool annotations from the HTTP method's semantics (RFC 9110 §9.2). destructiveHint defaults
 * to true in MCP, which is the right reading of PUT and PATCH (they overwrite), so it is only
 * written for DELETE (true) and POST (false: it creates).
 */
function annotationsFor(method: string, summary: string): NonNullable<RestToolConfig['annotations']> {
  const readOnly = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  return {
    ...(summary ? { title: summary } : {}),
    readOnlyHint: readOnly,
    ...(readOnly ? {} : method === 'DELETE' ? { destructiveHint: true } : method === 'POST' ? { destructiveHint: false } : {}),
    ...(readOnly ? {} : { idempotentHint: method === 'PUT' || method === 'DELETE' }),
  };
}

/** Path-item parameters, overridden by operation parameters with the same name and location. */
function mergedParameters(op: Operation): JsonObject[] {
  const merged = new Map<string, JsonObject>();
  for (const list of [op.pathItem['parameters'], op.operation['parameters']]) {
    if (!Array.isArray(list)) continue;
    for (const parameter of list) {
      if (isRecord(parameter)) merged.set(`${String(parameter['in'])}:${String(parameter['name'])}`, parameter);
    }
  }
  return [...merged.values()];
}

function isJsonMediaType(mediaType: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json(?:\s*;|$)/i.test(mediaType.trim());
}

function typesOf(schema: JsonObject): string[] {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

function parameterFromOpenApi(parameter: JsonObject, op: Operation, isOas30: boolean, skipped: OpenApiImport['skipped']): RestParameterConfig | undefined {
  const name = String(parameter['name'] ?? '');
  const location = String(parameter['in'] ?? '');
  const required = location === 'path' || parameter['required'] === true;
  if (location === 'cookie') {
    const reason = `cookie parameter "${name}": Gatehouse REST tools send no cookies`;
    if (required) throw new SkipOperation(`required ${reason}`);
    skipped.push({ operation: op.name, reason: `optional ${reason}, so the tool is made without it` });
    return undefined;
  }
  if (location !== 'path' && location !== 'query' && location !== 'header') {
    throw new SkipOperation(`parameter "${name}" is in "${location}", which Gatehouse REST tools do not support`);
  }
  if (location === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) return undefined;

  let schema: JsonObject | undefined;
  let jsonEncoded = false;
  if (isRecord(parameter['schema'])) {
    schema = parameter['schema'];
  } else if (isRecord(parameter['content'])) {
    const [mediaType, media] = Object.entries(parameter['content'])[0] ?? [];
    if (!mediaType || !isJsonMediaType(mediaType)) {
      throw new SkipOperation(`parameter "${name}" is serialised as ${mediaType ?? 'nothing'}; only JSON content is supported`);
    }
    // The connector sends non-string values as JSON text, which is what `content: application/json` asks for.
    jsonEncoded = true;
    schema = isRecord(media) && isRecord(media['schema']) ? media['schema'] : undefined;
  }
  if (schema && !jsonEncoded) {
    const problem = serialisationProblem(name, location, parameter, typesOf(schema));
    if (problem) throw new SkipOperation(problem);
  }
  const description = typeof parameter['description'] === 'string' ? parameter['description'] : undefined;
  return {
    name,
    in: location,
    ...(required ? { required: true } : {}),
    ...(description ? { description } : {}),
    ...(schema ? { schema: jsonSchemaFrom(schema, isOas30, `parameter "${name}"`) } : {}),
  };
}

/**
 * The connector sends a query array as repeated keys (style form, explode) and every other
 * non-string value as JSON text; OpenAPI styles that mean anything else would be misread.
 * https://spec.openapis.org/oas/v3.1.1.html#style-values
 */
function serialisationProblem(name: string, location: string, parameter: JsonObject, types: string[]): string | undefined {
  const style = typeof parameter['style'] === 'string' ? parameter['style'] : location === 'query' ? 'form' : 'simple';
  const structured = types.includes('object') ? 'an object' : types.includes('array') ? 'an array' : undefined;
  if (location === 'query') {
    if (style !== 'form') return `query parameter "${name}" uses style ${style}, which Gatehouse REST tools do not produce`;
    if (types.includes('object')) return `query parameter "${name}" is an object (style form); Gatehouse REST tools cannot spread it into the query string`;
    if (types.includes('array') && parameter['explode'] === false) return `query parameter "${name}" is an array with explode: false (a,b,c); Gatehouse REST tools send repeated keys`;
    return undefined;
  }
  if (style !== 'simple') return `${location} parameter "${name}" uses style ${style}, which Gatehouse REST tools do not produce`;
  if (structured) return `${location} parameter "${name}" is ${structured}; Gatehouse REST tools send only single values in a ${location}`;
  return undefined;
}

function bodyParameters(op: Operation, isOas30: boolean): RestParameterConfig[] {
  const body = op.operation['requestBody'];
  if (!isRecord(body)) return [];
  const content = isRecord(body['content']) ? body['content'] : {};
  const mediaTypes = Object.keys(content);
  const jsonType = mediaTypes.find(isJsonMediaType);
  if (!jsonType) {
    throw new SkipOperation(`request body is ${mediaTypes.join(', ') || 'without content'}; Gatehouse REST tools send JSON bodies only`);
  }
  const media = content[jsonType];
  const schema = isRecord(media) && isRecord(media['schema']) ? media['schema'] : undefined;
  const object = schema ? objectShape(schema) : undefined;
  if (!object || Object.keys(object.properties).length === 0) {
    throw new SkipOperation(`request body (${jsonType}) is not an object with properties; only its top-level properties can become arguments`);
  }
  // An optional body may be left out altogether, so none of its properties is required then.
  const bodyRequired = body['required'] === true;
  const parameters: RestParameterConfig[] = [];
  for (const [name, property] of Object.entries(object.properties)) {
    if (!isRecord(property) || property['readOnly'] === true) continue;
    const description = typeof property['description'] === 'string' ? property['description'] : undefined;
    parameters.push({
      name,
      in: 'body',
      ...(bodyRequired && object.required.has(name) ? { required: true } : {}),
      ...(description ? { description } : {}),
      schema: jsonSchemaFrom(property, isOas30, `body property "${name}"`),
    });
  }
  return parameters;
}

/** Properties and required names of an object schema, allOf members merged; undefined when it is not one. */
function objectShape(schema: JsonObject): { properties: JsonObject; required: Set<string> } | undefined {
  const types = typesOf(schema);
  if (types.length > 0 && !types.includes('object')) return undefined;
  if (schema['oneOf'] !== undefined || schema['anyOf'] !== undefined) return undefined;
  const properties: JsonObject = {};
  const required = new Set<string>();
  const members = Array.isArray(schema['allOf']) ? schema['allOf'] : [];
  for (const member of [schema, ...members]) {
    if (!isRecord(member)) continue;
    if (member !== schema) {
      const inner = objectShape(member);
      if (!inner) return undefined;
      Object.assign(properties, inner.properties);
      for (const name of inner.required) required.add(name);
      continue;
    }
    if (isRecord(member['properties'])) Object.assign(properties, member['properties']);
    if (Array.isArray(member['required'])) for (const name of member['required']) if (typeof name === 'string') required.add(name);
  }
  if (types.length === 0 && Object.keys(properties).length === 0) return undefined;
  return { properties, required };
}

/** Keywords whose value is a schema, a list of schemas, or a map of names to schemas (JSON Schema 2020-12 §10, §8.2.4). */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties', 'additionalItems']);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * A self-contained JSON Schema from a dereferenced OpenAPI schema: a deep copy (the parser shares
 * objects between references), recursion cut where it closes, and OpenAPI 3.0's dialect
 * (nullable, example, boolean exclusiveMinimum/Maximum) rewritten as JSON Schema 2020-12, which is
 * what MCP clients read. Only schema positions are rewritten: a property that happens to be named
 * "example" stays a property.
 */
function jsonSchemaFrom(schema: JsonObject, isOas30: boolean, what: string): JsonObject {
  const ancestors = new Set<object>();
  const copySchema = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copySchema);
    if (!isRecord(value)) return value;
    if (ancestors.has(value)) {
      const types = typesOf(value);
      const name = typeof value['title'] === 'string' ? value['title'] : 'an enclosing schema';
      return {
        ...(types.length === 1 ? { type: types[0] } : types.length > 1 ? { type: types } : {}),
        description: `Recursive: the same shape as ${name}, not expanded further.`,
      };
    }
    if (typeof value['$ref'] === 'string') {
      throw new SkipOperation(`${what}: $ref ${value['$ref']} could not be resolved`);
    }
    ancestors.add(value);
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(value)) {
      if (SCHEMA_KEYWORDS.has(key)) out[key] = copySchema(inner);
      else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(inner)) out[key] = inner.map(copySchema);
      else if (SCHEMA_MAP_KEYWORDS.has(key) && isRecord(inner)) out[key] = Object.fromEntries(Object.entries(inner).map(([k, v]) => [k, copySchema(v)]));
      else out[key] = structuredClone(inner);
    }
    ancestors.delete(value);
    return isOas30 ? fromOas30Dialect(out) : out;
  };
  return copySchema(schema) as JsonObject;
}

function fromOas30Dialect(schema: JsonObject): JsonObject {
  const out = { ...schema };
  if (out['nullable'] === true && typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  delete out['nullable'];
  if ('example' in out) {
    out['examples'] = [out['example']];
    delete out['example'];
  }
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else if (typeof out[flag] === 'boolean') {
      delete out[flag];
    }
  }
  return out;
}
