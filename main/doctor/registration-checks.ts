/**
 * How a client gets a client_id at this authorization server: dynamic registration (RFC 7591,
 * `registration_endpoint`), a Client ID Metadata Document (`client_id_metadata_document_supported`),
 * or neither — then someone must pre-register a client and hand its ID to every client, and the
 * clients that cannot take one break.
 */
import type { DoctorCheck } from '../../shared/admin-api.js';
import { fail, pass, warn } from './doctor-check.js';
import type { IdpProfile } from './idp-quirks.js';
import { SPEC } from './spec-links.js';

const PRE_REGISTERED =
  'VS Code asks for a client ID, Cursor takes auth.CLIENT_ID, mcp-remote --static-oauth-client-info, claude.ai a client ID and secret';

export function registrationCheck(metadata: Record<string, unknown>, idp: IdpProfile | undefined): DoctorCheck {
  const spec = SPEC.registration;
  const quirk = idp?.quirks.registration;
  const endpoint = typeof metadata.registration_endpoint === 'string' ? metadata.registration_endpoint : undefined;
  const cimd = metadata.client_id_metadata_document_supported === true;
  if (endpoint && cimd) {
    return pass('registration', { detail: `Dynamic client registration at ${endpoint} and Client ID Metadata Documents: every client can register.`, spec, quirk });
  }
  if (endpoint) {
    return pass('registration', {
      detail: `Dynamic client registration at ${endpoint} (no CIMD: Claude Code and VS Code, which prefer CIMD, fall back to it).`,
      spec,
      quirk,
    });
  }
  if (cimd) {
    return warn('registration', {
      detail: 'Client ID Metadata Documents only, no registration_endpoint: Claude Code and VS Code register this way; Cursor, the MCP Inspector, mcp-remote, Insomnia and Goose only know dynamic registration.',
      fix: `Enable dynamic client registration too, or give those clients a pre-registered client ID (${PRE_REGISTERED}).`,
      spec,
      quirk,
    });
  }
  return fail('registration', {
    detail:
      'No registration_endpoint (RFC 7591) and no client_id_metadata_document_supported: clients cannot register, so each needs a pre-registered client ID. Claude Code, the MCP Inspector and mcp-remote without a static client stop with "Incompatible auth server: does not support dynamic client registration" (mcp-remote#53).',
    fix: `Enable dynamic registration or CIMD on the authorization server, or put a DCR shim in front of it; otherwise pre-register a client and configure its ID in each client (${PRE_REGISTERED}).`,
    spec,
    quirk,
  });
}
