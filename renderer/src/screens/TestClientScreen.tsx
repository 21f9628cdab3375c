/**
 * The built-in test client: connect to a route as a demo user, a machine client of the built-in
 * IdP (client_credentials), or through a browser login for an external IdP, one OAuth step at a
 * time, like MCP Inspector's guided flow, then list and call
 * tools. The same steps appear in the handshake trace. A user whose password the config keeps only
 * hashed needs it typed in; it lives in this screen's state and goes out only with the session start.
 */
import { useEffect, useState } from 'react';

import type { RouteSummary, TestClientSession } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin, useOverview, useRoutes } from '../api/admin-context.js';
import { toAdminError } from '../api/use-query.js';
import { CopyButton } from '../components/CopyButton.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { href, useLocation } from '../navigation.js';
import { Stepper } from '../test-client/Stepper.js';
import { ToolRunner } from '../test-client/ToolRunner.js';
import '../test-client/test-client.css';

/** The select's value for "sign in through a browser" (no built-in user). */
const EXTERNAL = '';
const BROWSER_POLL_MS = 1_500;

const STATE_LOOK: Record<TestClientSession['state'], { tone: string; words: string }> = {
  new: { tone: '', words: 'ready' },
  authorizing: { tone: 'info', words: 'authorizing' },
  waiting_for_browser: { tone: 'warn', words: 'waiting for the browser login' },
  connected: { tone: 'ok', words: 'connected' },
  failed: { tone: 'danger', words: 'failed' },
  closed: { tone: '', words: 'closed' },
};

function isSession(value: unknown): value is TestClientSession {
  return typeof value === 'object' && value !== null && Array.isArray((value as { steps?: unknown }).steps);
}

