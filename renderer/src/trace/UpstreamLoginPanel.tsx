/**
 * The middle and right columns of the handshake screen for a login the gateway made itself to a
 * secured upstream: its sequence diagram, and the clicked step (what it is, how it ended, the
 * issuer and resource it was about, the step's words). Nothing more than the `oauth.client`
 * event holds is shown, and the server redacted that already.
 */
import { useMemo } from 'react';

import { Icon } from '../components/Icon.js';
import { formatClock, formatMs } from '../format.js';
import { SequenceDiagram, SequenceLegend } from './SequenceDiagram.js';
import type { RowTarget } from './sequence-model.js';
import { buildUpstreamLoginSequence, loginStepName, loginStepTitle, upstreamLoginLifelines } from './upstream-login-sequence.js';
import { UPSTREAM_CHALLENGE, UPSTREAM_LOGIN_STEPS } from './upstream-login-steps.js';
import { FLOW_WORDS, upstreamLoginTitle, type UpstreamLogin, type UpstreamLoginStep } from './upstream-logins.js';

const STATUS_WORDS: Record<UpstreamLogin['status'], string> = {
  ok: 'done',
  failed: 'failed',
  'in-progress': 'in progress',
};

export function UpstreamLoginPanel({ login, target, onTarget }: { login: UpstreamLogin; target: RowTarget | undefined; onTarget: (target: RowTarget) => void }) {
  const rows = useMemo(() => buildUpstreamLoginSequence(login), [login]);
  const lifelines = useMemo(() => upstreamLoginLifelines(login), [login]);
  const step = target?.kind === 'oauth' ? login.steps.find((s) => s.event.seq === target.seq) : undefined;
  return (
    <>
      <section className="tr-center" aria-label="Sequence diagram" data-connection={login.id} data-kind="upstream-login">
        <header className="tr-conn-header">
          <div className="row">
            <h3 className="truncate">{upstreamLoginTitle(login)}</h3>
            <span className="badge accent">Gatehouse’s own {FLOW_WORDS[login.flow]}</span>
            <span className={`badge ${login.status === 'failed' ? 'danger' : login.status === 'ok' ? 'ok' : 'info'}`} data-testid="login-status">
              {STATUS_WORDS[login.status]}
            </span>
          </div>
          <div className="row wrap xs muted">
            {login.issuer && <code>{login.issuer}</code>}
            {login.resource && <span>· for {login.resource}</span>}
            <span>· {login.steps.length} steps</span>
            <span>· {formatMs(login.lastAt - login.startedAt)}</span>
          </div>
        </header>
        <SequenceDiagram rows={rows} lifelines={lifelines} startedAt={login.startedAt} selected={target} onSelect={onTarget} />
      </section>
      <aside className="tr-detail-pane" aria-label="Step detail">
        {step ? <LoginStepDetail step={step} /> : <LoginSummary login={login} />}
      </aside>
    </>
  );
}

function LoginStepDetail({ step }: { step: UpstreamLoginStep }) {
  const { event } = step;
  const about = step.challenge ? UPSTREAM_CHALLENGE : UPSTREAM_LOGIN_STEPS[event.step];
  const facts: Array<[string, string | undefined]> = [
    ['upstream', event.upstream],
    ['route', event.route],
    ['issuer', event.issuer],
    ['resource', event.resource],
  ];
  return (
    <div className="tr-detail" data-testid="login-step-detail" data-step={loginStepName(step)} data-seq={event.seq}>
      <header className="tr-detail-head">
        <div className="row">
          <h3>{loginStepTitle(step)}</h3>
          <span className={`badge ${step.failed ? 'danger' : step.challenge ? 'warn' : 'ok'}`} data-testid="login-step-outcome">
            {step.challenge ? '401' : event.outcome}
          </span>
          <span className="spacer" />
          <span className="muted small mono">
            #{event.seq} · {formatClock(event.time)}
          </span>
        </div>
        <p className="dim small">{about.purpose}</p>
      </header>
      {step.failed && (
        <div className="callout danger" role="alert" data-testid="login-step-failure">
          <Icon name="alert" size={14} />
          <span>{event.detail ?? `the ${event.step} step failed`}</span>
        </div>
      )}
      <section className="tr-section">
        <h4 className="section-title">Step</h4>
        <table className="tr-kv">
          <tbody>
            {facts.map(([name, value]) =>
              value === undefined ? null : (
                <tr key={name}>
                  <th>{name}</th>
                  <td className="mono">{value}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </section>
      {event.detail && !step.failed && (
        <section className="tr-section">
          <h4 className="section-title">What happened</h4>
          <p className="small mono" data-testid="login-step-words">
            {event.detail}
          </p>
        </section>
      )}
      {about.spec && (
        <section className="tr-section">
          <a className="small" href={about.spec.url} target="_blank" rel="noreferrer">
            {about.spec.title} <Icon name="external" size={12} className="inline-icon" />
          </a>
        </section>
      )}
    </div>
  );
}

/** What the detail pane shows before a step is clicked: what the flow is, failures first. */
function LoginSummary({ login }: { login: UpstreamLogin }) {
  return (
    <div className="tr-detail">
      <p className="muted small tr-hint">
        Gatehouse is the OAuth client here: it logs in to the upstream’s authorization server so that it can call the upstream on the route’s behalf. Click a step to see it.
      </p>
      {login.steps
        .filter((step) => step.failed)
        .map((step) => (
          <div key={step.event.seq} className="callout danger small">
            <strong>{loginStepTitle(step)}:</strong>&nbsp;{step.event.detail ?? 'failed'}
          </div>
        ))}
      <SequenceLegend />
    </div>
  );
}
