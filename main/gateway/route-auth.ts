/**
 * The resource-server step of a request on a protected route: validate the token, demand the
 * scopes of the tools the request calls (403 step-up), and trace the verdict. Preflights and the
 * well-known metadata never get here: they need no token. The route's injected faults act here
 * too (invalidated tokens, an extra scope for tools/call, a challenge without resource_metadata),
 * through the same challenge code as real refusals.
 */
import { insufficientScope, invalidToken, OAuthError } from '../auth/oauth-error.js';
import type { Principal } from '../auth/principal.js';
import type { Authenticated, ResourceServer } from '../auth/resource-server.js';
import { resourceServerFailure } from '../auth/spec-references.js';
import { noteExchange, noteFault } from '../trace/exchange-capture.js';
import type { TraceBus } from '../trace/trace-bus.js';
import { shorten } from '../trace/redact.js';
import { TOKEN_FAULT, type RouteFaults } from './route-faults.js';

/** Tool names a JSON-RPC body calls (a batch may call several); `parsedBody` when the caller read it. */
async function calledTools(request: Request, parsedBody?: unknown): Promise<string[]> {
  if (request.method !== 'POST') return [];
  let body = parsedBody;
  if (body === undefined) {
    try {
      body = await request.clone().json();
    } catch {
      return [];
    }
  }
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((message) => {
    const m = message as { method?: unknown; params?: { name?: unknown } } | null;
    return m?.method === 'tools/call' && typeof m.params?.name === 'string' ? [m.params.name] : [];
  });
}

function rawToken(request: Request): string | undefined {
  return request.headers.get('authorization')?.match(/^Bearer\s+(\S+)/i)?.[1];
}

function tokenOf(request: Request): string | undefined {
  const token = rawToken(request);
  return token ? shorten(token) : undefined;
}

function invalidated(action: 'expire' | 'revoke'): OAuthError {
  return action === 'expire'
    ? invalidToken('The access token expired (injected fault) — refresh it or sign in again', { claim: 'exp', reason: 'expired', detail: 'injected fault: tokens issued before the expire action are refused' })
    : invalidToken('The access token was revoked (injected fault) — sign in again', { reason: 'revoked', detail: 'injected fault: tokens issued before the revoke action are refused, and their grants revoked' });
}

export async function authenticateRequest(
  resourceServer: ResourceServer,
  request: Request,
  trace: TraceBus,
  route: string,
  /** Whether the caller may see a tool (the route's ACL): step-up is only offered for those. */
  canSee: (tool: string, principal: Principal) => boolean = () => true,
  faults?: RouteFaults,
  /** The request's body, already parsed (otherwise it is read from a clone when scopes depend on it). */
  parsedBody?: unknown,
): Promise<Authenticated | Response> {
  const resource = resourceServer.resourceFor(request.headers.get('host'));
  const session = request.headers.get('mcp-session-id') ?? undefined;
  const injected = faults?.faults ?? {};
  noteExchange({ step: 'challenge' });
  let authenticated: Authenticated | undefined;
  try {
    authenticated = await resourceServer.authenticate(request.headers.get('authorization'), resource);
    noteExchange({ clientId: authenticated.principal.clientId });
    const token = rawToken(request)!;
    const refusedBy = faults?.refuses(token, authenticated.principal.claims);
    if (refusedBy) {
      noteFault(TOKEN_FAULT[refusedBy]);
      throw invalidated(refusedBy);
    }
    faults?.remember(token, authenticated.principal.claims);
    const granted = authenticated.principal.scopes;
    if (Object.keys(resourceServer.options.auth.tool_scopes).length || injected.require_scope) {
      // A tool the caller may not see must not reveal itself by asking for a scope: the ACL answers.
      const tools = (await calledTools(request, parsedBody)).filter((tool) => canSee(tool, authenticated!.principal));
      const extra = injected.require_scope && tools.length ? [injected.require_scope] : [];
      const needed = [...new Set([...resourceServer.scopesNeeded(tools), ...extra])];
      const missing = needed.filter((scope) => !granted.includes(scope));
      if (missing.length) {
        if (extra.length && missing.includes(extra[0]!)) noteFault('require_scope');
        throw insufficientScope(needed, `This call needs the scope(s) ${missing.join(' ')}; re-authorize with them (step-up)`);
      }
    }
    const { principal } = authenticated;
    noteExchange({ step: 'mcp' });
    trace.emit({
      type: 'auth.token', route, session, outcome: 'valid', validation: authenticated.validation, token: tokenOf(request),
      subject: principal.subject, clientId: principal.clientId, groups: principal.groups, scopes: principal.scopes,
      warnings: authenticated.warnings.length ? authenticated.warnings : undefined, cached: authenticated.cached || undefined,
    });
    return authenticated;
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    trace.emit({
      type: 'auth.token', route, session, outcome: 'rejected', validation: request.headers.get('authorization') ? resourceServer.validation : 'none',
      token: tokenOf(request), status: error.status, error: error.error, description: error.errorDescription,
      claim: error.options.claim, reason: error.options.reason, detail: error.options.detail,
      subject: authenticated?.principal.subject, clientId: authenticated?.principal.clientId,
    });
    noteExchange({ failure: resourceServerFailure(error) });
    const dropMetadata = injected.drop_resource_metadata === true && (error.status === 401 || error.status === 403);
    if (dropMetadata) noteFault('drop_resource_metadata');
    return resourceServer.challenge(error, resource, { withoutResourceMetadata: dropMetadata });
  }
}
