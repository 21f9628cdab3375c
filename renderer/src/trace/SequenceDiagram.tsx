/**
 * One client connection as a sequence diagram: four lifelines (client, Gatehouse, identity
 * provider, upstream) and an arrow per HTTP exchange or upstream call, each opening its detail.
 * The gateway's own logins to upstreams draw on fewer lifelines, retitled, and notes on one.
 * Drawn with CSS (percent positions) so it reflows with the window; virtualized for connections
 * that made thousands of calls, while a whole handshake stays in the DOM at once.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactNode } from 'react';

import { formatMs } from '../format.js';
import { faultTitle } from './fault-catalog.js';
import { LIFELINES, lifelineIndex, type LifelineHead, type RowTarget, type SequenceRow } from './sequence-model.js';
import './sequence-diagram.css';

const SEGMENT_HEIGHT = 30;
/** Below this many rows every row is rendered (a handshake reads top to bottom, and find-in-page works). */
const RENDER_ALL_BELOW = 300;

function rowHeight(row: SequenceRow): number {
  return row.shape === 'pair' ? SEGMENT_HEIGHT * 2 + 4 : SEGMENT_HEIGHT + 4;
}

/** Left edge and width, in percent of the lifeline area, of an arrow between two lifelines. */
function span(row: SequenceRow, lifelines: readonly LifelineHead[]): { left: string; width: string } {
  const a = lifelineIndex(row.from, lifelines);
  const b = lifelineIndex(row.to, lifelines);
  const column = 100 / lifelines.length;
  const from = Math.min(a, b) * column + column / 2;
  const to = Math.max(a, b) * column + column / 2;
  return { left: `${from}%`, width: `${to - from}%` };
}

export function sameTarget(a: RowTarget | undefined, b: RowTarget): boolean {
  if (!a || a.kind !== b.kind) return false;
  if ('seq' in a) return 'seq' in b && a.seq === b.seq;
  return !('seq' in b) && a.exchangeSeq === b.exchangeSeq && a.index === b.index;
}

export function SequenceDiagram({
  rows,
  lifelines = LIFELINES,
  startedAt,
  selected,
  onSelect,
}: {
  rows: readonly SequenceRow[];
  lifelines?: readonly LifelineHead[];
  startedAt: number;
  selected: RowTarget | undefined;
  onSelect: (target: RowTarget) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const columns = { gridTemplateColumns: `repeat(${lifelines.length}, minmax(0, 1fr))` };
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => rowHeight(rows[index]!),
    overscan: rows.length < RENDER_ALL_BELOW ? rows.length : 12,
  });

  // A row opened from elsewhere (the raw event list) is brought into view.
  const selectedIndex = selected ? rows.findIndex((row) => sameTarget(selected, row.target)) : -1;
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  return (
    <div className="tr-diagram" data-testid="sequence-diagram">
      <div className="tr-lifeline-heads">
        <span className="tr-gutter-head muted xs">+time</span>
        <div className="tr-heads" style={columns}>
          {lifelines.map((lifeline) => (
            <span key={lifeline.id} className={`tr-head lifeline-${lifeline.id}`}>
              {lifeline.title}
            </span>
          ))}
        </div>
      </div>
      <div className="tr-diagram-scroll" ref={scrollRef}>
        <div className="tr-diagram-body" style={{ height: virtualizer.getTotalSize() }}>
          <div className="tr-lifelines" aria-hidden style={columns}>
            {lifelines.map((lifeline) => (
              <span key={lifeline.id} className="tr-lifeline" />
            ))}
          </div>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <SequenceRowView
                key={row.key}
                row={row}
                lifelines={lifelines}
                offset={row.time - startedAt}
                top={item.start}
                selected={sameTarget(selected, row.target)}
                onSelect={onSelect}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function SequenceRowView({
  row,
  lifelines,
  offset,
  top,
  selected,
  onSelect,
}: {
  row: SequenceRow;
  lifelines: readonly LifelineHead[];
  offset: number;
  top: number;
  selected: boolean;
  onSelect: (target: RowTarget) => void;
}) {
  const { left, width } = span(row, lifelines);
  const forward = lifelineIndex(row.to, lifelines) >= lifelineIndex(row.from, lifelines);
  const note = row.shape === 'note';
  const classes = ['tr-row', row.tone, row.shape, selected ? 'selected' : '', row.fault ? 'faulted' : ''].filter(Boolean).join(' ');
  const hasForward = row.shape !== 'response' && !note;
  const hasReturn = row.shape !== 'request' && !note && row.returnLabel !== undefined;
  return (
    <div
      className={classes}
      style={{ position: 'absolute', top, left: 0, right: 0, height: rowHeight(row) }}
      data-testid={note ? 'seq-note' : hasForward ? 'seq-arrow' : 'seq-return'}
      data-step={row.step}
      data-tone={row.tone}
      data-fault={row.fault}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      onClick={() => onSelect(row.target)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onSelect(row.target);
        }
      }}
    >
      <span className="tr-gutter mono xs muted">{hasForward || note ? `+${formatMs(Math.max(0, offset))}` : ''}</span>
      <div className="tr-lanes">
        {note && (
          <div className="tr-note truncate" style={{ left }} title={row.label}>
            {row.label}
          </div>
        )}
        {hasForward && (
          <Segment left={left} width={width} top={0} arrow={`solid ${forward ? 'ltr' : 'rtl'}`}>
            <span className="tr-label-text truncate">{row.label}</span>
            {row.tags.map((tag) => (
              <span key={tag} className="badge tr-tag">
                {tag}
              </span>
            ))}
            {row.fault && (
              <span className="badge warn tr-tag" title={faultTitle(row.fault)}>
                ⚡ {faultTitle(row.fault)}
              </span>
            )}
          </Segment>
        )}
        {hasReturn && (
          <Segment left={left} width={width} top={hasForward ? SEGMENT_HEIGHT : 0} arrow={`dashed ${forward ? 'rtl' : 'ltr'}`} returning>
            <span className="tr-label-text truncate">{row.returnLabel}</span>
          </Segment>
        )}
      </div>
    </div>
  );
}

/**
 * One arrow and its label. The label starts where the arrow starts and may run past its head up
 * to the diagram's edge: a Client → Gatehouse arrow is a quarter of the width, its URL often more.
 */
function Segment({ left, width, top, arrow, returning = false, children }: { left: string; width: string; top: number; arrow: string; returning?: boolean; children: ReactNode }) {
  return (
    <div className="tr-segment" style={{ top }}>
      <div className={returning ? 'tr-label return' : 'tr-label'} style={{ left }}>
        {children}
      </div>
      <div className={`tr-arrow ${arrow}`} style={{ left, width }} />
    </div>
  );
}

/** How to read the arrows; shown before one is clicked. */
export function SequenceLegend() {
  return (
    <section className="tr-section">
      <h4 className="section-title">Legend</h4>
      <ul className="tr-legend small dim">
        <li>
          <span className="tr-legend-line solid" /> request
        </li>
        <li>
          <span className="tr-legend-line dashed" /> answer
        </li>
        <li>
          <span className="tr-legend-line expected" /> expected refusal (the first 401)
        </li>
        <li>
          <span className="tr-legend-line error" /> failed step
        </li>
      </ul>
    </section>
  );
}
