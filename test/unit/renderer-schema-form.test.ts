import { describe, expect, it } from 'vitest';

import { buildArguments, describeSchema, initialValues, schemaFields } from '../../renderer/src/catalog/schema-form.js';

// The input schema the REST upstream derives for the demo's list-orders and restock-item tools.
const listOrders = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['pending', 'paid', 'shipped'], description: 'Only orders in this status.' },
    customerId: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
    lowStockOnly: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['customerId'],
};

describe('schemaFields', () => {
  it('gives each simple type its own control and edits the rest as JSON', () => {
    const fields = schemaFields(listOrders);
    expect(fields.map((f) => [f.name, f.control, f.required])).toEqual([
      ['status', 'enum', false],
      ['customerId', 'text', true],
      ['limit', 'integer', false],
      ['lowStockOnly', 'boolean', false],
      ['tags', 'json', false],
    ]);
    expect(fields[0].options).toEqual(['pending', 'paid', 'shipped']);
  });

  it('reads nullable types by their non-null member', () => {
    expect(schemaFields({ properties: { note: { type: ['string', 'null'] } } })[0].control).toBe('text');
  });

  it('summarises constraints in a line', () => {
    expect(describeSchema({ type: 'integer', minimum: 1, maximum: 100 })).toBe('integer · 1–100');
    expect(describeSchema({ type: 'string', maxLength: 500 })).toBe('string · ≤ 500 chars');
    expect(describeSchema({ type: 'string', pattern: '^[0-9]+$' })).toBe('string · /^[0-9]+$/');
    expect(describeSchema({ type: 'array', items: { type: 'string' } })).toBe('array of string');
    expect(describeSchema({ type: 'string', format: 'email' })).toBe('string · email');
  });

  it('has no fields for a schema without properties', () => {
    expect(schemaFields(undefined)).toEqual([]);
    expect(schemaFields({ type: 'object' })).toEqual([]);
  });
});

describe('buildArguments', () => {
  const fields = schemaFields(listOrders);

  it('converts what was typed and leaves empty optional fields out', () => {
    const values = { ...initialValues(fields), customerId: 'cus_1001', limit: '5', lowStockOnly: 'false', tags: '["a"]' };
    expect(buildArguments(fields, values)).toEqual({ ok: true, arguments: { customerId: 'cus_1001', limit: 5, lowStockOnly: false, tags: ['a'] } });
  });

  it('names each field that is missing or malformed', () => {
    const values = { ...initialValues(fields), limit: '2.5', tags: '[oops' };
    expect(buildArguments(fields, values)).toEqual({ ok: false, problems: { customerId: 'required', limit: 'must be a whole number', tags: 'not valid JSON' } });
  });

  it('starts from the schema defaults', () => {
    expect(initialValues(schemaFields({ properties: { n: { type: 'integer', default: 3 }, s: { type: 'string', default: 'x' } } }))).toEqual({ n: '3', s: 'x' });
  });
});
