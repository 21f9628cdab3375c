/**
 * The redirect URI of a native app (RFC 8252 §7.3): a one-shot HTTP server on 127.0.0.1 — the
 * literal address, not `localhost`, which may resolve elsewhere — on a random port unless one is
 * configured. It takes exactly one request on /callback, answers the browser with a page that
 * says what happened, and closes.
 *
 * It takes a callback only once told the state of the authorization request it waits for, and
 * only with that state: before the request is sent, or with any other state (a stale tab of an
 * earlier login, a page that is not the authorization server), a callback is turned away and the
 * listener keeps waiting — such a request could otherwise end the login it is not part of
 * (RFC 6749 §10.12).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackRedirect {
  /** e.g. http://127.0.0.1:53127/callback */
  readonly redirectUri: string;
  /** The query the authorization server sent the browser back with (code, state, iss or error). */
  readonly received: Promise<URLSearchParams>;
  /**
   * The authorization request is on its way: from now on a callback carrying this state is taken
   * (any callback, for a request sent without a state — the caller then checks what it gets).
   */
  expectState(state: string | undefined): void;
  close(): void;
}

const CALLBACK_PATH = '/callback';

function page(title: string, text: string): string {
  const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body style="font-family:system-ui;margin:3rem"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`;
}

export async function listenForRedirect(options: { port: number; timeoutMs: number }): Promise<LoopbackRedirect> {
  let settle!: { resolve: (params: URLSearchParams) => void; reject: (error: Error) => void };
  const received = new Promise<URLSearchParams>((resolve, reject) => (settle = { resolve, reject }));
  received.catch(() => undefined);
  let done = false;
  let expecting: { state: string | undefined } | undefined;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || done) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    if (!expecting || (expecting.state !== undefined && url.searchParams.get('state') !== expecting.state)) {
      const html = page(
        'Not the login Gatehouse is waiting for',
        'This answer carries another state than the login Gatehouse started (an older browser tab, or a page that is not your authorization server), so it was ignored. The login is still waiting: finish it in the tab Gatehouse opened.',
      );
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
      return;
    }
    done = true;
    const error = url.searchParams.get('error');
    // The error text comes from the redirect, which anyone can forge: shown as text, never as HTML.
    const html = error
      ? page('Gatehouse was not logged in', `The authorization server answered ${error}. You can close this tab and try again.`)
      : page('Gatehouse is logged in', 'You can close this tab and return to Gatehouse.');
    res.writeHead(error ? 400 : 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html, () => close());
    settle.resolve(url.searchParams);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `the login redirect port ${options.port} on 127.0.0.1 is in use — free it, or set auth.redirect_port to another port registered for this client`
            : `cannot listen for the login redirect on 127.0.0.1:${options.port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const timer = setTimeout(() => {
    settle.reject(new Error(`no answer from the browser within ${Math.round(options.timeoutMs / 1000)} s — finish the login in the browser tab, or run the login again`));
    close();
  }, options.timeoutMs);
  timer.unref();

  function close(): void {
    done = true;
    clearTimeout(timer);
    settle.reject(new Error('the login redirect listener was closed before the browser came back'));
    server.close();
    server.closeAllConnections();
  }

  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    received,
    expectState: (state) => void (expecting = { state }),
    close,
  };
}
