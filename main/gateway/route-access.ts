/**
 * The route's ACL applied to MCP traffic: lists are filtered per caller, and a call, prompt get or
 * resource read the caller may not make is refused before any upstream sees it — with the same
 * answer as for an item that does not exist, so hidden items stay hidden. Every decision is a
 * trace event and an audit line, written before the response goes out.
 */
import { ProtocolError, ProtocolErrorCode, type ServerContext } from '@modelcontextprotocol/server';

import type { Decision, ItemKind, Right } from '../../shared/policy.js';
import type { Principal } from '../auth/principal.js';
import { decide, filterCatalog, isAllowed, type CompiledPolicy } from '../policy/index.js';
import type { AuditLog, AuditEntry } from '../trace/audit-log.js';
import { noteExchange } from '../trace/exchange-capture.js';
import type { TraceBus } from '../trace/trace-bus.js';

const NOUN: Record<ItemKind, string> = { tools: 'Tool', prompts: 'Prompt', resources: 'Resource', resource_templates: 'Resource template' };

export function principalOf(ctx: ServerContext): Principal | undefined {
  return ctx.http?.authInfo?.extra?.principal as Principal | undefined;
}

/** The answer for an item the caller may not use, identical to the one for an unknown item. */
export function notAvailable(kind: ItemKind, name: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `${NOUN[kind]} ${name} is not available to you on this route`);
}

export class RouteAccess {
  constructor(
    private readonly route: string,
    private readonly policy: () => CompiledPolicy | undefined,
    private readonly trace: TraceBus,
    private readonly audit?: AuditLog,
  ) {}

  get enforced(): boolean {
    return this.policy() !== undefined;
  }

  /** The items of a list the caller may see. */
  async filter<T>(ctx: ServerContext, kind: ItemKind, items: T[], nameOf: (item: T) => string): Promise<T[]> {
    const policy = this.policy();
    const principal = principalOf(ctx);
    if (!policy || !principal) return items;
    const { visible, decisions } = filterCatalog(policy, principal, kind, items.map(nameOf));
    await this.record(ctx, principal, decisions, true);
    const shown = new Set(visible);
    return items.filter((item) => shown.has(nameOf(item)));
  }

  /** Throws the not-available error unless the caller may make this call. */
  async check(ctx: ServerContext, kind: ItemKind, name: string, right: Right = 'call'): Promise<void> {
    const policy = this.policy();
    const principal = principalOf(ctx);
    if (!policy || !principal) return;
    const decision = decide(policy, principal, { right, kind, name, method: ctx.mcpReq.method });
    await this.record(ctx, principal, [decision], false);
    if (!isAllowed(decision)) {
      noteExchange({ denied: true });
      throw notAvailable(kind, name);
    }
  }

  private async record(ctx: ServerContext, principal: Principal, decisions: Decision[], listing: boolean): Promise<void> {
    const method = ctx.mcpReq.method;
    const session = ctx.sessionId;
    const entries: Array<Omit<AuditEntry, 'v' | 'time'>> = [];
    for (const decision of decisions) {
      this.trace.emit({ type: 'policy.decision', route: this.route, session, subject: principal.subject, clientId: principal.clientId, groups: [...principal.groups], method, decision });
      entries.push({
        route: this.route,
        session,
        subject: principal.subject,
        client: principal.clientId,
        groups: [...principal.groups],
        method,
        right: decision.right,
        item: decision.item,
        effect: listing && !isAllowed(decision) ? 'filtered' : decision.effect,
        rule: decision.rule?.id,
        reason: decision.reason,
      });
    }
    await this.audit?.appendMany(entries);
  }
}
