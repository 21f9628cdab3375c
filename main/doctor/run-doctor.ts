/**
 * The OAuth doctor: points at any MCP server URL (a Gatehouse route or someone else's server) and
 * walks it the way MCP clients do — unauthenticated initialize, the 401's challenge, Protected
 * Resource Metadata, authorization server discovery, registration, resource and scopes, and what
 * browser clients additionally need (CORS) — reporting each step green or red with the fix, the
 * spec rule and, when the IdP is recognised, what that IdP is known to break. It never throws: an
 * unreachable or non-MCP URL is a report that says so.
 */
import type { DoctorCheck, DoctorReport } from '../../shared/admin-api.js';
import { authorizationServerChecks } from './authorization-server-checks.js';
import { challengeChecks, endpointCheck, probeEndpoint } from './challenge-checks.js';
import { corsChallengeCheck, corsMetadataCheck, corsPreflightCheck, wellKnownPublicCheck } from './cors-checks.js';
import { CHECK_IDS, fail, skip, type CheckId } from './doctor-check.js';
import { DEFAULT_BROWSER_ORIGIN, type DoctorContext } from './doctor-context.js';
import type { HttpAnswer } from './http-probe.js';
import { registrationCheck } from './registration-checks.js';
import { resourceIndicatorCheck } from './resource-indicator-checks.js';
import { resourceMetadataChecks } from './resource-metadata-checks.js';
import { scopesCheck } from './scope-checks.js';

export interface DoctorOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Per request, in ms. Default 5000. */
  timeoutMs?: number;
  /** The browser origin the CORS checks send. Default: the MCP Inspector's, http://localhost:6274. */
  origin?: string;
}

export const DEFAULT_DOCTOR_TIMEOUT_MS = 5_000;

class Checklist {
  private readonly checks = new Map<CheckId, DoctorCheck>();

  add(...checks: DoctorCheck[]): void {
    for (const check of checks) this.checks.set(check.id as CheckId, check);
  }

  /** Every check not run yet is skipped, with the reason. */
  skipRest(reason: string): void {
    for (const id of CHECK_IDS) if (!this.checks.has(id)) this.checks.set(id, skip(id, reason));
  }

  skipUnlessDone(ids: CheckId[], reason: string): void {
    for (const id of ids) if (!this.checks.has(id)) this.checks.set(id, skip(id, reason));
  }

  list(): DoctorCheck[] {
    return CHECK_IDS.flatMap((id) => {
      const check = this.checks.get(id);
      return check ? [check] : [];
    });
  }
}

function contextFor(url: string, options: DoctorOptions): DoctorContext | undefined {
  const given = url.trim();
  const targetUrl = URL.parse(given);
  if (!targetUrl || (targetUrl.protocol !== 'http:' && targetUrl.protocol !== 'https:')) return undefined;
  targetUrl.hash = '';
  return {
    target: given.replace(/#.*$/, ''),
    targetUrl,
    origin: options.origin ?? DEFAULT_BROWSER_ORIGIN,
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS,
  };
}

async function diagnose(ctx: DoctorContext, checklist: Checklist): Promise<string | undefined> {
  const verdict = await probeEndpoint(ctx);
  checklist.add(endpointCheck(ctx, verdict));
  if (verdict.kind === 'unreachable') {
    checklist.skipRest('The server did not answer (see the first check).');
    return undefined;
  }
  if (verdict.kind === 'not-mcp') {
    checklist.skipRest('The URL does not answer as an MCP server (see the first check).');
    return undefined;
  }
  if (verdict.kind === 'unprotected') {
    checklist.add(
      skip(
        'challenge',
        'The server answered initialize without asking for a token: it does not use OAuth, so there is nothing to check. If it should be protected, make it answer requests without a token with 401 and WWW-Authenticate: Bearer resource_metadata="…" (in Gatehouse: give the route an auth section).',
      ),
      // Browser clients need CORS on an open server too.
      await corsPreflightCheck(ctx),
    );
    checklist.skipRest('No OAuth on this server: it answered without a token.');
    return undefined;
  }

  const challenge = verdict.challenge;
  checklist.add(...challengeChecks(ctx, challenge));
  checklist.skipUnlessDone(['challenge-resource-metadata', 'challenge-scope'], 'There is no Bearer challenge to read (see above).');
  const corsChecks = Promise.all([corsPreflightCheck(ctx), corsChallengeCheck(ctx)]);
  // Awaited below; until then a rejection must not surface as unhandled if an earlier step throws.
  corsChecks.catch(() => undefined);

  const resourceMetadata = await resourceMetadataChecks(ctx, challenge.bearer ? challenge.resourceMetadata : undefined);
  checklist.add(...resourceMetadata.checks);
  const answers = [...resourceMetadata.findings.answers];
  const issuer = resourceMetadata.findings.issuer;
  let idpName: string | undefined;
  let serverAnswer: HttpAnswer | undefined;
  if (issuer) {
    const server = await authorizationServerChecks(ctx, issuer);
    checklist.add(...server.checks);
    answers.push(...server.findings.answers);
    idpName = server.findings.idp?.name;
    serverAnswer = server.findings.foundAt;
    const metadata = server.findings.metadata;
    if (metadata) {
      const idp = server.findings.idp;
      checklist.add(
        registrationCheck(metadata, idp),
        resourceIndicatorCheck(metadata, idp, ctx.target),
        scopesCheck({ challenge: challenge.scope, resourceMetadata: resourceMetadata.findings.used?.document?.scopes_supported, serverMetadata: metadata.scopes_supported }, idp),
      );
    } else {
      checklist.skipUnlessDone(['as-issuer', 'pkce-s256', 'registration', 'resource-indicator', 'scopes'], 'No authorization server metadata was found (see above).');
    }
  } else {
    checklist.skipUnlessDone(
      ['as-discovery', 'as-issuer', 'pkce-s256', 'registration', 'resource-indicator', 'scopes'],
      'The resource metadata names no usable authorization server, so there is none to check (see above).',
    );
  }

  const usedAnswer = resourceMetadata.findings.used?.outcome;
  checklist.add(
    ...(await corsChecks),
    corsMetadataCheck(ctx, [
      { label: 'the resource metadata', answer: usedAnswer?.answered ? usedAnswer.answer : undefined },
      { label: 'the authorization server metadata', answer: serverAnswer },
    ]),
    wellKnownPublicCheck(answers),
  );
  return idpName;
}

export async function runDoctor(url: string, options: DoctorOptions = {}): Promise<DoctorReport> {
  const started = performance.now();
  const checklist = new Checklist();
  const ctx = contextFor(url, options);
  let idp: string | undefined;
  if (!ctx) {
    checklist.add(
      fail('mcp-endpoint', {
        detail: `"${url}" is not an http(s) URL.`,
        fix: 'Give the full URL of the MCP endpoint, e.g. http://localhost:8400/ecommerce-mcp or https://example.com/mcp.',
      }),
    );
    checklist.skipRest('There is no URL to check.');
  } else {
    try {
      idp = await diagnose(ctx, checklist);
    } catch (error) {
      // A doctor bug must still end in a report, with what was found so far.
      checklist.add(
        fail('mcp-endpoint', {
          detail: `The doctor stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}.`,
          fix: 'This is a Gatehouse bug: report it with the URL checked and this message.',
        }),
      );
      checklist.skipRest('The doctor stopped early (see the first check).');
    }
  }
  return { target: ctx?.target ?? url, ...(idp ? { idp } : {}), checks: checklist.list(), durationMs: Math.round(performance.now() - started) };
}
