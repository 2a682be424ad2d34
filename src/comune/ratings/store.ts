// Page ratings in the comune schema: one anonymous row per rating, read back as per-page figures for
// the ente's admin. Every query is scoped to one tenant.
import { sql, type Executor } from '../../core/db.ts';
import type { Locale } from '../../core/i18n.ts';
import type { RatingInput } from './model.ts';

export interface PageSummary {
  page: string;
  count: number;
  average: number;
  /** Ratings from 1 to 3 stars. */
  negative: number;
  /** Counts per follow-up answer, most frequent first. */
  reasons: { reason: string; count: number }[];
}

export interface RatingComment {
  page: string;
  stars: number;
  comment: string;
  createdAt: Date;
}

export class RatingRepository {
  constructor(private readonly db: Executor) {}

  async add(tenantId: string, page: string, rating: RatingInput, locale: Locale): Promise<string> {
    const { rows } = await sql<{ id: string }>`insert into comune.page_ratings (tenant_id, page, stars, reason, comment, locale)
      values (${tenantId}, ${page}, ${rating.stars}, ${rating.reason}, ${rating.comment}, ${locale}) returning id`.execute(this.db);
    return rows[0]!.id;
  }

  /** Per page: how many ratings, their average and the follow-up answers; most rated first. */
  async summary(tenantId: string): Promise<PageSummary[]> {
    const { rows } = await sql<{ page: string; count: number; average: number; negative: number }>`
      select page, count(*)::int as count, avg(stars)::float8 as average, (count(*) filter (where stars <= 3))::int as negative
      from comune.page_ratings where tenant_id = ${tenantId} group by page order by count(*) desc, page`.execute(this.db);
    const { rows: reasons } = await sql<{ page: string; reason: string; count: number }>`
      select page, reason, count(*)::int as count from comune.page_ratings
      where tenant_id = ${tenantId} and reason is not null group by page, reason order by count(*) desc, reason`.execute(this.db);
    return rows.map((row) => ({ ...row, reasons: reasons.filter((r) => r.page === row.page).map(({ reason, count }) => ({ reason, count })) }));
  }

  async latestComments(tenantId: string, limit = 50): Promise<RatingComment[]> {
    const { rows } = await sql<{ page: string; stars: number; comment: string; created_at: Date }>`
      select page, stars, comment, created_at from comune.page_ratings
      where tenant_id = ${tenantId} and comment is not null order by created_at desc limit ${limit}`.execute(this.db);
    return rows.map((r) => ({ page: r.page, stars: r.stars, comment: r.comment, createdAt: r.created_at }));
  }
}
