/**
 * The spec sections the doctor's checks stand on, one entry per rule, so every check links the
 * text that makes it a requirement (and the window can open it).
 */
export interface SpecLink {
  title: string;
  url: string;
}

const MCP_AUTH = 'https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization';

export const SPEC = {
  streamableHttp: {
    title: 'MCP — Streamable HTTP transport',
    url: 'https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http',
  },
  bearerChallenge: { title: 'RFC 6750 §3 — The WWW-Authenticate response header field', url: 'https://www.rfc-editor.org/rfc/rfc6750#section-3' },
  resourceMetadataParameter: { title: 'RFC 9728 §5.1 — WWW-Authenticate response', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-5.1' },
  scopeSelection: { title: 'MCP authorization — Scope selection strategy', url: `${MCP_AUTH}#scope-selection-strategy` },
  resourceMetadataLocation: { title: 'RFC 9728 §3.1 — Protected resource metadata request', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-3.1' },
  resourceMetadataDiscovery: {
    title: 'MCP authorization — Protected resource metadata discovery requirements',
    url: `${MCP_AUTH}#protected-resource-metadata-discovery-requirements`,
  },
  resourceMetadataValidation: { title: 'RFC 9728 §3.3 — Protected resource metadata validation', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-3.3' },
  resourceMetadataFields: { title: 'RFC 9728 §2 — Protected resource metadata', url: 'https://www.rfc-editor.org/rfc/rfc9728#section-2' },
  serverMetadataDiscovery: { title: 'MCP authorization — Authorization server metadata discovery', url: `${MCP_AUTH}#authorization-server-metadata-discovery` },
  issuerValidation: { title: 'RFC 8414 §3.3 — Authorization server metadata validation', url: 'https://www.rfc-editor.org/rfc/rfc8414#section-3.3' },
  pkce: { title: 'MCP authorization — Authorization code protection (PKCE)', url: `${MCP_AUTH}#authorization-code-protection` },
  registration: { title: 'MCP authorization — Client registration approaches', url: `${MCP_AUTH}#client-registration-approaches` },
  resourceIndicator: { title: 'RFC 8707 §2 — Resource parameter', url: 'https://www.rfc-editor.org/rfc/rfc8707#section-2' },
  corsProtocol: { title: 'Fetch standard — HTTP CORS protocol', url: 'https://fetch.spec.whatwg.org/#http-cors-protocol' },
  corsPreflight: { title: 'Fetch standard — CORS-preflight fetch', url: 'https://fetch.spec.whatwg.org/#cors-preflight-fetch' },
} as const satisfies Record<string, SpecLink>;
