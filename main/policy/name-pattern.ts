/**
 * The `match` entries of an ACL rule: a literal name, a glob (`*` any run of characters, `?` one
 * character), or `/regex/flags`. A regex must match the whole name, as Envoy's safe_regex does:
 * `/list-.*\/` does not match `blacklist-users`. Compiled once per rule set.
 */

export type NamePattern =
  | { type: 'literal'; source: string; name: string }
  | { type: 'glob'; source: string; tokens: GlobToken[]; prefix: string; test: (name: string) => boolean }
  | { type: 'regex'; source: string; prefix: string; test: (name: string) => boolean };

/** A glob as tokens: a literal character, `?` or `*`. */
export type GlobToken = { any: 'one' } | { any: 'run' } | { char: string };

const REGEX_LITERAL = /^\/(.+)\/([a-z]*)$/s;
/**
 * g and y make RegExp.test stateful; m would let ^ and $ match at line breaks inside a name, so
 * the regex would no longer have to match the whole name; d only adds indices.
 */
const ALLOWED_FLAGS = /^[isuv]*$/;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function globTokens(source: string): GlobToken[] {
  return Array.from(source, (c): GlobToken => (c === '*' ? { any: 'run' } : c === '?' ? { any: 'one' } : { char: c }));
}

/** The cheapest test that does the job: most globs in practice are `*`, `prefix-*` or `*-suffix`. */
function globTest(source: string): (name: string) => boolean {
  if (/^\*+$/.test(source)) return () => true;
  const inner = source.slice(0, -1);
  if (source.endsWith('*') && !/[*?]/.test(inner)) return (name) => name.startsWith(inner);
  const tail = source.slice(1);
  if (source.startsWith('*') && !/[*?]/.test(tail)) return (name) => name.endsWith(tail);
  const body = Array.from(source, (c) => (c === '*' ? '[^]*' : c === '?' ? '.' : escapeRegex(c))).join('');
  const regex = new RegExp(`^${body}$`, 'su');
  return (name) => regex.test(name);
}

/**
 * A literal text every name the regex matches starts with ('' when unsure), so a decision can skip
 * regexes that cannot match. Conservative: it gives up on top-level alternation and stops before
 * anything that is not a plain character.
 */
function regexPrefix(body: string): string {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') i++;
    else if (c === '[') {
      for (i++; i < body.length && body[i] !== ']'; i++) if (body[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return '';
  }
  const run = /^\^?([A-Za-z0-9_\-:/=,@#%&~'"<> ]*)(.?)/.exec(body)!;
  const [, plain = '', next = ''] = run;
  // A quantifier after the run makes its last character optional or repeatable.
  return /[*+?{]/.test(next) ? plain.slice(0, -1) : plain;
}

/** Parses one `match` entry; a string result is the problem, in words. */
export function parseNamePattern(source: string): NamePattern | string {
  if (source.length === 0) return 'empty pattern — write a name, a glob such as get-*, or /regex/';
  const regexLiteral = REGEX_LITERAL.exec(source);
  if (regexLiteral) {
    const [, body, flags] = regexLiteral as unknown as [string, string, string];
    if (!ALLOWED_FLAGS.test(flags)) {
      return `regex ${source} has flags "${flags}"; only i, s, u and v are allowed (a regex always matches the whole name)`;
    }
    try {
      // Compiled as written first, so an error message shows the author's regex, not the anchored one.
      new RegExp(body, flags);
      const regex = new RegExp(`^(?:${body})$`, flags);
      // Case-folding and v-mode class syntax are beyond what regexPrefix reads reliably.
      const prefix = /[iv]/.test(flags) ? '' : regexPrefix(body);
      return { type: 'regex', source, prefix, test: (name) => regex.test(name) };
    } catch (error) {
      return `regex ${source} does not compile: ${(error as Error).message}`;
    }
  }
  if (/[*?]/.test(source)) return { type: 'glob', source, tokens: globTokens(source), prefix: source.slice(0, source.search(/[*?]/)), test: globTest(source) };
  return { type: 'literal', source, name: source };
}

export function patternMatches(pattern: NamePattern, name: string): boolean {
  return pattern.type === 'literal' ? pattern.name === name : pattern.test(name);
}

/** Whether glob `outer` matches every name glob `inner` matches. Sound, not complete. */
function globCovers(outer: GlobToken[], inner: GlobToken[]): boolean {
  const memo = new Map<number, boolean>();
  const step = (i: number, j: number): boolean => {
    const key = i * (inner.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const o = outer[i];
    const n = inner[j];
    if (o === undefined) result = n === undefined;
    // A run in `outer` may absorb any token of `inner`, runs included.
    else if ('any' in o && o.any === 'run') result = step(i + 1, j) || (n !== undefined && step(i, j + 1));
    else if (n === undefined) result = false;
    // One character of `outer` never covers a run of `inner`.
    else if ('any' in o) result = !('any' in n && n.any === 'run') && step(i + 1, j + 1);
    else result = 'char' in n && n.char === o.char && step(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return step(0, 0);
}

/**
 * Whether `outer` matches every name `inner` matches, decided from the patterns alone (for lint).
 * Regexes are only known to cover themselves and literals.
 */
export function patternCovers(outer: NamePattern, inner: NamePattern): boolean {
  if (inner.type === 'literal') return patternMatches(outer, inner.name);
  if (outer.type === 'glob' && inner.type === 'glob') return globCovers(outer.tokens, inner.tokens);
  if (outer.type === 'glob' && /^\*+$/.test(outer.source)) return true;
  return outer.type === inner.type && outer.source === inner.source;
}
