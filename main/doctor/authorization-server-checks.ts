/**
 * Authorization server metadata, found the way the MCP spec tells clients to look (RFC 8414 path
 * insertion, then OIDC path insertion, then OIDC path append — the MCP SDK's buildDiscoveryUrls),
 * its issuer compared byte for byte with the resource metadata's entry (RFC 8414 §3.3), and PKCE
 * S256 advertised (clients MUST refuse without it).
 */
import { buildDiscoveryUrls } from '@modelcontextprotocol/client';

import type { DoctorCheck } from '../../shared/admin-api.js';
import { fail, pass, warn } from './doctor-check.js';
import type { DoctorContext } from './doctor-context.js';
import { describeAnswer, jsonObject, probe, type HttpAnswer } from './http-probe.js';
import { recognizeIdp, type IdpProfile } from './idp-quirks.js';
import { SPEC } from './spec-links.js';

export interface AuthorizationServerFindings {
  metadata?: Record<string, unknown>;
  /** Where the metadata was found. */
  foundAt?: HttpAnswer;
  answers: HttpAnswer[];
  /** The IdP product, recognised from the issuer and the metadata's endpoints. */
  idp?: IdpProfile;
}

interface Attempt {
  url: string;
  form: string;
  oidc: boolean;
  result: string;
  answer?: HttpAnswer;
  document?: Record<string, unknown>;
}

function formName(issuer: URL, candidate: { url: URL; type: 'oauth' | 'oidc' }): string {
  if (candidate.type === 'oauth') return issuer.pathname === '/' ? 'RFC 8414' : 'RFC 8414 path insertion';
  if (issuer.pathname === '/') return 'OIDC discovery';
  return candidate.url.pathname.startsWith('/.well-known/') ? 'OIDC path insertion' : 'OIDC path append';
}

/** Tries each discovery URL in the spec's order, stopping at the first document. */
export async function discoverServerMetadata(ctx: DoctorContext, issuer: string): Promise<{ attempts: Attempt[]; found?: Attempt }> {
  const issuerUrl = new URL(issuer);
  const attempts: Attempt[] = [];
  for (const candidate of buildDiscoveryUrls(issuerUrl)) {
    const outcome = await probe(ctx, candidate.url.href, { headers: { accept: 'application/json', origin: ctx.origin } });
    const attempt: Attempt = { url: candidate.url.href, form: formName(issuerUrl, candidate), oidc: candidate.type === 'oidc', result: '' };
    if (!outcome.answered) {
      attempt.result = outcome.failure.reason;
    } else {
      attempt.answer = outcome.answer;
      attempt.document = outcome.answer.status === 200 ? jsonObject(outcome.answer) : undefined;
      attempt.result = attempt.document ? '200' : describeAnswer(outcome.answer);
    }
    attempts.push(attempt);
    if (attempt.document) return { attempts, found: attempt };
  }
  return { attempts };
}

