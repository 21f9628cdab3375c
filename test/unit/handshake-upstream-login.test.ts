/**
 * The gateway's own logins to secured upstreams on the handshake screen
 * (renderer/src/trace/upstream-logins.ts, upstream-login-sequence.ts, handshakes.ts): `oauth.client`
 * steps cut into login flows per upstream, titled and badged apart from client connections, and
 * drawn with Gatehouse as the client, the upstream's authorization server on the identity
 * provider's lifeline and the upstream MCP server on the upstream's.
 *
 * The events carry the words main/upstream/oauth/ writes for them (upstream-authorizer.ts,
 * upstream-oauth-provider.ts, forget-login.ts), in the order an authorizer run emits them.
 */
import { describe, expect, it } from 'vitest';

import type { HttpExchangeEvent, OAuthClientStepEvent, TraceEvent } from '../../shared/trace-events.js';
import { findHandshake, groupHandshakes, handshakeTitle, isUpstreamLogin, loginOfStep } from '../../renderer/src/trace/handshakes.js';
import { buildUpstreamLoginSequence, upstreamLoginLifelines } from '../../renderer/src/trace/upstream-login-sequence.js';
import { FLOW_GAP_MS, groupUpstreamLogins, upstreamLoginTitle } from '../../renderer/src/trace/upstream-logins.js';

const ISSUER = 'http://127.0.0.1:8401';
const RESOURCE = 'http://127.0.0.1:9100/mcp';
const T0 = 1_750_000_000_000;

let seq = 0;
let now = T0;

/** One step of the upstream everything on /secured, `after` ms after the previous event. */
function step(name: OAuthClientStepEvent['step'], outcome: 'ok' | 'error', detail: string, after = 20, fields: Partial<OAuthClientStepEvent> = {}): OAuthClientStepEvent {
  seq++;
  now += after;
  // The upstream's 401 comes before any issuer is known, flagged as the challenge it is (upstream-authorizer.ts).
  const challenge = name === 'authorize' && detail.startsWith('401 ');
  const discovered = name !== 'resource-metadata' && !challenge;
  return { type: 'oauth.client', seq, time: now, route: '/secured', upstream: 'everything', step: name, outcome, detail, resource: RESOURCE, ...(discovered ? { issuer: ISSUER } : {}), ...(challenge ? { challenge: true } : {}), ...fields };
}

function inbound(fields: Partial<HttpExchangeEvent> & Pick<HttpExchangeEvent, 'step'>): HttpExchangeEvent {
  seq++;
  now += 5;
  return {
    type: 'http.exchange',
    seq,
    time: now,
    route: '/secured',
    server: 'gateway',
    connection: 'ua:claude-code/2.1@127.0.0.1',
    userAgent: 'claude-code/2.1',
    method: 'POST',
    url: 'http://127.0.0.1:8400/secured',
    status: 401,
    durationMs: 3,
    request: { headers: {} },
    response: { headers: {} },
    ...fields,
  };
}

/** A login with dynamic registration, a silent refresh, a refused refresh, then a login from the window. */
function securedUpstreamHistory(): TraceEvent[] {
  seq = 0;
  now = T0;
  return [
    // A client's first request reaches the route while Gatehouse has no token for its upstream.
    inbound({ step: 'challenge' }),
    step('authorize', 'error', '401 from the upstream (scope "mcp:tools"); logging in'),
    step('resource-metadata', 'ok', `${RESOURCE.replace('/mcp', '')}/.well-known/oauth-protected-resource/mcp: resource ${RESOURCE}, authorization servers ${ISSUER}, scopes mcp:tools`),
    step('authorization-server-metadata', 'ok', `issuer ${ISSUER}: PKCE S256, client: dynamic client registration, iss on the authorization response (RFC 9207) checked`),
    step('registration', 'ok', 'registered by dynamic client registration (RFC 7591) as u7Xk2pQ; kept in the keychain'),
    step('authorize', 'ok', `${ISSUER}/auth client_id=u7Xk2pQ scope="mcp:tools" resource=${RESOURCE} PKCE S256`),
    // The window's test client logs in to Gatehouse meanwhile: drawn as its own client connection already.
    step('token', 'ok', 'access token eyJhbGci…Xk2, expires in 300 s', 10, { upstream: 'test-client', route: '/ecommerce-mcp' }),
    step('callback', 'ok', 'code Q2x…9fA received, state checked, iss present', 6_000),
    step('token', 'ok', 'access token eyJhbGci…Xk2, expires in 300 s, scope "mcp:tools", with a refresh token; saved in the keychain'),
    // Shortly before expiry: a refresh, no browser.
    step('refresh', 'ok', 'access token eyJhbGci…pQ7, expires in 300 s, scope "mcp:tools", refresh token rotated; saved in the keychain', 240_000),
    // The next refresh is refused (invalid_grant): the tokens are dropped, and no one is at the browser.
    step('keychain', 'error', 'the authorization server rejected the stored tokens; removed them', 240_000),
    step('authorize', 'error', 'the access token expired and could not be refreshed; no one can log in from here — waiting for gatehouse login secured/everything'),
    // A minute later the developer clicks "Log in" on the route card.
    step('resource-metadata', 'ok', `well-known URI: resource ${RESOURCE}, authorization servers ${ISSUER}`, 60_000),
    step('authorization-server-metadata', 'ok', `issuer ${ISSUER}: PKCE S256, client: stored client u7Xk2pQ`),
    step('authorize', 'ok', `${ISSUER}/auth client_id=u7Xk2pQ scope="mcp:tools" resource=${RESOURCE} PKCE S256`),
    step('callback', 'ok', 'code Zr1…k0E received, state checked, iss present', 4_000),
    step('token', 'ok', 'access token eyJhbGci…m3Q, expires in 300 s, scope "mcp:tools", with a refresh token; saved in the keychain'),
  ];
}

