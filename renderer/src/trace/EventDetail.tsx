/** The detail pane for a row of the raw event list: an exchange in full, a decision explained, else the event as JSON. */
import type { HttpExchangeEvent, OAuthClientStepEvent, TraceEvent } from '../../../shared/trace-events.js';
import { DecisionExplanation } from '../components/DecisionExplanation.js';
import { formatClock } from '../format.js';
import { ExchangeDetail } from './ExchangeDetail.js';
import { summarizeEvent } from './event-summary.js';
import { standalone } from './group-connections.js';

export function EventDetail({
  event,
  onShowInDiagram,
  onShowLoginStep,
}: {
  event: TraceEvent;
  onShowInDiagram: (event: HttpExchangeEvent) => void;
  /** Opens a step of the gateway's own login in its flow's diagram. */
  onShowLoginStep?: (event: OAuthClientStepEvent) => void;
}) {
  if (event.type === 'http.exchange') {
    return (
      <>
        <div className="tr-detail-actions">
          <button type="button" className="btn small" data-testid="show-in-diagram" onClick={() => onShowInDiagram(event)}>
            Show in its connection’s sequence diagram →
          </button>
        </div>
        <ExchangeDetail step={standalone(event)} />
      </>
    );
  }
  return (
    <div className="tr-detail" data-testid="event-detail" data-type={event.type}>
      <header className="tr-detail-head">
        <div className="row">
          <h3>{event.type}</h3>
          <span className="spacer" />
          <span className="muted small mono">
            #{event.seq} · {formatClock(event.time)}
          </span>
        </div>
        <p className="dim small">{summarizeEvent(event)}</p>
      </header>
      {event.type === 'oauth.client' && onShowLoginStep && (
        <div className="tr-detail-actions">
          <button type="button" className="btn small" data-testid="show-in-diagram" onClick={() => onShowLoginStep(event)}>
            Show in its login’s sequence diagram →
          </button>
        </div>
      )}
      {event.type === 'policy.decision' && <DecisionExplanation decision={event.decision} />}
      <section className="tr-section">
        <h4 className="section-title">Event</h4>
        <pre className="code-block tr-code">{JSON.stringify(event, null, 2)}</pre>
      </section>
    </div>
  );
}
