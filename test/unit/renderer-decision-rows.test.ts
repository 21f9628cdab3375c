import { describe, expect, it } from 'vitest';

import { matchesFilter, mergeDecisionRows } from '../../renderer/src/decisions/decision-rows.js';
import type { DecisionRecord } from '../../shared/admin-api.js';
import type { Decision } from '../../shared/policy.js';
import type { DecisionEvent } from '../../shared/trace-events.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

function decision(item: string, right: 'list' | 'call', effect: Decision['effect']): Decision {
  return {
    version: 1,
    effect,
    right,
    kind: 'tools',
    item,
    ...(effect === 'allow' ? { rule: { id: 'default', effect: 'allow' as const } } : {}),
    considered: [],
    reason: `${effect} ${item}`,
  };
}

function traced(seq: number, time: number, item: string, right: 'list' | 'call', effect: Decision['effect']): DecisionEvent {
  return { type: 'policy.decision', seq, time, route: '/shop', subject: 'alice', groups: ['warehouse-ops'], method: right === 'list' ? 'tools/list' : 'tools/call', decision: decision(item, right, effect) };
}

function audited(time: number, item: string, right: string, effect: DecisionRecord['effect']): DecisionRecord {
  return { v: 1, time: new Date(time).toISOString(), route: '/shop', subject: 'alice', groups: ['warehouse-ops'], method: `tools/${right}`, right, item, effect, reason: 'from the log' };
}

describe('mergeDecisionRows', () => {
  it('shows a decision in both the trace and the audit log once, with the full explanation', () => {
    const rows = mergeDecisionRows([traced(7, T0, 'cancel-order', 'call', 'no_match')], [audited(T0 + 3, 'cancel-order', 'call', 'no_match')]);
    expect(rows).toHaveLength(1);
    expect(rows[0].decision?.item).toBe('cancel-order');
  });

  it('keeps audit history the trace no longer holds, newest first', () => {
    const rows = mergeDecisionRows([traced(9, T0 + 60_000, 'get-order', 'call', 'allow')], [audited(T0, 'get-order', 'call', 'allow'), audited(T0 - 1000, 'list-orders', 'call', 'allow')]);
    expect(rows.map((r) => [r.item, r.decision ? 'trace' : 'audit'])).toEqual([
      ['get-order', 'trace'],
      ['get-order', 'audit'],
      ['list-orders', 'audit'],
    ]);
  });

  it('calls a denied item of a list "filtered", as the audit log does', () => {
    const [row] = mergeDecisionRows([traced(1, T0, 'cancel-order', 'list', 'no_match')], []);
    expect(row.effect).toBe('filtered');
  });

  it('lets one trace event stand for one audit line only', () => {
    const rows = mergeDecisionRows([traced(1, T0, 'get-order', 'call', 'allow')], [audited(T0, 'get-order', 'call', 'allow'), audited(T0 + 1, 'get-order', 'call', 'allow')]);
    expect(rows).toHaveLength(2);
  });
});

describe('matchesFilter', () => {
  const [row] = mergeDecisionRows([traced(1, T0, 'cancel-order', 'call', 'deny')], []);
  it('filters by route, subject, effect and item text (also the rule and method)', () => {
    expect(matchesFilter(row, { route: '/shop', subject: 'ALI', effect: 'deny', item: 'cancel' })).toBe(true);
    expect(matchesFilter(row, { item: 'tools/call' })).toBe(true);
    expect(matchesFilter(row, { effect: 'allow' })).toBe(false);
    expect(matchesFilter(row, { route: '/other' })).toBe(false);
    expect(matchesFilter(row, { subject: 'bob' })).toBe(false);
  });
});
