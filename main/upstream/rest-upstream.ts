/**
 * REST endpoints declared as MCP tools: a tools/call builds the HTTP request from the tool's
 * path template and parameters, and the response comes back as text (and as structuredContent
 * when it is JSON). A non-2xx status is a tool error (isError) with the status and body, so the
 * model can read what went wrong.
 */
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type Notification, type Result, type Tool } from '@modelcontextprotocol/client';

import type { RestToolConfig, RestUpstreamConfig } from '../config/schema.js';
import { callHeaders } from './call-headers.js';
import type { ForwardOptions, UpstreamConnection, UpstreamRequest } from './upstream.js';
import { UpstreamError, describeError } from './upstream-error.js';

/** The tool as MCP clients see it: the parameters become one object schema. */
export function restToolDefinition(tool: RestToolConfig): Tool {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const parameter of tool.parameters) {
    properties[parameter.name] = {
      ...(parameter.schema ?? { type: 'string' }),
      ...(parameter.description ? { description: parameter.description } : {}),
    };
    if (parameter.required || parameter.in === 'path') required.push(parameter.name);
  }
  return {
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: { type: 'object', properties, ...(required.length ? { required } : {}) } as Tool['inputSchema'],
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
  };
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Builds the HTTP request for one call; throws InvalidParams when a required argument is missing. */
export function buildRestRequest(
  baseUrl: string,
  tool: RestToolConfig,
  args: Record<string, unknown>,
): { url: URL; init: { method: string; headers: Record<string, string>; body?: string } } {
  const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9, */*;q=0.5' };
  const body: Record<string, unknown> = {};
  let hasBody = false;
  let pathname = tool.path;
  const query = new URLSearchParams();
  for (const parameter of tool.parameters) {
    const value = args[parameter.name];
    if (value === undefined || value === null) {
      if (parameter.required || parameter.in === 'path') {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `tool ${tool.name}: missing required argument "${parameter.name}"`);
      }
      continue;
    }
    const text = stringify(value);
    switch (parameter.in) {
      case 'path':
        // The URL parser folds dot segments (even encoded ones): "..", would climb out of the template.
        if (text === '.' || text === '..' || text === '') {
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, `tool ${tool.name}: argument "${parameter.name}" cannot be "${text}" (it would change the request path)`);
        }
        pathname = pathname.replaceAll(`{${parameter.name}}`, encodeURIComponent(text));
        break;
      case 'query':
        for (const item of Array.isArray(value) ? value : [value]) query.append(parameter.name, stringify(item));
        break;
      case 'header':
        if (/[\r\n\0]/.test(text)) {
          throw new ProtocolError(ProtocolErrorCode.InvalidParams, `tool ${tool.name}: argument "${parameter.name}" is sent as a header and cannot contain line breaks`);
        }
        headers[parameter.name.toLowerCase()] = text;
        break;
      case 'body':
        body[parameter.name] = value;
        hasBody = true;
        break;
    }
  }
  const base = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
  const url = new URL(base + pathname);
  for (const [key, value] of query) url.searchParams.append(key, value);
  if (!hasBody) return { url, init: { method: tool.method, headers } };
  headers['content-type'] = 'application/json';
  return { url, init: { method: tool.method, headers, body: JSON.stringify(body) } };
}

async function callRestTool(
  config: RestUpstreamConfig,
  tool: RestToolConfig,
  args: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<CallToolResult> {
  const { url, init } = buildRestRequest(config.base_url, tool, args);
  const timeout = AbortSignal.timeout(config.timeout_ms);
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { ...(config.headers ?? {}), ...callHeaders(), ...init.headers },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'manual',
    });
  } catch (error) {
    if (timeout.aborted) {
      throw new UpstreamError('upstream_timeout', config.name, `upstream "${config.name}": ${init.method} ${url.pathname} did not answer within ${config.timeout_ms} ms — raise timeout_ms if the API is just slow`);
    }
    throw new UpstreamError('upstream_unreachable', config.name, `upstream "${config.name}": ${init.method} ${url.origin}${url.pathname} failed: ${describeError(error)} — check base_url and that the API is running`, { cause: error });
  }
  const text = await response.text();
  let json: unknown;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (!response.ok) {
    return {
      isError: true,
      content: [{ type: 'text', text: `HTTP ${response.status} ${response.statusText} from ${init.method} ${url.pathname}${text ? `\n${text}` : ''}` }],
    };
  }
  const structured = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : json !== undefined ? { result: json } : undefined;
  return {
    content: [{ type: 'text', text: text || `HTTP ${response.status}` }],
    ...(structured ? { structuredContent: structured } : {}),
  };
}

export function connectRestUpstream(config: RestUpstreamConfig): UpstreamConnection {
  const tools = new Map(config.tools.map((tool) => [tool.name, tool]));
  const definitions = config.tools.map(restToolDefinition);
  return {
    name: config.name,
    kind: 'rest',
    capabilities: { tools: {} },
    async request(request: UpstreamRequest, options: ForwardOptions = {}): Promise<Result> {
      switch (request.method) {
        case 'tools/list':
          return { tools: definitions };
        case 'ping':
          return {};
        case 'tools/call': {
          const name = String(request.params?.name ?? '');
          const tool = tools.get(name);
          if (!tool) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${name} not found`);
          const args = (request.params?.arguments ?? {}) as Record<string, unknown>;
          return callRestTool(config, tool, args, options.signal);
        }
        default:
          throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `upstream "${config.name}" is a REST upstream and has no ${request.method}`);
      }
    },
    async notify(_notification: Notification): Promise<void> {},
    async close(): Promise<void> {},
  };
}
