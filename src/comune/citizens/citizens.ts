// A citizen's profile at one ente: identity from SPID/CIE, contacts and language chosen by the citizen.
import { sql, type Executor } from '../../core/db.ts';
import type { Locale } from '../../core/i18n.ts';
import type { CitizenIdentity } from '../../clients/identity/login.ts';

export interface Citizen {
  id: string;
  tenantId: string;
  fiscalCode: string;
  givenName: string;
  familyName: string;
  birthdate: string | null;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  locale: Locale;
  lastLoginAt: Date;
  lastAcr: string | null;
}

/** Who logged in, as the identity provider asserted them, and at which level. */
export interface LoginIdentity extends Omit<CitizenIdentity, 'placeOfBirth'> {
  acr: string;
}

interface CitizenRow {
  id: string;
  tenant_id: string;
  fiscal_code: string;
  given_name: string;
  family_name: string;
  birthdate: string | null;
  email: string | null;
  email_verified_at: Date | null;
  phone: string | null;
  locale: Locale;
  last_login_at: Date;
  last_acr: string | null;
}

const fromRow = (row: CitizenRow): Citizen => ({
  id: row.id,
  tenantId: row.tenant_id,
  fiscalCode: row.fiscal_code,
  givenName: row.given_name,
  familyName: row.family_name,
  birthdate: row.birthdate,
  email: row.email,
  emailVerified: row.email_verified_at !== null,
  phone: row.phone,
  locale: row.locale,
  lastLoginAt: row.last_login_at,
  lastAcr: row.last_acr,
});

const columns = sql`id, tenant_id, fiscal_code, given_name, family_name, birthdate, email, email_verified_at, phone, locale, last_login_at, last_acr`;

export class CitizenRepository {
  constructor(private readonly db: Executor) {}

  /** On every login: identity data refreshed from the IdP; contacts taken from it only the first time. */
  async recordLogin(tenantId: string, identity: LoginIdentity, tx: Executor = this.db): Promise<Citizen> {
    const { rows } = await sql<CitizenRow>`
      insert into comune.citizens (tenant_id, fiscal_code, given_name, family_name, birthdate, email, phone, last_acr)
      values (${tenantId}, ${identity.fiscalCode}, ${identity.givenName}, ${identity.familyName}, ${identity.birthdate ?? null},
              ${identity.email ?? null}, ${identity.phone ?? null}, ${identity.acr})
      on conflict (tenant_id, fiscal_code) do update set
        given_name = excluded.given_name, family_name = excluded.family_name,
        birthdate = coalesce(excluded.birthdate, comune.citizens.birthdate),
        last_login_at = now(), last_acr = excluded.last_acr
      returning ${columns}`.execute(tx);
    return fromRow(rows[0]!);
  }

  async byId(tenantId: string, id: string): Promise<Citizen | undefined> {
    const { rows } = await sql<CitizenRow>`select ${columns} from comune.citizens where tenant_id = ${tenantId} and id = ${id}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async listByTenant(tenantId: string, limit = 100): Promise<Citizen[]> {
    const { rows } = await sql<CitizenRow>`
      select ${columns} from comune.citizens where tenant_id = ${tenantId} order by last_login_at desc limit ${limit}`.execute(this.db);
    return rows.map(fromRow);
  }

  /** A changed e-mail address is unverified until its link is followed. */
  async updateContacts(tenantId: string, id: string, contacts: { email: string | null; phone: string | null }, tx: Executor = this.db): Promise<void> {
    await sql`update comune.citizens set
        email_verified_at = case when email is not distinct from ${contacts.email} then email_verified_at end,
        email = ${contacts.email}, phone = ${contacts.phone}
      where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  }

  /** Marks the address verified if it is still the citizen's current one; false otherwise. */
  async markEmailVerified(id: string, email: string, tx: Executor = this.db): Promise<Citizen | undefined> {
    const { rows } = await sql<CitizenRow>`update comune.citizens set email_verified_at = coalesce(email_verified_at, now())
      where id = ${id} and email = ${email} returning ${columns}`.execute(tx);
    return rows[0] && fromRow(rows[0]);
  }

  async updateLocale(tenantId: string, id: string, locale: Locale, tx: Executor = this.db): Promise<void> {
    await sql`update comune.citizens set locale = ${locale} where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  }
}
