/**
 * The OAuth doctor: for a route (and its identity provider) or any MCP server URL, a checklist of
 * what the MCP authorization spec requires, each with the fix and the IdP quirks that apply.
 * The same checks run as `gatehouse doctor URL`.
 */
import { useState } from 'react';

import type { DoctorReport } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin, useRoutes } from '../api/admin-context.js';
import { toAdminError } from '../api/use-query.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { DoctorChecklist } from '../doctor/DoctorChecklist.js';
import { doctorRequest } from '../doctor/doctor-summary.js';
import { useLocation } from '../navigation.js';
import '../doctor/doctor.css';

export function DoctorScreen() {
  const admin = useAdmin();
  const routes = useRoutes();
  const { params } = useLocation();
  const [mode, setMode] = useState<'route' | 'url'>(params.get('url') ? 'url' : 'route');
  const [routePath, setRoutePath] = useState(params.get('route') ?? '');
  const [url, setUrl] = useState(params.get('url') ?? '');
  const [report, setReport] = useState<DoctorReport>();
  const [error, setError] = useState<AdminRequestError>();
  const [inputProblem, setInputProblem] = useState<string>();
  const [running, setRunning] = useState(false);

  const route = routePath !== '' ? routePath : (routes.find((r) => r.auth.mode !== 'none') ?? routes[0])?.path ?? '';

  const run = async () => {
    const request = doctorRequest(mode, route, url);
    if (!request.ok) {
      setInputProblem(request.message);
      return;
    }
    setInputProblem(undefined);
    setRunning(true);
    try {
      setReport(await admin.send<DoctorReport>('POST', '/api/doctor', request.body));
      setError(undefined);
    } catch (cause) {
      setError(toAdminError(cause));
    } finally {
      setRunning(false);
    }
  };

  return (
    <div className="doctor screen-pad">
      <form
        className="card doctor-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <div className="field">
          <span className="field-label">Check</span>
          <div className="segmented" role="group" aria-label="What to check">
            <button type="button" aria-pressed={mode === 'route'} data-testid="doctor-mode-route" onClick={() => setMode('route')}>
              A route
            </button>
            <button type="button" aria-pressed={mode === 'url'} data-testid="doctor-mode-url" onClick={() => setMode('url')}>
              Any MCP server URL
            </button>
          </div>
        </div>
        {mode === 'route' ? (
          <label className="field">
            <span className="field-label">Route</span>
            <select className="select" data-testid="doctor-route" value={route} onChange={(event) => setRoutePath(event.target.value)}>
              {routes.map((r) => (
                <option key={r.path} value={r.path}>
                  {r.path} {r.auth.issuer ? `— ${r.auth.issuer}` : r.auth.mode === 'none' ? '(no auth)' : ''}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label className="field">
            <span className="field-label">MCP server URL</span>
            <input
              className={`input mono${inputProblem ? ' invalid' : ''}`}
              data-testid="doctor-url"
              placeholder="https://mcp.example.com/mcp"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
          </label>
        )}
        <button type="submit" className="btn primary" data-testid="doctor-run" disabled={running}>
          <Icon name="doctor" size={14} /> {running ? 'Checking…' : 'Run checks'}
        </button>
        <span className="muted xs">
          Also on the command line: <code>gatehouse doctor {mode === 'url' && url ? url : 'URL'}</code>
        </span>
      </form>

      {inputProblem && (
        <div className="callout danger" role="alert">
          <Icon name="alert" size={14} />
          <span>{inputProblem}</span>
        </div>
      )}
      {error && <ErrorCallout error={error} title="The doctor could not run" />}
      {report ? (
        <DoctorChecklist report={report} />
      ) : (
        !running && (
          <div className="empty">
            <h3>Will an MCP client get through?</h3>
            <span>
              Protected resource metadata, authorization server discovery in the spec’s order, PKCE S256, registration (DCR, CIMD or pre-registered), resource and audience, scopes, CORS, issuer identity —
              checked against the route or URL, with known quirks of Entra, Keycloak, Auth0, Okta, Cognito and GitHub.
            </span>
          </div>
        )
      )}
    </div>
  );
}
