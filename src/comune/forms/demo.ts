// The demo forms of the six demo services (issue 5), seeded for every demo ente; the catalog attaches them to services.
import fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Executor } from '../../core/db.ts';
import type { CommandActor } from '../commands.ts';
import { FormRepository, type FormRecord } from './forms.ts';
import type { FormSchema } from './schema.ts';

export const DEMO_FORMS = ['iscrizione-mensa-scolastica', 'permesso-ztl', 'occupazione-suolo-pubblico', 'accesso-agli-atti', 'contrassegno-disabili', 'bonus-economico'] as const;
export type DemoForm = (typeof DEMO_FORMS)[number];

export function demoFormSchema(slug: DemoForm): FormSchema {
  return JSON.parse(fs.readFileSync(new URL(`./demo/${slug}.json`, import.meta.url), 'utf8')) as FormSchema;
}

/** Adds each demo form once (named after its title), and a new version when its JSON changed. Idempotent. */
export async function seedDemoForms(db: Executor, tenantId: string, actor: CommandActor): Promise<FormRecord[]> {
  const forms = new FormRepository(db);
  const existing = await forms.list(tenantId);
  const seeded: FormRecord[] = [];
  for (const slug of DEMO_FORMS) {
    const schema = demoFormSchema(slug);
    const name = schema.title ?? slug;
    const current = existing.find((f) => f.name === name);
    seeded.push(current && isDeepStrictEqual(current.schema, schema) ? current : await forms.save(tenantId, { id: current?.id, name, schema }, actor));
  }
  return seeded;
}
