/**
 * Gatehouse's own stored credentials (tokens and client registrations for secured upstreams):
 * shortened in the list, revealed in full once on request, deletable.
 */
import { useEffect, useState } from 'react';

import type { KeychainEntry } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin } from '../api/admin-context.js';
import { toAdminError, useQuery } from '../api/use-query.js';
import { CopyButton } from '../components/CopyButton.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';

/** A revealed secret stays on screen this long, then is dropped from memory. */
const REVEAL_MS = 30_000;

export function KeychainList() {
  const admin = useAdmin();
  const entries = useQuery('keychain', () => admin.get<KeychainEntry[]>('/api/keychain'));
  const [revealed, setRevealed] = useState<{ id: string; value: string }>();
  const [actionError, setActionError] = useState<AdminRequestError>();

  useEffect(() => {
    if (!revealed) return;
    const timer = setTimeout(() => setRevealed(undefined), REVEAL_MS);
    return () => clearTimeout(timer);
  }, [revealed]);

  const reveal = async (id: string) => {
    setActionError(undefined);
    try {
      const { value } = await admin.send<{ value: string }>('POST', '/api/keychain/reveal', { id });
      setRevealed({ id, value });
    } catch (error) {
      setActionError(toAdminError(error));
    }
  };
  const remove = async (entry: KeychainEntry) => {
    if (!window.confirm(`Delete the stored ${entry.kind === 'tokens' ? 'tokens' : 'client registration'} for ${entry.issuer}? Gatehouse will have to log in there again.`)) return;
    setActionError(undefined);
    try {
      await admin.send('DELETE', `/api/keychain?id=${encodeURIComponent(entry.id)}`);
      if (revealed?.id === entry.id) setRevealed(undefined);
      entries.reload();
    } catch (error) {
      setActionError(toAdminError(error));
    }
  };

  if (entries.error) return <ErrorCallout error={entries.error} title="The keychain cannot be read" />;
  if (!entries.data) return <p className="muted small">Loading…</p>;
  return (
    <div className="stack">
      {actionError && <ErrorCallout error={actionError} />}
      {entries.data.length === 0 ? (
        <p className="muted small">Nothing stored. Gatehouse keeps tokens here once it logs in to a secured upstream for you.</p>
      ) : (
        <table className="table" data-testid="keychain">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Issuer</th>
              <th>Resource</th>
              <th>Secret</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.data.map((entry) => (
              <tr key={entry.id} data-testid="keychain-row">
                <td>
                  <span className="badge outline">{entry.kind === 'tokens' ? 'tokens' : 'client'}</span>
                </td>
                <td className="mono small truncate" title={entry.issuer}>
                  {entry.issuer}
                </td>
                <td className="mono small truncate" title={entry.resource}>
                  {entry.resource ?? '—'}
                </td>
                <td className="mono small">
                  {revealed?.id === entry.id ? (
                    <span className="revealed row">
                      <span className="truncate" style={{ maxWidth: 260 }}>
                        {revealed.value}
                      </span>
                      <CopyButton text={revealed.value} label="Copy secret" />
                    </span>
                  ) : (
                    entry.preview
                  )}
                </td>
                <td className="small">{entry.expiresAt ? expiry(entry.expiresAt) : '—'}</td>
                <td>
                  <div className="row">
                    {revealed?.id === entry.id ? (
                      <button type="button" className="btn small ghost" onClick={() => setRevealed(undefined)}>
                        Hide
                      </button>
                    ) : (
                      <button type="button" className="btn small ghost" onClick={() => void reveal(entry.id)} title="Show the whole secret for 30 seconds">
                        <Icon name="eye" size={12} />
                        Reveal
                      </button>
                    )}
                    <button type="button" className="btn small ghost danger" onClick={() => void remove(entry)}>
                      <Icon name="trash" size={12} />
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** expires_at is in seconds (OAuth) or milliseconds; either way, say when in words. */
function expiry(at: number): string {
  const ms = at < 1e12 ? at * 1000 : at;
  const left = ms - Date.now();
  if (left <= 0) return 'expired';
  if (left < 3_600_000) return `in ${Math.round(left / 60_000)} min`;
  return new Date(ms).toLocaleString();
}
