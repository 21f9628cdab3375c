/**
 * Environment expansion in config values: `${NAME}`, `${NAME:-fallback}`, and decK's
 * `${{ env "NAME" }}`. Applied to parsed string values, never to the YAML text, so a variable's
 * content cannot change the document's structure and line numbers stay true.
 */
const PATTERN = /\$\{\{\s*env\s+"([A-Za-z_][A-Za-z0-9_]*)"\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface MissingVariable {
  name: string;
}

export function expandString(value: string, env: NodeJS.ProcessEnv, missing: MissingVariable[]): string {
  return value.replace(PATTERN, (_match, deckName: string | undefined, name: string | undefined, fallback: string | undefined) => {
    const variable = (deckName ?? name)!;
    const found = env[variable];
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    missing.push({ name: variable });
    return '';
  });
}
