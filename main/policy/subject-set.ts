/**
 * Matching a principal against a SubjectSet: any-of within a field, the non-empty fields AND-ed.
 * What an all-empty set means is the caller's choice: everyone in a rule, nobody in a default list.
 */
import type { MatchedSubjects, PolicyPrincipal, SubjectSet } from '../../shared/policy.js';

export const SUBJECT_FIELDS = ['groups', 'users', 'clients', 'scopes'] as const;
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

export interface CompiledSubjectSet {
  /** Only the non-empty fields, in SUBJECT_FIELDS order. */
  fields: Array<{ field: SubjectField; values: ReadonlySet<string>; listed: string }>;
  empty: boolean;
}

export type SubjectMatch = { ok: true; matched: MatchedSubjects } | { ok: false; why: string };

export function compileSubjectSet(set: SubjectSet | undefined): CompiledSubjectSet {
  const fields = SUBJECT_FIELDS.filter((field) => (set?.[field].length ?? 0) > 0).map((field) => ({
    field,
    values: new Set(set![field]),
    // Written once here: a mismatch is the common case, and its explanation should cost nothing.
    listed: `${field} [${shortList(set![field])}]`,
  }));
  return { fields, empty: fields.length === 0 };
}

/** The principal's values for a field, as a list. */
function principalValues(principal: PolicyPrincipal, field: SubjectField): readonly string[] {
  switch (field) {
    case 'groups':
      return principal.groups;
    case 'scopes':
      return principal.scopes;
    case 'users':
      return [principal.subject];
    case 'clients':
      return principal.clientId === undefined ? [] : [principal.clientId];
  }
}

const NOUN: Record<SubjectField, string> = { groups: 'groups', users: 'subject', clients: 'client_id', scopes: 'scopes' };

function shortList(values: readonly string[], max = 5): string {
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown}, …+${values.length - max} more` : shown;
}

function mismatch(field: SubjectField, listed: string, have: readonly string[]): string {
  if (have.length === 0) return `no subject match: ${listed}, and the token carries no ${NOUN[field]}`;
  if (have.length === 1) return `no subject match: ${listed} ∌ ${have[0]}`;
  return `no subject match: ${listed} ∌ any of [${shortList(have)}]`;
}

/** Matches every non-empty field; an empty set matches with nothing matched. */
export function matchSubjectSet(set: CompiledSubjectSet, principal: PolicyPrincipal): SubjectMatch {
  const matched: MatchedSubjects = {};
  for (const { field, values, listed } of set.fields) {
    const have = principalValues(principal, field);
    let hits: string[] | undefined;
    for (const value of have) if (values.has(value)) (hits ??= []).push(value);
    if (!hits) return { ok: false, why: mismatch(field, listed, have) };
    matched[field] = hits;
  }
  return { ok: true, matched };
}

/** `groups customer-support, scopes orders:write` — for reasons. */
export function describeMatched(matched: MatchedSubjects | undefined): string {
  const parts = SUBJECT_FIELDS.filter((field) => matched?.[field]?.length).map((field) => `${field} ${shortList(matched![field]!)}`);
  return parts.join(', ');
}

/**
 * Whether every principal `inner` matches is also matched by `outer` (for lint). Empty sets are
 * read as "everyone", as in a rule.
 */
export function subjectSetCovers(outer: SubjectSet, inner: SubjectSet): boolean {
  return SUBJECT_FIELDS.every((field) => {
    const wanted = outer[field];
    if (wanted.length === 0) return true;
    const narrower = inner[field];
    return narrower.length > 0 && narrower.every((value) => wanted.includes(value));
  });
}
