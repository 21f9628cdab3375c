/**
 * The IdPs the field notes know, recognised from the issuers they really publish (and from the
 * endpoints when a proxy stands in front), and never from look-alike hosts.
 */
import { describe, expect, it } from 'vitest';

import { recognizeIdp } from '../../main/doctor/idp-quirks.js';

describe('recognizeIdp', () => {
  it.each([
    ['https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0', 'Microsoft Entra ID'],
    ['https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/', 'Microsoft Entra ID'],
    ['https://sso.example.com/realms/mcp', 'Keycloak'],
    ['https://kc.example.com/auth/realms/master', 'Keycloak'],
    ['https://dev-abc123.us.auth0.com/', 'Auth0'],
    ['https://dev-123456.okta.com/oauth2/default', 'Okta'],
    ['https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123', 'Amazon Cognito'],
    ['https://github.com/login/oauth', 'GitHub'],
    ['https://accounts.google.com', 'Google'],
  ])('%s is %s', (issuer, name) => {
    expect(recognizeIdp(issuer)?.name).toBe(name);
  });

  it.each([
    'http://127.0.0.1:8401',
    'https://evil.example/login.microsoftonline.com',
    'https://auth0.com.evil.example/',
    'https://notokta.com/oauth2/default',
    'https://github.com/apps/thing',
    'https://cognito-idp.evil.example/pool',
  ])('%s is no known IdP', (issuer) => {
    expect(recognizeIdp(issuer)).toBeUndefined();
  });

  it('looks at the endpoints when the issuer is a proxy in front of the IdP', () => {
    const profile = recognizeIdp('https://mcp-auth.example.com', {
      issuer: 'https://mcp-auth.example.com',
      authorization_endpoint: 'https://mypool.auth.us-east-1.amazoncognito.com/oauth2/authorize',
    });
    expect(profile?.name).toBe('Amazon Cognito');
    expect(profile?.quirks.pkce).toMatch(/omits code_challenge_methods_supported/);
  });

  it("tells Okta's org server from a custom authorization server", () => {
    expect(recognizeIdp('https://dev-123456.okta.com/oauth2/default')?.quirks.scopes).toMatch(/reject a request without `scope`/);
    expect(recognizeIdp('https://dev-123456.okta.com')?.quirks.scopes).toMatch(/org authorization server/);
  });
});
