/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for a route. `resource` is exactly the URL the
 * client connects to (VS Code rejects a mismatch), and `authorization_servers` carries the issuer
 * byte for byte (a trailing slash more is a different issuer to strict clients).
 */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported: ['header'];
  resource_name?: string;
  resource_documentation?: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 9728 §3.1: the well-known segment goes between the host and the resource's path. */
export function metadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${WELL_KNOWN}${path}`;
}

export function metadataPath(routePath: string): string {
  return `${WELL_KNOWN}${routePath}`;
}

export const ROOT_METADATA_PATH = WELL_KNOWN;

export function buildMetadata(options: {
  resource: string;
  issuer: string;
  scopes: readonly string[];
  name?: string;
  documentation?: string;
}): ProtectedResourceMetadata {
  return {
    resource: options.resource,
    authorization_servers: [options.issuer],
    ...(options.scopes.length ? { scopes_supported: [...options.scopes] } : {}),
    bearer_methods_supported: ['header'],
    ...(options.name ? { resource_name: options.name } : {}),
    ...(options.documentation ? { resource_documentation: options.documentation } : {}),
  };
}
