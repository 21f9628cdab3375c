/**
 * The two recorders that use the redactor, on real loopback HTTP servers: the test client's fetch
 * recorder (its exchanges go to the window) and the built-in IdP's exchange recording (its events
 * go to the trace). Both must hide the same secrets — custom credential headers, fragment
 * secrets, the newer grant parameters — and the IdP's must read a JSON answer that holds
 * non-ASCII text (its client id and JWTs).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';

import { ExchangeRecorder, redactUrl as redactShownUrl } from '../../main/admin/test-client-exchange.js';
import { recordIdpExchange } from '../../main/idp/idp-exchanges.js';
import { captureExchanges, noteExchange } from '../../main/trace/exchange-capture.js';
import { TraceBus } from '../../main/trace/trace-bus.js';
import type { HttpExchangeEvent } from '../../shared/trace-events.js';

const API_KEY = 'sk-live-7fK2mQ9xL4pR8sT1vW3yZ6aB0cD5eF';
const PROXY_PASSWORD = 'pr0xy-pa55word-that-is-long';
const ASSERTION = 'assert_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f';
const DEVICE_CODE = 'dev_9z8y7x6w5v4u3t2s1r0q9p8o7n6m5l4k3j';
const ACTOR = 'actor_Qw3rTy7uI9oP1aS5dF8gH2jK4lZ6xC0vB';
const FRAGMENT_CODE = 'frag_c0de_5a4b3c2d1e0f9a8b7c6d5e4f';

let server: Server | undefined;
afterEach(async () => {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function signedJwt(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().sign(privateKey);
}

describe("the test client's exchange recorder", () => {
  it('hides custom credential headers, the newer grant parameters and fragment secrets, and decodes the JWTs', async () => {
    const accessToken = await signedJwt({ sub: 'alice', scope: 'shop:read' });
    const base = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, {
          'content-type': 'application/json',
          location: `http://127.0.0.1:5555/cb#code=${FRAGMENT_CODE}&state=s1`,
          'x-api-key': API_KEY,
        });
        res.end(JSON.stringify({ AccessToken: accessToken, tokenType: 'Bearer', note: 'Grüße' }));
      });
    });
    const recorder = new ExchangeRecorder('gatehouse-test-client');
    recorder.begin();
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: DEVICE_CODE, client_assertion: ASSERTION, actor_token: ACTOR, client_id: 'app-1' });
    const response = await recorder.fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-api-key': API_KEY,
        'proxy-authorization': `Basic ${Buffer.from(`proxy:${PROXY_PASSWORD}`).toString('base64')}`,
      },
      body: form,
    });
    await response.text();
    const [exchange] = recorder.end();
    const shown = JSON.stringify(exchange);
    for (const secret of [API_KEY, Buffer.from(`proxy:${PROXY_PASSWORD}`).toString('base64'), DEVICE_CODE, ASSERTION, ACTOR, FRAGMENT_CODE, accessToken]) {
      expect(shown, `${secret.slice(0, 10)}… survived`).not.toContain(secret);
    }
    expect(exchange!.request.body).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: 'app-1' });
    expect(exchange!.request.headers['proxy-authorization']).toBe('Basic proxy:(secret hidden)');
    expect(exchange!.response?.headers.location).toContain('state=s1');
    expect(exchange!.response?.body).toMatchObject({ tokenType: 'Bearer', note: 'Grüße' });
    expect(exchange!.jwts).toEqual([expect.objectContaining({ where: 'response.body.AccessToken', claims: expect.objectContaining({ sub: 'alice' }) })]);
  });

  it('shows the ellipsis of a shortened URL parameter as it reads', () => {
    expect(redactShownUrl(`http://127.0.0.1:5555/cb?code=${FRAGMENT_CODE}&state=s1#id_token_hint=${ACTOR}`)).toBe('http://127.0.0.1:5555/cb?code=frag_c0d…e4f&state=s1#id_token_hint=actor_Qw…0vB');
  });
});

describe("the built-in IdP's exchange recording", () => {
  it('reads a JSON answer with non-ASCII text: the client id is named and the token decoded', async () => {
    const bus = new TraceBus(10);
    const accessToken = await signedJwt({ sub: 'alice', aud: 'http://127.0.0.1:8400/shop' });
    const middleware = captureExchanges(recordIdpExchange(bus, () => []));
    const base = await listen((req, res) =>
      middleware(req, res, () => {
        noteExchange({ step: 'registration' });
        res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ client_id: 'client-café', client_name: 'Gatehouse — Testclient für Grüße', access_token: accessToken, registration_access_token: ASSERTION }));
      }),
    );
    await (await fetch(`${base}/reg`, { method: 'POST' })).text();
    const event = bus.recent().find((e): e is HttpExchangeEvent & { seq: number; time: number } => e.type === 'http.exchange')!;
    expect(event).toMatchObject({ step: 'registration', clientId: 'client-café', status: 201 });
    expect(event.jwts).toEqual([expect.objectContaining({ where: 'response.access_token', claims: expect.objectContaining({ sub: 'alice' }) })]);
    expect(JSON.stringify(event)).not.toContain(ASSERTION);
    expect(JSON.stringify(event)).not.toContain(accessToken);
  });
});
