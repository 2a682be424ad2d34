import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { builderMessages } from './builder-messages.ts';
import { FIELD_TYPES } from './schema.ts';
import { parseSchemaText } from './builder.ts';

it('has every form builder string in it, en and de, and a name for each field type', () => {
  expect(missingTranslations(builderMessages)).toEqual([]);
  for (const type of FIELD_TYPES) expect(builderMessages.it).toHaveProperty(`builder.type.${type}`);
});

it('tells JSON that does not parse from a schema', () => {
  expect(parseSchemaText('{"display": "form"}')).toEqual({ ok: true, value: { display: 'form' } });
  expect(parseSchemaText('{"display": ')).toMatchObject({ ok: false, errors: [{ pointer: '', code: 'json' }] });
});
