// The services of each ente's catalog. Every read names the tenant: an id of another ente finds nothing.
import { likeContaining, sql, type Executor } from '../../core/db.ts';
import type { Locale } from '../../core/i18n.ts';
import type { AccessLevel, Channel, LocalizedContent, Service, ServiceInput, ServiceStatus } from './model.ts';

export interface ServiceFilters {
  statuses?: readonly ServiceStatus[];
  categoryId?: string;
  topic?: string;
  /** Words searched in the name and description, in the given language and in Italian. */
  text?: string;
  locale?: Locale;
}

interface ServiceRow {
  id: string;
  tenant_id: string;
  slug: string;
  category_id: string | null;
  status: ServiceStatus;
  active_from: string | null;
  active_to: string | null;
  access_level: AccessLevel;
  office_id: string | null;
  deadline_days: number;
  protocol_required: boolean;
  form_id: string | null;
  content: LocalizedContent;
  topics: string[];
  life_events: string[];
  channels: Channel[];
  updated_at: Date;
}

const columns = sql`id, tenant_id, slug, category_id, status, to_char(active_from, 'YYYY-MM-DD') as active_from,
  to_char(active_to, 'YYYY-MM-DD') as active_to, access_level, office_id, deadline_days, protocol_required, form_id,
  content, topics, life_events, channels, updated_at`;

const fromRow = (row: ServiceRow): Service => ({
  id: row.id,
  tenantId: row.tenant_id,
  slug: row.slug,
  categoryId: row.category_id,
  status: row.status,
  activeFrom: row.active_from,
  activeTo: row.active_to,
  accessLevel: row.access_level,
  officeId: row.office_id,
  deadlineDays: row.deadline_days,
  protocolRequired: row.protocol_required,
  formId: row.form_id,
  content: row.content,
  topics: row.topics,
  lifeEvents: row.life_events,
  channels: row.channels,
  updatedAt: row.updated_at,
});


export class ServiceRepository {
  constructor(private readonly db: Executor) {}

  async byId(tenantId: string, id: string): Promise<Service | undefined> {
    const { rows } = await sql<ServiceRow>`select ${columns} from comune.services where tenant_id = ${tenantId} and id = ${id}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async bySlug(tenantId: string, slug: string): Promise<Service | undefined> {
    const { rows } = await sql<ServiceRow>`select ${columns} from comune.services where tenant_id = ${tenantId} and slug = ${slug}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  /** The tenant's services matching every filter given, by name in the requested language. */
  async list(tenantId: string, filters: ServiceFilters = {}): Promise<Service[]> {
    const locale = filters.locale ?? 'it';
    const conditions = [sql`tenant_id = ${tenantId}`];
    if (filters.statuses) conditions.push(sql`status = any(${[...filters.statuses]})`);
    if (filters.categoryId) conditions.push(sql`category_id = ${filters.categoryId}`);
    if (filters.topic) conditions.push(sql`${filters.topic} = any(topics)`);
    const text = filters.text?.trim();
    if (text) {
      const pattern = likeContaining(text);
      conditions.push(sql`concat_ws(' ', content->${locale}->>'name', content->${locale}->>'description', content->'it'->>'name',
        content->'it'->>'description', array_to_string(topics, ' ')) ilike ${pattern}`);
    }
    const { rows } = await sql<ServiceRow>`
      select ${columns} from comune.services where ${sql.join(conditions, sql` and `)}
      order by coalesce(nullif(content->${locale}->>'name', ''), content->'it'->>'name')`.execute(this.db);
    return rows.map(fromRow);
  }

  /** Inserts a validated service; undefined when the slug is taken in this tenant. */
  async create(tenantId: string, input: ServiceInput): Promise<Service | undefined> {
    const { rows } = await sql<ServiceRow>`
      insert into comune.services (tenant_id, slug, category_id, status, active_from, active_to, access_level, office_id,
        deadline_days, protocol_required, form_id, content, topics, life_events, channels)
      values (${tenantId}, ${input.slug}, ${input.categoryId}, ${input.status}, ${input.activeFrom}, ${input.activeTo},
        ${input.accessLevel}, ${input.officeId}, ${input.deadlineDays}, ${input.protocolRequired}, ${input.formId},
        ${JSON.stringify(input.content)}::jsonb, ${input.topics}, ${input.lifeEvents}, ${input.channels})
      on conflict (tenant_id, slug) do nothing
      returning ${columns}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  /** Replaces the catalog data; undefined when the service is not the tenant's. Throws on a slug clash. */
  async update(tenantId: string, id: string, input: ServiceInput): Promise<Service | undefined> {
    const { rows } = await sql<ServiceRow>`
      update comune.services set
        slug = ${input.slug}, category_id = ${input.categoryId}, status = ${input.status}, active_from = ${input.activeFrom},
        active_to = ${input.activeTo}, access_level = ${input.accessLevel}, office_id = ${input.officeId},
        deadline_days = ${input.deadlineDays}, protocol_required = ${input.protocolRequired}, form_id = ${input.formId},
        content = ${JSON.stringify(input.content)}::jsonb, topics = ${input.topics}, life_events = ${input.lifeEvents},
        channels = ${input.channels}, updated_at = now()
      where tenant_id = ${tenantId} and id = ${id}
      returning ${columns}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async slugTaken(tenantId: string, slug: string, exceptId: string | null): Promise<boolean> {
    const { rows } = await sql`select 1 from comune.services where tenant_id = ${tenantId} and slug = ${slug} and id is distinct from ${exceptId}`.execute(this.db);
    return rows.length > 0;
  }
}
