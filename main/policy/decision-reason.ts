/**
 * The one-sentence `reason` of a decision, and the words for MCP items and methods it uses.
 */
import type { ConsideredRule, ItemKind, MatchedSubjects, Right, RuleEffect } from '../../shared/policy.js';
import { describeMatched } from './subject-set.js';

const NOUN: Record<ItemKind, string> = { tools: 'tool', prompts: 'prompt', resources: 'resource', resource_templates: 'resource template' };

const LIST_METHOD: Record<ItemKind, string> = {
  tools: 'tools/list',
  prompts: 'prompts/list',
  resources: 'resources/list',
  resource_templates: 'resources/templates/list',
};

const CALL_METHOD: Record<ItemKind, string> = {
  tools: 'tools/call',
  prompts: 'prompts/get',
  resources: 'resources/read',
  resource_templates: 'resources/read',
};

const CALL_VERB: Record<ItemKind, string> = { tools: 'call', prompts: 'get', resources: 'read', resource_templates: 'read from' };

export function itemNoun(kind: ItemKind): string {
  return NOUN[kind];
}

/** The JSON-RPC method a right on a kind stands for; conditions see it as request.method. */
export function mcpMethod(kind: ItemKind, right: Right): string {
  return right === 'list' ? LIST_METHOD[kind] : CALL_METHOD[kind];
}

/** "call tool cancel-order", "see prompt triage in prompts/list". */
export function action(right: Right, kind: ItemKind, item: string): string {
  return right === 'list' ? `see ${NOUN[kind]} ${item} in ${LIST_METHOD[kind]}` : `${CALL_VERB[kind]} ${NOUN[kind]} ${item}`;
}

function who(subject: string): string {
  return subject ? subject : 'a principal without a subject';
}

function matchedText(matched: MatchedSubjects | undefined): string {
  const text = describeMatched(matched);
  return text ? `matched ${text}` : 'every authenticated principal';
}

export interface ReasonInput {
  subject: string;
  right: Right;
  kind: ItemKind;
  item: string;
}

export function decidedReason(input: ReasonInput, effect: RuleEffect, decidedBy: string, matched: MatchedSubjects | undefined): string {
  const by = decidedBy === 'default' ? "The route's default ACL" : `Rule ${decidedBy}`;
  const what = action(input.right, input.kind, input.item);
  if (effect === 'allow') return `${by} allows ${who(input.subject)} to ${what} (${matchedText(matched)}).`;
  return `${by} forbids ${who(input.subject)} to ${what} (${matchedText(matched)}); a deny wins over any allow.`;
}

export function noMatchReason(input: ReasonInput, considered: readonly ConsideredRule[]): string {
  const base = `Nothing allows ${who(input.subject)} to ${action(input.right, input.kind, input.item)}, so it is denied`;
  const rule = considered.find((entry) => entry.id !== 'default' && !entry.applies);
  const fallback = considered.find((entry) => entry.id === 'default');
  const notes = [rule ? `rule ${rule.id}: ${rule.why}` : `no rule names this ${NOUN[input.kind]}`];
  if (fallback) notes.push(`default: ${fallback.why}`);
  return `${base} (${notes.join('; ')}).`;
}

/** A call some rule allows, refused because the item is not listed for this principal. */
export function notVisibleReason(callReason: string, listReason: string): string {
  return `${callReason.replace(/\.$/, '')} — but a call also needs the list right, and: ${listReason}`;
}
