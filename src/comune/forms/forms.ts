// Each ente's forms, versioned: saving a form adds a version; an application keeps (id, version) and
// so is always shown with the schema it was filled in with.
import { randomUUID } from 'node:crypto';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { invalid, notFound } from '../../core/problem.ts';
import type { CommandActor } from '../commands.ts';
import { checkSchema, type FormSchema } from './schema.ts';

export interface FormRecord {
  id: string;
  version: number;
  tenantId: string;
  name: string;
  schema: FormSchema;
  createdAt: string;
}

export interface FormInput {
  /** Absent: a new form; present: a new version of that form. */
  id?: string;
  name: string;
  /** As uploaded: checked by checkSchema before it is kept. */
  schema: unknown;
}

interface FormRow {
  id: string;
  version: number;
  tenant_id: string;
  name: string;
  schema: FormSchema;
  created_at: Date | string;
}

const fromRow = (r: FormRow): FormRecord => ({ id: r.id, version: r.version, tenantId: r.tenant_id, name: r.name, schema: r.schema, createdAt: new Date(r.created_at).toISOString() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FormRepository {
  constructor(private readonly db: Executor) {}

  /** A checked schema as a new form or a new version; 400 naming the schema's problems, 404 for another ente's form. */
  async save(tenantId: string, input: FormInput, actor: CommandActor): Promise<FormRecord> {
    const checked = checkSchema(input.schema);
    const errors = checked.ok ? [] : checked.errors.map((e) => ({ ...e, pointer: `/body/schema${e.pointer}` }));
    if (!input.name.trim()) errors.push({ pointer: '/body/name', code: 'required', detail: 'a form has a name' });
    if (!checked.ok || errors.length) throw invalid(errors);
    return transaction(this.db, async (tx) => {
      let version = 1;
      if (input.id) {
        // Locks the form's rows so two saves cannot both take the next version.
        const { rows } = await sql<{ version: number }>`select version from comune.forms where id = ${input.id} and tenant_id = ${tenantId} order by version desc for update`.execute(tx);
        if (!rows.length) throw notFound('No such form.');
        version = rows[0]!.version + 1;
      }
      const id = input.id ?? randomUUID();
      const { rows } = await sql<FormRow>`insert into comune.forms (id, version, tenant_id, name, schema, created_by)
        values (${id}, ${version}, ${tenantId}, ${input.name.trim()}, ${JSON.stringify(checked.schema)}::jsonb, ${actor.id}) returning *`.execute(tx);
      await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId, action: 'form.save', targetType: 'form', targetId: id, details: { version, name: input.name }, requestId: actor.requestId });
      return fromRow(rows[0]!);
    });
  }

  /** The newest version. */
  async latest(tenantId: string, id: string): Promise<FormRecord | undefined> {
    if (!UUID.test(id)) return undefined;
    const { rows } = await sql<FormRow>`select * from comune.forms where id = ${id} and tenant_id = ${tenantId} order by version desc limit 1`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  /** One version, as an application was filled with. */
  async version(tenantId: string, id: string, version: number): Promise<FormRecord | undefined> {
    if (!UUID.test(id) || !Number.isInteger(version)) return undefined;
    const { rows } = await sql<FormRow>`select * from comune.forms where id = ${id} and version = ${version} and tenant_id = ${tenantId}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  /** The newest version of each of the ente's forms, by name. */
  async list(tenantId: string): Promise<FormRecord[]> {
    const { rows } = await sql<FormRow>`select distinct on (id) * from comune.forms where tenant_id = ${tenantId} order by id, version desc`.execute(this.db);
    return rows.map(fromRow).sort((a, b) => a.name.localeCompare(b.name, 'it'));
  }
}
