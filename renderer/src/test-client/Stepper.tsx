/**
 * The guided OAuth flow as a vertical stepper: each step's status, its one-line outcome, the
 * request and answer behind it on demand, and — when it failed — the error in red with the usual fix.
 */
import type { TestClientStep } from '../../../shared/admin-api.js';
import { Icon, type IconName } from '../components/Icon.js';
import { formatMs } from '../format.js';
import { TEST_STEP_CATALOG } from './step-catalog.js';

const STATUS_ICON: Record<TestClientStep['status'], IconName | undefined> = {
  ok: 'check',
  error: 'x',
  skipped: 'chevron',
  pending: undefined,
};

export function Stepper({ steps, running }: { steps: readonly TestClientStep[]; running: boolean }) {
  const next = steps.findIndex((step) => step.status === 'pending');
  return (
    <ol className="tc-steps">
      {steps.map((step, index) => {
        const about = TEST_STEP_CATALOG[step.name];
        const icon = STATUS_ICON[step.status];
        const current = index === next;
        return (
          <li
            key={step.name}
            className={`tc-step ${step.status}${current ? ' current' : ''}${current && running ? ' running' : ''}`}
            data-testid="tc-step"
            data-name={step.name}
            data-status={step.status}
          >
            <span className="tc-step-marker" aria-hidden>
              {icon ? <Icon name={icon} size={12} /> : index + 1}
            </span>
            <div className="tc-step-body">
              <div className="row">
                <span className="tc-step-title">{about.title}</span>
                {step.status === 'skipped' && <span className="badge">skipped</span>}
                {current && <span className="badge accent">{running ? 'running…' : 'next'}</span>}
                <span className="spacer" />
                {step.durationMs !== undefined && <span className="muted xs mono">{formatMs(step.durationMs)}</span>}
              </div>
              {step.summary ? <div className="small dim tc-step-summary">{step.summary}</div> : <div className="small muted">{about.does}</div>}
              {step.error && (
                <div className="tc-step-error" role="alert">
                  <strong>{step.error}</strong>
                  <span className="small">Usual fix: {about.usualFix}</span>
                </div>
              )}
              {step.detail && Object.keys(step.detail).length > 0 && (
                <details className="tc-step-detail">
                  <summary className="small">Request and answer</summary>
                  <pre className="code-block tc-code">{JSON.stringify(step.detail, null, 2)}</pre>
                </details>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
