/**
 * A starting value for a tool's arguments, built from its JSON Schema: its required properties,
 * with defaults and examples where the schema gives them, an empty value of the right type otherwise. The arguments editor starts
 * from it so a developer edits values rather than typing structure.
 */

type Schema = Record<string, unknown>;

const MAX_DEPTH = 4;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function skeletonOf(schema: unknown, depth = 0): unknown {
  if (!isSchema(schema)) return null;
  if ('default' in schema) return schema.default;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants) && variants.length > 0) return skeletonOf(variants[0], depth);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'null':
      return null;
    case 'object':
    case undefined: {
      if (depth >= MAX_DEPTH || !isSchema(schema.properties)) return {};
      // Required properties only: a placeholder in an optional one ("" for a filter) would be sent
      // as a real value. The schema beside the editor shows the optional ones.
      const required = new Set(Array.isArray(schema.required) ? schema.required : []);
      const shown = Object.entries(schema.properties).filter(([name]) => required.has(name));
      return Object.fromEntries(shown.map(([name, property]) => [name, skeletonOf(property, depth + 1)]));
    }
    default:
      return null;
  }
}

/** The editor's starting text. */
export function argumentsTemplate(schema: Record<string, unknown> | undefined): string {
  const value = schema ? skeletonOf(schema) : {};
  return JSON.stringify(isSchema(value) ? value : {}, null, 2);
}

export type ParsedArguments = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** The editor's text as tool arguments, or why it cannot be sent. */
export function parseArguments(text: string): ParsedArguments {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return { ok: false, message: `Arguments are not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}` };
  }
  if (!isSchema(value)) return { ok: false, message: 'Arguments must be a JSON object ({ "name": value, … }), as tools/call sends them.' };
  return { ok: true, value };
}

/** Required properties the arguments leave out, to warn before the upstream refuses the call. */
export function missingRequired(schema: Record<string, unknown> | undefined, args: Record<string, unknown>): string[] {
  if (!schema || !Array.isArray(schema.required)) return [];
  return schema.required.filter((name): name is string => typeof name === 'string' && !(name in args));
}
