// The browsers a citizen registered for Web Push (RFC 8030 subscriptions with their RFC 8291 keys): the citizen app
// registers and removes them, the notify endpoint pushes to the live ones and disables those the push service forgot.
import { sql, type Executor } from '../../../core/db.ts';
import { SCHEMA } from '../schema.ts';

const installations = sql.table(`${SCHEMA}.installations`);

export interface InstallationInput {
  installationId: string;
  /** The push service's URL for this browser (PushSubscription.endpoint). */
  endpoint: string;
  /** PushSubscription keys, base64url: the browser's P-256 public key and the 16-byte auth secret (RFC 8291 §3). */
  keys: { p256dh: string; auth: string };
  userAgent?: string | null;
}

export interface Installation {
  installationId: string;
  fiscalCode: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  userAgent: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface InstallationRow {
  id: string;
  fiscal_code: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string | null;
  created_at: Date;
  updated_at: Date;
}

const toInstallation = (row: InstallationRow): Installation => ({
  installationId: row.id,
  fiscalCode: row.fiscal_code,
  endpoint: row.endpoint,
  keys: { p256dh: row.p256dh, auth: row.auth },
  userAgent: row.user_agent,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Registers (or renews, live again) a browser of the citizen; an id already bound to another citizen moves to this one. */
export async function registerInstallation(db: Executor, fiscalCode: string, input: InstallationInput): Promise<Installation> {
  const { rows } = await sql<InstallationRow>`
    insert into ${installations} (id, fiscal_code, endpoint, p256dh, auth, user_agent)
    values (${input.installationId}, ${fiscalCode}, ${input.endpoint}, ${input.keys.p256dh}, ${input.keys.auth}, ${input.userAgent ?? null})
    on conflict (id) do update set fiscal_code = excluded.fiscal_code, endpoint = excluded.endpoint, p256dh = excluded.p256dh,
      auth = excluded.auth, user_agent = excluded.user_agent, updated_at = now(), disabled_at = null, last_error = null
    returning *`.execute(db);
  return toInstallation(rows[0]!);
}

/** Forgets a browser of the citizen; false when the citizen had no such installation. */
export async function removeInstallation(db: Executor, fiscalCode: string, installationId: string): Promise<boolean> {
  const { rows } = await sql`delete from ${installations} where id = ${installationId} and fiscal_code = ${fiscalCode} returning id`.execute(db);
  return rows.length === 1;
}

/** The citizen's live installations (not disabled by a push service), oldest first. */
export async function installationsOf(db: Executor, fiscalCode: string): Promise<Installation[]> {
  const { rows } = await sql<InstallationRow>`
    select * from ${installations} where fiscal_code = ${fiscalCode} and disabled_at is null order by created_at, id`.execute(db);
  return rows.map(toInstallation);
}

/** The push service answered that the subscription is gone (404/410, RFC 8030 §7.3): no more pushes to it. */
export async function disableInstallation(db: Executor, installationId: string, reason: string): Promise<void> {
  await sql`update ${installations} set disabled_at = now(), last_error = ${reason}, updated_at = now()
            where id = ${installationId} and disabled_at is null`.execute(db);
}
