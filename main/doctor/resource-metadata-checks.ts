/**
 * Protected Resource Metadata (RFC 9728) where clients look for it: the URL the 401 names, the
 * path-suffixed well-known URL (§3.1, what VS Code and Cursor try first) and the root well-known
 * URL (the last fallback). Then the document a client would use: `resource` must be the MCP URL
 * byte for byte (VS Code's strict match) and `authorization_servers` must name an issuer.
 */
import { checkResourceAllowed } from '@modelcontextprotocol/client';

import type { DoctorCheck } from '../../shared/admin-api.js';
import { fail, pass, skip, warn, type CheckId } from './doctor-check.js';
import type { DoctorContext } from './doctor-context.js';
import { metadataUrlFor } from './challenge-checks.js';
import { describeAnswer, jsonObject, probe, type HttpAnswer, type HttpOutcome } from './http-probe.js';
import { SPEC } from './spec-links.js';

export interface MetadataRead {
  url: string;
  outcome: HttpOutcome;
  /** The document, when the answer was 200 with a JSON object. */
  document?: Record<string, unknown>;
}

export interface ResourceMetadataFindings {
  /** The document a client ends up using: the advertised one, else path-suffixed, else root. */
  used?: MetadataRead;
  /** The first authorization server it names. */
  issuer?: string;
  /** Every metadata answer, for the CORS and "not behind auth" checks. */
  answers: HttpAnswer[];
}

async function read(ctx: DoctorContext, url: string, cache: Map<string, Promise<MetadataRead>>): Promise<MetadataRead> {
  let pending = cache.get(url);
  if (!pending) {
    // With an Origin, so the same answer also shows what a browser client would be allowed to read.
    pending = probe(ctx, url, { headers: { accept: 'application/json', origin: ctx.origin } }).then((outcome) => {
      const document = outcome.answered && outcome.answer.status === 200 ? jsonObject(outcome.answer) : undefined;
      return { url, outcome, document };
    });
    cache.set(url, pending);
  }
  return pending;
}

const behindAuth = (status: number) => status === 401 || status === 403;

function summary(document: Record<string, unknown>): string {
  const servers = Array.isArray(document.authorization_servers) ? document.authorization_servers.join(', ') : 'none';
  return `resource=${String(document.resource)}, authorization_servers=[${servers}]`;
}

/** Why a location gave no document, or undefined when it did. */
function problem(found: MetadataRead): { detail: string; status?: number } | undefined {
  if (found.document) return undefined;
  if (!found.outcome.answered) return { detail: found.outcome.failure.reason };
  const answer = found.outcome.answer;
  return { detail: answer.status === 200 ? 'answered 200 but not with a JSON object' : `answered ${describeAnswer(answer)}`, status: answer.status };
}

const BEHIND_AUTH_FIX =
  'Serve /.well-known/oauth-protected-resource… without authentication: a client reads it before it has a token (envoyproxy/ai-gateway PR#2307).';

function locationCheck(id: CheckId, found: MetadataRead, missingFix: string, note = ''): DoctorCheck {
  const spec = id === 'prm-advertised' ? SPEC.resourceMetadataParameter : SPEC.resourceMetadataLocation;
  const trouble = problem(found);
  if (!trouble) return pass(id, { detail: `200 at ${found.url}${note}: ${summary(found.document!)}`, spec });
  if (trouble.status !== undefined && behindAuth(trouble.status)) {
    return fail(id, { detail: `${found.url} ${trouble.detail}: the metadata is behind auth.`, fix: BEHIND_AUTH_FIX, spec });
  }
  return fail(id, { detail: `${found.url}${note}: ${trouble.detail}.`, fix: missingFix, spec });
}

export async function resourceMetadataChecks(
  ctx: DoctorContext,
  advertised: URL | undefined,
): Promise<{ checks: DoctorCheck[]; findings: ResourceMetadataFindings }> {
  const cache = new Map<string, Promise<MetadataRead>>();
  const suffixedUrl = metadataUrlFor(ctx.targetUrl);
  const rootUrl = `${ctx.targetUrl.origin}/.well-known/oauth-protected-resource`;
  const [fromChallenge, suffixed, root] = await Promise.all([
    advertised ? read(ctx, advertised.href, cache) : undefined,
    read(ctx, suffixedUrl, cache),
    read(ctx, rootUrl, cache),
  ]);
  const checks: DoctorCheck[] = [];

  checks.push(
    fromChallenge
      ? locationCheck('prm-advertised', fromChallenge, `Serve the metadata at ${fromChallenge.url}, or correct resource_metadata in the 401 to where it is served (${suffixedUrl}).`)
      : skip('prm-advertised', 'The 401 names no resource_metadata URL (see above); clients fall back to the well-known URLs below.', SPEC.resourceMetadataParameter),
  );

  const hasPath = suffixedUrl !== rootUrl;
  checks.push(
    locationCheck(
      'prm-path-suffixed',
      suffixed,
      `Serve the metadata at ${suffixedUrl} too: VS Code and Cursor try this form first, and clients retry forever when only the root form exists (nutrition-mcp#51).`,
      hasPath ? '' : ' (the MCP URL has no path, so this is the root form)',
    ),
  );

  const elsewhere = Boolean(fromChallenge?.document ?? suffixed.document);
  if (!hasPath) {
    checks.push(pass('prm-root', { detail: 'The MCP URL has no path: the root form is the path-suffixed one above.', spec: SPEC.resourceMetadataLocation }));
  } else if (!root.document && elsewhere && !(root.outcome.answered && behindAuth(root.outcome.answer.status))) {
    checks.push(
      pass('prm-root', {
        detail: `Not served at ${rootUrl} (${problem(root)?.detail}); fine, since clients find it at the locations above first (RFC 9728 §3.1 puts it after the path).`,
        spec: SPEC.resourceMetadataDiscovery,
      }),
    );
  } else {
    checks.push(locationCheck('prm-root', root, `Serve the metadata at ${suffixedUrl} (and the URL the 401 names); the root form is only the last fallback.`));
  }

  const used = [fromChallenge, suffixed, root].find((found) => found?.document);
  const answers = [fromChallenge, suffixed, root].flatMap((found) => (found?.outcome.answered ? [found.outcome.answer] : []));
  if (!used) {
    const reason = 'No resource metadata was found, so there is no resource or authorization server to check.';
    checks.push(skip('prm-resource', reason, SPEC.resourceMetadataValidation), skip('prm-authorization-servers', reason, SPEC.resourceMetadataFields));
    return { checks, findings: { answers } };
  }
  checks.push(resourceCheck(ctx, used, [fromChallenge, suffixed].filter((found): found is MetadataRead => Boolean(found?.document) && found !== used)));
  const serversCheck = authorizationServersCheck(used);
  checks.push(serversCheck.check);
  return { checks, findings: { used, issuer: serversCheck.issuer, answers } };
}

