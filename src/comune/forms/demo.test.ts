import { describe, expect, it } from 'vitest';
import { LOCALES } from '../../core/i18n.ts';
import { DEMO_FORMS, demoFormSchema } from './demo.ts';
import { checkSchema, walk, type Text } from './schema.ts';

describe('demo forms', () => {
  it.each(DEMO_FORMS)('%s passes the structural check and has every text in it, en and de', (slug) => {
    const schema = demoFormSchema(slug);
    expect(checkSchema(schema).ok).toBe(true);
    const untranslated: string[] = [];
    const need = (text: Text | undefined, at: string) => {
      if (text === undefined) return;
      for (const l of LOCALES) if (typeof text === 'string' || !text[l]?.trim()) untranslated.push(`${at} ${l}`);
    };
    for (const { component: c, pointer } of walk(schema.components)) {
      need(c.label, `${pointer}/label`);
      need(c.description, `${pointer}/description`);
      c.values?.forEach((o, i) => need(o.label, `${pointer}/values/${i}/label`));
      for (const [code, text] of Object.entries(c.errors ?? {})) need(text, `${pointer}/errors/${code}`);
    }
    expect(untranslated).toEqual([]);
  });
});
