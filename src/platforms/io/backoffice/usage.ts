// A service's use: its messages per Italian day over the last 30 days, by outcome, read through the
// messages_by_service index (sender_service_id, created_at) and drawn as a stacked bar chart in SVG.
import { sql, type Executor } from '../../../core/db.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import { addDays, dateInItaly, type IsoDate } from '../../../domain/dates.ts';
import { SCHEMA } from '../schema.ts';

export const USAGE_DAYS = 30;

export interface UsageDay {
  day: IsoDate;
  processed: number;
  rejected: number;
  /** Accepted, throttled or failed: not (yet) delivered nor refused. */
  other: number;
}

/** Every day of the window, oldest first, days without messages included (zeros). */
export async function messagesPerDay(db: Executor, serviceId: string, now = new Date()): Promise<UsageDay[]> {
  const first = addDays(dateInItaly(now), -(USAGE_DAYS - 1));
  const { rows } = await sql<{ day: string; processed: string; rejected: string; other: string }>`
    select (created_at at time zone 'Europe/Rome')::date::text as day,
           count(*) filter (where status = 'PROCESSED') as processed,
           count(*) filter (where status = 'REJECTED') as rejected,
           count(*) filter (where status not in ('PROCESSED', 'REJECTED')) as other
    from ${sql.table(`${SCHEMA}.messages`)}
    where sender_service_id = ${serviceId} and created_at >= (${first}::date::timestamp at time zone 'Europe/Rome')
    group by 1`.execute(db);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return Array.from({ length: USAGE_DAYS }, (_, i) => {
    const day = addDays(first, i);
    const r = byDay.get(day);
    return { day, processed: Number(r?.processed ?? 0), rejected: Number(r?.rejected ?? 0), other: Number(r?.other ?? 0) };
  });
}

export interface ChartLabels {
  title: string;
  processed: string;
  rejected: string;
  other: string;
  /** The bar's tooltip: the day and its figures. */
  bar(day: UsageDay): string;
}

// Colours of Bootstrap Italia's palette, told apart also by position in the stack and the legend's text.
const SERIES = [
  { key: 'processed', fill: '#008055' },
  { key: 'rejected', fill: '#d9364f' },
  { key: 'other', fill: '#5c6f82' },
] as const;

/** Stacked vertical bars as server-rendered SVG (no inline style or script: CSP); the data table goes beside it. */
export function usageChart(id: string, days: readonly UsageDay[], labels: ChartLabels): SafeHtml {
  const width = 620;
  const plot = { left: 36, top: 10, height: 180 };
  const slot = (width - plot.left) / days.length;
  const max = Math.max(1, ...days.map((d) => d.processed + d.rejected + d.other));
  const scale = (n: number) => (n / max) * plot.height;
  const base = plot.top + plot.height;
  const bars = days.map((d, i) => {
    let y = base;
    const x = plot.left + i * slot + 2;
    const parts = SERIES.map((s) => {
      const h = scale(d[s.key]);
      y -= h;
      return h > 0 ? html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.fill}"></rect>` : '';
    });
    const tick = i % 5 === 0 || i === days.length - 1 ? html`<text x="${x.toFixed(1)}" y="${base + 16}" font-size="10">${d.day.slice(5)}</text>` : '';
    return html`<g><title>${labels.bar(d)}</title>${parts}</g>${tick}`;
  });
  const legend = SERIES.map(
    (s, i) => html`<rect x="${plot.left + i * 130}" y="${base + 28}" width="12" height="12" fill="${s.fill}"></rect><text x="${plot.left + i * 130 + 18}" y="${base + 39}" font-size="11">${labels[s.key]}</text>`,
  );
  const height = base + 50;
  return html`<svg role="img" aria-labelledby="${id}" width="100%" height="${height}" viewBox="0 0 ${width} ${height}">
  <title id="${id}">${labels.title}</title>
  <line x1="${plot.left}" y1="${base}" x2="${width}" y2="${base}" stroke="#5c6f82"></line>
  <text x="0" y="${plot.top + 10}" font-size="11">${max}</text><text x="0" y="${base}" font-size="11">0</text>
  ${bars}${legend}
</svg>`;
}
