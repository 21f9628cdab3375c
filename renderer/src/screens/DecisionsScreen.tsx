/**
 * Every allow / deny / filtered decision, live, in a virtualized table (newest first) with
 * filters; the selected one is explained (rule, matched claims, rules that did not match).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';

import type { DecisionRecord } from '../../../shared/admin-api.js';
import { useAdmin, useRoutes, useTrace } from '../api/admin-context.js';
import { useQuery } from '../api/use-query.js';
import { DecisionExplanation } from '../components/DecisionExplanation.js';
import { EffectBadge } from '../components/EffectBadge.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { matchesFilter, mergeDecisionRows, type DecisionRow, type RowEffect } from '../decisions/decision-rows.js';
import '../decisions/decisions.css';
import { formatClock } from '../format.js';
import { navigate, useLocation, type Params } from '../navigation.js';

const EFFECTS: Array<RowEffect | undefined> = [undefined, 'allow', 'deny', 'no_match', 'filtered'];
const ROW_HEIGHT = 30;

export function DecisionsScreen() {
  const admin = useAdmin();
  const trace = useTrace();
  const routes = useRoutes();
  const { params } = useLocation();
  const filter = {
    route: params.get('route') ?? undefined,
    subject: params.get('subject') ?? undefined,
    effect: (params.get('effect') as RowEffect | null) ?? undefined,
    item: params.get('item') ?? undefined,
  };
  const selectedKey = params.get('sel') ?? undefined;
  const set = (changes: Params) => navigate('decisions', { ...Object.fromEntries(params.entries()), ...changes }, { replace: true });

  const history = useQuery('decisions', () => admin.get<DecisionRecord[]>('/api/decisions?limit=5000'));
  const all = useMemo(() => mergeDecisionRows(trace, history.data ?? []), [trace, history.data]);
  const rows = useMemo(() => all.filter((row) => matchesFilter(row, filter)), [all, filter.route, filter.subject, filter.effect, filter.item]);
  const selected = rows.find((r) => r.key === selectedKey) ?? all.find((r) => r.key === selectedKey);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  const counts = useMemo(() => {
    const c: Record<string, number> = { allow: 0, deny: 0, no_match: 0, filtered: 0 };
    for (const row of rows) c[row.effect]++;
    return c;
  }, [rows]);

  const move = (delta: number) => {
    const at = rows.findIndex((r) => r.key === selectedKey);
    const next = rows[Math.max(0, Math.min(rows.length - 1, at === -1 ? 0 : at + delta))];
    if (!next) return;
    set({ sel: next.key });
    virtualizer.scrollToIndex(rows.indexOf(next), { align: 'auto' });
  };

  return (
    <div className="screen-fill decisions-screen">
      <div className="toolbar">
        <select className="select mono" value={filter.route ?? ''} onChange={(event) => set({ route: event.target.value || undefined })} aria-label="Route" data-testid="decisions-route">
          <option value="">all routes</option>
          {routes.map((r) => (
            <option key={r.path} value={r.path}>
              {r.path}
            </option>
          ))}
        </select>
        <input className="input" placeholder="Subject" value={filter.subject ?? ''} onChange={(event) => set({ subject: event.target.value || undefined })} aria-label="Subject" data-testid="decisions-subject" style={{ width: 130 }} />
        <div className="search">
          <Icon name="search" size={13} />
          <input className="input" placeholder="Item, rule or method" value={filter.item ?? ''} onChange={(event) => set({ item: event.target.value || undefined })} data-search aria-label="Item" data-testid="decisions-item" />
        </div>
        <div className="segmented" role="group" aria-label="Effect" data-testid="decisions-effect">
          {EFFECTS.map((effect) => (
            <button key={effect ?? 'all'} type="button" aria-pressed={filter.effect === effect} onClick={() => set({ effect })}>
              {effect === undefined ? 'all' : effect.replace('_', ' ')}
              {effect !== undefined && <span className="seg-count">{counts[effect]}</span>}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <span className="muted xs" data-testid="decisions-count">
          {rows.length.toLocaleString()} of {all.length.toLocaleString()}
        </span>
      </div>
      {history.error && (
        <div className="screen-pad">
          <ErrorCallout error={history.error} title="Could not read the audit log" />
        </div>
      )}
      <div className="split decisions-split">
        <div
          className="decisions-table"
          tabIndex={0}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown' || event.key === 'j') move(1);
            else if (event.key === 'ArrowUp' || event.key === 'k') move(-1);
            else return;
            event.preventDefault();
          }}
        >
          <div className="decision-row head" role="row">
            <span>time</span>
            <span>effect</span>
            <span>subject</span>
            <span>method</span>
            <span>item</span>
            <span>rule</span>
            <span>route</span>
          </div>
          <div className="decisions-scroll" ref={scrollRef}>
            {rows.length === 0 && (
              <div className="empty">
                <h3>{all.length === 0 ? 'No decisions yet' : 'No decision matches these filters'}</h3>
                <span>{all.length === 0 ? 'Every list and call on a route with an ACL shows up here as it happens.' : 'Clear a filter to see more.'}</span>
              </div>
            )}
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((v) => {
                const row = rows[v.index];
                return (
                  <DecisionRowView key={row.key} row={row} selected={row.key === selectedKey} top={v.start} onSelect={() => set({ sel: row.key })} />
                );
              })}
            </div>
          </div>
        </div>
        <aside className="detail-pane decision-detail" data-testid="decision-detail">
          {selected ? <SelectedDecision row={selected} /> : <div className="empty">Select a decision to see the rule behind it.</div>}
        </aside>
      </div>
    </div>
  );
}

function DecisionRowView({ row, selected, top, onSelect }: { row: DecisionRow; selected: boolean; top: number; onSelect: () => void }) {
  return (
    <div
      className={`decision-row ${selected ? 'selected' : ''} effect-${row.effect}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      onClick={onSelect}
      role="row"
      aria-selected={selected}
      data-testid="decision-row"
      data-effect={row.effect}
      data-item={row.item}
      data-subject={row.subject}
      data-rule={row.rule ?? ''}
    >
      <span className="mono muted">{formatClock(row.time)}</span>
      <span>
        <EffectBadge effect={row.effect} />
      </span>
      <span className="truncate">{row.subject}</span>
      <span className="mono dim truncate">{row.method}</span>
      <span className="mono truncate strong">{row.item}</span>
      <span className="mono truncate dim">{row.rule ?? '—'}</span>
      <span className="mono truncate muted">{row.route}</span>
    </div>
  );
}

function SelectedDecision({ row }: { row: DecisionRow }) {
  return (
    <div className="stack decision-detail-body">
      <dl className="decision-meta">
        <dt>When</dt>
        <dd className="mono">{new Date(row.time).toLocaleString()}</dd>
        <dt>Who</dt>
        <dd>
          <strong>{row.subject}</strong>
        </dd>
        {row.client && (
          <>
            <dt>Client</dt>
            <dd className="mono truncate" title={row.client}>
              {row.client}
            </dd>
          </>
        )}
        <dt>Groups</dt>
        <dd className="row wrap">{row.groups.length > 0 ? row.groups.map((g) => <code key={g} className="group-chip">{g}</code>) : <span className="muted">none</span>}</dd>
        <dt>Request</dt>
        <dd className="mono">
          {row.method} <span className="muted">on</span> {row.route}
        </dd>
        {row.session && (
          <>
            <dt>Session</dt>
            <dd className="mono truncate" title={row.session}>
              {row.session}
            </dd>
          </>
        )}
      </dl>
      {row.decision ? (
        <DecisionExplanation decision={row.decision} />
      ) : (
        <div className="stack">
          <div className="row">
            <EffectBadge effect={row.effect} />
            <code>{row.item}</code>
          </div>
          <p className="decision-reason">{row.reason}</p>
          <dl className="decision-meta">
            <dt>Deciding rule</dt>
            <dd>{row.rule ? <code className="rule-id">{row.rule}</code> : <span className="muted">none</span>}</dd>
          </dl>
          <p className="muted small">
            From the audit log, which keeps the deciding rule and the reason; the rules that did not match are shown for decisions made while this window was
            open.
          </p>
        </div>
      )}
    </div>
  );
}
