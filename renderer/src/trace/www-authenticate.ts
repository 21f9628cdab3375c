/**
 * Reads a `WWW-Authenticate: Bearer …` challenge (RFC 6750 §3) so the detail pane can show what
 * the client was told: resource_metadata, scope, error and error_description.
 */

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** The first challenge of the header; parameters are `name=token` or `name="quoted string"`. */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const scheme = /^\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)/.exec(header);
  if (!scheme) return undefined;
  const params: Record<string, string> = {};
  const param = /([\w!#$%&'*+.^`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  param.lastIndex = scheme[0].length;
  let match: RegExpExecArray | null;
  while ((match = param.exec(header)) !== null) {
    const name = match[1]!.toLowerCase();
    // A second scheme starts a second challenge; the first one is what clients act on.
    if (!(name in params)) params[name] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
  }
  return { scheme: scheme[1]!, params };
}
