// Creditor institutions (enti creditori) on the platform: fiscal code, name, the station's IUV generation
// point, IBANs, and one IUV sequence each, so concurrent creations never draw the same IUV.
import { sql, transaction, type Executor } from '../../core/db.ts';
import { conflict, invalid, notFound } from '../../core/problem.ts';
import { validateIban } from '../../domain/iban.ts';
import { hasValidPartitaIvaCheckDigit } from '../../domain/partita-iva.ts';
import { maxIuvProgressive, type GeneratingAuxDigit, type IuvGenerationPoint } from '../../domain/pagopa/notice-number.ts';
import { audit } from '../../core/audit.ts';
import { SCHEMA } from './schema.ts';

export interface InstitutionIban {
  iban: string;
  postal: boolean;
  description: string;
}

export interface Institution {
  id: string;
  fiscalCode: string;
  companyName: string;
  officeName: string | null;
  auxDigit: GeneratingAuxDigit;
  segregationCode: string | null;
  applicationCode: string | null;
  /** The station on the Nodo that serves the institution's notices, conventionally <broker fiscal code>_NN. */
  stationId: string;
  cbillCode: string | null;
  enabled: boolean;
  ibans: InstitutionIban[];
}

export interface Actor {
  type: 'platform_admin' | 'api_key' | 'system';
  id: string;
  requestId?: string;
}

export function generationPoint(institution: Institution): IuvGenerationPoint {
  if (institution.auxDigit === 3) return { auxDigit: 3, segregationCode: institution.segregationCode! };
  if (institution.auxDigit === 0) return { auxDigit: 0, applicationCode: institution.applicationCode! };
  return { auxDigit: 2 };
}

// The fiscal code is 11 validated digits, so the sequence name built from it is safe to write into SQL.
const sequenceName = (fiscalCode: string) => `${SCHEMA}.iuv_${fiscalCode}`;

interface InstitutionRow {
  id: string;
  fiscal_code: string;
  company_name: string;
  office_name: string | null;
  aux_digit: number;
  segregation_code: string | null;
  application_code: string | null;
  station_id: string;
  cbill_code: string | null;
  enabled: boolean;
}

async function withIbans(db: Executor, rows: InstitutionRow[]): Promise<Institution[]> {
  if (!rows.length) return [];
  const { rows: ibans } = await sql<{ institution_id: string; iban: string; postal: boolean; description: string }>`
    select institution_id, iban, postal, description from pagopa.institution_ibans
    where institution_id = any(${rows.map((r) => r.id)}::uuid[]) order by postal, created_at, iban`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    fiscalCode: r.fiscal_code,
    companyName: r.company_name,
    officeName: r.office_name,
    auxDigit: r.aux_digit as GeneratingAuxDigit,
    segregationCode: r.segregation_code,
    applicationCode: r.application_code,
    stationId: r.station_id,
    cbillCode: r.cbill_code,
    enabled: r.enabled,
    ibans: ibans.filter((i) => i.institution_id === r.id).map((i) => ({ iban: i.iban, postal: i.postal, description: i.description })),
  }));
}

const COLUMNS = sql`id, fiscal_code, company_name, office_name, aux_digit, segregation_code, application_code, station_id, cbill_code, enabled`;

export async function institutionByFiscalCode(db: Executor, fiscalCode: string): Promise<Institution | undefined> {
  const { rows } = await sql<InstitutionRow>`select ${COLUMNS} from pagopa.creditor_institutions where fiscal_code = ${fiscalCode}`.execute(db);
  return (await withIbans(db, rows))[0];
}

export async function institutionById(db: Executor, id: string): Promise<Institution | undefined> {
  const { rows } = await sql<InstitutionRow>`select ${COLUMNS} from pagopa.creditor_institutions where id = ${id}`.execute(db);
  return (await withIbans(db, rows))[0];
}

export async function listInstitutions(db: Executor): Promise<Institution[]> {
  const { rows } = await sql<InstitutionRow>`select ${COLUMNS} from pagopa.creditor_institutions order by company_name`.execute(db);
  return withIbans(db, rows);
}

/** The IBANs each of these institutions registered; institutions not on the platform are absent. */
export async function ibansOf(db: Executor, fiscalCodes: readonly string[]): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ fiscal_code: string; iban: string | null }>`
    select ci.fiscal_code, i.iban from pagopa.creditor_institutions ci
    left join pagopa.institution_ibans i on i.institution_id = ci.id
    where ci.fiscal_code = any(${[...new Set(fiscalCodes)]}::text[]) and ci.enabled`.execute(db);
  const map = new Map<string, string[]>();
  for (const r of rows) {
    const list = map.get(r.fiscal_code) ?? [];
    if (r.iban) list.push(r.iban);
    map.set(r.fiscal_code, list);
  }
  return map;
}