describe('grouping the gateway’s own OAuth steps into login flows', () => {
  const logins = groupUpstreamLogins(securedUpstreamHistory());

  it('cuts one upstream’s steps into flows: the login, the refresh, the refused refresh, the new login', () => {
    expect(logins.map((login) => [login.flow, login.status, login.steps.length])).toEqual([
      ['login', 'ok', 7],
      ['refresh', 'ok', 1],
      ['refresh', 'failed', 2],
      ['login', 'ok', 5],
    ]);
    expect(new Set(logins.map((login) => login.key))).toEqual(new Set(['upstream-login:secured/everything']));
    expect(new Set(logins.map((login) => login.id)).size).toBe(4);
    for (const login of logins) expect(login.steps.map((s) => s.event.seq)).toEqual([...login.steps.map((s) => s.event.seq)].sort((a, b) => a - b));
  });

  it('leaves the window’s test client out: its requests are a client connection already', () => {
    expect(logins.flatMap((login) => login.steps).some((s) => s.event.upstream === 'test-client')).toBe(false);
  });

  it('titles a flow by who logs in where, and takes issuer and resource from its steps', () => {
    expect(logins.map(upstreamLoginTitle)).toEqual(Array(4).fill('Gatehouse → upstream everything (secured/everything)'));
    expect(logins[0]).toMatchObject({ upstream: 'everything', route: '/secured', target: 'secured/everything', issuer: ISSUER, resource: RESOURCE });
  });

  it('counts the upstream’s first 401 as the start of the login, not a failure', () => {
    const [first, , refused] = logins;
    expect(first!.steps[0]).toMatchObject({ challenge: true, failed: false });
    expect(first!.failures).toBe(0);
    expect(refused!.failures).toBe(2);
  });

  it('starts a new flow at a discovery step after a long pause, though the last flow never finished', () => {
    seq = 100;
    now = T0;
    const abandoned = [
      step('resource-metadata', 'ok', `well-known URI: resource ${RESOURCE}, authorization servers ${ISSUER}`),
      step('authorization-server-metadata', 'ok', `issuer ${ISSUER}: PKCE S256, client: stored client u7Xk2pQ`),
      step('authorize', 'ok', `${ISSUER}/auth client_id=u7Xk2pQ scope="mcp:tools" resource=${RESOURCE} PKCE S256`),
      // A slow sign-in: the callback still belongs to the flow it answers.
      step('callback', 'ok', 'code Q2x…9fA received, state checked', FLOW_GAP_MS + 1),
      // The code exchange never came (the app was closed); much later the developer tries again.
      step('resource-metadata', 'ok', `well-known URI: resource ${RESOURCE}, authorization servers ${ISSUER}`, FLOW_GAP_MS + 1),
      step('authorize', 'ok', `${ISSUER}/auth client_id=u7Xk2pQ scope="mcp:tools" resource=${RESOURCE} PKCE S256`),
    ];
    expect(groupUpstreamLogins(abandoned).map((login) => [login.steps.map((s) => s.event.step), login.status])).toEqual([
      [['resource-metadata', 'authorization-server-metadata', 'authorize', 'callback'], 'in-progress'],
      [['resource-metadata', 'authorize'], 'in-progress'],
    ]);
  });

  it('keeps upstreams apart and draws a logout as its own flow', () => {
    seq = 200;
    now = T0;
    const events = [
      step('refresh', 'ok', 'access token eyJhbGci…pQ7; saved in the keychain', 20, { route: '/notes', upstream: 'notion' }),
      step('revocation', 'ok', `revoked at ${ISSUER} (refresh token)`),
      step('keychain', 'ok', 'logged out: tokens removed from the keychain'),
    ];
    const grouped = groupUpstreamLogins(events);
    expect(grouped.map((login) => [login.key, login.flow, login.status])).toEqual([
      ['upstream-login:notes/notion', 'refresh', 'ok'],
      ['upstream-login:secured/everything', 'logout', 'ok'],
    ]);
  });

  it('calls a token the gateway got as a machine client what it is: client credentials, not a login', () => {
    seq = 300;
    now = T0;
    const machine = { grant: 'client_credentials' } as const;
    const events = [
      step('resource-metadata', 'ok', `${RESOURCE}: resource ${RESOURCE}, authorization servers ${ISSUER}`, 20, machine),
      step('authorization-server-metadata', 'ok', `issuer ${ISSUER}: client_credentials grant as gatehouse-upstream (client_secret_basic)`, 20, machine),
      step('token', 'ok', 'access token eyJhbGci…pQ7, expires in 300 s; kept in memory', 20, machine),
      step('token', 'ok', 'access token eyJhbGci…Zz1, expires in 300 s; kept in memory', 300_000, machine),
      // A person's upstream whose refresh failed in a way the client reports at the token step: still a login's business.
      step('token', 'error', 'authorization failed: fetch failed', 20, { upstream: 'notion', route: '/notes' }),
    ];
    expect(groupUpstreamLogins(events).map((login) => [login.upstream, login.flow, login.status, login.steps.length])).toEqual([
      ['everything', 'client-credentials', 'ok', 3],
      ['everything', 'client-credentials', 'ok', 1],
      ['notion', 'login', 'failed', 1],
    ]);
  });
});

