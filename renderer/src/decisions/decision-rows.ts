/**
 * One list of decisions from two sources: the audit log (GET /api/decisions, the history, with
 * the deciding rule and reason) and live `policy.decision` trace events (with the full
 * explanation). A decision seen in both is shown once, from the trace.
 */
import type { DecisionRecord } from '../../../shared/admin-api.js';
import type { Decision, Effect } from '../../../shared/policy.js';
import type { DecisionEvent, TraceEvent } from '../../../shared/trace-events.js';

export type RowEffect = Effect | 'filtered';

/** An audit line's fields, keyed for the table, with the time as a number. */
export interface DecisionRow extends Omit<DecisionRecord, 'v' | 'time' | 'effect'> {
  key: string;
  time: number;
  effect: RowEffect;
  /** The full explanation, when the decision came through the live trace. */
  decision?: Decision;
}

/** A list request's denied item is left out of the list, not refused: the audit log calls that filtered. */
export function rowEffect(event: DecisionEvent): RowEffect {
  return event.decision.right === 'list' && event.decision.effect !== 'allow' ? 'filtered' : event.decision.effect;
}

// Events are immutable once in the trace store, so each one's row is built once, not every frame.
const rowCache = new WeakMap<DecisionEvent, DecisionRow>();

export function rowFromEvent(event: DecisionEvent): DecisionRow {
  let row = rowCache.get(event);
  if (!row) {
    row = buildRow(event);
    rowCache.set(event, row);
  }
  return row;
}

function buildRow(event: DecisionEvent): DecisionRow {
  return {
    key: `t${event.seq}`,
    time: event.time,
    route: event.route,
    session: event.session,
    subject: event.subject,
    client: event.clientId,
    groups: event.groups,
    method: event.method,
    right: event.decision.right,
    item: event.decision.item,
    effect: rowEffect(event),
    rule: event.decision.rule?.id,
    reason: event.decision.reason,
    decision: event.decision,
  };
}

export function rowFromRecord(record: DecisionRecord, index: number): DecisionRow {
  return {
    key: `a${record.time}#${index}`,
    time: Date.parse(record.time),
    route: record.route,
    session: record.session,
    subject: record.subject,
    client: record.client,
    groups: record.groups,
    method: record.method,
    right: record.right,
    item: record.item,
    effect: record.effect,
    rule: record.rule,
    reason: record.reason,
  };
}

const signature = (row: DecisionRow) => `${row.route}|${row.subject}|${row.right}|${row.item}|${row.effect}`;

/** Both clocks are the gateway's, but the audit line is written a moment after the event. */
const SAME_DECISION_MS = 2_000;

const recordCache = new WeakMap<DecisionRecord, DecisionRow>();

/**
 * Newest first; audit records the trace also holds are dropped. Runs on every trace update, so
 * it only compares the stretch where the two sources overlap in time and merges the two sorted
 * lists instead of sorting their union.
 */
export function mergeDecisionRows(trace: readonly TraceEvent[], records: readonly DecisionRecord[]): DecisionRow[] {
  const live: DecisionRow[] = [];
  for (const event of trace) if (event.type === 'policy.decision') live.push(rowFromEvent(event));
  // The trace is in seq order, which is time order.
  live.reverse();
  if (records.length === 0) return live;

  const history = records.map((record, index) => {
    let row = recordCache.get(record);
    if (!row) {
      row = rowFromRecord(record, index);
      recordCache.set(record, row);
    }
    return row;
  });
  history.sort((a, b) => b.time - a.time);

  const oldestLive = live.at(-1)?.time ?? Infinity;
  const newestRecord = history[0].time;
  const liveTimes = new Map<string, number[]>();
  for (const row of live) {
    if (row.time > newestRecord + SAME_DECISION_MS) continue;
    const times = liveTimes.get(signature(row));
    if (times) times.push(row.time);
    else liveTimes.set(signature(row), [row.time]);
  }
  const kept = history.filter((row) => {
    if (row.time < oldestLive - SAME_DECISION_MS) return true;
    const times = liveTimes.get(signature(row));
    const twin = times?.findIndex((t) => Math.abs(t - row.time) <= SAME_DECISION_MS) ?? -1;
    if (twin < 0) return true;
    // Each live row can stand for one audit line only.
    times!.splice(twin, 1);
    return false;
  });

  const merged: DecisionRow[] = [];
  let i = 0;
  let j = 0;
  while (i < live.length || j < kept.length) {
    if (j >= kept.length || (i < live.length && live[i].time >= kept[j].time)) merged.push(live[i++]);
    else merged.push(kept[j++]);
  }
  return merged;
}
export interface DecisionFilter {
  route?: string;
  subject?: string;
  effect?: RowEffect;
  item?: string;
}

export function matchesFilter(row: DecisionRow, filter: DecisionFilter): boolean {
  if (filter.route && row.route !== filter.route) return false;
  if (filter.effect && row.effect !== filter.effect) return false;
  if (filter.subject && !row.subject.toLowerCase().includes(filter.subject.toLowerCase())) return false;
  if (filter.item) {
    const needle = filter.item.toLowerCase();
    if (!row.item.toLowerCase().includes(needle) && !(row.rule ?? '').toLowerCase().includes(needle) && !row.method.toLowerCase().includes(needle)) return false;
  }
  return true;
}
