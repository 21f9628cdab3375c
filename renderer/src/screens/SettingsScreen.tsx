/** Listen port, the built-in IdP's users and groups, and the keychain; saved into the config. */
import { useEffect, useState } from 'react';

import type { Settings, SettingsUpdate } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin, useConfigGeneration } from '../api/admin-context.js';
import { toAdminError, useQuery } from '../api/use-query.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { KeychainList } from '../settings/KeychainList.js';
import { MachineClients } from '../settings/MachineClients.js';
import '../settings/settings.css';
import { UsersEditor, type EditableUser } from '../settings/UsersEditor.js';

interface SaveAnswer {
  saved: boolean;
  restartNeeded: boolean;
  configPath?: string;
}

const BACKEND_LABEL = { keychain: 'OS keychain', 'encrypted-file': 'encrypted file (opt-in)', unavailable: 'unavailable' } as const;

export function SettingsScreen() {
  const admin = useAdmin();
  const generation = useConfigGeneration();
  const settings = useQuery<Settings>(`settings|${generation}`, () => admin.get<Settings>('/api/settings'));
  const [port, setPort] = useState('');
  const [users, setUsers] = useState<EditableUser[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AdminRequestError>();
  const [answer, setAnswer] = useState<SaveAnswer>();

  const data = settings.data;
  useEffect(() => {
    if (!data) return;
    setPort(String(data.listen.port));
    setUsers(data.idp?.users.map((u) => ({ ...u })) ?? []);
  }, [data]);

  const portDirty = data !== undefined && port !== String(data.listen.port);
  const usersDirty = data?.idp !== undefined && JSON.stringify(users) !== JSON.stringify(data.idp.users);

  const save = async () => {
    const update: SettingsUpdate = {};
    if (portDirty) update.listen = { port: Number(port) };
    if (usersDirty) {
      update.idp = {
        users: users.map(({ isNew: _isNew, ...u }) => ({ ...u, groups: u.groups, username: u.username.trim() })),
      };
    }
    setSaving(true);
    setError(undefined);
    try {
      setAnswer(await admin.send<SaveAnswer>('PUT', '/api/settings', update));
      settings.reload();
    } catch (cause) {
      setError(toAdminError(cause));
    } finally {
      setSaving(false);
    }
  };

  if (settings.error) {
    return (
      <div className="screen-pad">
        <ErrorCallout error={settings.error} title="Could not load the settings" />
      </div>
    );
  }
  if (!data) return <div className="empty">Loading…</div>;

  return (
    <div className="screen-pad settings-screen">
      {answer?.restartNeeded && (
        <div className="callout warn" data-testid="restart-needed">
          <Icon name="alert" size={14} />
          <span>
            Saved{answer.configPath ? <> to <code>{answer.configPath}</code></> : null}. <strong>Restart Gatehouse</strong> for it to take effect: the port is part of every route's
            URL and the built-in IdP reads its users at start.
          </span>
        </div>
      )}
      {answer && !answer.restartNeeded && (
        <div className="callout ok">
          <Icon name="check" size={14} />
          <span>Saved{answer.configPath ? <> to <code>{answer.configPath}</code></> : null}; the gateway reloaded it.</span>
        </div>
      )}
      {error && <ErrorCallout error={error} title="The settings were not saved" />}

      <section className="settings-section">
        <header>
          <h2>Gateway</h2>
          <p className="muted small">Where MCP clients connect. Changing the port changes every route URL, so clients need their config updated.</p>
        </header>
        <div className="settings-grid">
          <label className="field">
            <span className="field-label">Listen port</span>
            <div className="row">
              <span className="mono muted">{data.listen.host}:</span>
              <input className="input mono" style={{ width: 96 }} inputMode="numeric" value={port} onChange={(event) => setPort(event.target.value.replace(/[^0-9]/g, ''))} data-testid="settings-port" />
            </div>
          </label>
          <div className="field">
            <span className="field-label">Admin API port</span>
            <span className="mono">{data.adminPort}</span>
            <span className="field-hint">Chosen at each launch; the window finds it on its own.</span>
          </div>
          <div className="field">
            <span className="field-label">Config file</span>
            <span className="mono small">{data.configPath ?? 'none — running the built-in demo'}</span>
          </div>
          <div className="field">
            <span className="field-label">Data folder</span>
            <span className="mono small">{data.dataDir}</span>
          </div>
        </div>
      </section>

      {data.idp && (
        <section className="settings-section">
          <header>
            <h2>Built-in identity provider</h2>
            <p className="muted small">Demo users who can sign in at the built-in IdP. Their groups go into the token's <code>groups</code> claim, which the ACL rules match.</p>
          </header>
          <UsersEditor users={users} onChange={setUsers} />
          <MachineClients clients={data.idp.clients} />
        </section>
      )}

      <div className="settings-save row">
        <button type="button" className="btn primary" disabled={saving || (!portDirty && !usersDirty)} onClick={() => void save()} data-testid="settings-save">
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        {(portDirty || usersDirty) && (
          <button
            type="button"
            className="btn ghost"
            onClick={() => {
              setPort(String(data.listen.port));
              setUsers(data.idp?.users.map((u) => ({ ...u })) ?? []);
            }}
          >
            Discard
          </button>
        )}
        {!data.configPath && <span className="muted small">The demo has no config file: saving writes one into the data folder.</span>}
      </div>

      <section className="settings-section">
        <header>
          <h2>Keychain</h2>
          <p className="muted small">
            Secrets stored in <strong>{BACKEND_LABEL[data.secretsBackend]}</strong>.
          </p>
        </header>
        {data.secretsProblem && (
          <div className="callout warn">
            <Icon name="alert" size={14} />
            <span>{data.secretsProblem}</span>
          </div>
        )}
        {data.secretsBackend !== 'unavailable' && <KeychainList />}
      </section>
    </div>
  );
}
