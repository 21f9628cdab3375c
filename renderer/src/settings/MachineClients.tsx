/**
 * The built-in IdP's machine clients (client_credentials), read-only: they are edited in the
 * config file, where a secret stays a `${ENV}` reference rather than passing through the window.
 */
import type { IdpClientSummary } from '../../../shared/admin-api.js';

export function MachineClients({ clients }: { clients: IdpClientSummary[] }) {
  return (
    <div className="machine-clients">
      <h3>Machine clients</h3>
      <p className="muted small">
        Scripts, CI jobs and agents with no person to sign in get tokens with the <code>client_credentials</code> grant. They are listed under <code>idp.clients</code> in the
        config file (secret as <code>{'${ENV_VAR}'}</code>); their groups go into their tokens like a user&apos;s.
      </p>
      {clients.length === 0 ? (
        <p className="muted small" data-testid="idp-clients-empty">
          None configured.
        </p>
      ) : (
        <table className="table" data-testid="idp-clients">
          <thead>
            <tr>
              <th>Client id</th>
              <th>Name</th>
              <th>Groups</th>
            </tr>
          </thead>
          <tbody>
            {clients.map((client) => (
              <tr key={client.clientId}>
                <td>
                  <code>{client.clientId}</code>
                </td>
                <td>{client.name ?? ''}</td>
                <td>{client.groups.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