export function TestClientScreen() {
  const admin = useAdmin();
  const routes = useRoutes();
  const overview = useOverview();
  const { params } = useLocation();
  const users = overview?.idp?.users ?? [];
  const clients = overview?.idp?.clients ?? [];
  const [routePath, setRoutePath] = useState<string>(params.get('route') ?? '');
  const [user, setUser] = useState<string | undefined>(params.get('user') ?? undefined);
  const [password, setPassword] = useState('');
  const [session, setSession] = useState<TestClientSession>();
  const [busy, setBusy] = useState<'start' | 'step' | 'run'>();
  const [error, setError] = useState<AdminRequestError>();

  // Defaults once the overview and routes arrive: the first route, the first demo user.
  const route: RouteSummary | undefined = routes.find((r) => r.path === routePath) ?? routes[0];
  const userChoice = user ?? users[0]?.username ?? EXTERNAL;
  const chosenUser = users.find((u) => u.username === userChoice);
  // Only a route that signs in needs the password; the config has no plaintext one to use.
  const passwordNeeded = chosenUser?.passwordHashed === true && route !== undefined && route.auth.mode !== 'none';

  const sessionPath = session ? `/api/test-client/sessions/${encodeURIComponent(session.id)}` : undefined;

  const act = async (kind: 'start' | 'step' | 'run', run: () => Promise<unknown>) => {
    setBusy(kind);
    try {
      const answer = await run();
      if (isSession(answer)) setSession(answer);
      else if (sessionPath) setSession(await admin.get<TestClientSession>(sessionPath));
      setError(undefined);
    } catch (cause) {
      setError(toAdminError(cause));
      // The step that failed is recorded in the session: show it.
      if (sessionPath) admin.get<TestClientSession>(sessionPath).then(setSession, () => undefined);
    } finally {
      setBusy(undefined);
    }
  };

  const start = () => {
    if (!route) return;
    const body = userChoice === EXTERNAL ? { route: route.path } : { route: route.path, user: userChoice, ...(passwordNeeded && password ? { password } : {}) };
    if (sessionPath) void admin.send('DELETE', sessionPath).catch(() => undefined);
    void act('start', () => admin.send<TestClientSession>('POST', '/api/test-client/sessions', body));
  };

  // A browser login finishes outside the window: poll until the session moves on.
  const waiting = session?.state === 'waiting_for_browser';
  useEffect(() => {
    if (!waiting || !sessionPath) return;
    const timer = setInterval(() => {
      admin.get<TestClientSession>(sessionPath).then(setSession, () => undefined);
    }, BROWSER_POLL_MS);
    return () => clearInterval(timer);
  }, [admin, waiting, sessionPath]);

  const finished = session ? session.state === 'connected' || session.state === 'failed' || session.state === 'closed' || session.steps.every((s) => s.status !== 'pending') : true;
  const look = session ? STATE_LOOK[session.state] : undefined;

  return (
    <div className="tc screen-pad">
      <section className="card tc-setup">
        <label className="field">
          <span className="field-label">Route</span>
          <select
            className="select"
            data-testid="tc-route"
            value={route?.path ?? ''}
            onChange={(event) => {
              setRoutePath(event.target.value);
              setPassword('');
            }}
          >
            {routes.map((r) => (
              <option key={r.path} value={r.path}>
                {r.path} {r.auth.mode === 'none' ? '(no auth)' : `(${r.auth.mode})`}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">Sign in as</span>
          <select
            className="select"
            data-testid="tc-user"
            value={userChoice}
            onChange={(event) => {
              setUser(event.target.value);
              setPassword('');
            }}
          >
            {users.map((u) => (
              <option key={u.username} value={u.username}>
                {u.username}
                {u.groups.length > 0 ? ` — ${u.groups.join(', ')}` : ''}
              </option>
            ))}
            {/* A machine client is the built-in IdP's: a route that signs in elsewhere cannot use it. */}
            {clients.length > 0 && route?.auth.issuer === overview?.idp?.issuer && (
              <optgroup label="Machine clients (client_credentials, no sign-in)">
                {clients.map((c) => (
                  <option key={c.clientId} value={c.clientId}>
                    {c.clientId}
                    {c.groups.length > 0 ? ` — ${c.groups.join(', ')}` : ''}
                  </option>
                ))}
              </optgroup>
            )}
            <option value={EXTERNAL}>External login in a browser…</option>
          </select>
        </label>
        {passwordNeeded && (
          <label className="field">
            <span className="field-label">Password</span>
            {/* Uncontrolled (no value prop), so React does not mirror the password into a value
                attribute of the markup; a new key per route and user starts it empty, as the state does. */}
            <input
              key={`${route.path} ${userChoice}`}
              className="input"
              type="password"
              autoComplete="off"
              data-testid="tc-password"
              placeholder="stored hashed — type it"
              title={`The config keeps only a hash of ${userChoice}'s password, so the test client needs it typed in to sign in.`}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
        )}
        <button type="button" className="btn primary" data-testid="tc-start" disabled={!route || busy !== undefined || (passwordNeeded && !password)} onClick={start}>
          <Icon name="play" size={12} /> {session ? 'Start over' : 'Start session'}
        </button>
        <span className="spacer" />
        <a className="small" href={href('handshake')} data-testid="tc-trace-link">
          See it in the handshake trace →
        </a>
      </section>

      {error && <ErrorCallout error={error} />}

      {!session ? (
        <div className="empty">
          <h3>Walk the MCP OAuth flow one step at a time</h3>
          <span>
            Pick a route and a user, start a session, then press <strong>Next step</strong> to see each request and answer — or <strong>Run all</strong>.
          </span>
        </div>
      ) : (
        <div className="tc-body">
          <section className="card tc-flow">
            <header className="tc-flow-head">
              <div className="stack" style={{ gap: 2 }}>
                <h3>
                  {session.route} <span className="muted">as</span> {session.user ?? 'browser login'}
                  {session.machine && <span className="badge">machine client</span>}
                </h3>
                <span className="xs muted mono">session {session.id}</span>
              </div>
              <span className="spacer" />
              {look && (
                <span className={`badge ${look.tone}`} data-testid="tc-state" data-state={session.state}>
                  {look.words}
                </span>
              )}
              <button type="button" className="btn" data-testid="tc-next" disabled={finished || busy !== undefined || waiting} onClick={() => sessionPath && void act('step', () => admin.send('POST', `${sessionPath}/step`))}>
                {busy === 'step' ? 'Running…' : 'Next step'}
              </button>
              <button type="button" className="btn primary" data-testid="tc-run" disabled={finished || busy !== undefined || waiting} onClick={() => sessionPath && void act('run', () => admin.send('POST', `${sessionPath}/run`))}>
                {busy === 'run' ? 'Running…' : 'Run all'}
              </button>
            </header>
            {waiting && session.authorizationUrl && (
              <div className="callout warn tc-browser" data-testid="tc-browser">
                <Icon name="external" size={14} />
                <div className="stack" style={{ gap: 4 }}>
                  <strong>Finish the login in your browser</strong>
                  <span className="small">The identity provider is external: open this URL, sign in, and this page continues by itself.</span>
                  <div className="row">
                    <a className="mono small truncate" href={session.authorizationUrl} target="_blank" rel="noreferrer" data-testid="tc-browser-url">
                      {session.authorizationUrl}
                    </a>
                    <CopyButton text={session.authorizationUrl} label="Copy the authorization URL" />
                  </div>
                </div>
              </div>
            )}
            <Stepper steps={session.steps} running={busy === 'step' || busy === 'run'} />
          </section>
          {session.state === 'connected' && (
            <section className="card tc-connected">
              <header className="tc-flow-head">
                <h3>Tools</h3>
                <span className="muted small">what {session.user ?? 'this login'} sees on {session.route}</span>
              </header>
              <ToolRunner session={session} />
            </section>
          )}
        </div>
      )}
    </div>
  );
}
