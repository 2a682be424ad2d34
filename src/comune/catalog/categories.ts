// The categories grouping an ente's services (the "Servizi" second-level pages of the Comuni model).
import { sql, type Executor } from '../../core/db.ts';
import type { Category, CategoryInput, LocalizedText } from './model.ts';

interface CategoryRow {
  id: string;
  tenant_id: string;
  slug: string;
  names: LocalizedText;
  descriptions: Partial<LocalizedText>;
  position: number;
}

const columns = sql`id, tenant_id, slug, names, descriptions, position`;

const fromRow = (row: CategoryRow): Category => ({
  id: row.id,
  tenantId: row.tenant_id,
  slug: row.slug,
  names: row.names,
  descriptions: row.descriptions,
  position: row.position,
});

export class CategoryRepository {
  constructor(private readonly db: Executor) {}

  async list(tenantId: string): Promise<Category[]> {
    const { rows } = await sql<CategoryRow>`select ${columns} from comune.service_categories where tenant_id = ${tenantId}
      order by position, names->>'it'`.execute(this.db);
    return rows.map(fromRow);
  }

  async byId(tenantId: string, id: string): Promise<Category | undefined> {
    const { rows } = await sql<CategoryRow>`select ${columns} from comune.service_categories where tenant_id = ${tenantId} and id = ${id}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async bySlug(tenantId: string, slug: string): Promise<Category | undefined> {
    const { rows } = await sql<CategoryRow>`select ${columns} from comune.service_categories where tenant_id = ${tenantId} and slug = ${slug}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  /** Inserts a validated category; undefined when the slug is taken in this tenant. */
  async create(tenantId: string, input: CategoryInput): Promise<Category | undefined> {
    const { rows } = await sql<CategoryRow>`
      insert into comune.service_categories (tenant_id, slug, names, descriptions, position)
      values (${tenantId}, ${input.slug}, ${JSON.stringify(input.names)}::jsonb, ${JSON.stringify(input.descriptions)}::jsonb, ${input.position})
      on conflict (tenant_id, slug) do nothing
      returning ${columns}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async update(tenantId: string, id: string, input: CategoryInput): Promise<Category | undefined> {
    const { rows } = await sql<CategoryRow>`
      update comune.service_categories set slug = ${input.slug}, names = ${JSON.stringify(input.names)}::jsonb,
        descriptions = ${JSON.stringify(input.descriptions)}::jsonb, position = ${input.position}
      where tenant_id = ${tenantId} and id = ${id}
      returning ${columns}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async slugTaken(tenantId: string, slug: string, exceptId: string | null): Promise<boolean> {
    const { rows } = await sql`select 1 from comune.service_categories where tenant_id = ${tenantId} and slug = ${slug} and id is distinct from ${exceptId}`.execute(this.db);
    return rows.length > 0;
  }
}
