/**
 * Every trace event, as a browser's network panel lists requests: one dense row each, filterable
 * by type, route and text, virtualized so 10,000 events scroll and filter without a stall.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';

import type { TraceEvent } from '../../../shared/trace-events.js';
import { Icon } from '../components/Icon.js';
import { formatClock } from '../format.js';
import { facetsOf, filterEvents, searchTextOf, type EventFilter } from './event-filter.js';
import { eventTone, summarizeEvent } from './event-summary.js';

const ROW_HEIGHT = 28;

export function EventList({
  events,
  filter,
  onFilter,
  selectedSeq,
  onSelect,
  follow,
  onFollow,
}: {
  events: readonly TraceEvent[];
  filter: EventFilter;
  onFilter: (filter: EventFilter) => void;
  selectedSeq: number | undefined;
  onSelect: (event: TraceEvent) => void;
  follow: boolean;
  onFollow: (follow: boolean) => void;
}) {
  const shown = useMemo(() => filterEvents(events, filter), [events, filter]);
  const facets = useMemo(() => facetsOf(events), [events]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  // Build the text index while the window is idle, so the first keystroke in the filter is as
  // quick as the next ones.
  useEffect(() => {
    let next = 0;
    let handle = 0;
    const work = (deadline: IdleDeadline) => {
      while (next < events.length && deadline.timeRemaining() > 1) searchTextOf(events[next++]!);
      if (next < events.length) handle = requestIdleCallback(work);
    };
    handle = requestIdleCallback(work);
    return () => cancelIdleCallback(handle);
  }, [events]);

  useEffect(() => {
    if (follow && shown.length > 0) virtualizer.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [follow, shown.length, virtualizer]);

  return (
    <div className="tr-events">
      <div className="toolbar tr-events-toolbar">
        <label className="search">
          <Icon name="search" size={14} />
          <input
            className="input"
            data-search
            data-testid="event-filter-text"
            placeholder="Filter: text, token head, tool…"
            value={filter.text}
            onChange={(event) => onFilter({ ...filter, text: event.target.value })}
          />
        </label>
        <select className="select" data-testid="event-filter-type" value={filter.type} onChange={(event) => onFilter({ ...filter, type: event.target.value })} aria-label="Event type">
          <option value="">All types</option>
          {facets.types.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
        <select className="select" data-testid="event-filter-route" value={filter.route} onChange={(event) => onFilter({ ...filter, route: event.target.value })} aria-label="Route">
          <option value="">All routes</option>
          {facets.routes.map((route) => (
            <option key={route} value={route}>
              {route}
            </option>
          ))}
        </select>
        <label className="row small dim">
          <input type="checkbox" checked={follow} onChange={(event) => onFollow(event.target.checked)} /> Follow new events
        </label>
        <span className="spacer" />
        <span className="muted small" data-testid="event-count">
          {shown.length === events.length ? `${events.length} events` : `${shown.length} of ${events.length} events`}
        </span>
      </div>
      <div className="tr-event-head mono xs">
        <span>seq</span>
        <span>time</span>
        <span>type</span>
        <span>route</span>
        <span>what happened</span>
      </div>
      <div
        className="tr-event-scroll"
        ref={scrollRef}
        data-testid="event-list"
        onWheel={(event) => {
          // Scrolling up to read means the reader no longer wants to be pulled to the end.
          if (follow && event.deltaY < 0) onFollow(false);
        }}
      >
        {shown.length === 0 ? (
          <div className="empty small">{events.length === 0 ? 'No trace events yet.' : 'No event matches the filter.'}</div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const event = shown[item.index]!;
              const tone = eventTone(event);
              return (
                <div
                  key={event.seq}
                  className={`tr-event-row ${tone}${event.seq === selectedSeq ? ' selected' : ''}`}
                  data-testid="event-row"
                  data-type={event.type}
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  onClick={() => onSelect(event)}
                >
                  <span className="mono muted">{event.seq}</span>
                  <span className="mono muted">{formatClock(event.time)}</span>
                  <span className={`tr-type type-${event.type.split('.')[0]}`}>{event.type}</span>
                  <span className="truncate dim">{event.route ?? ''}</span>
                  <span className="truncate">{summarizeEvent(event)}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
