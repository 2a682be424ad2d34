import { describe, expect, it } from 'vitest';
import { checkSchema, parseFileSize } from './schema.ts';

const codes = (input: unknown) => {
  const r = checkSchema(input);
  return r.ok ? [] : r.errors.map((e) => `${e.pointer} ${e.code}`);
};
const text = (key: string, extra: object = {}) => ({ type: 'textfield', key, label: key, ...extra });
const radio = (key: string) => ({ type: 'radio', key, label: key, values: [{ value: 'si', label: 'Sì' }, { value: 'no', label: 'No' }] });

describe('checkSchema', () => {
  it('accepts a sound wizard', () => {
    const schema = {
      display: 'wizard',
      components: [
        { type: 'panel', key: 'p1', label: 'Richiedente', components: [text('cf', { type: 'codicefiscale', properties: { prefill: 'login.fiscalCode' } }), radio('delegate')] },
        {
          type: 'panel',
          key: 'p2',
          label: 'Figli',
          components: [{ type: 'editgrid', key: 'kids', label: 'Figli', validate: { minLength: 1, maxLength: 5 }, components: [text('name'), text('why', { conditional: { show: true, when: 'name', eq: 'x' } })] }],
        },
      ],
    };
    expect(checkSchema(schema)).toEqual({ ok: true, schema });
  });
  it('rejects unknown types and properties, bad keys, missing labels', () => {
    expect(codes({ components: [{ type: 'signature', key: 'a', label: 'A' }] })).toEqual(['/components/0/type unknown-type']);
    expect(codes({ components: [text('1a'), text('b', { label: '' }), text('c', { onChange: 'x' })] })).toEqual([
      '/components/0/key format',
      '/components/1/label required',
      '/components/2/onChange unknown-property',
    ]);
    expect(codes([])).toEqual([' type']);
    expect(codes({ display: 'grid', components: [] })).toEqual(['/display enum', '/components required']);
  });
  it('rejects duplicate keys anywhere in the form', () => {
    expect(codes({ components: [text('a'), { type: 'datagrid', key: 'g', label: 'G', components: [text('a')] }] })).toEqual(['/components/1/components/0/key duplicate-key']);
  });
  it('rejects bad conditionals: unknown, self, out of scope, not an option, cycle', () => {
    expect(codes({ components: [text('a', { conditional: { show: true, when: 'zz', eq: 'x' } })] })).toEqual(['/components/0/conditional/when unknown-key']);
    expect(codes({ components: [text('a', { conditional: { show: true, when: 'a', eq: 'x' } })] })).toEqual(['/components/0/conditional/when self']);
    expect(codes({ components: [{ type: 'editgrid', key: 'g', label: 'G', components: [text('n')] }, text('a', { conditional: { show: true, when: 'n', eq: 'x' } })] })).toEqual([
      '/components/1/conditional/when out-of-scope',
    ]);
    expect(codes({ components: [radio('r'), text('a', { conditional: { show: true, when: 'r', eq: 'forse' } })] })).toEqual(['/components/1/conditional/eq not-an-option']);
    expect(codes({ components: [text('a', { conditional: { show: true, when: 'b', eq: 'x' } }), text('b', { conditional: { show: true, when: 'a', eq: 'x' } })] })).toEqual([
      '/components/0/conditional/when cycle',
      '/components/1/conditional/when cycle',
    ]);
    expect(codes({ components: [text('a', { conditional: { when: 'a' } })] })).toEqual(['/components/0/conditional type']);
  });
  it('rejects rules that do not fit the field', () => {
    expect(codes({ components: [text('a', { validate: { pattern: '(' } }), text('b', { validate: { min: 3 } }), text('c', { validate: { minLength: 5, maxLength: 2 } })] })).toEqual([
      '/components/0/validate/pattern regex',
      '/components/1/validate/min type',
      '/components/2/validate/minLength range',
    ]);
    expect(codes({ components: [{ type: 'day', key: 'd', label: 'D', validate: { min: 'yesterday' } }] })).toEqual(['/components/0/validate/min type']);
    expect(codes({ components: [{ type: 'select', key: 's', label: 'S', values: [{ value: 'a', label: 'A' }, { value: 'a', label: 'B' }] }] })).toEqual(['/components/0/values/1/value duplicate']);
    expect(codes({ components: [{ type: 'file', key: 'f', label: 'F', storage: 's3', fileMaxSize: 'big' }, text('t', { filePattern: '.pdf' })] })).toEqual([
      '/components/0/storage enum',
      '/components/0/fileMaxSize format',
      '/components/1/filePattern unexpected',
    ]);
  });
  it('rejects wrong nesting and wizards with non-panel pages', () => {
    expect(codes({ display: 'wizard', components: [text('a')] })).toEqual(['/components/0/type wizard-page']);
    const grid = (key: string, components: object[]) => ({ type: 'editgrid', key, label: key, components });
    expect(codes({ components: [grid('g', [grid('h', [text('a')])])] })).toEqual(['/components/0/components/0/type nesting']);
    expect(codes({ components: [grid('g', [])] })).toEqual(['/components/0/components required']);
  });
  it('rejects an unknown prefill source or one that does not fit', () => {
    expect(codes({ components: [text('a', { properties: { prefill: 'anpr.salary' } })] })).toEqual(['/components/0/properties/prefill unknown-prefill']);
    expect(codes({ components: [text('a', { properties: { prefill: 'anpr.residence.address' } })] })).toEqual(['/components/0/properties/prefill prefill-type']);
  });
});

describe('parseFileSize', () => {
  it('reads Form.io sizes', () => {
    expect(parseFileSize('5MB')).toBe(5 * 1024 * 1024);
    expect(parseFileSize('500 kb')).toBe(500 * 1024);
    expect(parseFileSize('5 megabytes')).toBeUndefined();
  });
});
