/**
 * The test client's redirect URI: a one-shot HTTP listener on 127.0.0.1 at a random port (RFC
 * 8252 §7.3, loopback redirection for native apps). The browser lands here with the authorization
 * response; the first request to /callback is taken, answered with a page telling the user to go
 * back to Gatehouse, and the listener closes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGE = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Gatehouse</title></head>` +
  `<body style="font:16px system-ui;display:grid;place-items:center;min-height:90vh"><main><h1>${title}</h1><p>${text}</p></main></body></html>`;

export class LoopbackCallback {
  /** Resolves with the query of the first request to /callback. */
  readonly received: Promise<URLSearchParams>;
  private settle!: { resolve: (params: URLSearchParams) => void; reject: (error: Error) => void };
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly redirectUrl: string,
  ) {
    this.received = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Whoever waits attaches its own handlers; a callback nobody waits for must not crash the process.
    this.received.catch(() => undefined);
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', redirectUrl);
      if (req.method !== 'GET' || url.pathname !== '/callback') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not the Gatehouse test client callback.');
        return;
      }
      const failed = url.searchParams.has('error');
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' })
        .end(failed ? PAGE('Sign-in failed', 'Gatehouse shows why in its test client.') : PAGE('Signed in', 'You can close this tab and return to Gatehouse.'));
      this.settle.resolve(url.searchParams);
      // Let this answer finish leaving; only idle connections are cut.
      this.closed = true;
      server.close();
      server.closeIdleConnections();
    });
  }

  static listen(): Promise<LoopbackCallback> {
    const server = createServer();
    return new Promise((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`cannot open the test client's loopback redirect listener: ${error.message}`)));
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve(new LoopbackCallback(server, `http://127.0.0.1:${port}/callback`));
      });
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.settle.reject(new Error('the test client session was closed before the browser came back'));
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
