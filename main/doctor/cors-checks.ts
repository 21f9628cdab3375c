/**
 * What a browser-based client (MCP Inspector, claude.ai) needs: a CORS preflight answered before
 * any authentication, a 401 whose WWW-Authenticate the page may read, and metadata documents any
 * origin may read. Without them the browser hides the answer and the client says it "couldn't
 * reach the server".
 */
import type { DoctorCheck } from '../../shared/admin-api.js';
import { fail, pass, skip, warn } from './doctor-check.js';
import { initializeInit, type DoctorContext } from './doctor-context.js';
import { describeAnswer, jsonObject, probe, type HttpAnswer } from './http-probe.js';
import { SPEC } from './spec-links.js';

/** What an MCP client in a browser asks to send. */
const PREFLIGHT_HEADERS = ['authorization', 'content-type', 'mcp-protocol-version', 'mcp-session-id'];

function headerNames(value: string | null): Set<string> {
  return new Set((value ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
}

function allowsOrigin(answer: HttpAnswer, origin: string): boolean {
  const allowed = answer.headers.get('access-control-allow-origin');
  return allowed === '*' || allowed === origin;
}

function refusal(answer: HttpAnswer): string {
  const body = jsonObject(answer);
  const error = body?.error;
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : body?.error_description ?? body?.message;
  return typeof message === 'string' ? `: "${message}"` : '';
}

export async function corsPreflightCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  const spec = SPEC.corsPreflight;
  const outcome = await probe(ctx, ctx.target, {
    method: 'OPTIONS',
    headers: { origin: ctx.origin, 'access-control-request-method': 'POST', 'access-control-request-headers': PREFLIGHT_HEADERS.join(',') },
  });
  if (!outcome.answered) return fail('cors-preflight', { detail: `OPTIONS ${ctx.target}: ${outcome.failure.reason}.`, fix: outcome.failure.fix, spec });
  const answer = outcome.answer;
  const asked = `OPTIONS from ${ctx.origin} (as the MCP Inspector) answered ${describeAnswer(answer)}`;
  if (answer.status === 401) {
    return fail('cors-preflight', {
      detail: `${asked}: authentication runs on the preflight, which never carries a token, so the browser never sends the real request.`,
      fix: 'Answer OPTIONS before authentication, with 204 and the Access-Control-Allow-* headers (envoyproxy/ai-gateway PR#2307).',
      spec,
    });
  }
  if (answer.status === 403) {
    return fail('cors-preflight', {
      detail: `${asked}${refusal(answer)}: this origin is refused.`,
      fix: `Allow the origins of the browser clients you use in the server's CORS settings (${ctx.origin} is the MCP Inspector; https://claude.ai for claude.ai connectors).`,
      spec,
    });
  }
  if (answer.status < 200 || answer.status > 299) {
    return fail('cors-preflight', { detail: `${asked}: the preflight is not answered.`, fix: 'Answer OPTIONS on the MCP URL with 204 and Access-Control-Allow-Origin, -Methods and -Headers.', spec });
  }
  if (!allowsOrigin(answer, ctx.origin)) {
    return fail('cors-preflight', {
      detail: `${asked} without Access-Control-Allow-Origin for ${ctx.origin} (got ${answer.headers.get('access-control-allow-origin') ?? 'none'}).`,
      fix: `Send Access-Control-Allow-Origin: ${ctx.origin} (or *) on the preflight.`,
      spec,
    });
  }
  const allowed = headerNames(answer.headers.get('access-control-allow-headers'));
  // A wildcard never covers Authorization (Fetch standard), so that one must be named.
  const missing = PREFLIGHT_HEADERS.filter((name) => !allowed.has(name) && !(allowed.has('*') && name !== 'authorization'));
  if (missing.length) {
    return fail('cors-preflight', {
      detail: `${asked}, but Access-Control-Allow-Headers (${answer.headers.get('access-control-allow-headers') ?? 'none'}) does not allow ${missing.join(', ')}.`,
      fix: `Allow the request headers ${PREFLIGHT_HEADERS.join(', ')} (a * does not cover Authorization).`,
      spec,
    });
  }
  return pass('cors-preflight', { detail: `${asked}, allowing ${ctx.origin} and the headers ${PREFLIGHT_HEADERS.join(', ')}.`, spec });
}

export async function corsChallengeCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  const spec = SPEC.corsProtocol;
  const outcome = await probe(ctx, ctx.target, initializeInit(ctx.origin));
  if (!outcome.answered) return fail('cors-challenge', { detail: `POST with Origin ${ctx.origin}: ${outcome.failure.reason}.`, fix: outcome.failure.fix, spec });
  const answer = outcome.answer;
  if (answer.status !== 401) {
    return fail('cors-challenge', {
      detail: `POST initialize from ${ctx.origin} answered ${describeAnswer(answer)}${refusal(answer)} instead of the 401 a native client gets.`,
      fix: `Treat requests from browser origins like any other: a 401 with the challenge. If the origin is refused on purpose, allow the browser clients you use (${ctx.origin} is the MCP Inspector).`,
      spec,
    });
  }
  if (!allowsOrigin(answer, ctx.origin)) {
    return fail('cors-challenge', {
      detail: `The 401 to ${ctx.origin} has no Access-Control-Allow-Origin: the browser hides it, and browser clients (MCP Inspector, claude.ai) report they "couldn't reach the server".`,
      fix: 'Send the CORS headers on every answer of the MCP URL, 401s included: Access-Control-Allow-Origin and Access-Control-Expose-Headers: WWW-Authenticate, Mcp-Session-Id (twenty PR#19836).',
      spec,
    });
  }
  const exposed = headerNames(answer.headers.get('access-control-expose-headers'));
  const wildcard = exposed.has('*') && answer.headers.get('access-control-allow-credentials') !== 'true';
  if (!wildcard && !exposed.has('www-authenticate')) {
    return fail('cors-challenge', {
      detail: `The 401 does not expose WWW-Authenticate (Access-Control-Expose-Headers: ${answer.headers.get('access-control-expose-headers') ?? 'none'}): a browser client cannot read resource_metadata and stops.`,
      fix: 'Send Access-Control-Expose-Headers: WWW-Authenticate, Mcp-Session-Id on every answer of the MCP URL (twenty PR#19836).',
      spec,
    });
  }
  if (!wildcard && !exposed.has('mcp-session-id')) {
    return warn('cors-challenge', {
      detail: 'The 401 exposes WWW-Authenticate but not Mcp-Session-Id: if the initialize answer is the same, a browser client cannot read its session and every later request fails.',
      fix: 'Add Mcp-Session-Id to Access-Control-Expose-Headers.',
      spec,
    });
  }
  return pass('cors-challenge', {
    detail: `The 401 allows ${answer.headers.get('access-control-allow-origin')} and exposes ${answer.headers.get('access-control-expose-headers')}.`,
    spec,
  });
}

