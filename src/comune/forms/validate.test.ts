import { describe, expect, it } from 'vitest';
import { formState, parseFormPost, validateSubmission, type ValidationContext } from './validate.ts';
import type { Component, FormSchema } from './schema.ts';

const ctx: ValidationContext = { today: '2026-03-10' };
const form = (...components: Component[]): FormSchema => ({ display: 'form', components });
const field = (type: Component['type'], extra: Partial<Component> = {}): Component => ({ type, key: 'f', label: 'F', ...extra });
const check = (c: Component, value: unknown, context = ctx) => validateSubmission(form(c), { f: value }, context);
const codeOf = (c: Component, value: unknown, context = ctx) => {
  const r = check(c, value, context);
  return r.ok ? undefined : r.errors.map((e) => `${e.pointer} ${e.code}`).join('; ');
};
const valueOf = (c: Component, value: unknown, context = ctx) => {
  const r = check(c, value, context);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value.f;
};

describe('required and unknown keys', () => {
  it('reports a missing required field with its pointer and keeps only known keys', () => {
    expect(codeOf(field('textfield', { validate: { required: true } }), '  ')).toBe('/data/f required');
    expect(validateSubmission(form(field('textfield')), { f: 'x', evil: 1 }, ctx)).toEqual({ ok: true, value: { f: 'x' } });
    expect(validateSubmission(form(field('textfield')), { f: '' }, ctx)).toEqual({ ok: true, value: {} });
    expect(validateSubmission(form(field('textfield')), 'not an object', ctx)).toEqual({ ok: true, value: {} });
  });
});

describe('text rules', () => {
  it('trims, checks lengths (in characters) and anchors the pattern', () => {
    expect(valueOf(field('textfield'), '  Rossi ')).toBe('Rossi');
    expect(codeOf(field('textfield', { validate: { minLength: 3 } }), 'ab')).toBe('/data/f min-length');
    expect(codeOf(field('textarea', { validate: { maxLength: 3 } }), 'àèìò')).toBe('/data/f max-length');
    expect(valueOf(field('textarea', { validate: { maxLength: 3 } }), 'àèì')).toBe('àèì');
    expect(codeOf(field('textfield', { validate: { pattern: '[A-Z]{2}\\d{3}[A-Z]{2}' } }), 'AB123CDX')).toBe('/data/f pattern');
    expect(valueOf(field('textfield', { validate: { pattern: '[A-Z]{2}\\d{3}[A-Z]{2}' } }), 'AB123CD')).toBe('AB123CD');
    expect(codeOf(field('textfield'), ['a', 'b'])).toBe('/data/f type');
  });
  it('checks e-mail and phone, normalizing the phone', () => {
    expect(codeOf(field('email'), 'mario@')).toBe('/data/f email');
    expect(valueOf(field('email'), 'mario@example.it')).toBe('mario@example.it');
    expect(codeOf(field('phoneNumber'), '12')).toBe('/data/f phone');
    expect(valueOf(field('phoneNumber'), '333 123 4567')).toBe('3331234567');
  });
  it('checks a codice fiscale (check character) and normalizes it', () => {
    expect(valueOf(field('codicefiscale'), 'bncmrc78c14g702e')).toBe('BNCMRC78C14G702E');
    expect(codeOf(field('codicefiscale'), 'BNCMRC78C14G702X')).toBe('/data/f fiscal-code');
  });
  it('checks an IBAN (mod 97 and CIN) and normalizes it', () => {
    expect(valueOf(field('iban'), 'it60 x054 2811 1010 0000 0123 456')).toBe('IT60X0542811101000000123456');
    expect(codeOf(field('iban'), 'IT61X0542811101000000123456')).toBe('/data/f iban');
  });
});

describe('numbers', () => {
  it('coerces posted strings, with a decimal comma, and checks min/max', () => {
    expect(valueOf(field('number'), '12,5')).toBe(12.5);
    expect(valueOf(field('number'), 7)).toBe(7);
    expect(codeOf(field('number'), '12abc')).toBe('/data/f type');
    expect(codeOf(field('number', { validate: { min: 1 } }), '0')).toBe('/data/f min');
    expect(codeOf(field('number', { validate: { max: 100 } }), '100.5')).toBe('/data/f max');
  });
});

