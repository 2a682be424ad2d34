// The desk's pure rules: the query scope follows the policy, CSV escaping for spreadsheets, pages, deadlines.
import { describe, expect, it } from 'vitest';
import { averageDays, csvField, deadlineView, mayHandle, paginate, scopeOf, toCsv, type DeskUser } from '../../src/comune/desk/model.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
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
    const rows = Array.from({ length: 45 }, (_, i) => i);
    expect(paginate(rows, 2, 20)).toMatchObject({ rows: rows.slice(20, 40), page: 2, pages: 3, total: 45 });
    expect(paginate(rows, 99, 20).page).toBe(3);
    expect(paginate([], 0, 20)).toMatchObject({ rows: [], page: 1, pages: 1 });
  });

  it('shows days left, overdue and suspended; nothing once decided', () => {
    const submitted = [{ to: STATUS.submitted, on: '2026-01-10' }];
    expect(deadlineView(submitted, STATUS.submitted, 30, '2026-02-01')).toEqual({ due: '2026-02-09', daysLeft: 8, suspended: false, overdue: false });
    expect(deadlineView(submitted, STATUS.submitted, 30, '2026-02-10')).toMatchObject({ daysLeft: -1, overdue: true });
    const asked = [...submitted, { to: STATUS.requestIntegration, on: '2026-02-05' }];
    expect(deadlineView(asked, STATUS.requestIntegration, 30, '2026-02-20')).toMatchObject({ suspended: true, overdue: false });
    expect(deadlineView([...submitted, { to: STATUS.complete, on: '2026-01-20' }], STATUS.complete, 30, '2026-03-01')).toBeUndefined();
    expect(averageDays([86_400_000, 2 * 86_400_000])).toBe(1.5);
    expect(averageDays([])).toBeNull();
  });

  it('has every string in Italian, English and German', () => {
    expect(missingTranslations(deskMessages)).toEqual([]);
  });
});
