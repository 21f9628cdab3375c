/**
 * The left column of the handshake screen: one row per client connection, and per login the
 * gateway made to a secured upstream (badged "Gatehouse"), newest first, virtualized so thousands
 * of connections scroll as smoothly as ten.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';

import { formatClock } from '../format.js';
import { faultTitle } from './fault-catalog.js';
import type { ClientConnection } from './group-connections.js';
import { handshakeTitle, isUpstreamLogin, type Handshake } from './handshakes.js';
import { FLOW_WORDS } from './upstream-logins.js';

const ROW_HEIGHT = 58;

const STATUS_WORDS: Record<ClientConnection['status'], string> = {
  ok: 'connected',
  failed: 'failed',
  'in-progress': 'in progress',
};

export function ConnectionList({
  connections,
  selectedId,
  onSelect,
}: {
  connections: readonly Handshake[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: connections.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  if (connections.length === 0) {
    return (
      <div className="tr-connections">
        <div className="empty small">
          <h3>No client connections yet</h3>
          <span>Point an MCP client at a route, or run the test client: every handshake step appears here.</span>
        </div>
      </div>
    );
  }

  return (
    <div className="tr-connections" ref={scrollRef} role="listbox" aria-label="Client connections" data-testid="connection-list">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          // Newest first: the connection a developer just made is the one they look for.
          const connection = connections[connections.length - 1 - item.index]!;
          const selected = connection.id === selectedId;
          const own = isUpstreamLogin(connection);
          return (
            <div
              key={connection.id}
              role="option"
              aria-selected={selected}
              tabIndex={selected ? 0 : -1}
              className={`tr-conn-row ${connection.status}${own ? ' own' : ''}${selected ? ' selected' : ''}`}
              data-testid="connection-row"
              data-connection={connection.id}
              data-status={connection.status}
              data-kind={own ? 'upstream-login' : 'client'}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              onClick={() => onSelect(connection.id)}
              onKeyDown={(event) => {
                if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
                event.preventDefault();
                const next = connections[connections.length - 1 - (item.index + (event.key === 'ArrowDown' ? 1 : -1))];
                if (next) onSelect(next.id);
              }}
            >
              <div className="tr-conn-line">
                <span className={`tr-status-dot ${connection.status}`} title={STATUS_WORDS[connection.status]} />
                <span className="tr-conn-title truncate" title={own ? handshakeTitle(connection) : connection.userAgent}>
                  {/* The badge below says who the client is; the narrow column keeps the upstream in view. */}
                  {own ? `Gatehouse → ${connection.upstream}` : handshakeTitle(connection)}
                </span>
                <span className="tr-conn-time muted mono">{formatClock(connection.startedAt)}</span>
              </div>
              {own ? (
                <div className="tr-conn-line small">
                  <span className="badge accent" data-testid="own-login-badge" title="A login Gatehouse made itself, as the OAuth client of a secured upstream">
                    Gatehouse
                  </span>
                  <span className="dim tr-conn-flow">{FLOW_WORDS[connection.flow]}</span>
                  <span className="spacer" />
                  <span className="muted truncate tr-conn-route" title={connection.issuer ? `at ${connection.issuer}` : undefined}>
                    {connection.target}
                  </span>
                  <StepCount status={connection.status} count={connection.steps.length} />
                </div>
              ) : (
                <div className="tr-conn-line small">
                  <code className="truncate dim" title={connection.clientId ?? connection.id}>
                    {connection.clientId ?? 'no client id yet'}
                  </code>
                  <span className="spacer" />
                  {connection.faults.length > 0 && (
                    <span className="badge warn" title={connection.faults.map(faultTitle).join(', ')}>
                      fault
                    </span>
                  )}
                  {connection.route && <span className="muted truncate tr-conn-route">{connection.route}</span>}
                  <StepCount status={connection.status} count={connection.steps.length} />
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function StepCount({ status, count }: { status: ClientConnection['status']; count: number }) {
  return <span className={`badge ${status === 'failed' ? 'danger' : status === 'ok' ? 'ok' : ''}`}>{count}</span>;
}
