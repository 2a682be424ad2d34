// What the personal area lists of a citizen's applications (the writes are the applications store's).
import { sql, type Executor } from '../../core/db.ts';
import { STATUS, type StatusCode } from '../applications/states.ts';

export interface ApplicationListItem {
  id: string;
  serviceId: string;
  serviceName: string;
  status: StatusCode;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  protocol: { number: number; year: number; registeredAt: Date } | null;
}

interface Row {
  id: string;
  service_id: string;
  service_name: string;
  status: StatusCode;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  protocol_number: number | null;
  protocol_year: number | null;
  protocol_registered_at: Date | null;
}

const fromRow = (r: Row): ApplicationListItem => ({
  id: r.id,
  serviceId: r.service_id,
  serviceName: r.service_name,
  status: r.status,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  submittedAt: r.submitted_at && new Date(r.submitted_at),
  protocol: r.protocol_number === null ? null : { number: r.protocol_number, year: r.protocol_year!, registeredAt: new Date(r.protocol_registered_at!) },
});

/** The citizen is always (tenant, fiscal code): every query is scoped by both. */
export interface Owner {
  tenantId: string;
  fiscalCode: string;
}

export class CitizenApplications {
  constructor(private readonly db: Executor) {}

  /** Submitted applications (drafts: false) or drafts (true), newest first. */
  async list(owner: Owner, drafts: boolean): Promise<ApplicationListItem[]> {
    const { rows } = await sql<Row>`
      select id, service_id, service_name, status, created_at, updated_at, submitted_at, protocol_number, protocol_year, protocol_registered_at
      from comune.applications
      where tenant_id = ${owner.tenantId} and citizen_fiscal_code = ${owner.fiscalCode} and ${drafts ? sql`status = ${STATUS.draft}` : sql`status <> ${STATUS.draft}`}
      order by coalesce(submitted_at, updated_at) desc, id`.execute(this.db);
    return rows.map(fromRow);
  }

  /** The open draft of this citizen for this service, if any (one per citizen per service). */
  async openDraft(owner: Owner, serviceId: string, db: Executor = this.db): Promise<string | undefined> {
    const { rows } = await sql<{ id: string }>`
      select id from comune.applications
      where tenant_id = ${owner.tenantId} and citizen_fiscal_code = ${owner.fiscalCode} and service_id = ${serviceId} and status = ${STATUS.draft}
      order by created_at limit 1`.execute(db);
    return rows[0]?.id;
  }
}
