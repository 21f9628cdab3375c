/**
 * What to tell a user whose upstream's authorization server Gatehouse cannot register with: no
 * client in the config, no usable Client ID Metadata Document, no open dynamic registration.
 * Entra, Google, Cognito and Okta are the usual cases (../shared/MCP-AUTH-FIELD-NOTES.md).
 */
const KNOWN_IDPS: Array<{ name: string; host: RegExp; how: string }> = [
  { name: 'Microsoft Entra ID', host: /(^|\.)login\.microsoftonline\.com$|(^|\.)sts\.windows\.net$/, how: 'Entra admin center → App registrations → New registration, platform "Mobile and desktop applications" with redirect URI http://127.0.0.1 (Entra v2 also rejects the resource parameter: set resource_parameter: false)' },
  { name: 'Google', host: /(^|\.)accounts\.google\.com$/, how: 'Google Cloud console → APIs & Services → Credentials → OAuth client ID of type "Desktop app" (it comes with a client secret: set client_secret too)' },
  { name: 'Amazon Cognito', host: /^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$|\.amazoncognito\.com$/, how: 'Cognito user pool → App integration → App client, callback URL http://127.0.0.1:<port>/callback (then set redirect_port to that port)' },
  { name: 'Okta', host: /\.okta(preview)?\.com$|\.oktapreview\.com$/, how: 'Okta admin → Applications → Create App Integration → OIDC, "Native Application", sign-in redirect URI http://127.0.0.1:<port>/callback (then set redirect_port)' },
  { name: 'GitHub', host: /(^|\.)github\.com$/, how: 'GitHub → Settings → Developer settings → OAuth Apps, callback URL http://127.0.0.1:<port>/callback (GitHub wants the exact port: set redirect_port)' },
];

export function registrationAdvice(issuer: string, target: string, cimdSupported: boolean): string {
  const host = URL.parse(issuer)?.hostname ?? '';
  const known = KNOWN_IDPS.find((idp) => idp.host.test(host));
  const parts = [
    `authorization server ${issuer} offers no dynamic client registration${known ? ` (${known.name} does not)` : ''} and upstream ${target} has no client for it`,
    `register Gatehouse there${known ? ` (${known.how})` : ' as a public native app with PKCE and a loopback redirect URI http://127.0.0.1/callback'} and set auth.client_id (plus auth.client_secret for a confidential client) on that upstream`,
  ];
  if (cimdSupported) parts.push('or, since it accepts Client ID Metadata Documents, host Gatehouse\'s document at an https URL and set auth.client_metadata_url');
  return parts.join(' — ');
}
