/**
 * Reads a tool's JSON Schema into form fields and turns what the user typed back into arguments.
 * Simple types get their own control; anything else (objects, arrays, unions) is edited as JSON,
 * and the whole call can always be edited as raw JSON instead.
 */

export type FieldControl = 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

export interface SchemaField {
  name: string;
  control: FieldControl;
  required: boolean;
  description?: string;
  /** For enum controls. */
  options?: string[];
  /** A one-line summary of the constraints: "string · pattern ^[0-9]+$", "integer 1–100". */
  summary: string;
  defaultValue?: unknown;
}

type JsonSchema = Record<string, unknown>;

const isObject = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

export function schemaFields(schema: JsonSchema | undefined): SchemaField[] {
  if (!schema || !isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  return Object.entries(schema.properties).map(([name, raw]) => {
    const property = isObject(raw) ? raw : {};
    return {
      name,
      control: controlFor(property),
      required: required.has(name),
      description: typeof property.description === 'string' ? property.description : undefined,
      options: Array.isArray(property.enum) ? property.enum.map(String) : undefined,
      summary: describeSchema(property),
      defaultValue: property.default,
    };
  });
}

function typeOf(property: JsonSchema): string | undefined {
  if (typeof property.type === 'string') return property.type;
  // ["string", "null"]: the nullable form; the non-null type decides the control.
  if (Array.isArray(property.type)) return property.type.find((t) => t !== 'null') as string | undefined;
  return undefined;
}

function controlFor(property: JsonSchema): FieldControl {
  if (Array.isArray(property.enum) && property.enum.every((v) => typeof v === 'string')) return 'enum';
  switch (typeOf(property)) {
    case 'string':
      return 'text';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    default:
      return 'json';
  }
}

/** "string · email", "integer 1–100", "array of string", "one of pending | paid". */
export function describeSchema(property: JsonSchema): string {
  const parts: string[] = [];
  const type = typeOf(property);
  if (Array.isArray(property.enum)) {
    parts.push(`one of ${property.enum.map(String).join(' | ')}`);
  } else if (type === 'array' && isObject(property.items)) {
    parts.push(`array of ${typeOf(property.items) ?? 'any'}`);
  } else if (Array.isArray(property.anyOf) || Array.isArray(property.oneOf)) {
    const options = (property.anyOf ?? property.oneOf) as unknown[];
    parts.push(options.map((o) => (isObject(o) ? (typeOf(o) ?? 'object') : 'any')).join(' | '));
  } else {
    parts.push(type ?? 'any');
  }
  if (typeof property.format === 'string') parts.push(property.format);
  const min = property.minimum ?? property.minLength;
  const max = property.maximum ?? property.maxLength;
  if (typeof min === 'number' || typeof max === 'number') {
    const unit = property.minLength !== undefined || property.maxLength !== undefined ? ' chars' : '';
    if (typeof min === 'number' && typeof max === 'number') parts.push(`${min}–${max}${unit}`);
    else if (typeof min === 'number') parts.push(`≥ ${min}${unit}`);
    else parts.push(`≤ ${max as number}${unit}`);
  }
  if (typeof property.pattern === 'string') parts.push(`/${property.pattern}/`);
  return parts.join(' · ');
}

/** The form's values: text as typed per field (booleans as 'true' | 'false' | ''). */
export type FormValues = Record<string, string>;

export function initialValues(fields: SchemaField[]): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const value = field.defaultValue;
    values[field.name] = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  }
  return values;
}

export type BuildResult = { ok: true; arguments: Record<string, unknown> } | { ok: false; problems: Record<string, string> };

/** Turns the form into tool arguments: empty optional fields are left out, types are checked. */
export function buildArguments(fields: SchemaField[], values: FormValues): BuildResult {
  const args: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const field of fields) {
    const text = (values[field.name] ?? '').trim();
    if (text === '') {
      if (field.required) problems[field.name] = 'required';
      continue;
    }
    switch (field.control) {
      case 'text':
      case 'enum':
        args[field.name] = values[field.name];
        break;
      case 'number':
      case 'integer': {
        const n = Number(text);
        if (!Number.isFinite(n)) problems[field.name] = 'not a number';
        else if (field.control === 'integer' && !Number.isInteger(n)) problems[field.name] = 'must be a whole number';
        else args[field.name] = n;
        break;
      }
      case 'boolean':
        args[field.name] = text === 'true';
        break;
      case 'json':
        try {
          args[field.name] = JSON.parse(text);
        } catch {
          problems[field.name] = 'not valid JSON';
        }
        break;
    }
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, arguments: args };
}
