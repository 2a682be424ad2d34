// The wizard's bookkeeping between posts, purely: which login level a service needs, how a page's post
// replaces that page's answers in the draft, and the answers as label/value for the application's PDF.
import type { Locale } from '../../core/i18n.ts';
import type { AccessLevel } from '../catalog/model.ts';
import { walk, isGrid, localizeSchema, type Component, type FormSchema } from '../forms/schema.ts';
import { displayValue } from '../forms/render.ts';
import { fieldEntries, formState, rowsOf, type FieldError, type ValidationContext } from '../forms/validate.ts';
import { formsT } from '../forms/messages.ts';

/** The SPID/CIE level a service's access level asks for; an application always needs a login (level 1 at least). */
export function requiredRank(level: AccessLevel): 1 | 2 | 3 {
  return level === 'spid-l3' ? 3 : level === 'spid-l2' ? 2 : 1;
}

/** The top-level keys of a wizard page (all keys for a one-page form; none for the summary). */
export function pageKeys(schema: FormSchema, page: number): string[] {
  if (schema.display !== 'wizard') return fieldEntries(schema.components).map((e) => e.component.key);
  return fieldEntries(schema.components[page]?.components ?? []).map((e) => e.component.key);
}

/**
 * The draft after a page's post: that page's answers are replaced by the post (an unticked checkbox is
 * absent from a post, so keeping the old value would undo the untick), the other pages' kept.
 */
export function mergePage(schema: FormSchema, page: number, saved: Record<string, unknown>, posted: Record<string, unknown>): Record<string, unknown> {
  const keys = new Set(pageKeys(schema, page));
  const kept = Object.fromEntries(Object.entries(saved).filter(([key]) => !keys.has(key)));
  return { ...kept, ...Object.fromEntries(Object.entries(posted).filter(([key]) => keys.has(key))) };
}

/** The first wizard page holding one of the errors (the summary when none does). */
export function pageOfErrors(schema: FormSchema, errors: readonly FieldError[]): number {
  if (schema.display !== 'wizard') return 0;
  const keys = new Set(errors.map((e) => e.pointer.split('/')[2]));
  const page = schema.components.findIndex((panel) => fieldEntries(panel.components ?? []).some((e) => keys.has(e.component.key)));
  return page === -1 ? schema.components.length : page;
}

/** The file fields' maximum sizes by key (`fileMaxSize` as "2MB"), for the upload limits. */
export function fileFields(schema: FormSchema): Map<string, Component> {
  return new Map([...walk(schema.components)].filter((e) => e.component.type === 'file' && !e.grid).map((e) => [e.component.key, e.component]));
}

/** The ids of the files a (validated) value names. */
export function fileIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
  return list.map((v) => (typeof v === 'object' && v !== null ? String((v as { id?: unknown }).id) : String(v)));
}

/** The shown answers as the form labels them, in form order; a repeating group's rows numbered. */
export function summaryFields(schema: FormSchema, data: Record<string, unknown>, ctx: ValidationContext, locale: Locale): { label: string; value: string }[] {
  const state = formState(schema, data, ctx);
  const scope = { t: formsT(locale), locale, files: ctx.files ?? [], choices: ctx.choices };
  return fieldEntries(localizeSchema(schema, locale).components)
    .filter((e) => state.visible.has(e.component.key))
    .flatMap(({ component: c }) =>
      isGrid(c)
        ? (rowsOf(data[c.key]) ?? []).flatMap((row, i) =>
            fieldEntries(c.components ?? []).flatMap(({ component: child }) => {
              const value = (row as Record<string, unknown>)?.[child.key];
              return value === undefined ? [] : [{ label: `${scope.t('forms.row', { label: c.label, n: i + 1 })} – ${child.label}`, value: displayValue(child, value, scope) }];
            }),
          )
        : [{ label: c.label, value: displayValue(c, data[c.key], scope) }],
    );
}
