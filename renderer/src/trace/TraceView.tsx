/**
 * The handshake screen's body, fed a list of trace events: connections on the left (clients' and
 * the gateway's own logins to upstreams), the selected one's sequence diagram in the middle, the
 * clicked arrow's exchange or step on the right; or the raw event list. Takes events as a prop (not from context) so the render benchmark can mount it
 * with synthetic data.
 */
import { useDeferredValue, useMemo, useState } from 'react';

import type { TraceEvent } from '../../../shared/trace-events.js';
import { formatMs } from '../format.js';
import { ConnectionList } from './ConnectionList.js';
import { EventDetail } from './EventDetail.js';
import { EventList } from './EventList.js';
import { ExchangeDetail, FaultCallout, UpstreamDetail } from './ExchangeDetail.js';
import { NO_FILTER, type EventFilter } from './event-filter.js';
import { connectionTitle, standalone, type ClientConnection } from './group-connections.js';
import { findHandshake, groupHandshakes, isUpstreamLogin, loginOfStep } from './handshakes.js';
import { SequenceDiagram, SequenceLegend } from './SequenceDiagram.js';
import { buildSequence, type RowTarget } from './sequence-model.js';
import { describeExchange } from './step-catalog.js';
import { UpstreamLoginPanel } from './UpstreamLoginPanel.js';
import './trace.css';

export type TraceMode = 'connections' | 'events';

export function TraceView({ events, initialMode = 'connections' }: { events: readonly TraceEvent[]; initialMode?: TraceMode }) {
  const [mode, setMode] = useState<TraceMode>(initialMode);
  // Grouping 10,000 events takes a few milliseconds: let typing and clicking win over a burst.
  const deferred = useDeferredValue(events);
  const connections = useMemo(() => groupHandshakes(deferred), [deferred]);
  const [selectedId, setSelectedId] = useState<string>();
  const [target, setTarget] = useState<RowTarget>();
  const [filter, setFilter] = useState<EventFilter>(NO_FILTER);
  const [follow, setFollow] = useState(true);
  const [selectedEvent, setSelectedEvent] = useState<TraceEvent>();

  // Until the developer picks one, the newest connection is shown (usually the one just made).
  const connection = findHandshake(connections, selectedId) ?? connections[connections.length - 1];
  const failed = connections.filter((c) => c.status === 'failed').length;

  return (
    <div className="tr-screen screen-fill" data-testid="trace-view" data-grouped-events={deferred.length}>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="View">
          <button type="button" aria-pressed={mode === 'connections'} data-testid="trace-mode-connections" onClick={() => setMode('connections')}>
            Connections
          </button>
          <button type="button" aria-pressed={mode === 'events'} data-testid="trace-mode-events" onClick={() => setMode('events')}>
            All events
          </button>
        </div>
        <span className="muted small">
          {connections.length} connection{connections.length === 1 ? '' : 's'}
          {failed > 0 && <span className="tr-failed-count"> · {failed} failed</span>} · {events.length} events
        </span>
      </div>
      {mode === 'connections' ? (
        <div className="tr-layout">
          <ConnectionList
            connections={connections}
            selectedId={connection?.id}
            onSelect={(id) => {
              setSelectedId(id);
              setTarget(undefined);
            }}
          />
          {!connection ? (
            <DiagramPlaceholder />
          ) : isUpstreamLogin(connection) ? (
            <UpstreamLoginPanel login={connection} target={target} onTarget={setTarget} />
          ) : (
            <ConnectionPanel connection={connection} target={target} onTarget={setTarget} />
          )}
        </div>
      ) : (
        <div className="tr-layout events">
          <EventList events={events} filter={filter} onFilter={setFilter} selectedSeq={selectedEvent?.seq} onSelect={setSelectedEvent} follow={follow} onFollow={setFollow} />
          <aside className="tr-detail-pane">{selectedEvent ? (
              <EventDetail
                event={selectedEvent}
                onShowInDiagram={(exchange) => {
                  setSelectedId(exchange.step === 'registration' && exchange.clientId ? exchange.clientId : exchange.connection);
                  setTarget({ kind: 'exchange', seq: exchange.seq });
                  setMode('connections');
                }}
                onShowLoginStep={
                  selectedEvent.type === 'oauth.client' && loginOfStep(connections, selectedEvent.seq)
                    ? (step) => {
                        setSelectedId(loginOfStep(connections, step.seq)?.id);
                        setTarget({ kind: 'oauth', seq: step.seq });
                        setMode('connections');
                      }
                    : undefined
                }
              />
            ) : <p className="muted small tr-hint">Click an event to see it in full.</p>}</aside>
        </div>
      )}
    </div>
  );
}

