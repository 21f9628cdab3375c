/**
 * Fault injection for one route: a switch or a value per fault with what a client should do about
 * it, and buttons that expire or revoke the route's current tokens now. Every exchange a fault
 * shapes is marked in the handshake trace.
 */
import { useEffect, useState } from 'react';

import type { FaultSet, RouteSummary } from '../../../shared/admin-api.js';
import { useAdmin } from '../api/admin-context.js';
import { toAdminError } from '../api/use-query.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { href } from '../navigation.js';
import { activeFaults, FAULT_CATALOG, FAULT_KEYS, type FaultKey } from '../trace/fault-catalog.js';
import '../trace/faults.css';

type Drafts = Partial<Record<FaultKey, string>>;

function draftsOf(faults: FaultSet): Drafts {
  return { require_scope: faults.require_scope ?? '', upstream_delay_ms: faults.upstream_delay_ms === undefined ? '' : String(faults.upstream_delay_ms) };
}

/** The fault set with one key changed; an empty or zero value removes the key. */
function withFault(faults: FaultSet, key: FaultKey, value: boolean | string | number | undefined): FaultSet {
  const next: Record<string, unknown> = { ...faults };
  if (value === undefined || value === false || value === '' || value === 0) delete next[key];
  else next[key] = value;
  return next as FaultSet;
}

export function FaultsPanel({ route }: { route: RouteSummary }) {
  const admin = useAdmin();
  const [faults, setFaults] = useState<FaultSet>(route.faults);
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(route.faults));
  const [error, setError] = useState<AdminRequestError>();
  const [saving, setSaving] = useState(false);
  const [tokenNote, setTokenNote] = useState<string>();

  // The live stream carries changes made elsewhere (the config, another window).
  const serverFaults = JSON.stringify(route.faults);
  useEffect(() => {
    const parsed = JSON.parse(serverFaults) as FaultSet;
    setFaults(parsed);
    setDrafts(draftsOf(parsed));
  }, [serverFaults]);

  const save = async (next: FaultSet) => {
    setFaults(next);
    setSaving(true);
    try {
      const updated = await admin.send<RouteSummary>('PUT', '/api/faults', { route: route.path, faults: next });
      setFaults(updated.faults);
      setError(undefined);
    } catch (cause) {
      setError(toAdminError(cause));
      setFaults(route.faults);
    } finally {
      setSaving(false);
    }
  };

  const commitDraft = (key: FaultKey) => {
    const raw = (drafts[key] ?? '').trim();
    if (key === 'upstream_delay_ms') {
      const ms = raw === '' ? undefined : Number(raw);
      if (ms !== undefined && (!Number.isInteger(ms) || ms < 0)) {
        setError(toAdminError(new Error(`Slow upstream: "${raw}" is not a whole number of milliseconds — enter e.g. 5000, or leave it empty for none.`)));
        return;
      }
      if (ms !== faults.upstream_delay_ms) void save(withFault(faults, key, ms));
      return;
    }
    if (raw !== (faults.require_scope ?? '')) void save(withFault(faults, key, raw));
  };

  const tokens = async (action: 'expire' | 'revoke') => {
    try {
      const { affected } = await admin.send<{ affected: number }>('POST', '/api/faults/tokens', { route: route.path, action });
      setTokenNote(`${affected} token${affected === 1 ? '' : 's'} ${action === 'expire' ? 'expired' : 'revoked'} — the next request with ${affected === 1 ? 'it' : 'them'} gets a 401.`);
      setError(undefined);
    } catch (cause) {
      setError(toAdminError(cause));
    }
  };

  const active = activeFaults(faults);
  return (
    <div className="faults" data-testid="faults-panel" data-route={route.path}>
      <div className="row wrap faults-active">
        {active.length === 0 ? (
          <span className="muted small">No fault injected: the route behaves as the spec says.</span>
        ) : (
          active.map((fault) => (
            <span key={fault.key} className="badge warn" data-testid="fault-badge" data-fault={fault.key}>
              ⚡ {fault.title}
              {fault.value && `: ${fault.value}`}
            </span>
          ))
        )}
        {saving && <span className="muted xs">saving…</span>}
      </div>

      <ul className="faults-list">
        {FAULT_KEYS.map((key) => {
          const about = FAULT_CATALOG[key];
          const id = `fault-${route.path}-${key}`;
          return (
            <li key={key} className={`faults-item${active.some((a) => a.key === key) ? ' on' : ''}`}>
              <div className="faults-control">
                {about.input === 'toggle' ? (
                  <input
                    id={id}
                    type="checkbox"
                    className="faults-switch"
                    data-testid={`fault-${key}`}
                    checked={faults[key] === true}
                    onChange={(event) => void save(withFault(faults, key, event.target.checked))}
                  />
                ) : (
                  <input
                    id={id}
                    className="input faults-value"
                    data-testid={`fault-${key}`}
                    inputMode={about.input === 'number' ? 'numeric' : 'text'}
                    placeholder={about.placeholder}
                    value={drafts[key] ?? ''}
                    onChange={(event) => setDrafts({ ...drafts, [key]: event.target.value })}
                    onBlur={() => commitDraft(key)}
                    onKeyDown={(event) => {
                      if (event.key === 'Enter') commitDraft(key);
                    }}
                  />
                )}
              </div>
              <label htmlFor={id} className="faults-text">
                <span className="faults-title">{about.title}</span>
                <span className="small dim">{about.effect}</span>
                <span className="small muted">Client should: {about.clientShould}</span>
              </label>
            </li>
          );
        })}
      </ul>

      <div className="row wrap faults-tokens">
        <button type="button" className="btn" data-testid="fault-expire-tokens" onClick={() => void tokens('expire')} title="Tokens already issued for this route stop being accepted, as if their exp had passed">
          <Icon name="lock" size={14} /> Expire tokens now
        </button>
        <button type="button" className="btn danger" data-testid="fault-revoke-tokens" onClick={() => void tokens('revoke')} title="Revoke the route's tokens at the identity provider; refresh tokens stop working too">
          <Icon name="x" size={14} /> Revoke tokens now
        </button>
        <span className="spacer" />
        <a className="small" href={href('handshake')}>
          Watch the client cope in the handshake trace →
        </a>
      </div>
      {tokenNote && (
        <div className="callout ok small" data-testid="fault-token-note">
          <Icon name="check" size={14} />
          <span>{tokenNote}</span>
        </div>
      )}
      {error && <ErrorCallout error={error} />}
    </div>
  );
}
