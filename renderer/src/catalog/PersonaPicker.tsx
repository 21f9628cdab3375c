/**
 * Who the catalog is shown as: a built-in IdP user or machine client, or hand-entered token claims
 * (to preview what a user of an external IdP, with groups you type, would see).
 */
import { useState } from 'react';

import type { IdpClientSummary, IdpUserSummary } from '../../../shared/admin-api.js';
import { Icon } from '../components/Icon.js';

export const DEFAULT_CLAIMS = JSON.stringify({ sub: 'carol', groups: ['warehouse-ops'], scope: 'mcp' }, null, 2);

interface PickerProps {
  users: IdpUserSummary[];
  /** Machine clients (client_credentials): picked like a user, by their client id. */
  clients: IdpClientSummary[];
  user: string | undefined;
  custom: boolean;
  onUser: (user: string) => void;
  onCustom: () => void;
}

export function PersonaPicker({ users, clients, user, custom, onUser, onCustom }: PickerProps) {
  return (
    <div className="segmented persona-switch" role="group" aria-label="Persona" data-testid="persona-switch">
      {users.map((u) => (
        <button
          key={u.username}
          type="button"
          aria-pressed={!custom && user === u.username}
          onClick={() => onUser(u.username)}
          title={`${u.name ?? u.username} · groups: ${u.groups.join(', ') || 'none'}`}
          data-testid={`persona-${u.username}`}
        >
          <Icon name="user" size={11} />
          {u.username}
        </button>
      ))}
      {clients.map((c) => (
        <button
          key={c.clientId}
          type="button"
          aria-pressed={!custom && user === c.clientId}
          onClick={() => onUser(c.clientId)}
          title={`machine client ${c.name ?? c.clientId} (client_credentials) · groups: ${c.groups.join(', ') || 'none'}`}
          data-testid={`persona-${c.clientId}`}
        >
          <Icon name="bolt" size={11} />
          {c.clientId}
        </button>
      ))}
      <button type="button" aria-pressed={custom} onClick={onCustom} data-testid="persona-custom">
        Custom claims
      </button>
    </div>
  );
}

/** The hand-entered claims of the "custom claims" persona, applied on demand. */
export function ClaimsEditor({ claimsText, onClaims }: { claimsText: string; onClaims: (claimsText: string) => void }) {
  const [draft, setDraft] = useState(claimsText);
  const [problem, setProblem] = useState<string>();

  const apply = () => {
    try {
      const parsed: unknown = JSON.parse(draft);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      setProblem(undefined);
      onClaims(draft);
    } catch {
      setProblem('Claims must be a JSON object, e.g. {"sub": "carol", "groups": ["warehouse-ops"]}.');
    }
  };

  return (
    <div className="claims-bar">
      <textarea
        className={`textarea ${problem ? 'invalid' : ''}`}
        rows={4}
        value={draft}
        spellCheck={false}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) apply();
        }}
        aria-label="Token claims as JSON"
        data-testid="persona-claims"
      />
      <div className="stack claims-help">
        <span className="small">The claims an access token would carry — <code>sub</code>, <code>groups</code>, <code>scope</code>, <code>client_id</code> — to preview what a user of your own IdP sees.</span>
        {problem && <span className="danger-text xs">{problem}</span>}
        <div>
          <button type="button" className="btn small primary" onClick={apply} data-testid="persona-claims-apply">
            Preview as these claims
          </button>
        </div>
      </div>
    </div>
  );
}