describe('dates', () => {
  it('accepts ISO and Italian dates, refuses impossible ones', () => {
    expect(valueOf(field('day'), '2026-02-28')).toBe('2026-02-28');
    expect(valueOf(field('day'), '28/02/2026')).toBe('2026-02-28');
    expect(codeOf(field('day'), '2026-02-29')).toBe('/data/f date');
    expect(codeOf(field('day'), '2026-02-28T10:00')).toBe('/data/f date');
  });
  it("checks min/max, with 'today' from the context", () => {
    expect(codeOf(field('day', { validate: { min: 'today' } }), '2026-03-09')).toBe('/data/f min');
    expect(valueOf(field('day', { validate: { min: 'today' } }), '2026-03-10')).toBe('2026-03-10');
    expect(codeOf(field('day', { validate: { max: '2026-12-31' } }), '2027-01-01')).toBe('/data/f max');
  });
  it('takes a time when enableTime', () => {
    expect(valueOf(field('datetime', { enableTime: true }), '2026-04-01T09:30')).toBe('2026-04-01T09:30');
    expect(codeOf(field('datetime', { enableTime: true }), '2026-04-01T24:00')).toBe('/data/f date');
    expect(codeOf(field('datetime', { enableTime: true }), '2026-04-01')).toBe('/data/f date');
  });
});

describe('checkbox and choices', () => {
  it('coerces a checkbox; required means checked', () => {
    expect(valueOf(field('checkbox'), 'on')).toBe(true);
    expect(valueOf(field('checkbox'), undefined)).toBe(false);
    expect(codeOf(field('checkbox'), 'maybe')).toBe('/data/f type');
    expect(codeOf(field('checkbox', { validate: { required: true } }), undefined)).toBe('/data/f required');
  });
  const values = [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }];
  it('refuses a select or radio value not in values', () => {
    expect(valueOf(field('select', { values }), 'a')).toBe('a');
    expect(codeOf(field('radio', { values }), 'z')).toBe('/data/f not-an-option');
  });
  it('reads selectboxes from a list or an object; required means at least one', () => {
    expect(valueOf(field('selectboxes', { values }), ['b'])).toEqual({ a: false, b: true });
    expect(valueOf(field('selectboxes', { values }), { a: 'true', b: 'false' })).toEqual({ a: true, b: false });
    expect(codeOf(field('selectboxes', { values }), ['z'])).toBe('/data/f not-an-option');
    expect(codeOf(field('selectboxes', { values, validate: { required: true } }), { a: 'false' })).toBe('/data/f required');
  });
});

describe('files', () => {
  const files = [
    { id: 'f1', name: 'certificato.pdf', size: 1000, mime: 'application/pdf' },
    { id: 'f2', name: 'foto.png', size: 3_000_000, mime: 'image/png' },
  ];
  const fctx = { ...ctx, files };
  it('takes only ids of files this citizen uploaded for this form', () => {
    expect(valueOf(field('file'), 'f1', fctx)).toEqual([files[0]]);
    expect(codeOf(field('file'), 'someone-elses', fctx)).toBe('/data/f file-unknown');
    expect(codeOf(field('file'), 'f1', ctx)).toBe('/data/f file-unknown');
  });
  it('checks type, size and how many', () => {
    expect(codeOf(field('file', { filePattern: '.pdf' }), 'f2', fctx)).toBe('/data/f file-type');
    expect(valueOf(field('file', { filePattern: 'application/pdf,.png', multiple: true }), ['f1', 'f2'], fctx)).toHaveLength(2);
    expect(codeOf(field('file', { fileMaxSize: '2MB' }), 'f2', fctx)).toBe('/data/f file-size');
    expect(codeOf(field('file'), ['f1', 'f2'], fctx)).toBe('/data/f too-many-files');
  });
});

describe('address', () => {
  const address = { street: 'Via Roma', houseNumber: '12', postcode: '56000', comune: 'Bugliano', province: 'pi' };
  it('checks each part, pointing at it', () => {
    expect(valueOf(field('address'), address)).toEqual({ ...address, province: 'PI' });
    expect(codeOf(field('address'), { ...address, postcode: '5600', street: '' })).toBe('/data/f/street required; /data/f/postcode postcode');
    expect(codeOf(field('address', { validate: { required: true } }), { street: '', comune: '' })).toBe('/data/f required');
  });
  it('accepts an address abroad without CAP and province', () => {
    expect(valueOf(field('address'), { street: 'Calle 1', comune: 'Rosario', country: 'ARGENTINA' })).toMatchObject({ country: 'ARGENTINA' });
  });
});