describe('the handshake list with both kinds', () => {
  const handshakes = groupHandshakes(securedUpstreamHistory());

  it('lists the client connection and the gateway’s logins by their first event, told apart', () => {
    expect(handshakes.map((handshake) => (isUpstreamLogin(handshake) ? `own ${handshake.flow}` : 'client'))).toEqual(['client', 'own login', 'own refresh', 'own refresh', 'own login']);
    expect(handshakeTitle(handshakes[1]!)).toBe('Gatehouse → upstream everything (secured/everything)');
  });

  it('finds a flow by its id, and the flow that holds a step from the raw event list', () => {
    const failed = handshakes[3]!;
    expect(findHandshake(handshakes, failed.id)).toBe(failed);
    expect(isUpstreamLogin(failed) && loginOfStep(handshakes, failed.steps[1]!.event.seq)).toBe(failed);
    expect(findHandshake(handshakes, 'ua:claude-code/2.1@127.0.0.1')).toBe(handshakes[0]);
  });
});

describe('drawing a login with Gatehouse as the client', () => {
  const [login, refresh, refused] = groupUpstreamLogins(securedUpstreamHistory());

  it('has Gatehouse, the authorization server and the upstream as lifelines, in that order', () => {
    expect(upstreamLoginLifelines(login!)).toEqual([
      { id: 'gatehouse', title: 'Gatehouse (client)' },
      { id: 'idp', title: 'Authorization server' },
      { id: 'upstream', title: 'Upstream everything' },
    ]);
  });

  it('sends discovery to the upstream, the OAuth steps to the authorization server and the browser step through it', () => {
    const rows = buildUpstreamLoginSequence(login!);
    expect(rows.map((row) => [row.step, row.shape, row.from, row.to, row.tone])).toEqual([
      ['challenge', 'pair', 'gatehouse', 'upstream', 'expected'],
      ['resource-metadata', 'pair', 'gatehouse', 'upstream', 'ok'],
      ['authorization-server-metadata', 'pair', 'gatehouse', 'idp', 'ok'],
      ['registration', 'pair', 'gatehouse', 'idp', 'ok'],
      ['authorize', 'request', 'gatehouse', 'idp', 'ok'],
      ['callback', 'response', 'gatehouse', 'idp', 'ok'],
      ['token', 'pair', 'gatehouse', 'idp', 'ok'],
    ]);
    expect(rows.find((row) => row.step === 'authorize')!.tags).toEqual(['browser']);
    expect(rows.find((row) => row.step === 'callback')!.returnLabel).toMatch(/^browser redirect: code Q2x…9fA received/);
  });

  it('makes every row open its own step, answered with the step’s words and nothing else', () => {
    const rows = buildUpstreamLoginSequence(login!);
    expect(rows.map((row) => row.target)).toEqual(login!.steps.map((s) => ({ kind: 'oauth', seq: s.event.seq })));
    expect(new Set(rows.map((row) => row.key)).size).toBe(rows.length);
    const token = rows.find((row) => row.step === 'token')!;
    expect(token.returnLabel).toBe(login!.steps[6]!.event.detail);
    expect(rows.map((row) => row.time)).toEqual(login!.steps.map((s) => s.event.time));
  });

  it('draws a refresh as one round trip to the authorization server', () => {
    expect(buildUpstreamLoginSequence(refresh!).map((row) => [row.step, row.from, row.to, row.tone])).toEqual([['refresh', 'gatehouse', 'idp', 'ok']]);
  });

  it('draws the refused refresh red: the secret store as a note on Gatehouse, then the login that could not start', () => {
    const rows = buildUpstreamLoginSequence(refused!);
    expect(rows.map((row) => [row.step, row.shape, row.from, row.to, row.tone])).toEqual([
      ['keychain', 'note', 'gatehouse', 'gatehouse', 'error'],
      ['authorize', 'pair', 'gatehouse', 'idp', 'error'],
    ]);
    expect(rows[0]!.label).toBe('Secret store: failed: the authorization server rejected the stored tokens; removed them');
    expect(rows[1]!.returnLabel).toMatch(/^failed: the access token expired and could not be refreshed; no one can log in from here/);
  });
});