function ConnectionPanel({ connection, target, onTarget }: { connection: ClientConnection; target: RowTarget | undefined; onTarget: (target: RowTarget) => void }) {
  const rows = useMemo(() => buildSequence(connection), [connection]);
  const seq = target === undefined || target.kind === 'oauth' ? undefined : 'seq' in target ? target.seq : target.exchangeSeq;
  const step = seq === undefined ? undefined : connection.steps.find((s) => s.exchange.seq === seq);
  const duration = connection.lastAt - connection.startedAt;
  return (
    <>
      <section className="tr-center" aria-label="Sequence diagram" data-connection={connection.id}>
        <header className="tr-conn-header">
          <div className="row">
            <h3 className="truncate">{connectionTitle(connection)}</h3>
            <span className={`badge ${connection.status === 'failed' ? 'danger' : connection.status === 'ok' ? 'ok' : 'info'}`}>{connection.status === 'in-progress' ? 'in progress' : connection.status}</span>
            {connection.faults.map((fault) => (
              <span key={fault} className="badge warn" data-testid="connection-fault">
                ⚡ {fault}
              </span>
            ))}
          </div>
          <div className="row wrap xs muted">
            {connection.clientId && <code>{connection.clientId}</code>}
            {connection.route && <span>· {connection.route}</span>}
            <span>· {connection.steps.length} exchanges</span>
            <span>· {formatMs(duration)}</span>
            {connection.userAgent && <span className="truncate" title={connection.userAgent}>· {connection.userAgent}</span>}
          </div>
        </header>
        <SequenceDiagram rows={rows} startedAt={connection.startedAt} selected={target} onSelect={onTarget} />
      </section>
      <aside className="tr-detail-pane" aria-label="Exchange detail">
        {step && target?.kind === 'upstream' && step.upstream[target.index] ? (
          <UpstreamDetail trip={step.upstream[target.index]!} />
        ) : step && target?.kind === 'backchannel' && step.backchannel[target.index] ? (
          <ExchangeDetail step={standalone(step.backchannel[target.index]!)} />
        ) : step ? (
          <ExchangeDetail step={step} />
        ) : (
          <ConnectionSummary connection={connection} />
        )}
      </aside>
    </>
  );
}

/** What the detail pane shows before an arrow is clicked: the steps at a glance, failures first. */
function ConnectionSummary({ connection }: { connection: ClientConnection }) {
  const failures = connection.steps.filter((s) => s.failed);
  return (
    <div className="tr-detail">
      <p className="muted small tr-hint">Click an arrow to open its HTTP exchange: headers, body, decoded tokens.</p>
      {failures.map((s) => (
        <div key={s.exchange.seq} className="callout danger small">
          <strong>{describeExchange(s.exchange).title}:</strong>&nbsp;{s.exchange.failure?.reason ?? `answered ${s.exchange.status}`}
        </div>
      ))}
      {connection.faults.map((fault) => (
        <FaultCallout key={fault} fault={fault} />
      ))}
      <SequenceLegend />
    </div>
  );
}

function DiagramPlaceholder() {
  return (
    <section className="tr-center tr-placeholder">
      <div className="empty">
        <h3>Waiting for a client</h3>
        <span>
          The handshake draws itself here: 401 challenge → metadata → registration → login → token → initialize → calls. Try the <a href="#/test-client">test client</a>.
        </span>
      </div>
    </section>
  );
}