describe('conditional fields', () => {
  const schema = form(
    { type: 'radio', key: 'owner', label: 'Owner', values: [{ value: 'yes', label: 'Sì' }, { value: 'no', label: 'No' }], validate: { required: true } },
    { type: 'textfield', key: 'ownerName', label: 'Nome', validate: { required: true }, conditional: { show: true, when: 'owner', eq: 'no' } },
    { type: 'textfield', key: 'ownerPhone', label: 'Tel', validate: { required: true }, conditional: { show: true, when: 'ownerName', eq: 'Rossi' } },
    { type: 'checkbox', key: 'agree', label: 'Ok' },
    { type: 'textfield', key: 'why', label: 'Perché', validate: { required: true }, conditional: { show: false, when: 'agree', eq: 'true' } },
  );
  it('requires a shown field and drops a hidden one, even when posted', () => {
    expect(validateSubmission(schema, { owner: 'no', agree: 'true' }, ctx)).toMatchObject({ ok: false, errors: [{ pointer: '/data/ownerName', code: 'required' }] });
    expect(validateSubmission(schema, { owner: 'yes', ownerName: 'Rossi', ownerPhone: 'x', agree: 'true' }, ctx)).toEqual({ ok: true, value: { owner: 'yes', agree: true } });
  });
  it('hides a field whose condition looks at a hidden field (chains)', () => {
    expect(formState(schema, { owner: 'yes', ownerName: 'Rossi', agree: 'on' }, ctx).visible).toEqual(new Set(['owner', 'agree']));
    expect(formState(schema, { owner: 'no', ownerName: 'Rossi' }, ctx).visible).toEqual(new Set(['owner', 'ownerName', 'ownerPhone', 'agree', 'why']));
  });
  it('show: false hides when the value matches', () => {
    expect(validateSubmission(schema, { owner: 'yes' }, ctx)).toMatchObject({ ok: false, errors: [{ pointer: '/data/why', code: 'required' }] });
  });
  it("applies a panel's conditional to the fields in it", () => {
    const wizard: FormSchema = {
      display: 'wizard',
      components: [
        { type: 'panel', key: 'p1', label: 'P1', components: [{ type: 'checkbox', key: 'delegate', label: 'Delega' }] },
        { type: 'panel', key: 'p2', label: 'P2', conditional: { show: true, when: 'delegate', eq: 'true' }, components: [{ type: 'textfield', key: 'name', label: 'N', validate: { required: true } }] },
      ],
    };
    expect(validateSubmission(wizard, {}, ctx)).toEqual({ ok: true, value: { delegate: false } });
    expect(validateSubmission(wizard, { delegate: 'on' }, ctx)).toMatchObject({ ok: false, errors: [{ pointer: '/data/name' }] });
  });
});

describe('repeating groups', () => {
  const schema = form(
    { type: 'checkbox', key: 'diet', label: 'Diete' },
    {
      type: 'editgrid',
      key: 'children',
      label: 'Figli',
      validate: { required: true, minLength: 1, maxLength: 2 },
      components: [
        { type: 'textfield', key: 'name', label: 'Nome', validate: { required: true } },
        { type: 'number', key: 'age', label: 'Età', validate: { min: 3, max: 14 } },
        { type: 'textfield', key: 'allergy', label: 'Allergie', validate: { required: true }, conditional: { show: true, when: 'diet', eq: 'true' } },
      ],
    },
  );
  it('validates each row, with pointers into the row, from a form post shape', () => {
    const posted = parseFormPost({ 'children[1][name]': 'Anna', 'children[1][age]': '20', 'children[0][name]': '', 'children[0][age]': '5' });
    expect(validateSubmission(schema, posted, ctx)).toEqual({
      ok: false,
      errors: [
        { pointer: '/data/children/0/name', code: 'required', detail: 'is required' },
        { pointer: '/data/children/1/age', code: 'max', detail: 'at most 14' },
      ],
    });
  });
  it('coerces rows and lets a row field depend on a top-level field', () => {
    expect(validateSubmission(schema, { children: [{ name: 'Anna', age: '6', allergy: 'x' }] }, ctx)).toEqual({ ok: true, value: { diet: false, children: [{ name: 'Anna', age: 6 }] } });
    expect(validateSubmission(schema, { diet: 'on', children: [{ name: 'Anna' }] }, ctx)).toMatchObject({ ok: false, errors: [{ pointer: '/data/children/0/allergy', code: 'required' }] });
  });
  it('checks the number of rows', () => {
    expect(validateSubmission(schema, {}, ctx)).toMatchObject({ ok: false, errors: [{ pointer: '/data/children', code: 'required' }] });
    expect(validateSubmission(schema, { children: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }, ctx)).toMatchObject({ ok: false, errors: [{ pointer: '/data/children', code: 'max-rows' }] });
    expect(validateSubmission(schema, { children: 'x' }, ctx)).toMatchObject({ ok: false, errors: [{ code: 'type' }] });
  });
});

