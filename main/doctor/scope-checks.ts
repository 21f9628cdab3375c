/**
 * Scopes as clients pick them (MCP scope selection): the 401's `scope` first, else the resource
 * metadata's `scopes_supported` (VS Code, Cursor), and some take the authorization server's
 * `scopes_supported` (claude.ai). The three should agree, and the server must know the scopes the
 * resource asks for.
 */
import type { DoctorCheck } from '../../shared/admin-api.js';
import { fail, pass, warn } from './doctor-check.js';
import type { IdpProfile } from './idp-quirks.js';
import { SPEC } from './spec-links.js';

export interface ScopeSources {
  /** The 401's scope parameter, space-separated. */
  challenge?: string;
  resourceMetadata?: unknown;
  serverMetadata?: unknown;
}

function scopeList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((scope): scope is string => typeof scope === 'string') : undefined;
}

interface Issue {
  severity: 'warn' | 'fail';
  detail: string;
  fix: string;
}

export function scopesCheck(sources: ScopeSources, idp: IdpProfile | undefined): DoctorCheck {
  const spec = SPEC.scopeSelection;
  const quirk = idp?.quirks.scopes;
  const resourceScopes = scopeList(sources.resourceMetadata);
  const serverScopes = scopeList(sources.serverMetadata);
  const challengeScopes = sources.challenge?.split(/\s+/).filter(Boolean) ?? [];
  const issues: Issue[] = [];

  if (!resourceScopes?.length) {
    issues.push({
      severity: 'warn',
      detail: 'The resource metadata lists no scopes_supported: VS Code and Cursor request those, so they ask for none and get the IdP’s defaults.',
      fix: 'List the scopes this server needs in the resource metadata’s scopes_supported.',
    });
  }
  if (!serverScopes?.length) {
    issues.push({
      severity: 'warn',
      detail: 'The authorization server metadata lists no scopes_supported: claude.ai takes its scopes from there.',
      fix: 'Publish scopes_supported in the authorization server metadata, including this server’s scopes.',
    });
  }
  if (resourceScopes?.length && serverScopes?.length) {
    const unknown = resourceScopes.filter((scope) => !serverScopes.includes(scope));
    if (unknown.length === resourceScopes.length) {
      issues.push({
        // Some IdPs never list API scopes in their metadata (Entra): then this is only a hint.
        severity: quirk ? 'warn' : 'fail',
        detail: `None of the resource's scopes (${resourceScopes.join(' ')}) is in the authorization server's scopes_supported (${serverScopes.join(' ')}): a request for them ends in invalid_scope.`,
        fix: 'Define these scopes on the authorization server, or name the server’s scopes in the resource metadata.',
      });
    } else if (unknown.length) {
      issues.push({
        severity: 'warn',
        detail: `The authorization server does not list ${unknown.join(' ')} (of the resource's ${resourceScopes.join(' ')}).`,
        fix: `Define ${unknown.join(' ')} on the authorization server, or drop them from the resource metadata.`,
      });
    }
  }
  const outside = resourceScopes ? challengeScopes.filter((scope) => !resourceScopes.includes(scope)) : [];
  if (outside.length) {
    issues.push({
      severity: 'warn',
      detail: `The 401 asks for ${outside.join(' ')}, which the resource metadata's scopes_supported does not list.`,
      fix: 'Keep the 401’s scope a subset of the resource metadata’s scopes_supported.',
    });
  }

  if (!issues.length) {
    const overlap = resourceScopes!.filter((scope) => serverScopes!.includes(scope));
    return pass('scopes', {
      detail: `401: ${challengeScopes.join(' ') || '(none)'}; resource metadata: ${resourceScopes!.join(' ')}; authorization server knows ${overlap.join(' ')}.`,
      spec,
      quirk,
    });
  }
  const detail = issues.map((issue) => issue.detail).join(' ');
  const fix = issues.map((issue) => issue.fix).join(' ');
  return issues.some((issue) => issue.severity === 'fail') ? fail('scopes', { detail, fix, spec, quirk }) : warn('scopes', { detail, fix, spec, quirk });
}
