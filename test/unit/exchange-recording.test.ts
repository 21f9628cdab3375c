/**
 * The pieces of `http.exchange` recording on their own: redaction of headers and bodies (every
 * credential shortened, nothing else lost), JWT decoding without the signature, and the
 * Node-level capture on a real HTTP server — a JSON answer kept up to the limit, a POST's event
 * stream recorded at its first event, a GET's notification stream recorded while it stays open.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';

import { decodeForTrace } from '../../main/trace/decoded-jwt.js';
import { captureExchanges, noteExchange, type ExchangeCapture } from '../../main/trace/exchange-capture.js';
import { BODY_LIMIT, redactHeaders, redactUrl, renderBody, renderParsedBody } from '../../main/trace/redact-exchange.js';
import { TraceBus } from '../../main/trace/trace-bus.js';

const TOKEN = 'tok_0123456789abcdefghijklmnopqrstuvwxyz';

describe('headers', () => {
  it('shortens credentials and cookie values, keeps everything else', () => {
    const shown = redactHeaders({
      Authorization: `Bearer ${TOKEN}`,
      'proxy-authorization': `Basic ${Buffer.from('client:super-secret-value').toString('base64')}`,
      cookie: `session=${TOKEN}; theme=dark-and-long-enough`,
      'set-cookie': [`a=${TOKEN}; Path=/; HttpOnly`, 'b=short; Path=/'],
      location: `http://127.0.0.1:5555/callback?code=${TOKEN}&state=s1&iss=http%3A%2F%2Fidp`,
      'content-length': 42,
      accept: 'application/json',
    });
    expect(shown.authorization).toBe('Bearer tok_0123…xyz');
    expect(shown['proxy-authorization']).toBe('Basic client:(secret hidden)');
    expect(shown.cookie).toBe('session=tok_0123…xyz; theme=dark-and…ugh');
    expect(shown['set-cookie']).toBe('a=tok_0123…xyz; Path=/; HttpOnly\nb=…; Path=/');
    expect(shown.location).toContain('state=s1');
    expect(shown.location).toContain('iss=http%3A%2F%2Fidp');
    expect(shown.location).not.toContain(TOKEN);
    expect(shown['content-length']).toBe('42');
    expect(shown.accept).toBe('application/json');
  });

  it('leaves URLs without secrets as they were', () => {
    expect(redactUrl('/auth?client_id=abc&scope=shop%3Aread')).toBe('/auth?client_id=abc&scope=shop%3Aread');
    expect(redactUrl(`/cb?code=${TOKEN}`)).toBe(`/cb?code=${encodeURIComponent('tok_0123…xyz')}`);
  });
});

describe('bodies', () => {
  it('JSON: secret members shortened at any depth, compact', () => {
    const body = renderBody(JSON.stringify({ access_token: TOKEN, nested: [{ refresh_token: TOKEN, scope: 'a b' }], token_type: 'Bearer' }), 'application/json; charset=utf-8');
    expect(body).toBe('{"access_token":"tok_0123…xyz","nested":[{"refresh_token":"tok_0123…xyz","scope":"a b"}],"token_type":"Bearer"}');
  });

  it('forms: code and verifier shortened, secret and password hidden; other fields kept', () => {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: TOKEN, code_verifier: TOKEN, client_secret: TOKEN, password: 'correct-horse-battery', redirect_uri: 'http://127.0.0.1/cb' });
    expect(renderBody(form.toString(), 'application/x-www-form-urlencoded')).toBe(
      'grant_type=authorization_code&code=tok_0123…xyz&code_verifier=tok_0123…xyz&client_secret=(hidden, 40 chars)&password=(hidden, 21 chars)&redirect_uri=http://127.0.0.1/cb',
    );
    expect(renderParsedBody({ username: 'alice', password: 'correct-horse-battery' }, 'application/x-www-form-urlencoded')).toBe('username=alice&password=(hidden, 21 chars)');
  });

  it('a body cut at the limit is still redacted, and says how long it was', () => {
    const big = JSON.stringify({ id_token: TOKEN, padding: 'x'.repeat(BODY_LIMIT) });
    const shown = renderBody(big.slice(0, BODY_LIMIT), 'application/json', big.length)!;
    expect(shown).not.toContain(TOKEN);
    expect(shown).toContain('"id_token":"tok_0123…xyz"');
    expect(shown).toMatch(new RegExp(`${big.length} bytes in all`));
  });

  it('HTML pages are described, not copied; empty bodies are absent', () => {
    expect(renderBody('<html><input name="password" value="x"></html>', 'text/html; charset=utf-8')).toBe('(HTML page, 46 bytes)');
    expect(renderBody('', 'application/json')).toBeUndefined();
  });
});

describe('JWTs', () => {
  it('are decoded without their signature; opaque tokens are not JWTs', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const jwt = await new SignJWT({ sub: 'alice', aud: 'http://127.0.0.1:8400/shop' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().sign(privateKey);
    const decoded = decodeForTrace('request.authorization', jwt)!;
    expect(decoded).toMatchObject({ where: 'request.authorization', header: { alg: 'RS256', kid: 'k1' }, claims: { sub: 'alice', aud: 'http://127.0.0.1:8400/shop' } });
    expect(decoded.token).toMatch(/^eyJ.{5}….{3}$/);
    expect(JSON.stringify(decoded)).not.toContain(jwt.split('.')[2]);
    expect(decodeForTrace('x', TOKEN)).toBeUndefined();
    expect(decodeForTrace('x', 'a.b.c')).toBeUndefined();
  });
});

describe('capture on a real HTTP server', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** A capture as the completion callback sees it (the kept bytes are let go afterwards). */
  interface Completed {
    capture: ExchangeCapture;
    text: string;
  }

  async function serve(handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<{ url: string; next: () => Promise<Completed> }> {
    const waiting: Array<(completed: Completed) => void> = [];
    const middleware = captureExchanges((capture) => {
      waiting.shift()?.({ capture, text: capture.responseText() });
    });
    server = createServer((req, res) => middleware(req, res, () => handler(req, res)));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      next: () => new Promise((resolve) => waiting.push(resolve)),
    };
  }

  it('keeps the start of a JSON answer, its status, headers and the notes added deeper in', async () => {
    const body = JSON.stringify({ data: 'y'.repeat(3 * BODY_LIMIT) });
    const { url, next } = await serve((_req, res) => {
      noteExchange({ step: 'token', clientId: 'c1' });
      res.writeHead(201, { 'content-type': 'application/json', 'x-extra': 'yes' });
      res.write(body.slice(0, 5000));
      res.end(body.slice(5000));
    });
    const completed = next();
    const response = await fetch(`${url}/token?x=1`, { method: 'POST' });
    expect(await response.text()).toBe(body);
    const { capture, text } = await completed;
    expect(capture).toMatchObject({ status: 201, target: '/token?x=1', responseBytes: body.length, notes: { step: 'token', clientId: 'c1' } });
    expect(capture.responseHeaders).toMatchObject({ 'content-type': 'application/json', 'x-extra': 'yes' });
    expect(text).toBe(body.slice(0, BODY_LIMIT));
    expect(capture.responseText()).toBe('');
  });

  it("records a POST's event stream at its first event, and a GET's stream while it is still open", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { url, next } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (req.method === 'POST') {
        res.write('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
        void held.then(() => res.end());
      }
      // A GET stream stays open until the client leaves; Node sends its headers only when asked to.
      else res.flushHeaders();
    });
    const postCaptured = next();
    const post = await fetch(url, { method: 'POST' });
    const { capture, text } = await postCaptured;
    expect(capture.streaming).toBe(true);
    expect(text).toContain('"result":{}');
    release();
    await post.text();

    const getCaptured = next();
    const controller = new AbortController();
    const get = await fetch(url, { signal: controller.signal });
    expect((await getCaptured).capture.streaming).toBe(true);
    controller.abort();
    await get.body?.cancel().catch(() => undefined);
  }, 15_000);
});

describe('the trace ring buffer that holds the exchanges', () => {
  it('keeps the newest events, oldest first, once it wraps around', () => {
    const bus = new TraceBus(3);
    for (let i = 0; i < 7; i++) bus.emit({ type: 'config.reloaded', file: `f${i}` });
    expect(bus.recent().map((event) => event.seq)).toEqual([5, 6, 7]);
    bus.emit({ type: 'config.reloaded', file: 'f7' });
    expect(bus.recent().map((event) => event.seq)).toEqual([6, 7, 8]);
  });
});