describe('locked prefill and wizard pages', () => {
  const wizard: FormSchema = {
    display: 'wizard',
    components: [
      { type: 'panel', key: 'p1', label: 'P1', components: [{ type: 'codicefiscale', key: 'cf', label: 'CF', validate: { required: true } }] },
      { type: 'panel', key: 'p2', label: 'P2', components: [{ type: 'textfield', key: 'note', label: 'N', validate: { required: true } }] },
    ],
  };
  it('takes locked values over the post', () => {
    expect(validateSubmission(wizard, { cf: 'RMNGLI92L63H501O', note: 'x' }, { ...ctx, locked: { cf: 'BNCMRC78C14G702E' } })).toEqual({ ok: true, value: { cf: 'BNCMRC78C14G702E', note: 'x' } });
  });
  it("reports only the page's errors", () => {
    expect(validateSubmission(wizard, { cf: 'BNCMRC78C14G702E' }, { ...ctx, page: 0 })).toEqual({ ok: true, value: { cf: 'BNCMRC78C14G702E' } });
    expect(validateSubmission(wizard, { cf: 'BNCMRC78C14G702E' }, { ...ctx, page: 1 })).toMatchObject({ ok: false, errors: [{ pointer: '/data/note' }] });
  });
});

describe('parseFormPost', () => {
  it('nests bracketed names, skips _ names and unsafe segments', () => {
    expect(parseFormPost({ a: '1', 'b[]': ['x', 'y'], 'c[street]': 'Via', 'g[0][n]': 'z', _csrf: 't', _action: 'next', '__proto__[x]': '1', 'd[constructor][y]': '2' })).toEqual({
      a: '1',
      b: ['x', 'y'],
      c: { street: 'Via' },
      g: { '0': { n: 'z' } },
    });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('a choice fed by ANPR (anpr.family.children)', () => {
  const child = field('radio', { validate: { required: true }, properties: { prefill: 'anpr.family.children' } });
  const family = { ...ctx, choices: { f: [{ value: 'BNCTMS10B21G702Z', name: 'TOMMASO BIANCHI', birthDate: '2010-02-21' }] } };

  it("accepts only a child of the list the server got from ANPR, whatever the browser posts", () => {
    expect(valueOf(child, 'BNCTMS10B21G702Z', family)).toBe('BNCTMS10B21G702Z');
    // A well-formed fiscal code of someone else is refused: the list is the server's, not the post's.
    expect(codeOf(child, 'BNCSFO13P43G702E', family)).toBe('/data/f not-in-family');
    expect(codeOf(child, '', family)).toBe('/data/f required');
    expect(codeOf(child, 'BNCTMS10B21G702Z', { ...ctx, choices: { f: [] } })).toBe('/data/f not-in-family');
  });
  it('takes each child once in a repeating group', () => {
    const kids = form({ type: 'editgrid', key: 'kids', label: 'Figli', components: [{ ...child, key: 'child' }, field('textfield', { key: 'school' })] });
    const choices = { child: [{ value: 'BNCTMS10B21G702Z', name: 'TOMMASO BIANCHI', birthDate: '2010-02-21' }, { value: 'BNCSFO13P43G702E', name: 'SOFIA BIANCHI', birthDate: '2013-09-03' }] };
    const twice = validateSubmission(kids, { kids: [{ child: 'BNCTMS10B21G702Z' }, { child: 'BNCSFO13P43G702E' }, { child: 'BNCTMS10B21G702Z' }] }, { ...ctx, choices });
    expect(twice).toEqual({ ok: false, errors: [{ pointer: '/data/kids/2/child', code: 'duplicate-choice', detail: 'already chosen in another row' }] });
    expect(validateSubmission(kids, { kids: [{ child: 'BNCTMS10B21G702Z' }, { child: 'BNCSFO13P43G702E' }] }, { ...ctx, choices }).ok).toBe(true);
  });
  it('without the list (ANPR unreachable) takes a typed fiscal code, checked as one', () => {
    expect(valueOf(child, ' bnctms10b21g702z ')).toBe('BNCTMS10B21G702Z');
    expect(codeOf(child, 'BNCTMS10B21G702A')).toBe('/data/f fiscal-code');
    expect(codeOf(child, ['x'])).toBe('/data/f type');
  });
});