export interface InstitutionInput {
  fiscalCode: string;
  companyName: string;
  officeName?: string;
  auxDigit: GeneratingAuxDigit;
  segregationCode?: string;
  applicationCode?: string;
  stationId: string;
  cbillCode?: string;
  ibans?: { iban: string; postal?: boolean; description?: string }[];
}

function checkInstitution(input: InstitutionInput): void {
  const errors = [];
  if (!hasValidPartitaIvaCheckDigit(input.fiscalCode)) errors.push({ pointer: '/body/fiscalCode', code: 'fiscal-code', detail: '11 digits with a valid check digit' });
  if ((input.auxDigit === 3) !== (input.segregationCode !== undefined)) {
    errors.push({ pointer: '/body/segregationCode', code: 'aux-digit', detail: 'a segregation code goes with aux digit 3, and only with it' });
  }
  if ((input.auxDigit === 0) !== (input.applicationCode !== undefined)) {
    errors.push({ pointer: '/body/applicationCode', code: 'aux-digit', detail: 'an application code goes with aux digit 0, and only with it' });
  }
  (input.ibans ?? []).forEach((i, n) => {
    const iban = validateIban(i.iban);
    if (!iban.ok) errors.push({ pointer: `/body/ibans/${n}/iban`, code: iban.reason, detail: iban.message });
  });
  if (errors.length) throw invalid(errors);
}

/** Onboards an institution with its IBANs and IUV sequence; 409 if its fiscal code is already there. */
export async function onboardInstitution(db: Executor, actor: Actor, input: InstitutionInput): Promise<Institution> {
  checkInstitution(input);
  return transaction(db, async (tx) => {
    const { rows } = await sql<{ id: string }>`
      insert into pagopa.creditor_institutions (fiscal_code, company_name, office_name, aux_digit, segregation_code, application_code, station_id, cbill_code)
      values (${input.fiscalCode}, ${input.companyName}, ${input.officeName ?? null}, ${input.auxDigit}, ${input.segregationCode ?? null},
              ${input.applicationCode ?? null}, ${input.stationId}, ${input.cbillCode ?? null})
      on conflict (fiscal_code) do nothing returning id`.execute(tx);
    const id = rows[0]?.id;
    if (!id) throw conflict(`The creditor institution ${input.fiscalCode} is already on the platform`);
    await sql`create sequence ${sql.raw(sequenceName(input.fiscalCode))} minvalue 1 maxvalue ${sql.raw(String(maxIuvProgressive(input.auxDigit)))} no cycle`.execute(tx);
    for (const i of input.ibans ?? []) await insertIban(tx, id, i);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: id, action: 'institution.onboard', targetType: 'creditor_institution', targetId: input.fiscalCode, requestId: actor.requestId });
    return (await institutionById(tx, id))!;
  });
}

async function insertIban(db: Executor, institutionId: string, input: { iban: string; postal?: boolean; description?: string }): Promise<void> {
  const iban = validateIban(input.iban);
  if (!iban.ok) throw invalid([{ pointer: '/body/iban', code: iban.reason, detail: iban.message }]);
  await sql`insert into pagopa.institution_ibans (institution_id, iban, postal, description)
    values (${institutionId}, ${iban.value.iban}, ${input.postal ?? false}, ${input.description ?? ''})
    on conflict (institution_id, iban) do update set postal = excluded.postal, description = excluded.description`.execute(db);
}

export async function addIban(db: Executor, actor: Actor, fiscalCode: string, input: { iban: string; postal?: boolean; description?: string }): Promise<Institution> {
  return transaction(db, async (tx) => {
    const institution = await institutionByFiscalCode(tx, fiscalCode);
    if (!institution) throw notFound(`No creditor institution ${fiscalCode}`);
    await insertIban(tx, institution.id, input);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'institution.iban-add', targetType: 'creditor_institution', targetId: fiscalCode, details: { iban: input.iban }, requestId: actor.requestId });
    return (await institutionById(tx, institution.id))!;
  });
}

/** `count` fresh progressives of the institution's IUV sequence (gaps are harmless, repeats impossible). */
export async function nextIuvProgressives(db: Executor, institution: Institution, count: number): Promise<bigint[]> {
  if (count === 0) return [];
  const { rows } = await sql<{ n: string }>`select nextval(${sql.lit(sequenceName(institution.fiscalCode))}::regclass)::text as n from generate_series(1, ${count})`.execute(db);
  return rows.map((r) => BigInt(r.n));
}
