import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { builderMessages } from './builder-messages.ts';
import { FIELD_TYPES, GRID_TYPES } from './schema.ts';
import { checkSchemaText } from './builder.ts';

it('has every form builder string in it, en and de, and a name for each field type', () => {
  expect(missingTranslations(builderMessages)).toEqual([]);
  for (const type of [...FIELD_TYPES, ...GRID_TYPES]) expect(builderMessages.it).toHaveProperty(`builder.type.${type}`);
});

it('has a message for every code the schema check gives', async () => {
  const source = (await import('node:fs')).readFileSync(new URL('./schema.ts', import.meta.url), 'utf8');
  const codes = new Set([...source.matchAll(/fail\([^,]+, '([a-z-]+)'/g)].map((m) => m[1]!));
  expect(codes.size).toBeGreaterThan(15);
  for (const code of [...codes, 'json']) expect(builderMessages.it).toHaveProperty(`builder.schemaError.${code}`);
});

it('checks the posted text: JSON that does not parse, a bad schema, a good one', () => {
  expect(checkSchemaText('{"display": ')).toMatchObject({ ok: false, errors: [{ pointer: '', code: 'json' }] });
  expect(checkSchemaText('{"display": "form", "components": [{"type": "textfield", "key": "1x", "label": "A"}]}')).toMatchObject({ ok: false, errors: [{ pointer: '/components/0/key' }] });
  expect(checkSchemaText('{"display": "form", "components": [{"type": "textfield", "key": "nome", "label": "Nome"}]}')).toMatchObject({ ok: true });
});
