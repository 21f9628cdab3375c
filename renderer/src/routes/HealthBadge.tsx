import type { UpstreamHealth } from '../../../shared/admin-api.js';

const LOOK: Record<UpstreamHealth, { tone: string; label: string }> = {
  connecting: { tone: 'info', label: 'connecting' },
  connected: { tone: 'ok', label: 'connected' },
  restarting: { tone: 'warn', label: 'restarting' },
  auth_needed: { tone: 'warn', label: 'auth needed' },
  error: { tone: 'danger', label: 'error' },
  closed: { tone: '', label: 'closed' },
};

/** An upstream's health; the reason (when not connected) is the tooltip. */
export function HealthBadge({ state, detail }: { state: UpstreamHealth; detail?: string }) {
  const look = LOOK[state];
  return (
    <span className={`badge ${look.tone}`} title={detail ?? look.label} data-testid="upstream-health" data-state={state}>
      <span className="dot" />
      {look.label}
    </span>
  );
}
