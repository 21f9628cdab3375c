/**
 * client_secret_basic as RFC 6749 §2.3.1 has it: client id and secret are form-encoded
 * (application/x-www-form-urlencoded) before they go into HTTP Basic (RFC 7617). Servers that
 * decode them (oidc-provider, Keycloak) refuse a secret with + or % sent raw, as the SDK sends it.
 */
function formEncoded(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** The Authorization header's value. */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncoded(clientId)}:${formEncoded(clientSecret)}`).toString('base64')}`;
}
