/**
 * The doctor's judgements on metadata as real IdPs publish it (shapes from their discovery
 * documents), with the IdP's quirk attached where the field notes know one.
 */
import { describe, expect, it } from 'vitest';

import { issuerCheck, pkceCheck } from '../../main/doctor/authorization-server-checks.js';
import { recognizeIdp } from '../../main/doctor/idp-quirks.js';
import { registrationCheck } from '../../main/doctor/registration-checks.js';
import { resourceIndicatorCheck } from '../../main/doctor/resource-indicator-checks.js';
import { scopesCheck } from '../../main/doctor/scope-checks.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const ENTRA_ISSUER = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
const entra = recognizeIdp(ENTRA_ISSUER);
const ENTRA_METADATA = {
  issuer: ENTRA_ISSUER,
  authorization_endpoint: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize',
  token_endpoint: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token',
  scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
  code_challenge_methods_supported: ['S256'],
};
const auth0 = recognizeIdp('https://dev-abc123.us.auth0.com/');
const cognito = recognizeIdp('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123');

describe('registration', () => {
  it('DCR: pass', () => {
    expect(registrationCheck({ registration_endpoint: 'https://as.example.com/register' }, undefined).status).toBe('pass');
  });

  it('CIMD only: warn, naming the clients that only know DCR', () => {
    const check = registrationCheck({ client_id_metadata_document_supported: true }, undefined);
    expect(check.status).toBe('warn');
    expect(check.detail).toMatch(/Cursor, the MCP Inspector, mcp-remote/);
  });

  it('Entra (neither): fail, with the pre-registration fix and the Entra note', () => {
    const check = registrationCheck(ENTRA_METADATA, entra);
    expect(check.status).toBe('fail');
    expect(check.fix).toMatch(/Cursor takes auth.CLIENT_ID/);
    expect(check.quirk).toMatch(/Entra ID has no dynamic client registration/);
  });
});

describe('resource indicator', () => {
  it('Entra v2: warn — it rejects `resource` (AADSTS9010010)', () => {
    const check = resourceIndicatorCheck(ENTRA_METADATA, entra, RESOURCE);
    expect(check.status).toBe('warn');
    expect(check.quirk).toMatch(/AADSTS9010010/);
    expect(check.fix).toMatch(/omit `resource`/);
  });

  it('Auth0: warn — it needs `audience`', () => {
    const check = resourceIndicatorCheck({ issuer: 'https://dev-abc123.us.auth0.com/' }, auth0, RESOURCE);
    expect(check.status).toBe('warn');
    expect(check.fix).toMatch(/Default Audience/);
  });

  it('an explicit resource_indicators_supported decides for an unknown server', () => {
    expect(resourceIndicatorCheck({ resource_indicators_supported: false }, undefined, RESOURCE).status).toBe('warn');
    expect(resourceIndicatorCheck({ resource_indicators_supported: true }, undefined, RESOURCE).status).toBe('pass');
    expect(resourceIndicatorCheck({}, undefined, RESOURCE).detail).toMatch(/publishes no flag/);
  });
});

describe('scopes', () => {
  it('resource scopes the server does not know: fail', () => {
    const check = scopesCheck({ challenge: 'files:read', resourceMetadata: ['files:read'], serverMetadata: ['openid', 'email'] }, undefined);
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/invalid_scope/);
  });

  it('the same against Entra, which never lists API scopes: only a warning, with its note', () => {
    const check = scopesCheck({ challenge: 'api://app/files.read', resourceMetadata: ['api://app/files.read'], serverMetadata: ENTRA_METADATA.scopes_supported }, entra);
    expect(check.status).toBe('warn');
    expect(check.quirk).toMatch(/lists only the OpenID scopes/);
  });

  it('no scopes in the resource metadata, and a 401 asking for one it does not list: warnings', () => {
    expect(scopesCheck({ serverMetadata: ['a'] }, undefined)).toMatchObject({ status: 'warn', detail: expect.stringContaining('VS Code and Cursor') });
    expect(scopesCheck({ challenge: 'b', resourceMetadata: ['a'], serverMetadata: ['a', 'b'] }, undefined)).toMatchObject({ status: 'warn', detail: expect.stringContaining('The 401 asks for b') });
  });

  it('agreeing scopes: pass, listing them', () => {
    expect(scopesCheck({ challenge: 'a', resourceMetadata: ['a', 'b'], serverMetadata: ['openid', 'a', 'b'] }, undefined)).toMatchObject({ status: 'pass', detail: expect.stringContaining('knows a b') });
  });
});

describe('PKCE and issuer', () => {
  it('Cognito without code_challenge_methods_supported: fail, with the Cognito note', () => {
    const check = pkceCheck({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123' }, cognito);
    expect(check.status).toBe('fail');
    expect(check.quirk).toMatch(/mcp-oauth2-aws-cognito#9/);
  });

  it('plain only: fail', () => {
    expect(pkceCheck({ code_challenge_methods_supported: ['plain'] }, undefined)).toMatchObject({ status: 'fail', detail: expect.stringContaining('without S256') });
  });

  it('an Entra v1 issuer where the PRM lists v2: fail, with the Entra issuer note', () => {
    const check = issuerCheck(ENTRA_ISSUER, { issuer: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' }, entra);
    expect(check.status).toBe('fail');
    expect(check.fix).toMatch(/List the real issuer "https:\/\/sts.windows.net/);
    expect(check.quirk).toMatch(/IDX10214/);
  });
});
