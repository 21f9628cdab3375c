import { describe, expect, it } from 'vitest';

import { principalFrom, readClaim } from '../../../main/auth/principal.js';
import { buildMetadata, metadataPath, metadataUrl } from '../../../main/auth/protected-resource-metadata.js';
import { looksLikeJwt } from '../../../main/auth/verify-jwt.js';
import { wwwAuthenticate } from '../../../main/auth/www-authenticate.js';
import { shorten } from '../../../main/trace/redact.js';

describe('WWW-Authenticate (RFC 6750 §3, RFC 9728 §5.1)', () => {
  it('always carries resource_metadata; error only when a token was sent', () => {
    expect(wwwAuthenticate({ resourceMetadata: 'http://127.0.0.1:8400/.well-known/oauth-protected-resource/shop' })).toBe(
      'Bearer resource_metadata="http://127.0.0.1:8400/.well-known/oauth-protected-resource/shop"',
    );
    expect(
      wwwAuthenticate({ resourceMetadata: 'http://x/m', scopes: ['orders:read', 'orders:write'], error: 'insufficient_scope', errorDescription: 'needs "orders:write"' }),
    ).toBe('Bearer error="insufficient_scope", error_description="needs \\"orders:write\\"", scope="orders:read orders:write", resource_metadata="http://x/m"');
  });

  it('cannot be broken by a description with quotes, backslashes or line breaks', () => {
    const header = wwwAuthenticate({ resourceMetadata: 'http://x/m', error: 'invalid_token', errorDescription: 'a"b\\c\r\nInjected: yes' });
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toContain('error_description="a\\"b\\\\c  Injected: yes"');
  });
});

describe('Protected Resource Metadata (RFC 9728)', () => {
  it('puts the well-known segment between host and path', () => {
    expect(metadataUrl('http://localhost:8400/ecommerce-mcp')).toBe('http://localhost:8400/.well-known/oauth-protected-resource/ecommerce-mcp');
    expect(metadataUrl('http://localhost:8400/')).toBe('http://localhost:8400/.well-known/oauth-protected-resource');
    expect(metadataPath('/team/search')).toBe('/.well-known/oauth-protected-resource/team/search');
  });

  it('names the resource exactly and the issuer byte for byte', () => {
    const metadata = buildMetadata({ resource: 'http://localhost:8400/shop', issuer: 'https://idp.example.com/realms/dev', scopes: ['orders:read'] });
    expect(metadata).toEqual({
      resource: 'http://localhost:8400/shop',
      authorization_servers: ['https://idp.example.com/realms/dev'],
      scopes_supported: ['orders:read'],
      bearer_methods_supported: ['header'],
    });
  });
});

describe('principal mapping', () => {
  const paths = { subject: 'sub', client_id: 'client_id', scope: 'scope', groups: ['groups', 'realm_access.roles'] };

  it('reads nested claim paths, and a dotted claim name whole', () => {
    expect(readClaim({ realm_access: { roles: ['a'] } }, 'realm_access.roles')).toEqual(['a']);
    expect(readClaim({ 'https://example.com/roles': ['x'] }, 'https://example.com/roles')).toEqual(['x']);
  });

  it('takes groups from the first path found, scopes from scope or scp, client from client_id or azp', () => {
    const keycloak = principalFrom({ sub: 'u1', azp: 'cursor', scope: 'openid orders:read', realm_access: { roles: ['ops'] } }, paths);
    expect(keycloak).toMatchObject({ subject: 'u1', clientId: 'cursor', scopes: ['openid', 'orders:read'], groups: ['ops'] });
    const entra = principalFrom({ sub: 'u2', client_id: 'vscode', scp: ['a', 'b'], groups: 'g1 g2' }, paths);
    expect(entra).toMatchObject({ clientId: 'vscode', scopes: ['a', 'b'], groups: ['g1', 'g2'] });
  });
});

describe('redaction', () => {
  it('keeps only the head and tail of a secret', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlWGsy';
    expect(shorten(token)).toBe('eyJhbGci…Gsy');
    expect(shorten('short')).toBe('…');
    expect(looksLikeJwt(token)).toBe(true);
    expect(looksLikeJwt('opaque-token_value')).toBe(false);
  });
});
