/**
 * Where a secret lives: one keychain account (or encrypted-file entry) per kind, issuer and
 * resource. The 2026-07-28 MCP authorization spec keys credentials by issuer, and a token is only
 * good for the resource it was issued for (RFC 8707), so both take part in the name; a client
 * registration belongs to the issuer alone.
 *
 * The account name is readable in a keychain UI (`tokens|https://idp.example|https://api/mcp`).
 * Issuers are compared exactly, never normalised (RFC 8414 §3.3: the issuer identifier must match
 * character for character), so `https://idp/` and `https://idp` are two issuers.
 */

/** What a secret is: `tokens` (JSON: access_token, refresh_token?, expires_at?, scope?, token_type) or `client` (JSON client registration incl. client_secret). */
export type SecretKind = 'tokens' | 'client';

/** Keys are namespaced by issuer and resource (the 2026-07-28 MCP spec keys credentials by issuer). A client registration has no resource. */
export interface SecretRef {
  kind: SecretKind;
  issuer: string;
  resource?: string;
}

/** id: a stable opaque string usable in URLs (base64url of the account name). */
export interface StoredSecretRef extends SecretRef {
  id: string;
}

const KINDS: ReadonlySet<string> = new Set<SecretKind>(['tokens', 'client']);
const SEPARATOR = '|';

// Only the separator and the escape character itself are escaped, so URLs stay readable.
const escapePart = (part: string): string => part.replace(/[%|]/g, (c) => (c === '%' ? '%25' : '%7C'));

function unescapePart(part: string): string | undefined {
  // A `%` that starts neither escape was not written by escapePart: not one of ours.
  if (/%(?!25|7C)/i.test(part)) return undefined;
  return part.replace(/%(25|7C)/gi, (escape) => (escape === '%25' ? '%' : '|'));
}

export function isSecretKind(value: string): value is SecretKind {
  return KINDS.has(value);
}

/** The keychain account name for a ref. Throws TypeError on a malformed ref (a programming error). */
export function accountNameOf(ref: SecretRef): string {
  if (!isSecretKind(ref.kind)) throw new TypeError(`secret kind must be 'tokens' or 'client', got ${JSON.stringify(ref.kind)}`);
  if (typeof ref.issuer !== 'string' || ref.issuer === '') throw new TypeError('a secret needs a non-empty issuer');
  if (ref.resource !== undefined && (typeof ref.resource !== 'string' || ref.resource === '')) {
    throw new TypeError('a secret resource, when given, must be a non-empty string');
  }
  const parts = [ref.kind, escapePart(ref.issuer)];
  if (ref.resource !== undefined) parts.push(escapePart(ref.resource));
  return parts.join(SEPARATOR);
}

/** The ref an account name stands for, or undefined when another program (or a probe) wrote it. */
export function secretRefOf(accountName: string): SecretRef | undefined {
  const ref = parseAccountName(accountName);
  // Only names accountNameOf writes itself (`%7c` is not `%7C`): a listed ref must lead back to its item.
  return ref !== undefined && accountNameOf(ref) === accountName ? ref : undefined;
}

function parseAccountName(accountName: string): SecretRef | undefined {
  const [kind, issuerPart, resourcePart, ...rest] = accountName.split(SEPARATOR);
  if (kind === undefined || !isSecretKind(kind) || issuerPart === undefined || rest.length > 0) return undefined;
  const issuer = unescapePart(issuerPart);
  if (issuer === undefined || issuer === '') return undefined;
  if (resourcePart === undefined) return { kind, issuer };
  const resource = unescapePart(resourcePart);
  if (resource === undefined || resource === '') return undefined;
  return { kind, issuer, resource };
}

export function secretIdOf(accountName: string): string {
  return Buffer.from(accountName, 'utf8').toString('base64url');
}

/** The account name behind an id, or undefined when the id is not one secretIdOf made. */
export function accountNameOfId(id: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
  const accountName = Buffer.from(id, 'base64url').toString('utf8');
  // Buffer decoding is lenient (stray bits, invalid UTF-8): only an exact round trip is ours.
  return secretIdOf(accountName) === id && secretRefOf(accountName) !== undefined ? accountName : undefined;
}

export function storedSecretRefOf(accountName: string): StoredSecretRef | undefined {
  const ref = secretRefOf(accountName);
  return ref && { ...ref, id: secretIdOf(accountName) };
}
