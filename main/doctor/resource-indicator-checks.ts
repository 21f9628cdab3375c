/**
 * Whether the authorization server takes RFC 8707's `resource` parameter and puts it into the
 * token's audience — what MCP clients send and MCP servers must check. RFC 8707 defines no metadata
 * flag for it, so the judgement comes from an explicit `resource_indicators_supported` when a
 * server publishes one, and otherwise from what the recognised IdP is known to do.
 */
import type { DoctorCheck } from '../../shared/admin-api.js';
import { pass, warn } from './doctor-check.js';
import type { IdpProfile } from './idp-quirks.js';
import { SPEC } from './spec-links.js';

export function resourceIndicatorCheck(metadata: Record<string, unknown>, idp: IdpProfile | undefined, resource: string): DoctorCheck {
  const spec = SPEC.resourceIndicator;
  const quirk = idp?.quirks.resource;
  if (quirk) {
    return warn('resource-indicator', {
      detail: `${idp!.name} does not take resource=${resource} the way MCP clients send it.`,
      fix: idp!.resourceFix ?? 'Check the aud of a token after a login (the handshake trace decodes it) and configure the IdP so it names this server.',
      spec,
      quirk,
    });
  }
  if (metadata.resource_indicators_supported === false) {
    return warn('resource-indicator', {
      detail: 'The metadata says resource_indicators_supported: false — tokens will not be bound to this server by resource=.',
      fix: `Enable RFC 8707 resource indicators on the authorization server with ${resource} as a resource, or configure a fixed audience this server accepts.`,
      spec,
    });
  }
  if (metadata.resource_indicators_supported === true) {
    return pass('resource-indicator', { detail: `The metadata says resource_indicators_supported: true; clients send resource=${resource}.`, spec });
  }
  return pass('resource-indicator', {
    detail: `No known quirk for ${idp?.name ?? 'this authorization server'}: it is expected to take resource=${resource} (RFC 8707 publishes no flag for it; a refusal shows as invalid_target at authorize, a wrong audience as a 401 on the retry — the handshake trace shows both).`,
    spec,
  });
}
