/**
 * The resource-server step of a request on a protected route: validate the token, demand the
 * scopes of the tools the request calls (403 step-up), and trace the verdict. Preflights and the
 * well-known metadata never get here: they need no token.
 */
import { insufficientScope, OAuthError } from '../auth/oauth-error.js';
import type { Principal } from '../auth/principal.js';
import type { Authenticated, ResourceServer } from '../auth/resource-server.js';
import type { TraceBus } from '../trace/trace-bus.js';
import { shorten } from '../trace/redact.js';

/** Tool names a JSON-RPC body calls (a batch may call several). */
async function calledTools(request: Request): Promise<string[]> {
  if (request.method !== 'POST') return [];
  let body: unknown;
  try {
    body = await request.clone().json();
  } catch {
    return [];
  }
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((message) => {
    const m = message as { method?: unknown; params?: { name?: unknown } } | null;
    return m?.method === 'tools/call' && typeof m.params?.name === 'string' ? [m.params.name] : [];
  });
}

function tokenOf(request: Request): string | undefined {
  const match = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)/i);
  return match ? shorten(match[1]!) : undefined;
}

export async function authenticateRequest(
  resourceServer: ResourceServer,
  request: Request,
  trace: TraceBus,
  route: string,
  /** Whether the caller may see a tool (the route's ACL): step-up is only offered for those. */
  canSee: (tool: string, principal: Principal) => boolean = () => true,
): Promise<Authenticated | Response> {
  const resource = resourceServer.resourceFor(request.headers.get('host'));
  const session = request.headers.get('mcp-session-id') ?? undefined;
  let authenticated: Authenticated | undefined;
  try {
    authenticated = await resourceServer.authenticate(request.headers.get('authorization'), resource);
    const granted = authenticated.principal.scopes;
    if (Object.keys(resourceServer.options.auth.tool_scopes).length) {
      // A tool the caller may not see must not reveal itself by asking for a scope: the ACL answers.
      const tools = (await calledTools(request)).filter((tool) => canSee(tool, authenticated!.principal));
      const needed = resourceServer.scopesNeeded(tools);
      const missing = needed.filter((scope) => !granted.includes(scope));
      if (missing.length) {
        throw insufficientScope(needed, `This call needs the scope(s) ${missing.join(' ')}; re-authorize with them (step-up)`);
      }
    }
    const { principal } = authenticated;
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
    return resourceServer.challenge(error, resource);
  }
}
