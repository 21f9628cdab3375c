/**
 * The raw event list's filter: by event type, by route and by free text. Text matches anywhere in
 * the event (headers, bodies, claims), case-insensitively; each event's searchable text is built
 * once and kept as long as the event lives.
 */
import type { TraceEvent } from '../../../shared/trace-events.js';

export interface EventFilter {
  /** An event type, or '' for all. */
  type: string;
  /** A route path, or '' for all. */
  route: string;
  text: string;
}

export const NO_FILTER: EventFilter = { type: '', route: '', text: '' };

const searchable = new WeakMap<TraceEvent, string>();

/** The lower-cased text a filter searches in an event (built once, then cached). */
export function searchTextOf(event: TraceEvent): string {
  let text = searchable.get(event);
  if (text === undefined) {
    text = JSON.stringify(event).toLowerCase();
    searchable.set(event, text);
  }
  return text;
}

export function filterEvents(events: readonly TraceEvent[], filter: EventFilter): readonly TraceEvent[] {
  const text = filter.text.trim().toLowerCase();
  if (filter.type === '' && filter.route === '' && text === '') return events;
  return events.filter(
    (event) =>
      (filter.type === '' || event.type === filter.type) &&
      (filter.route === '' || event.route === filter.route) &&
      (text === '' || searchTextOf(event).includes(text)),
  );
}

/** The types and routes present, for the filter's pickers. */
export function facetsOf(events: readonly TraceEvent[]): { types: string[]; routes: string[] } {
  const types = new Set<string>();
  const routes = new Set<string>();
  for (const event of events) {
    types.add(event.type);
    if (event.route) routes.add(event.route);
  }
  return { types: [...types].sort(), routes: [...routes].sort() };
}
