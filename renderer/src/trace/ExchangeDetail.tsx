/**
 * The detail pane for one arrow: the real HTTP exchange (redacted by the server), what the step is
 * for, why it failed and the spec rule behind it, the injected fault that shaped it, the token
 * verdict and policy decisions made while serving it, and every JWT in it decoded.
 */
import type { AuthTokenEvent } from '../../../shared/trace-events.js';
import { CopyButton } from '../components/CopyButton.js';
import { DecisionExplanation } from '../components/DecisionExplanation.js';
import { Icon } from '../components/Icon.js';
import { formatClock, formatMs } from '../format.js';
import { FAULT_CATALOG, FAULT_KEYS, faultTitle } from './fault-catalog.js';
import { exchangeFailed, type ExchangeStep, type UpstreamRoundTrip } from './group-connections.js';
import { headerValue, queryOf } from './http-body.js';
import { HttpMessage } from './HttpMessage.js';
import { JwtView } from './JwtView.js';
import { describeExchange, pathOf, statusLine } from './step-catalog.js';
import { parseChallenge } from './www-authenticate.js';

function statusTone(step: ExchangeStep): string {
  if (step.failed) return 'danger';
  if (step.exchange.status >= 400) return 'warn';
  return 'ok';
}

export function ExchangeDetail({ step }: { step: ExchangeStep }) {
  const { exchange } = step;
  const about = describeExchange(exchange);
  const challenge = parseChallenge(headerValue(exchange.response.headers, 'www-authenticate'));
  const query = exchange.method === 'GET' ? queryOf(exchange.url) : [];
  const spec = exchange.failure?.spec ?? about.spec;
  return (
    <div className="tr-detail" data-testid="exchange-detail" data-step={exchange.step} data-seq={exchange.seq}>
      <header className="tr-detail-head">
        <div className="row">
          <h3>{about.title}</h3>
          <span className={`badge ${statusTone(step)}`} data-testid="exchange-status">
            {statusLine(exchange.status)}
          </span>
          <span className="spacer" />
          <span className="muted small mono">{formatMs(exchange.durationMs)}</span>
        </div>
        <p className="dim small">{about.purpose}</p>
        <div className="tr-url row">
          <span className="badge outline mono">{exchange.method}</span>
          <code className="truncate" title={exchange.url}>
            {exchange.url}
          </code>
          <CopyButton text={exchange.url} label="Copy URL" />
        </div>
        <div className="row wrap xs muted">
          <span>{formatClock(exchange.time)}</span>
          <span>· answered by {exchange.server === 'idp' ? 'the identity provider' : 'Gatehouse'}</span>
          {exchange.mcpMethod && <span>· {exchange.mcpMethod}</span>}
          {exchange.session && <span title="Mcp-Session-Id">· session {exchange.session.slice(0, 12)}</span>}
          {exchange.userAgent && <span title={exchange.userAgent}>· {exchange.userAgent.slice(0, 48)}</span>}
        </div>
      </header>

      {exchange.failure && (
        <div className="callout danger" role="alert" data-testid="exchange-failure">
          <Icon name="alert" size={14} />
          <div className="stack" style={{ gap: 4 }}>
            <strong>{exchange.failure.reason}</strong>
            {spec && (
              <a href={spec.url} target="_blank" rel="noreferrer">
                {spec.title} <Icon name="external" size={12} className="inline-icon" />
              </a>
            )}
          </div>
        </div>
      )}
      {!exchange.failure && step.failed && (
        <div className="callout danger" role="alert">
          <Icon name="alert" size={14} />
          <span>{failureInWords(step)}</span>
        </div>
      )}
      {exchange.fault && <FaultCallout fault={exchange.fault} />}

      {challenge && (
        <section className="tr-section">
          <h4 className="section-title">WWW-Authenticate ({challenge.scheme})</h4>
          <table className="tr-kv">
            <tbody>
              {Object.entries(challenge.params).map(([name, value]) => (
                <tr key={name}>
                  <th>{name}</th>
                  <td className="mono">{value}</td>
                </tr>
              ))}
              {!('resource_metadata' in challenge.params) && exchange.status === 401 && (
                <tr>
                  <th>resource_metadata</th>
                  <td className="tr-missing">missing — clients cannot find the authorization server from this 401</td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
      )}

      {step.auth && <AuthVerdict auth={step.auth} />}

      {step.backchannel.length > 0 && (
        <section className="tr-section">
          <h4 className="section-title">Gatehouse asked the identity provider</h4>
          {step.backchannel.map((call) => (
            <div key={call.seq} className={`tr-upstream-line ${exchangeFailed(call) ? 'error' : ''}`}>
              <code>
                {call.method} {pathOf(call.url)}
              </code>
              <span className="muted small">
                {statusLine(call.status)} · {formatMs(call.durationMs)}
              </span>
            </div>
          ))}
        </section>
      )}

      {step.decisions.length > 0 && (
        <section className="tr-section">
          <h4 className="section-title">Policy ({step.decisions.length})</h4>
          {step.decisions.map((event) => (
            <DecisionExplanation key={event.seq} decision={event.decision} compact />
          ))}
        </section>
      )}

      {step.upstream.length > 0 && (
        <section className="tr-section">
          <h4 className="section-title">Upstream calls</h4>
          {step.upstream.map((trip, index) => (
            <UpstreamLine key={index} trip={trip} />
          ))}
        </section>
      )}

      {exchange.jwts && exchange.jwts.length > 0 && (
        <section className="tr-section">
          <h4 className="section-title">Tokens</h4>
          {exchange.jwts.map((jwt, index) => (
            <JwtView key={index} jwt={jwt} />
          ))}
        </section>
      )}

      {query.length > 0 && (
        <section className="tr-section">
          <h4 className="section-title">Query parameters</h4>
          <table className="tr-kv">
            <tbody>
              {query.map(([name, value], index) => (
                <tr key={`${name}-${index}`}>
                  <th>{name}</th>
                  <td className="mono">{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      <HttpMessage title="Request" headers={exchange.request.headers} body={exchange.request.body} />
      <HttpMessage title={`Response · ${statusLine(exchange.status)}`} headers={exchange.response.headers} body={exchange.response.body} />
      {!exchange.failure && spec && (
        <p className="xs muted tr-spec">
          Spec:{' '}
          <a href={spec.url} target="_blank" rel="noreferrer">
            {spec.title}
          </a>
        </p>
      )}
    </div>
  );
}

function failureInWords(step: ExchangeStep): string {
  const failedCall = step.upstream.find((trip) => trip.result?.error !== undefined);
  if (failedCall?.result?.error) return `The upstream failed: ${failedCall.result.error}`;
  if (step.auth?.outcome === 'rejected') return `The token was rejected: ${step.auth.description ?? step.auth.error ?? 'see the verdict below'}`;
  return `The server answered ${statusLine(step.exchange.status)}.`;
}

export function FaultCallout({ fault }: { fault: string }) {
  const key = FAULT_KEYS.find((k) => fault === k || fault.startsWith(k));
  return (
    <div className="callout warn" data-testid="exchange-fault">
      <Icon name="bolt" size={14} />
      <div className="stack" style={{ gap: 2 }}>
        <strong>Injected fault: {faultTitle(fault)}</strong>
        {key && <span>{FAULT_CATALOG[key].clientShould}</span>}
      </div>
    </div>
  );
}

function AuthVerdict({ auth }: { auth: AuthTokenEvent }) {
  const rows: Array<[string, string | undefined]> = [
    ['validation', auth.validation + (auth.cached ? ' (cached)' : '')],
    ['token', auth.token],
    ['subject', auth.subject],
    ['client', auth.clientId],
    ['groups', auth.groups?.join(', ')],
    ['scopes', auth.scopes?.join(', ')],
    ['error', auth.error],
    ['claim', auth.claim ? `${auth.claim}: ${auth.reason ?? 'failed'}` : undefined],
    ['told the client', auth.description],
    ['detail', auth.detail],
  ];
  return (
    <section className="tr-section">
      <h4 className="section-title">
        Token verdict <span className={`badge ${auth.outcome === 'valid' ? 'ok' : 'danger'}`}>{auth.outcome}</span>
      </h4>
      <table className="tr-kv">
        <tbody>
          {rows
            .filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
            .map(([name, value]) => (
              <tr key={name}>
                <th>{name}</th>
                <td className="mono">{value}</td>
              </tr>
            ))}
        </tbody>
      </table>
      {auth.warnings?.map((warning) => (
        <div key={warning} className="callout warn small">
          <Icon name="alert" size={14} />
          <span>{warning}</span>
        </div>
      ))}
    </section>
  );
}

function UpstreamLine({ trip }: { trip: UpstreamRoundTrip }) {
  const call = trip.call;
  const result = trip.result;
  return (
    <div className={`tr-upstream-line ${result?.error !== undefined ? 'error' : ''}`}>
      <code>
        {call?.upstream ?? result?.upstream} · {call?.method ?? result?.method} {call?.item ?? result?.item}
      </code>
      <span className="muted small">{result ? formatMs(result.durationMs) : 'no answer recorded'}</span>
      {result?.isError && <span className="badge warn">isError</span>}
      {result?.error !== undefined && <div className="tr-error-text small">{result.error}</div>}
    </div>
  );
}

export function UpstreamDetail({ trip }: { trip: UpstreamRoundTrip }) {
  const first = trip.call ?? trip.result;
  return (
    <div className="tr-detail" data-testid="exchange-detail" data-step="upstream.call">
      <header className="tr-detail-head">
        <div className="row">
          <h3>Upstream call</h3>
          <span className={`badge ${trip.result?.error !== undefined ? 'danger' : 'ok'}`}>{trip.result?.error !== undefined ? 'failed' : trip.result ? 'answered' : 'pending'}</span>
        </div>
        <p className="dim small">Gatehouse forwards the request to the upstream with its own credentials; the client&apos;s token never leaves the gateway.</p>
        {first && <span className="xs muted">{formatClock(first.time)}</span>}
      </header>
      <UpstreamLine trip={trip} />
    </div>
  );
}
