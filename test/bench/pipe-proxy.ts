/**
 * The baseline every gateway is measured against: the least a reverse proxy can do. It pipes each
 * request to the upstream and the answer back, bytes and headers unchanged, over kept-alive
 * connections — no parsing, no MCP. What a gateway adds beyond this is its own cost.
 *
 * `node --import tsx pipe-proxy.ts UPSTREAM_URL` prints `{"ready": {"url": ...}}` (same path as
 * the upstream's).
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const proxy = createServer((req, res) => {
  const forwarded = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forwarded.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(forwarded);
});

proxy.keepAliveTimeout = 60_000;
proxy.listen(0, '127.0.0.1', () => {
  const { port } = proxy.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: { url: `http://127.0.0.1:${port}${upstream.pathname}` } })}\n`);
});

process.once('SIGTERM', () => {
  proxy.closeAllConnections();
  agent.destroy();
  process.exit(0);
});
