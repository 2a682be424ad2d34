// The desk's pure rules: the query scope follows the policy, CSV escaping for spreadsheets, pages, deadlines.
import { describe, expect, it } from 'vitest';
import { averageDays, csvField, deadlineAt, labelledAnswers, mayHandle, pageOf, scopeOf, storedDeadline, toCsv, type DeskUser } from '../../src/comune/desk/model.ts';
import type { FormSchema } from '../../src/comune/forms/schema.ts';
import { STATUS, type StatusCode } from '../../src/comune/applications/states.ts';
import { legalDeadline, type StatusEvent } from '../../src/comune/applications/deadline.ts';
import { addDays } from '../../src/domain/dates.ts';
import { deskMessages } from '../../src/comune/desk/messages.ts';
import { missingTranslations } from '../../src/core/i18n.ts';

const operator: DeskUser = { id: 'o1', role: 'operator', tenantId: 't1', name: 'Anna', offices: ['office-a'] };
const admin: DeskUser = { ...operator, id: 'a1', role: 'tenant_admin', offices: [] };

describe('desk model', () => {
  it("limits an operator to their offices and an admin to their ente", () => {
    expect(scopeOf(operator)).toEqual({ tenantId: 't1', offices: ['office-a'] });
    expect(scopeOf(admin)).toEqual({ tenantId: 't1', offices: 'all' });
    expect(mayHandle(operator, 'act', 't1', 'office-a')).toBe(true);
    expect(mayHandle(operator, 'act', 't1', 'office-b')).toBe(false);
    expect(mayHandle(operator, 'read', 't2', 'office-a')).toBe(false);
    expect(mayHandle(admin, 'act', 't1', null)).toBe(true);
    expect(mayHandle(admin, 'act', 't2', null)).toBe(false);
  });

  it('escapes CSV fields (quotes, separators, new lines) and neutralises formulas; BOM and CRLF', () => {
    expect(csvField('Rossi, Mario')).toBe('"Rossi, Mario"');
    expect(csvField('Il "Comune"')).toBe('"Il ""Comune"""');
    expect(csvField('riga\nnuova')).toBe('"riga\nnuova"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-5')).toBe("'-5");
    expect(csvField(null)).toBe('');
    expect(toCsv([['a', 'è'], [1, 'b;c']])).toBe('\uFEFFa,è\r\n1,"b;c"\r\n');
  });

  it('keeps the page within the pages that exist', () => {
    expect(pageOf(45, 2, 20)).toEqual({ page: 2, pages: 3, offset: 20 });
    expect(pageOf(45, 99, 20)).toEqual({ page: 3, pages: 3, offset: 40 });
    expect(pageOf(0, 0, 20)).toEqual({ page: 1, pages: 1, offset: 0 });
  });

  it('shows days left, overdue and suspended from the stored deadline; nothing before submission or once decided', () => {
    const submitted = [{ to: STATUS.submitted, on: '2026-01-10' }];
    const stored = storedDeadline(submitted, STATUS.submitted, 30);
    expect(stored).toEqual({ dueOn: '2026-02-09', resumesOn: null });
    expect(deadlineAt(stored, '2026-02-01')).toEqual({ due: '2026-02-09', daysLeft: 8, suspended: false, overdue: false });
    expect(deadlineAt(stored, '2026-02-10')).toMatchObject({ daysLeft: -1, overdue: true });
    const asked = [...submitted, { to: STATUS.requestIntegration, on: '2026-02-05' }];
    // Unanswered: the clock stands still at most 30 days, then runs again with those 30 days added.
    expect(storedDeadline(asked, STATUS.requestIntegration, 30)).toEqual({ dueOn: '2026-03-11', resumesOn: '2026-03-07' });
    expect(deadlineAt(storedDeadline(asked, STATUS.requestIntegration, 30), '2026-02-20')).toMatchObject({ suspended: true, overdue: false });
    expect(storedDeadline([...submitted, { to: STATUS.complete, on: '2026-01-20' }], STATUS.complete, 30)).toBeUndefined();
    expect(storedDeadline([{ to: STATUS.draft, on: '2026-01-01' }], STATUS.draft, 30)).toBeUndefined();
    expect(deadlineAt(undefined, '2026-01-01')).toBeUndefined();
    expect(averageDays(1.5 * 86_400_000)).toBe(1.5);
    expect(averageDays(86_400_000 / 3)).toBe(0.3);
  });

  it('agrees with the legal deadline computed on each day: stored once, read any day', () => {
    const histories: { history: StatusEvent[]; status: StatusCode }[] = [
      { history: [{ to: STATUS.submitted, on: '2026-01-10' }], status: STATUS.submitted },
      { history: [{ to: STATUS.submitted, on: '2026-01-10' }, { to: STATUS.registered, on: '2026-01-11' }, { to: STATUS.pending, on: '2026-01-12' }], status: STATUS.pending },
      // Unanswered request, early and after the term ran out.
      { history: [{ to: STATUS.submitted, on: '2026-01-10' }, { to: STATUS.requestIntegration, on: '2026-01-20' }], status: STATUS.requestIntegration },
      { history: [{ to: STATUS.submitted, on: '2026-01-10' }, { to: STATUS.requestIntegration, on: '2026-02-20' }], status: STATUS.requestIntegration },
      { history: [{ to: STATUS.submitted, on: '2026-01-10' }, { to: STATUS.requestIntegration, on: '2026-01-20' }, { to: STATUS.draftForIntegration, on: '2026-01-25' }], status: STATUS.draftForIntegration },
      // Answered after 12 days; a second request does not suspend again.
      {
        history: [{ to: STATUS.submitted, on: '2026-01-10' }, { to: STATUS.requestIntegration, on: '2026-01-20' }, { to: STATUS.submittedAfterIntegration, on: '2026-02-01' }, { to: STATUS.requestIntegration, on: '2026-02-10' }],
        status: STATUS.requestIntegration,
      },
    ];
    for (const { history, status } of histories) {
      const stored = storedDeadline(history, status, 30);
      for (let today = '2026-01-10'; today <= '2026-05-01'; today = addDays(today, 1)) {
        const legal = legalDeadline(history, { deadlineDays: 30 }, today)!;
        const view = deadlineAt(stored, today)!;
        expect({ today, suspended: view.suspended, overdue: view.overdue }).toEqual({ today, suspended: legal.suspended, overdue: !legal.suspended && legal.due < today });
        if (!legal.suspended) expect({ today, due: view.due }).toEqual({ today, due: legal.due });
      }
    }
  });

  it("maps each file field back to its files (name, size, SHA-256); other answers stay text", () => {
    const schema = { components: [{ type: 'textfield', key: 'scuola', label: 'Scuola' }, { type: 'file', key: 'documenti', label: 'Documenti', multiple: true }, { type: 'file', key: 'foto', label: 'Foto' }] } as FormSchema;
    const file = (id: string, name: string) => ({ id, name, size: 2048, mime: 'application/pdf', sha256: id.replace(/-/g, '').padEnd(64, '0'), attached: true });
    const a = file('11111111-1111-4111-8111-111111111111', 'certificato.pdf');
    const b = file('22222222-2222-4222-8222-222222222222', 'isee, 2026.pdf');
    const answers = labelledAnswers(schema, { scuola: a.id, documenti: [a.id, b.id], foto: '33333333-3333-4333-8333-333333333333' }, '2026-01-10', 'it', [a, b]);
    expect(answers).toEqual([
      // A text that happens to be a file's id is still the text the citizen typed.
      { label: 'Scuola', value: a.id },
      { label: 'Documenti', value: '', files: [a, b] },
      // A file no longer in the uploads: nothing to show.
      { label: 'Foto', value: '' },
    ]);
  });

  it('has every string in Italian, English and German', () => {
    expect(missingTranslations(deskMessages)).toEqual([]);
  });
});
