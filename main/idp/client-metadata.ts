/**
 * Client metadata as MCP clients actually register it (RFC 7591), made acceptable without making
 * the provider lax:
 *
 * - application_type follows the redirect URIs (RFC 8252, SEP-837). A loopback `http:` redirect
 *   or a private-use scheme (`cursor://…`) only makes sense for a native app, and only native
 *   clients get loopback redirects matched on any port (RFC 8252 §7.3) — many clients omit
 *   application_type, and OpenID DCR's default, `web`, would reject `cursor://` and pin the port.
 * - `scope` is an allow list of OpenID scopes only: resource scopes are granted per resource at
 *   authorization (RFC 8707), and rejecting a registration because it names a route's scope
 *   would break clients that pass the Protected Resource Metadata scopes along.
 * - software_id / software_version (RFC 7591 §2) are kept, so the trace can name the client.
 * - client_credentials is refused to every client but the machine clients of the config
 *   (`idp.clients`): with open registration, or a Client ID Metadata Document anyone can publish,
 *   anyone could mint tokens with no person behind them. Decided by client_id, not by how the
 *   client arrived: oidc-provider validates static and metadata-document clients alike without a
 *   request context.
 *
 * Runs as oidc-provider's `extraClientMetadata.validator`, which may rewrite the metadata.
 */
import { errors, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';

import { isLoopbackHost } from './resource-servers.js';

export const EXTRA_CLIENT_PROPERTIES = ['software_id', 'software_version'] as const;

type RedirectKind = 'native-only' | 'web-only' | 'either';

function redirectKind(uri: string): RedirectKind {
  const parsed = URL.parse(uri);
  if (!parsed) return 'either'; // oidc-provider reports the malformed URI itself
  if (parsed.protocol === 'http:') return isLoopbackHost(parsed.hostname) ? 'native-only' : 'web-only';
  if (parsed.protocol === 'https:') return isLoopbackHost(parsed.hostname) ? 'web-only' : 'either';
  return 'native-only';
}

/** 'native' when the redirect URIs can only belong to a native app, otherwise the declared type. */
export function applicationTypeFor<T extends string | undefined>(redirectUris: readonly string[], declared: T): T | 'native' {
  const kinds = new Set(redirectUris.map(redirectKind));
  if (kinds.has('native-only') && !kinds.has('web-only')) return 'native';
  return declared;
}

export function createClientMetadataValidator(staticScopes: ReadonlySet<string>, machineClientIds: ReadonlySet<string>) {
  return function validateClientMetadata(_ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata: ClientMetadata): void {
    if (value !== undefined && (typeof value !== 'string' || value.length > 200)) {
      throw new errors.InvalidClientMetadata(`${key} must be a string of at most 200 characters`);
    }
    // The rest concerns the whole document: do it once, on the first extra property.
    if (key !== EXTRA_CLIENT_PROPERTIES[0]) return;

    if (Array.isArray(metadata.grant_types) && metadata.grant_types.includes('client_credentials') && !machineClientIds.has(String(metadata.client_id))) {
      throw new errors.InvalidClientMetadata('grant_types: client_credentials is only for the machine clients listed in the Gatehouse config (idp.clients); a registered client logs in a person (authorization_code)');
    }

    if (Array.isArray(metadata.redirect_uris)) {
      const redirectUris = metadata.redirect_uris.filter((uri): uri is string => typeof uri === 'string');
      metadata.application_type = applicationTypeFor(redirectUris, metadata.application_type);
    }

    if (typeof metadata.scope === 'string') {
      const kept = metadata.scope.split(' ').filter((scope) => staticScopes.has(scope));
      if (kept.length) metadata.scope = kept.join(' ');
      else delete metadata.scope;
    }
  };
}
