/**
 * Who is calling, read from validated token claims through configurable claim paths (Keycloak
 * puts roles in realm_access.roles, Entra in roles, most IdPs in groups).
 */
export interface Principal {
  subject: string;
  clientId?: string;
  scopes: string[];
  groups: string[];
  claims: Record<string, unknown>;
}

export interface ClaimPaths {
  subject: string;
  client_id: string;
  scope: string;
  groups: string[];
}

/** Reads `a.b.c` from nested claims; a claim name containing dots is tried whole first. */
export function readClaim(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function principalFrom(claims: Record<string, unknown>, paths: ClaimPaths): Principal {
  const subject = readClaim(claims, paths.subject);
  const clientId = readClaim(claims, paths.client_id) ?? claims.azp;
  const scope = readClaim(claims, paths.scope) ?? claims.scp;
  let groups: string[] = [];
  for (const path of paths.groups) {
    const found = readClaim(claims, path);
    if (found !== undefined) {
      groups = strings(found);
      break;
    }
  }
  return {
    subject: typeof subject === 'string' ? subject : String(subject ?? ''),
    clientId: typeof clientId === 'string' ? clientId : undefined,
    scopes: strings(scope),
    groups,
    claims,
  };
}
