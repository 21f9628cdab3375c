/**
 * Why the policy decided what it did: the deciding rule, the claims it matched on, and every rule
 * that was considered with the reason it applied or not. Used by the catalog, the decisions table
 * and the handshake trace.
 */
import type { ConsideredRule, Decision, MatchedSubjects } from '../../../shared/policy.js';
import { EffectBadge } from './EffectBadge.js';
import { Icon } from './Icon.js';
import './decision-explanation.css';

const MATCHED_FIELDS: Array<keyof MatchedSubjects> = ['groups', 'users', 'clients', 'scopes'];

export function DecisionExplanation({ decision, compact = false }: { decision: Decision; compact?: boolean }) {
  const matched = MATCHED_FIELDS.flatMap((field) => (decision.matched?.[field] ?? []).map((value) => ({ field, value })));
  return (
    <div className={compact ? 'decision compact' : 'decision'} data-testid="decision-explanation">
      <div className="decision-head">
        <EffectBadge effect={decision.effect} />
        <span className="decision-right badge outline">{decision.right}</span>
        <code className="decision-item truncate" title={decision.item}>
          {decision.item}
        </code>
      </div>
      <p className="decision-reason">{decision.reason}</p>

      <dl className="decision-facts">
        <dt>Deciding rule</dt>
        <dd>
          {decision.rule ? (
            <span className="row">
              <code className="rule-id">{decision.rule.id}</code>
              <span className={`xs ${decision.rule.effect === 'allow' ? 'ok-text' : 'danger-text'}`}>{decision.rule.effect}</span>
            </span>
          ) : (
            <span className="muted">none — no rule or default applied, so it is denied</span>
          )}
        </dd>
        <dt>Matched on</dt>
        <dd>
          {matched.length > 0 ? (
            <span className="row wrap">
              {matched.map(({ field, value }) => (
                <span className="claim-chip" key={`${field}:${value}`}>
                  <span className="muted">{field.replace(/s$/, '')}</span> {value}
                </span>
              ))}
            </span>
          ) : decision.rule ? (
            <span className="muted">every authenticated caller</span>
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
      </dl>

      {decision.considered.length > 0 && (
        <div className="considered">
          <div className="section-title">Rules considered</div>
          <ol>
            {decision.considered.map((rule, i) => (
              <ConsideredRow key={`${rule.id}-${rule.right}-${i}`} rule={rule} deciding={rule.id === decision.rule?.id && rule.applies} />
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}

function ConsideredRow({ rule, deciding }: { rule: ConsideredRule; deciding: boolean }) {
  return (
    <li className={`considered-rule ${rule.applies ? 'applies' : 'skipped'} ${deciding ? 'deciding' : ''}`} data-applies={rule.applies}>
      <span className="considered-mark" aria-label={rule.applies ? 'applied' : 'did not apply'}>
        <Icon name={rule.applies ? 'check' : 'x'} size={12} />
      </span>
      <code className="rule-id">{rule.id}</code>
      <span className="badge outline">{rule.right}</span>
      <span className={`xs ${rule.effect === 'allow' ? 'ok-text' : rule.effect === 'deny' ? 'danger-text' : 'muted'}`}>{rule.effect ?? 'no effect'}</span>
      <span className="considered-why">{rule.why}</span>
    </li>
  );
}
