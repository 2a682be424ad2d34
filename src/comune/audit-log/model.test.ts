import { describe, expect, it } from 'vitest';
import { auditCsvRows, auditQueryString, parseAuditQuery } from './model.ts';

describe('activity log filters', () => {
  it('keeps well-formed filters and names the bad ones', () => {
    expect(parseAuditQuery({ action: ' staff.create ', actor: 'u-1', from: '2026-01-01', to: '2026-02-30', before: '120' })).toEqual({
      filters: { action: 'staff.create', actorId: 'u-1', fromDay: '2026-01-01' },
      before: 120,
      errors: { to: 'date' },
    });
    expect(parseAuditQuery({ action: 'DROP TABLE', before: '-3' })).toEqual({ filters: {}, before: undefined, errors: { action: 'action' } });
    expect(parseAuditQuery({ action: '', from: '' })).toEqual({ filters: {}, before: undefined, errors: {} });
  });

  it('writes the filters back as a query string, with the page', () => {
    expect(auditQueryString({ action: 'staff.create', fromDay: '2026-01-01' }, 42)).toBe('action=staff.create&from=2026-01-01&before=42');
    const round = parseAuditQuery(Object.fromEntries(new URLSearchParams(auditQueryString({ actorId: 'a b', toDay: '2026-03-01' }))));
    expect(round.filters).toEqual({ actorId: 'a b', toDay: '2026-03-01' });
  });

  it('exports one row per entry under a header, details as JSON', () => {
    const at = new Date('2026-03-01T10:00:00Z');
    const rows = auditCsvRows(
      [{ id: 7, at, actorType: 'tenant_admin', actorId: 'u-1', tenantId: 't', action: 'staff.update', targetType: 'staff_user', targetId: 'u-2', details: { role: 'operator' }, requestId: null }],
      () => 'Giulia Ferri',
    );
    expect(rows).toEqual([
      ['id', 'at', 'actor_type', 'actor_id', 'actor_name', 'action', 'target_type', 'target_id', 'request_id', 'details'],
      ['7', '2026-03-01T10:00:00.000Z', 'tenant_admin', 'u-1', 'Giulia Ferri', 'staff.update', 'staff_user', 'u-2', '', '{"role":"operator"}'],
    ]);
  });
});
