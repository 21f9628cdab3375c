/**
 * What the importers (agentgateway, Kong decK) and exporters share: a JSON object view of a parsed
 * file, and the list of notes about fields that do not carry over — each named by its dotted path,
 * none silently dropped.
 */
export interface TranslationNote {
  /** Dotted path of the field, e.g. binds[0].listeners[0].routes[1].policies.extAuthz */
  field: string;
  message: string;
}

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export class TranslationNotes {
  readonly notes: TranslationNote[] = [];

  note(field: string, message: string): void {
    // One field reached along two paths (a route served by several Kong routes) says it once.
    if (!this.notes.some((n) => n.field === field && n.message === message)) this.notes.push({ field, message });
  }

  /** Notes every key of `object` that `handled` does not list, with one reason or a reason per key. */
  rest(object: Json, handled: readonly string[], at: string, why: string | Readonly<Record<string, string>>): void {
    for (const key of Object.keys(object)) {
      if (handled.includes(key) || object[key] === null || object[key] === undefined) continue;
      const reason = typeof why === 'string' ? why : (why[key] ?? 'not supported by Gatehouse');
      this.note(at ? `${at}.${key}` : key, `${key}: ${reason}`);
    }
  }
}
