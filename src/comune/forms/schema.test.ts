import { describe, expect, it } from 'vitest';
import { checkSchema, localizeSchema, parseFileSize, textIn } from './schema.ts';

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

describe('translations in the schema', () => {
  it('takes a plain string (Italian) or {it, en, de} for labels, descriptions, option labels and error texts', () => {
    const schema = {
      components: [
        { type: 'textfield', key: 'name', label: { it: 'Nome', en: 'First name', de: 'Vorname' }, description: { it: 'Come in anagrafe' }, errors: { required: { it: 'Scrivi il nome.', en: 'Write the name.' } } },
        { type: 'radio', key: 'yes', label: 'Sì o no', values: [{ value: 'si', label: { it: 'Sì', de: 'Ja' } }, { value: 'no', label: 'No' }] },
      ],
    };
    expect(checkSchema(schema)).toEqual({ ok: true, schema: { display: 'form', ...schema } });
  });
  it('requires the Italian text (the fallback), known languages and known error codes', () => {
    expect(codes({ components: [text('a', { label: { en: 'Name' } }), text('b', { label: { it: 'B', fr: 'Nom' } }), text('c', { description: { it: 'x', en: 3 } })] })).toEqual([
      '/components/0/label/it required',
      '/components/1/label/fr unknown-language',
      '/components/2/description/en type',
    ]);
    expect(codes({ components: [text('a', { errors: { nope: 'x', required: { en: 'y' } } }), radio('r')] })).toEqual(['/components/0/errors/nope unknown-error', '/components/0/errors/required/it required']);
    expect(codes({ components: [{ ...radio('r'), values: [{ value: 'a', label: { it: 'A', xx: 'A' } }] }] })).toEqual(['/components/0/values/0/label/xx unknown-language']);
  });
  it('picks the language, Italian when a translation is missing or blank', () => {
    const schema = { display: 'form' as const, components: [{ type: 'select' as const, key: 's', label: { it: 'Scuola', en: 'School', de: ' ' }, values: [{ value: 'a', label: { it: 'Primaria', en: 'Primary school' } }], errors: { required: { it: 'Scegli.', de: 'Wählen.' } } }] };
    expect(localizeSchema(schema, 'en').components[0]).toEqual({ type: 'select', key: 's', label: 'School', values: [{ value: 'a', label: 'Primary school' }], errors: { required: 'Scegli.' } });
    expect(localizeSchema(schema, 'de').components[0]).toMatchObject({ label: 'Scuola', values: [{ label: 'Primaria' }], errors: { required: 'Wählen.' } });
    expect(textIn('Nome', 'de')).toBe('Nome');
  });
});

describe('list sources', () => {
  it('feed a select or radio, which then lists no values of its own', () => {
    const fed = { type: 'radio', key: 'child', label: 'Figlio', properties: { prefill: 'anpr.family.children' } };
    expect(codes({ components: [fed] })).toEqual([]);
    expect(codes({ components: [{ ...fed, type: 'textfield' }] })).toEqual(['/components/0/properties/prefill prefill-type']);
    expect(codes({ components: [{ ...fed, values: [{ value: 'a', label: 'A' }] }] })).toEqual(['/components/0/values unexpected']);
    expect(codes({ components: [{ type: 'radio', key: 'sex', label: 'Sesso', properties: { prefill: 'anpr.sex' } }] })).toEqual(['/components/0/values required']);
  });
});
