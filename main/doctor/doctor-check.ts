/**
 * The doctor's checklist: every check it knows, in the order a client meets them, so every report
 * lists the same checks (a skipped one says why) and the window can lay them out before they run.
 */
import type { DoctorCheck, DoctorStatus } from '../../shared/admin-api.js';
import type { SpecLink } from './spec-links.js';

export const CHECK_TITLES = {
  'mcp-endpoint': 'The URL answers as an MCP endpoint',
  challenge: 'A request without a token gets 401 with a Bearer challenge',
  'challenge-resource-metadata': 'The 401 names the resource metadata URL',
  'challenge-scope': 'The 401 names the scopes to request',
  'prm-advertised': 'Resource metadata at the URL the 401 names',
  'prm-path-suffixed': 'Resource metadata at the path-suffixed well-known URL',
  'prm-root': 'Resource metadata at the root well-known URL',
  'prm-resource': 'Metadata `resource` is exactly the MCP URL',
  'prm-authorization-servers': 'Metadata names an authorization server',
  'as-discovery': "Authorization server metadata found in the spec's discovery order",
  'as-issuer': "Issuer identical to the resource metadata's entry",
  'pkce-s256': 'PKCE with S256 advertised',
  registration: 'A way for clients to register (DCR, CIMD or a pre-registered client)',
  'resource-indicator': 'The authorization server takes the `resource` parameter',
  scopes: 'Scopes advertised and consistent',
  'cors-preflight': 'CORS preflight answered (not with 401)',
  'cors-challenge': 'The 401 is readable by browser clients',
  'cors-metadata': 'Metadata readable by browser clients',
  'well-known-public': 'Metadata not behind auth',
} as const;

export type CheckId = keyof typeof CHECK_TITLES;

export const CHECK_IDS = Object.keys(CHECK_TITLES) as CheckId[];

interface Finding {
  detail: string;
  fix?: string;
  spec?: SpecLink;
  quirk?: string;
}

function check(id: CheckId, status: DoctorStatus, finding: Finding): DoctorCheck {
  return {
    id,
    title: CHECK_TITLES[id],
    status,
    detail: finding.detail,
    ...(finding.fix ? { fix: finding.fix } : {}),
    ...(finding.spec ? { spec: { title: finding.spec.title, url: finding.spec.url } } : {}),
    ...(finding.quirk ? { quirk: finding.quirk } : {}),
  };
}

export const pass = (id: CheckId, finding: Finding) => check(id, 'pass', finding);
export const warn = (id: CheckId, finding: Finding & { fix: string }) => check(id, 'warn', finding);
export const fail = (id: CheckId, finding: Finding & { fix: string }) => check(id, 'fail', finding);
export const skip = (id: CheckId, reason: string, spec?: SpecLink) => check(id, 'skip', { detail: reason, spec });
