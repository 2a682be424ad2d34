// The ente's offices in charge of services, and which operators work in each (used by the
// back-office to scope what an operator sees).
import { sql, type Executor } from '../../core/db.ts';
import type { Office, OfficeInput } from './model.ts';

interface OfficeRow {
  id: string;
  tenant_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  opening_hours: string | null;
}

const columns = sql`id, tenant_id, name, email, phone, address, opening_hours`;

const fromRow = (row: OfficeRow): Office => ({
  id: row.id,
  tenantId: row.tenant_id,
  name: row.name,
  email: row.email,
  phone: row.phone,
  address: row.address,
  openingHours: row.opening_hours,
});

export class OfficeRepository {
  constructor(private readonly db: Executor) {}

  async list(tenantId: string): Promise<Office[]> {
    const { rows } = await sql<OfficeRow>`select ${columns} from comune.offices where tenant_id = ${tenantId} order by name`.execute(this.db);
    return rows.map(fromRow);
  }

  async byId(tenantId: string, id: string): Promise<Office | undefined> {
    const { rows } = await sql<OfficeRow>`select ${columns} from comune.offices where tenant_id = ${tenantId} and id = ${id}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async create(tenantId: string, input: OfficeInput): Promise<Office> {
    const { rows } = await sql<OfficeRow>`
      insert into comune.offices (tenant_id, name, email, phone, address, opening_hours)
      values (${tenantId}, ${input.name.trim()}, ${input.email}, ${input.phone}, ${input.address}, ${input.openingHours})
      returning ${columns}`.execute(this.db);
    return fromRow(rows[0]!);
  }

  async update(tenantId: string, id: string, input: OfficeInput): Promise<Office | undefined> {
    const { rows } = await sql<OfficeRow>`
      update comune.offices set name = ${input.name.trim()}, email = ${input.email}, phone = ${input.phone},
        address = ${input.address}, opening_hours = ${input.openingHours}
      where tenant_id = ${tenantId} and id = ${id}
      returning ${columns}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  /** The staff accounts working in the office. */
  async memberIds(officeId: string): Promise<string[]> {
    const { rows } = await sql<{ staff_user_id: string }>`select staff_user_id from comune.office_members where office_id = ${officeId}`.execute(this.db);
    return rows.map((r) => r.staff_user_id);
  }

  /** The offices a staff member works in, within their tenant. */
  async officesOf(tenantId: string, staffUserId: string): Promise<Office[]> {
    const { rows } = await sql<OfficeRow>`
      select ${columns} from comune.offices o join comune.office_members m on m.office_id = o.id
      where o.tenant_id = ${tenantId} and m.staff_user_id = ${staffUserId} order by o.name`.execute(this.db);
    return rows.map(fromRow);
  }

  /** Replaces the office's members with these staff ids; the caller checked they belong to the tenant. */
  async setMembers(officeId: string, staffUserIds: readonly string[]): Promise<void> {
    await sql`delete from comune.office_members where office_id = ${officeId}`.execute(this.db);
    if (staffUserIds.length) {
      await sql`insert into comune.office_members (office_id, staff_user_id) select ${officeId}, unnest(${[...staffUserIds]}::uuid[])`.execute(this.db);
    }
  }
}
