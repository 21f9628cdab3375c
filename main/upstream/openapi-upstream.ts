/**
 * An upstream described by an OpenAPI document: its operations become REST tools (see
 * main/config/openapi-tools.ts) and are served by the REST connector.
 */
import path from 'node:path';

import { toolsFromOpenApi } from '../config/openapi-tools.js';
import type { OpenApiUpstreamConfig } from '../config/schema.js';
import { connectRestUpstream } from './rest-upstream.js';
import type { UpstreamConnection } from './upstream.js';
import { UpstreamError, describeError } from './upstream-error.js';

export function specLocation(spec: string, baseDir: string): string {
  return /^https?:\/\//.test(spec) ? spec : path.resolve(baseDir, spec);
}

export async function connectOpenApiUpstream(config: OpenApiUpstreamConfig, baseDir: string): Promise<UpstreamConnection> {
  let imported;
  try {
    imported = await toolsFromOpenApi(specLocation(config.spec, baseDir), { tags: config.include?.tags, operationIds: config.include?.operations });
  } catch (error) {
    throw new UpstreamError('upstream_unreachable', config.name, `upstream "${config.name}": ${describeError(error)}`, { cause: error });
  }
  const baseUrl = config.base_url ?? imported.servers[0];
  if (!baseUrl) {
    throw new UpstreamError('upstream_unreachable', config.name, `upstream "${config.name}": ${config.spec} lists no servers — set base_url`);
  }
  if (imported.tools.length === 0) {
    throw new UpstreamError('upstream_unreachable', config.name, `upstream "${config.name}": no operation of ${config.spec} matches include (tags/operations) — check the selection`);
  }
  return connectRestUpstream({ name: config.name, kind: 'rest', base_url: baseUrl, headers: config.headers, timeout_ms: config.timeout_ms, tools: imported.tools });
}
