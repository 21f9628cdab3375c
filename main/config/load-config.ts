/**
 * Reads a Gatehouse YAML config: parse, expand environment variables, validate against the schema,
 * and report every problem with its file, line and field — not just the first one.
 */
import { readFile } from 'node:fs/promises';

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

import { fromAgentgateway, isAgentgatewayConfig } from './agentgateway.js';
import { fromKongDeck, isKongDeckConfig } from './kong-deck.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { expandString, type MissingVariable } from './expand-env.js';
import { exposeNames } from './prefix-names.js';
import { gatehouseConfigSchema, type GatehouseConfig } from './schema.js';

type PathKey = string | number;

function fieldName(path: readonly PathKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key), '');
}

/** Expands variables in every string of the parsed value, noting where a variable is missing. */
function expandTree(value: unknown, env: NodeJS.ProcessEnv, path: PathKey[], missing: Array<MissingVariable & { path: PathKey[] }>): unknown {
  if (typeof value === 'string') {
    const found: MissingVariable[] = [];
    const expanded = expandString(value, env, found);
    missing.push(...found.map((m) => ({ ...m, path })));
    return expanded;
  }
  if (Array.isArray(value)) return value.map((item, index) => expandTree(item, env, [...path, index], missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandTree(item, env, [...path, key], missing)]));
  }
  return value;
}

class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Line and column of the node at `path` (or of the key `key` inside it). */
  at(path: readonly PathKey[], key?: string): { line?: number; column?: number } {
    let node: unknown = this.doc.contents;
    let lastFound: unknown = node;
    for (const step of path) {
      if (isMap(node)) node = node.items.find((pair) => isScalar(pair.key) && pair.key.value === step)?.value;
      else if (isSeq(node)) node = typeof step === 'number' ? node.items[step] : undefined;
      else node = undefined;
      if (!node) break;
      lastFound = node;
    }
    let target = (node ?? lastFound) as Node | undefined;
    if (key && isMap(target)) {
      const pair = target.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key)) target = pair.key;
    }
    const offset = target?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} — check the spelling; docs/configuration.md lists every key`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator === 'kind') {
        return 'unknown upstream kind — expected one of http, sse, stdio, rest, openapi';
      }
      return issue.message;
    default:
      return issue.message;
  }
}

/** Problems the schema cannot see: name collisions under prefix mode `never` for declared REST tools. */
function crossChecks(config: GatehouseConfig): Array<{ path: PathKey[]; message: string }> {
  const problems: Array<{ path: PathKey[]; message: string }> = [];
  config.routes.forEach((route, r) => {
    if (route.prefix !== 'never') return;
    const names = new Map(route.upstreams.flatMap((u) => (u.kind === 'rest' ? [[u.name, u.tools.map((t) => t.name)] as const] : [])));
    for (const collision of exposeNames('never', names).collisions) {
      problems.push({
        path: ['routes', r, 'prefix'],
        message: `tool "${collision.name}" is declared by both upstreams "${collision.upstreams[0]}" and "${collision.upstreams[1]}" and prefix is "never" — rename one tool or set prefix to conditional`,
      });
    }
  });
  return problems;
}

export interface LoadedConfig {
  config: GatehouseConfig;
  /** Fields of a foreign file (agentgateway, Kong decK) that Gatehouse cannot honour, by name and position. */
  notes: ConfigProblem[];
  format: 'gatehouse' | 'agentgateway' | 'kong';
}

/** Parses, translates (a foreign format) and validates config text; throws a ConfigError listing every problem. */
export function parseConfigWithNotes(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((error) => ({
        file,
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
        message: `YAML syntax error: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const locator = new Locator(doc, lines);
  const missing: Array<MissingVariable & { path: PathKey[] }> = [];
  const raw = expandTree(doc.toJS() ?? {}, env, [], missing);
  const problems: ConfigProblem[] = missing.map(({ name, path }) => ({
    file,
    ...locator.at(path),
    field: fieldName(path),
    message: `environment variable ${name} is not set — export it, or write \${${name}:-default}`,
  }));
  // Another gateway's file, run unchanged: translated first, what it cannot honour noted by name.
  const format = isKongDeckConfig(raw) ? 'kong' : isAgentgatewayConfig(raw) ? 'agentgateway' : 'gatehouse';
  const foreign = format === 'kong' ? fromKongDeck(raw) : format === 'agentgateway' ? fromAgentgateway(raw) : undefined;
  const notes: ConfigProblem[] = (foreign?.unsupported ?? []).map((note) => {
    const path = parseFieldPath(note.field);
    return { file, ...locator.at(path), field: note.field, message: note.message };
  });
  const result = gatehouseConfigSchema.safeParse(foreign ? foreign.config : raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
      const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      // A translated file's problems are about the translation: no line of the original to point at.
      const where = foreign ? {} : locator.at(path, key);
      const field = fieldName(path) || undefined;
      problems.push({ file, ...where, field: foreign && field ? `(as Gatehouse config) ${field}` : field, message: describeIssue(issue) });
    }
  } else {
    for (const problem of crossChecks(result.data)) {
      problems.push({ file, ...(foreign ? {} : locator.at(problem.path)), field: fieldName(problem.path), message: problem.message });
    }
  }
  if (problems.length || !result.success) throw new ConfigError(problems);
  return { config: result.data, notes, format };
}

/** Parses and validates config text; throws a ConfigError listing every problem. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): GatehouseConfig {
  return parseConfigWithNotes(text, file, env).config;
}

/** `routes[0].upstreams[1].url` → ['routes', 0, 'upstreams', 1, 'url'] */
function parseFieldPath(field: string): PathKey[] {
  return field.split('.').flatMap((part) => {
    const [name, ...indexes] = part.split('[');
    return [...(name ? [name] : []), ...indexes.map((index) => Number(index.replace(']', '')))];
  });
}

export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<GatehouseConfig> {
  return (await loadConfigWithNotes(file, env)).config;
}

export async function loadConfigWithNotes(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      { file, message: code === 'ENOENT' ? 'file not found — check the path passed to --config' : `cannot read the file: ${(error as Error).message}` },
    ]);
  }
  return parseConfigWithNotes(text, file, env);
}
