/** The doctor's checklist: one row per requirement, green to red, with the fix and the rule behind it. */
import type { DoctorCheck, DoctorReport, DoctorStatus } from '../../../shared/admin-api.js';
import { Icon, type IconName } from '../components/Icon.js';
import { formatMs } from '../format.js';
import { summarizeDoctor } from './doctor-summary.js';

const LOOK: Record<DoctorStatus, { icon: IconName; words: string }> = {
  pass: { icon: 'check', words: 'pass' },
  warn: { icon: 'alert', words: 'warning' },
  fail: { icon: 'x', words: 'fail' },
  skip: { icon: 'chevron', words: 'skipped' },
};

export function DoctorChecklist({ report }: { report: DoctorReport }) {
  const summary = summarizeDoctor(report.checks);
  return (
    <section className="card doctor-report" data-testid="doctor-report">
      <header className="doctor-head">
        <div className="stack" style={{ gap: 2 }}>
          <code className="doctor-target">{report.target}</code>
          <span className="xs muted">
            {report.idp ? `identity provider recognised: ${report.idp} · ` : ''}
            {report.checks.length} checks in {formatMs(report.durationMs)}
          </span>
        </div>
        <span className="spacer" />
        {(['pass', 'warn', 'fail', 'skip'] as const).map((status) =>
          summary.counts[status] > 0 ? (
            <span key={status} className={`doctor-count ${status}`}>
              <Icon name={LOOK[status].icon} size={12} /> {summary.counts[status]}
            </span>
          ) : null,
        )}
      </header>
      <div className={`callout ${summary.tone}`} data-testid="doctor-verdict">
        <Icon name={summary.tone === 'ok' ? 'check' : 'alert'} size={14} />
        <span>{summary.verdict}</span>
      </div>
      <ol className="doctor-checks">
        {report.checks.map((check) => (
          <CheckRow key={check.id} check={check} />
        ))}
      </ol>
    </section>
  );
}

function CheckRow({ check }: { check: DoctorCheck }) {
  const look = LOOK[check.status];
  return (
    <li className={`doctor-check ${check.status}`} data-testid="doctor-check" data-status={check.status} data-id={check.id}>
      <span className="doctor-icon" title={look.words}>
        <Icon name={look.icon} size={12} />
      </span>
      <div className="doctor-check-body">
        <div className="row wrap">
          <strong>{check.title}</strong>
          {check.spec && (
            <a className="xs" href={check.spec.url} target="_blank" rel="noreferrer">
              {check.spec.title} <Icon name="external" size={11} className="inline-icon" />
            </a>
          )}
        </div>
        <span className="small dim">{check.detail}</span>
        {check.fix && check.status !== 'pass' && (
          <div className="doctor-fix small">
            <span className="doctor-fix-label">Fix</span> {check.fix}
          </div>
        )}
        {check.quirk && (
          <div className="callout small doctor-quirk" data-testid="doctor-quirk">
            <Icon name="bolt" size={13} />
            <span>{check.quirk}</span>
          </div>
        )}
      </div>
    </li>
  );
}
