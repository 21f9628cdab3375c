/**
 * The first thing every client does: POST initialize without a token. A protected MCP server must
 * answer 401 with a Bearer challenge (RFC 6750 §3) naming its resource metadata (RFC 9728 §5.1)
 * and, for the clients that take their scopes from it, the scopes to ask for.
 */
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/client';

import type { DoctorCheck } from '../../shared/admin-api.js';
import { fail, pass, warn } from './doctor-check.js';
import { initializeInit, type DoctorContext } from './doctor-context.js';
import { describeAnswer, jsonObject, probe, type HttpAnswer, type NoAnswer } from './http-probe.js';
import { SPEC } from './spec-links.js';

export interface BearerChallengeSeen {
  answer: HttpAnswer;
  /** The raw header, or undefined when the 401 carries none. */
  header?: string;
  bearer: boolean;
  resourceMetadata?: URL;
  scope?: string;
}

export type EndpointVerdict =
  | { kind: 'unreachable'; failure: NoAnswer }
  | { kind: 'not-mcp'; answer: HttpAnswer }
  | { kind: 'unprotected'; answer: HttpAnswer }
  | { kind: 'protected'; challenge: BearerChallengeSeen };

function looksLikeMcp(answer: HttpAnswer): boolean {
  if ((answer.headers.get('content-type') ?? '').includes('text/event-stream')) return true;
  return jsonObject(answer)?.jsonrpc === '2.0';
}

/** The error message a JSON or JSON-RPC error body carries, to quote the server's own words. */
function bodyMessage(answer: HttpAnswer): string | undefined {
  const body = jsonObject(answer);
  const error = body?.error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  if (typeof body?.error_description === 'string') return body.error_description;
  if (typeof body?.message === 'string') return body.message;
  return undefined;
}

function readChallenge(answer: HttpAnswer): BearerChallengeSeen {
  const header = answer.headers.get('www-authenticate') ?? undefined;
  const scheme = header?.trim().split(/\s+/)[0]?.toLowerCase();
  // What SDK-based clients (MCP Inspector, mcp-remote, Claude Code) read out of the header.
  const params = extractWWWAuthenticateParams(new Response(null, { status: 401, headers: answer.headers }));
  return { answer, header, bearer: scheme === 'bearer', resourceMetadata: params.resourceMetadataUrl, scope: params.scope };
}

/** Sends the unauthenticated initialize and sorts the server into unreachable, not MCP, open or protected. */
export async function probeEndpoint(ctx: DoctorContext): Promise<EndpointVerdict> {
  const outcome = await probe(ctx, ctx.target, initializeInit());
  if (!outcome.answered) return { kind: 'unreachable', failure: outcome.failure };
  const answer = outcome.answer;
  if (answer.status === 401) return { kind: 'protected', challenge: readChallenge(answer) };
  if (answer.status < 500 && answer.status !== 403 && answer.status !== 404 && looksLikeMcp(answer)) {
    await endSession(ctx, answer);
    return { kind: 'unprotected', answer };
  }
  return { kind: 'not-mcp', answer };
}

/** The probe may have opened a session on an open server: close it rather than leave it to expire. */
async function endSession(ctx: DoctorContext, answer: HttpAnswer): Promise<void> {
  const session = answer.headers.get('mcp-session-id');
  if (!session) return;
  await probe(ctx, ctx.target, { method: 'DELETE', headers: { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } });
}

