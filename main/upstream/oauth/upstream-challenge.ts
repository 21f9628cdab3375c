/**
 * What a secured upstream says before any login: an unauthenticated initialize answered 401
 * carries, in its WWW-Authenticate challenge (RFC 6750 §3, RFC 9728 §5.1), where the upstream's
 * Protected Resource Metadata is and which scopes it wants — where MCP authorization discovery
 * starts.
 */
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/client';

import type { SecuredUpstreamConfig } from './upstream-oauth.js';

export interface UpstreamChallenge {
  /** The status the unauthenticated initialize got (401 when the upstream is secured as configured). */
  status: number;
  resourceMetadataUrl?: URL;
  /** The challenge's scope together with the configured auth.scopes, or undefined when neither names one. */
  scope?: string;
}

export async function probeChallenge(upstream: SecuredUpstreamConfig, timeoutMs = 15_000): Promise<UpstreamChallenge> {
  const probe = await fetch(upstream.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'gatehouse-login', version: '0.1.0' } } }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await probe.body?.cancel();
  const challenge = probe.status === 401 ? extractWWWAuthenticateParams(probe) : {};
  const scope = [challenge.scope, ...upstream.auth.scopes].filter(Boolean).join(' ') || undefined;
  return { status: probe.status, resourceMetadataUrl: challenge.resourceMetadataUrl, scope };
}