export async function authorizationServerChecks(ctx: DoctorContext, issuer: string): Promise<{ checks: DoctorCheck[]; findings: AuthorizationServerFindings }> {
  const { attempts, found } = await discoverServerMetadata(ctx, issuer);
  const idp = recognizeIdp(issuer, found?.document);
  const answers = attempts.flatMap((attempt) => (attempt.answer ? [attempt.answer] : []));
  const tried = attempts.map((attempt) => `${attempt.form} ${attempt.url} → ${attempt.result}`).join('; ');
  const discoveryQuirk = idp?.quirks.discovery;

  if (!found) {
    const locked = attempts.some((attempt) => attempt.answer && (attempt.answer.status === 401 || attempt.answer.status === 403));
    return {
      checks: [
        fail('as-discovery', {
          detail: `No authorization server metadata for issuer ${issuer}. Tried: ${tried}.`,
          fix: locked
            ? 'Serve the metadata without authentication: clients read it before they have a token.'
            : `Serve RFC 8414 metadata at ${attempts[0]?.url} (or OpenID discovery at one of the other URLs), or correct authorization_servers in the resource metadata to the real issuer.`,
          spec: SPEC.serverMetadataDiscovery,
          quirk: discoveryQuirk,
        }),
      ],
      findings: { answers, idp },
    };
  }

  const checks: DoctorCheck[] = [];
  const pathIssuer = new URL(issuer).pathname !== '/';
  if (found.oidc && pathIssuer) {
    checks.push(
      warn('as-discovery', {
        detail: `Found only by ${found.form} at ${found.url}. Tried: ${tried}.`,
        fix: `Also serve the metadata at ${attempts[0]?.url} (RFC 8414 path insertion): Claude Code does not fall back to OIDC discovery for issuers with a path.`,
        spec: SPEC.serverMetadataDiscovery,
        quirk: discoveryQuirk,
      }),
    );
  } else {
    checks.push(pass('as-discovery', { detail: `Found by ${found.form} at ${found.url}${attempts.length > 1 ? ` (tried: ${tried})` : ''}.`, spec: SPEC.serverMetadataDiscovery, quirk: discoveryQuirk }));
  }
  const metadata = found.document!;
  checks.push(issuerCheck(issuer, metadata, idp), pkceCheck(metadata, idp));
  return { checks, findings: { metadata, foundAt: found.answer, answers, idp } };
}

export function issuerCheck(issuer: string, metadata: Record<string, unknown>, idp: IdpProfile | undefined): DoctorCheck {
  const spec = SPEC.issuerValidation;
  const quirk = idp?.quirks.issuer;
  const stated = metadata.issuer;
  if (stated === issuer) return pass('as-issuer', { detail: `issuer "${issuer}" in both, byte for byte.`, spec, quirk });
  if (typeof stated !== 'string') {
    return fail('as-issuer', { detail: 'The authorization server metadata has no issuer (REQUIRED, RFC 8414 §2).', fix: `Publish "issuer": "${issuer}" in the metadata.`, spec, quirk });
  }
  if (stated.replace(/\/$/, '') === issuer.replace(/\/$/, '')) {
    return fail('as-issuer', {
      detail: `The resource metadata lists "${issuer}" but the server's metadata says issuer "${stated}": they differ by a trailing slash, and strict clients compare byte for byte ("${stated} != ${issuer}", copilot-cli#4606).`,
      fix: `Write the authorization_servers entry exactly as the issuer: "${stated}".`,
      spec,
      quirk,
    });
  }
  return fail('as-issuer', {
    detail: `The resource metadata lists "${issuer}" but the metadata found there says issuer "${stated}" (RFC 8414 §3.3: metadata issuer "…" does not match issuer URL "…"; the MCP SDK rejects it with IssuerMismatchError).`,
    fix: `List the real issuer "${stated}" in authorization_servers — a proxy host in the resource metadata in front of the upstream's metadata breaks this (context7#2723).`,
    spec,
    quirk,
  });
}

export function pkceCheck(metadata: Record<string, unknown>, idp: IdpProfile | undefined): DoctorCheck {
  const spec = SPEC.pkce;
  const quirk = idp?.quirks.pkce;
  const methods = metadata.code_challenge_methods_supported;
  if (Array.isArray(methods) && methods.includes('S256')) return pass('pkce-s256', { detail: `code_challenge_methods_supported: [${methods.join(', ')}].`, spec, quirk });
  return fail('pkce-s256', {
    detail: Array.isArray(methods)
      ? `code_challenge_methods_supported is [${methods.join(', ')}], without S256.`
      : 'The metadata has no code_challenge_methods_supported: MCP clients MUST refuse to proceed ("does not support code challenge method S256").',
    fix: 'Support PKCE with S256 and advertise "code_challenge_methods_supported": ["S256"] in the authorization server metadata.',
    spec,
    quirk,
  });
}
