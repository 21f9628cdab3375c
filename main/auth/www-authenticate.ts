/**
 * The Bearer challenge (RFC 6750 §3, RFC 9728 §5.1). Every challenge the gateway sends is built
 * here, so `resource_metadata` is on every one of them (clients such as Claude Desktop stop
 * after a 401 without it) — unless a developer injects the drop_resource_metadata fault to
 * see exactly that.
 */
export interface BearerChallenge {
  /** Absent only under the drop_resource_metadata fault. */
  resourceMetadata?: string;
  scopes?: readonly string[];
  error?: string;
  errorDescription?: string;
}

const ASCII_FOR: Record<string, string> = { '—': '-', '–': '-', '…': '...', '‘': "'", '’': "'", '“': '"', '”': '"', '→': '->' };

function quote(value: string): string {
  // RFC 9110 quoted-string, and RFC 6750 §3: error_description is ASCII only (headers are bytes).
  const ascii = value.replace(/[^\x20-\x7e]/g, (c) => ASCII_FOR[c] ?? (/\s/.test(c) ? ' ' : '?'));
  return `"${ascii.replace(/["\\]/g, '\\$&')}"`;
}

export function wwwAuthenticate(challenge: BearerChallenge): string {
  const params: string[] = [];
  if (challenge.error) params.push(`error=${quote(challenge.error)}`);
  if (challenge.errorDescription) params.push(`error_description=${quote(challenge.errorDescription)}`);
  if (challenge.scopes?.length) params.push(`scope=${quote(challenge.scopes.join(' '))}`);
  if (challenge.resourceMetadata) params.push(`resource_metadata=${quote(challenge.resourceMetadata)}`);
  return `Bearer ${params.join(', ')}`;
}