function resourceCheck(ctx: DoctorContext, used: MetadataRead, others: MetadataRead[]): DoctorCheck {
  const spec = SPEC.resourceMetadataValidation;
  const resource = used.document!.resource;
  const target = ctx.target;
  const setIt = `Set resource to exactly "${target}" (the URL clients connect to) and serve that document at ${metadataUrlFor(ctx.targetUrl)}.`;
  if (typeof resource !== 'string') {
    return fail('prm-resource', { detail: `The metadata at ${used.url} has no resource (REQUIRED, RFC 9728 §2).`, fix: setIt, spec });
  }
  if (resource !== target) {
    const originOnly = resource === ctx.targetUrl.origin || resource === `${ctx.targetUrl.origin}/`;
    const slashOnly = resource.replace(/\/$/, '') === target.replace(/\/$/, '');
    const sdkAccepts = URL.canParse(resource) && checkResourceAllowed({ requestedResource: target, configuredResource: resource });
    const why = originOnly
      ? `resource is the origin "${resource}", not the MCP URL "${target}". VS Code refuses: Protected Resource Metadata resource "${resource}" does not match MCP server resolved resource "${target}" (python-sdk#1264)`
      : slashOnly
        ? `resource "${resource}" and the MCP URL "${target}" differ by a trailing slash; VS Code compares them byte for byte`
        : `resource "${resource}" is not this server's URL "${target}"; clients must not use such metadata (RFC 9728 §3.3)`;
    return fail('prm-resource', {
      detail: `${why}.${sdkAccepts ? ' (MCP SDK clients accept a prefix of the URL; VS Code does not.)' : ''}`,
      fix: setIt,
      spec,
    });
  }
  const disagreeing = others.filter((other) => other.document!.resource !== resource || JSON.stringify(other.document!.authorization_servers) !== JSON.stringify(used.document!.authorization_servers));
  if (disagreeing.length) {
    return warn('prm-resource', {
      detail: `resource is "${target}" at ${used.url}, but ${disagreeing.map((other) => `${other.url} says ${summary(other.document!)}`).join('; ')}.`,
      fix: 'Serve one and the same document at every metadata location, so every client sees the same resource and issuer.',
      spec,
    });
  }
  return pass('prm-resource', { detail: `resource is "${target}", byte for byte the MCP URL.`, spec });
}

function authorizationServersCheck(used: MetadataRead): { check: DoctorCheck; issuer?: string } {
  const spec = SPEC.resourceMetadataFields;
  const servers = used.document!.authorization_servers;
  const list = Array.isArray(servers) ? servers.filter((server): server is string => typeof server === 'string') : [];
  if (!list.length) {
    return {
      check: fail('prm-authorization-servers', {
        detail: `The metadata at ${used.url} has no authorization_servers.`,
        fix: 'List the authorization server\'s issuer in authorization_servers, written exactly as the "issuer" of its metadata (the MCP spec requires at least one).',
        spec,
      }),
    };
  }
  const issuer = list[0]!;
  const url = URL.parse(issuer);
  if (!url) {
    return { check: fail('prm-authorization-servers', { detail: `authorization_servers[0] "${issuer}" is not a URL.`, fix: 'Write the issuer as an absolute https URL.', spec }) };
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !loopback) {
    return {
      issuer,
      check: warn('prm-authorization-servers', {
        detail: `authorization_servers: [${list.join(', ')}] — the issuer is plain http on a non-loopback host.`,
        fix: 'Serve the authorization server over https; OAuth 2.1 allows http only for loopback.',
        spec,
      }),
    };
  }
  const more = list.length > 1 ? ` (${list.length} servers: clients use the first, and the checks below look at it)` : '';
  return { issuer, check: pass('prm-authorization-servers', { detail: `authorization_servers: [${list.join(', ')}]${more}.`, spec }) };
}
