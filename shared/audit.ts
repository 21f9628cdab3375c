/**
 * The audit log's record of one access decision, as written to decisions.jsonl and served to the
 * window by the admin API.
 */
import type { Effect } from './policy.js';

/** Version 1 of an audit line (the schema is versioned so the window can read old logs). */
export interface AuditEntry {
  v: 1;
  time: string;
  route: string;
  session?: string;
  subject: string;
  client?: string;
  groups: string[];
  method: string;
  /** list | call */
  right: string;
  item: string;
  effect: Effect | 'filtered';
  rule?: string;
  reason: string;
}

export interface AuditQuery {
  route?: string;
  subject?: string;
  effect?: AuditEntry['effect'];
  item?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  /** Newest entries first, at most this many. Default 1000. */
  limit?: number;
}