export function endpointCheck(ctx: DoctorContext, verdict: EndpointVerdict): DoctorCheck {
  const spec = SPEC.streamableHttp;
  switch (verdict.kind) {
    case 'unreachable':
      return fail('mcp-endpoint', { detail: `POST initialize to ${ctx.target}: ${verdict.failure.reason}.`, fix: verdict.failure.fix, spec });
    case 'not-mcp': {
      const answer = verdict.answer;
      const said = bodyMessage(answer);
      const detail = `POST initialize to ${ctx.target} answered ${describeAnswer(answer)}${said ? `: "${said}"` : ''}, not an MCP answer (JSON-RPC or an event stream) nor a 401.`;
      if (answer.status === 403) {
        return fail('mcp-endpoint', {
          detail,
          fix: 'A request without a token must get 401, not 403 (RFC 6750 §3). If the server refuses this Host or Origin (DNS-rebinding protection), allow the name you reach it under.',
          spec: SPEC.bearerChallenge,
        });
      }
      return fail('mcp-endpoint', {
        detail,
        fix:
          answer.status === 404 || answer.status === 405
            ? "Check the URL's path: it must be the server's Streamable HTTP endpoint (often /mcp), not a web page or the old /sse endpoint."
            : 'Point the doctor at the MCP endpoint itself; if this is it, check the server logs for why it failed.',
        spec,
      });
    }
    case 'unprotected':
      return pass('mcp-endpoint', { detail: `POST initialize without a token answered ${describeAnswer(verdict.answer)}: an MCP server that asks for no token.`, spec });
    case 'protected': {
      const answer = verdict.challenge.answer;
      const redirected = answer.redirected && answer.url !== ctx.target;
      if (redirected) {
        return warn('mcp-endpoint', {
          detail: `${ctx.target} redirects to ${answer.url}, which answered 401.`,
          fix: `Give clients the final URL (${answer.url}): the resource they get tokens for is the URL they were given, and a redirect of a POST is not followed by every client.`,
          spec,
        });
      }
      return pass('mcp-endpoint', { detail: `POST initialize without a token answered 401 (${describeAnswer(answer)}).`, spec });
    }
  }
}

export function challengeChecks(ctx: DoctorContext, challenge: BearerChallengeSeen): DoctorCheck[] {
  const expectedMetadata = metadataUrlFor(ctx.targetUrl);
  if (!challenge.header || !challenge.bearer) {
    return [
      fail('challenge', {
        detail: challenge.header ? `The 401 carries WWW-Authenticate: ${challenge.header} — not a Bearer challenge.` : 'The 401 carries no WWW-Authenticate header.',
        fix: `Send WWW-Authenticate: Bearer resource_metadata="${expectedMetadata}" on every 401; without it clients cannot learn how to get a token.`,
        spec: SPEC.bearerChallenge,
      }),
    ];
  }
  const checks = [pass('challenge', { detail: `WWW-Authenticate: ${challenge.header}`, spec: SPEC.bearerChallenge })];

  const metadata = challenge.resourceMetadata;
  if (!metadata) {
    checks.push(
      fail('challenge-resource-metadata', {
        detail: 'The Bearer challenge has no resource_metadata parameter (or not an absolute URL).',
        fix: `Add resource_metadata="${expectedMetadata}" to every 401's challenge. Claude Desktop stops after a 401 without it (keeperhub PR#954); other clients have to guess the well-known URLs.`,
        spec: SPEC.resourceMetadataParameter,
      }),
    );
  } else if (metadata.origin !== ctx.targetUrl.origin) {
    checks.push(
      warn('challenge-resource-metadata', {
        detail: `resource_metadata points at ${metadata.origin}, while the MCP URL is on ${ctx.targetUrl.origin}.`,
        fix: "If that host is not reachable by clients, the URL was built from the request's Host behind a proxy (docs-builder PR#2805): build metadata URLs from a configured public base URL.",
        spec: SPEC.resourceMetadataParameter,
      }),
    );
  } else {
    checks.push(pass('challenge-resource-metadata', { detail: `resource_metadata=${metadata.href}`, spec: SPEC.resourceMetadataParameter }));
  }

  if (challenge.scope) {
    checks.push(pass('challenge-scope', { detail: `scope="${challenge.scope}"`, spec: SPEC.scopeSelection }));
  } else {
    checks.push(
      warn('challenge-scope', {
        detail: 'The Bearer challenge names no scope.',
        fix: 'Add scope="…" with the scopes this server needs: Claude Code requests exactly the 401\'s scope, and without it clients fall back to the metadata\'s scopes_supported or ask for none (Okta then refuses).',
        spec: SPEC.scopeSelection,
      }),
    );
  }
  return checks;
}

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function metadataUrlFor(resource: URL): string {
  const path = resource.pathname === '/' ? '' : resource.pathname;
  return `${resource.origin}/.well-known/oauth-protected-resource${path}`;
}
