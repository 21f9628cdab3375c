/**
 * Gatehouse's own login at a secured upstream, on its row of the route card: the login state,
 * "Log in" when the upstream waits for one, "Log out" when tokens are held. A login runs in the
 * system browser; the row shows "waiting for the browser…" with the link (the only way in when no
 * browser could be opened) until the live stream shows the upstream connected, or an oauth.client
 * failure for it.
 */
import { useCallback, useEffect, useState } from 'react';

import type { UpstreamLoginStarted, UpstreamLogoutResult, UpstreamSummary } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin, useTrace } from '../api/admin-context.js';
import { toAdminError } from '../api/use-query.js';
import { CopyButton } from '../components/CopyButton.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';

type Waiting = Extract<UpstreamLoginStarted, { state: 'waiting_for_browser' }>;

const LOGIN_WORDS = { logged_in: 'logged in', expired: 'login expired', needed: 'login needed' } as const;

function needsLogin(upstream: UpstreamSummary): boolean {
  if (upstream.login?.machine) return false;
  return upstream.state === 'auth_needed' || upstream.login?.state === 'needed' || upstream.login?.state === 'expired';
}

/** The badge and buttons, on a line of their own under the upstream. */
export function UpstreamLoginActions({ upstream, busy, onLogin, onLogout }: { upstream: UpstreamSummary; busy: boolean; onLogin: () => void; onLogout: () => void }) {
  const login = upstream.login;
  if (!login && !needsLogin(upstream)) return null;
  if (login?.machine) {
    return (
      <span className="row upstream-login">
        <span className="badge" title={`Gatehouse gets its own tokens${login.issuer ? ` from ${login.issuer}` : ''} with the client_credentials grant: nobody logs in`}>
          <Icon name="user" size={11} />
          client credentials
        </span>
      </span>
    );
  }
  return (
    <span className="row upstream-login">
      {login && (
        <span className={`badge ${login.state === 'logged_in' ? 'ok' : 'warn'}`} title={login.issuer ? `Gatehouse's own login at ${login.issuer}` : "Gatehouse's own login at this upstream"}>
          <Icon name="user" size={11} />
          {LOGIN_WORDS[login.state]}
        </span>
      )}
      {needsLogin(upstream) && (
        <button type="button" className="btn small primary" data-testid={`upstream-login-${upstream.name}`} disabled={busy} onClick={onLogin}>
          Log in
        </button>
      )}
      {login && login.state !== 'needed' && (
        <button type="button" className="btn small ghost" data-testid={`upstream-logout-${upstream.name}`} disabled={busy} onClick={onLogout}>
          Log out
        </button>
      )}
    </span>
  );
}

/** The login's state for one upstream row: what the actions did, shown under the row. */
export function useUpstreamLogin(route: string, upstream: UpstreamSummary) {
  const admin = useAdmin();
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState<Waiting>();
  const [error, setError] = useState<AdminRequestError>();
  const [note, setNote] = useState<string>();

  const loggedIn = upstream.state === 'connected' && upstream.login?.state === 'logged_in';
  useEffect(() => {
    if (loggedIn && waiting) setWaiting(undefined);
  }, [loggedIn, waiting]);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      await work();
    } catch (cause) {
      setError(toAdminError(cause));
    } finally {
      setBusy(false);
    }
  };
  const body = { route, upstream: upstream.name };
  const onLogin = () =>
    void act(async () => {
      const started = await admin.send<UpstreamLoginStarted>('POST', '/api/upstream-login', body);
      if (started.state === 'waiting_for_browser') setWaiting(started);
    });
  const onLogout = () =>
    void act(async () => {
      setWaiting(undefined);
      const result = await admin.send<UpstreamLogoutResult>('POST', '/api/upstream-logout', body);
      setNote(result.detail);
    });
  const onFailed = useCallback(
    (detail: string) => {
      setWaiting(undefined);
      setError(toAdminError(new Error(`The login to ${upstream.name} did not finish: ${detail}`)));
    },
    [upstream.name],
  );

  const panel = (
    <>
      {waiting && <LoginWaiting route={route} upstream={upstream.name} waiting={waiting} onFailed={onFailed} />}
      {error && (
        <div className="upstream-detail">
          <ErrorCallout error={error} />
        </div>
      )}
      {note && <div className="upstream-detail muted">{note}</div>}
    </>
  );
  return { busy, onLogin, onLogout, panel };
}

function LoginWaiting({ route, upstream, waiting, onFailed }: { route: string; upstream: string; waiting: Waiting; onFailed: (detail: string) => void }) {
  const events = useTrace();
  // Only what happens from now on: an earlier failure belongs to an earlier attempt.
  const [since] = useState(() => events[events.length - 1]?.seq ?? 0);
  const failure = events.find((event) => event.seq > since && event.type === 'oauth.client' && event.upstream === upstream && event.route === route && event.outcome === 'error');
  const failed = failure?.type === 'oauth.client' ? (failure.detail ?? failure.step) : undefined;
  useEffect(() => {
    if (failed !== undefined) onFailed(failed);
  }, [failed, onFailed]);

  return (
    <div className="upstream-detail callout warn upstream-login-waiting" data-testid={`upstream-login-waiting-${upstream}`}>
      <Icon name="external" size={14} />
      <div className="stack" style={{ gap: 4 }}>
        <span>
          {waiting.browserOpened ? 'Waiting for the browser… finish the login there, or ' : `No browser could be opened${waiting.browserProblem ? ` (${waiting.browserProblem})` : ''}: `}
          <a href={waiting.authorizationUrl} target="_blank" rel="noreferrer" data-testid={`upstream-login-link-${upstream}`}>
            open the login page
          </a>
          .
        </span>
        <span className="row">
          <code className="truncate xs">{waiting.authorizationUrl}</code>
          <CopyButton text={waiting.authorizationUrl} label="Copy the login URL" />
        </span>
      </div>
    </div>
  );
}
