/**
 * A rule's `when`: a CEL expression (https://github.com/google/cel-spec) over the names
 * agentgateway gives its MCP authorization rules — `jwt.*` (the token claims),
 * `mcp.tool.name`, `mcp.prompt.name`, `mcp.resource.uri`, `request.method`. Parsed and
 * type-checked once per rule set; evaluating one is a function call on a prepared AST.
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';

import type { ItemKind } from '../../shared/policy.js';

/** Declared as maps: a claim that is absent is an evaluation error, which has(jwt.x) avoids. */
const environment = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false })
  .registerVariable('jwt', 'map', { description: 'The access token claims.' })
  .registerVariable('mcp', 'map', { description: 'The MCP item: tool.name, prompt.name or resource.uri.' })
  .registerVariable('request', 'map', { description: 'The request: method (e.g. tools/call).' });

export interface RuleCondition {
  source: string;
  evaluate: (context: ConditionContext) => ConditionResult;
}

export interface ConditionContext {
  jwt: Readonly<Record<string, unknown>>;
  mcp: Record<string, { name: string } | { uri: string }>;
  request: { method: string };
}

export type ConditionResult = { value: boolean } | { error: string };

/** The first line of a cel-js message; the rest is a source excerpt with a caret. */
function summary(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!.trim();
}

/** Parses and type-checks `source`; a string result is the problem, in words. */
export function compileCondition(source: string): RuleCondition | string {
  let parsed: ParseResult;
  try {
    parsed = environment.parse(source);
  } catch (error) {
    return `CEL does not parse: ${summary(error)}`;
  }
  const checked = parsed.check();
  if (!checked.valid) {
    return `CEL does not type-check: ${summary(checked.error)} (available: jwt.*, mcp.tool.name, mcp.prompt.name, mcp.resource.uri, request.method)`;
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return `CEL condition yields ${checked.type}, not bool — compare it, e.g. jwt.email.endsWith('@acme.com')`;
  }
  return {
    source,
    evaluate(context) {
      try {
        const value: unknown = parsed(context);
        if (typeof value === 'boolean') return { value };
        return { error: `condition yields ${value === null ? 'null' : typeof value}, not a bool` };
      } catch (error) {
        return { error: summary(error) };
      }
    },
  };
}

/** What `mcp` holds for an item of each kind. */
export function mcpContext(kind: ItemKind, name: string): ConditionContext['mcp'] {
  switch (kind) {
    case 'tools':
      return { tool: { name } };
    case 'prompts':
      return { prompt: { name } };
    case 'resources':
    case 'resource_templates':
      return { resource: { uri: name } };
  }
}
