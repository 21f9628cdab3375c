import type { Effect } from '../../../shared/policy.js';

const LOOK: Record<Effect | 'filtered', { tone: string; label: string; help: string }> = {
  allow: { tone: 'ok', label: 'allow', help: 'A rule (or the default ACL) allowed it' },
  deny: { tone: 'danger', label: 'deny', help: 'A rule (or the default ACL) denied it' },
  no_match: { tone: 'warn', label: 'no match', help: 'No rule applied, so the gateway denied it' },
  filtered: { tone: 'info', label: 'filtered', help: 'Left out of a list the client asked for' },
};

/** allow / deny / no match / filtered, colour-coded the same everywhere in the window. */
export function EffectBadge({ effect }: { effect: Effect | 'filtered' }) {
  const look = LOOK[effect];
  return (
    <span className={`badge ${look.tone}`} title={look.help} data-effect={effect}>
      {look.label}
    </span>
  );
}