export function corsMetadataCheck(ctx: DoctorContext, documents: Array<{ label: string; answer?: HttpAnswer }>): DoctorCheck {
  const spec = SPEC.corsProtocol;
  const read = documents.filter((document): document is { label: string; answer: HttpAnswer } => Boolean(document.answer));
  if (!read.length) return skip('cors-metadata', 'No metadata document was found to look at.', spec);
  const closed = read.filter((document) => !allowsOrigin(document.answer, ctx.origin));
  if (closed.length) {
    return fail('cors-metadata', {
      detail: `${closed.map((document) => `${document.label} (${document.answer.url})`).join(' and ')} ${closed.length > 1 ? 'have' : 'has'} no Access-Control-Allow-Origin for ${ctx.origin}: browser clients cannot read ${closed.length > 1 ? 'them' : 'it'}.`,
      fix: 'Send Access-Control-Allow-Origin: * on the metadata documents: they are public and carry no cookies.',
      spec,
    });
  }
  return pass('cors-metadata', { detail: `${read.map((document) => document.label).join(' and ')} readable from ${ctx.origin}.`, spec });
}

export function wellKnownPublicCheck(answers: HttpAnswer[]): DoctorCheck {
  const spec = SPEC.resourceMetadataDiscovery;
  const wellKnown = answers.filter((answer) => new URL(answer.url).pathname.includes('/.well-known/'));
  if (!wellKnown.length) return skip('well-known-public', 'No .well-known URL answered.', spec);
  const locked = wellKnown.filter((answer) => answer.status === 401 || answer.status === 403);
  if (locked.length) {
    return fail('well-known-public', {
      detail: `${locked.map((answer) => `${answer.url} → ${answer.status}`).join('; ')}: metadata behind auth.`,
      fix: 'Exempt /.well-known/* (and OPTIONS) from authentication: a client reads the metadata before it has a token (envoyproxy/ai-gateway PR#2307).',
      spec,
    });
  }
  return pass('well-known-public', { detail: `${wellKnown.length} .well-known request${wellKnown.length > 1 ? 's' : ''} answered without a token (${[...new Set(wellKnown.map((answer) => answer.status))].join(', ')}).`, spec });
}
