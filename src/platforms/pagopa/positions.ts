// GPD debt positions of one creditor institution: every command takes the institution the caller acts
// for, so another institution's positions are simply not found. State changes are decided by rules.ts.
import { audit } from '../../core/audit.ts';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { HttpProblem, problemType, type InvalidField } from '../../core/problem.ts';
import { composeNoticeNumber, noticeNumberOfIuv, parseNoticeNumber } from '../../domain/pagopa/notice-number.ts';
import { generationPoint, ibansOf, nextIuvProgressives, type Actor, type Institution } from './institutions.ts';
import {
  checkDebtor,
  checkPositionContent,
  decide,
  payOption,
  statusAsOf,
  type DebtPositionAction,
  type DebtPositionStatus,
  type KeyValue,
  type PaymentOptionInput,
  type PaymentOptionStatus,
  type PositionInput,
  type PositionState,
  type Refusal,
  type TransferInput,
} from './rules.ts';
import { SCHEMA } from './schema.ts';
import type { ORDER_BY } from '../../clients/pagopa/wire.ts';

export interface DebtorInput {
  type: 'F' | 'G';
  fiscalCode: string;
  fullName: string;
  streetName?: string;
  civicNumber?: string;
  postalCode?: string;
  city?: string;
  province?: string;
  region?: string;
  country?: string;
  email?: string;
  phone?: string;
}

export interface DebtPositionInput extends DebtorInput, PositionInput {
  iupd: string;
  payStandIn?: boolean;
  switchToExpired: boolean;
  companyName: string;
  officeName?: string;
}

export interface Transfer extends TransferInput {
  organizationFiscalCode: string;
  status: 'T_UNREPORTED' | 'T_REPORTED';
  insertedDate: Date;
  lastUpdatedDate: Date;
}

export interface PaymentOption extends Omit<PaymentOptionInput, 'transfer'> {
  iuv: string;
  nav: string;
  organizationFiscalCode: string;
  fee: number;
  status: PaymentOptionStatus;
  paymentDate: Date | null;
  paymentMethod: string | null;
  pspCompany: string | null;
  idReceipt: string | null;
  insertedDate: Date;
  lastUpdatedDate: Date;
  transfer: Transfer[];
}

export interface DebtPosition extends DebtorInput {
  id: string;
  iupd: string;
  organizationFiscalCode: string;
  payStandIn: boolean;
  switchToExpired: boolean;
  companyName: string;
  officeName: string | null;
  validityDate: Date | null;
  status: DebtPositionStatus;
  insertedDate: Date;
  publishDate: Date | null;
  lastUpdatedDate: Date;
  paymentDate: Date | null;
  paymentOption: PaymentOption[];
}

/** A GPD AppError as problem+json: the code names the reason, the status is GPD's. */
export function gpdProblem(status: number, code: string, detail: string, errors?: InvalidField[]): HttpProblem {
  return new HttpProblem(status, { type: problemType(`pagopa:${code}`), detail, errors, extra: { code } });
}

const stateOf = (p: DebtPosition): PositionState => ({ status: p.status, validityDate: p.validityDate, switchToExpired: p.switchToExpired, options: p.paymentOption });
const refusal = (r: Refusal) => gpdProblem(r.status, r.code, r.message);
const notFound = (iupd: string) => gpdProblem(404, 'DEBT_POSITION_NOT_FOUND', `No debt position ${iupd} of this organization`);

// --- Reading ----------------------------------------------------------------------------------------

interface PositionRow {
  id: string;
  iupd: string;
  type: 'F' | 'G';
  debtor_fiscal_code: string;
  full_name: string;
  street_name: string | null;
  civic_number: string | null;
  postal_code: string | null;
  city: string | null;
  province: string | null;
  region: string | null;
  country: string | null;
  email: string | null;
  phone: string | null;
  switch_to_expired: boolean;
  pay_stand_in: boolean;
  company_name: string;
  office_name: string | null;
  validity_date: Date | null;
  status: DebtPositionStatus;
  inserted_date: Date;
  publish_date: Date | null;
  last_updated_date: Date;
  payment_date: Date | null;
}

interface OptionRow {
  id: string;
  position_id: string;
  iuv: string;
  nav: string;
  amount: number;
  description: string;
  is_partial_payment: boolean;
  due_date: Date;
  retention_date: Date | null;
  fee: number;
  status: PaymentOptionStatus;
  payment_date: Date | null;
  payment_method: string | null;
  psp_company: string | null;
  id_receipt: string | null;
  metadata: KeyValue[];
  inserted_date: Date;
  last_updated_date: Date;
}

interface TransferRow {
  option_id: string;
  id_transfer: string;
  amount: number;
  organization_fiscal_code: string;
  company_name: string | null;
  remittance_information: string;
  category: string;
  iban: string | null;
  postal_iban: string | null;
  stamp: TransferInput['stamp'] | null;
  status: Transfer['status'];
  metadata: KeyValue[];
  inserted_date: Date;
  last_updated_date: Date;
}

const optional = <T>(value: T | null): T | undefined => value ?? undefined;

async function load(db: Executor, institution: Institution, rows: PositionRow[], now: Date): Promise<DebtPosition[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const { rows: options } = await sql<OptionRow>`
    select id, position_id, iuv, nav, amount, description, is_partial_payment, due_date, retention_date, fee, status,
           payment_date, payment_method, psp_company, id_receipt, metadata, inserted_date, last_updated_date
    from pagopa.payment_options where position_id = any(${ids}::uuid[]) order by position_id, position_index`.execute(db);
  const { rows: transfers } = options.length
    ? await sql<TransferRow>`
        select option_id, id_transfer, amount, organization_fiscal_code, company_name, remittance_information, category, iban, postal_iban,
               stamp, status, metadata, inserted_date, last_updated_date
        from pagopa.transfers where option_id = any(${options.map((o) => o.id)}::uuid[]) order by option_id, id_transfer`.execute(db)
    : { rows: [] as TransferRow[] };
  return rows.map((r) => {
    const paymentOption: PaymentOption[] = options
      .filter((o) => o.position_id === r.id)
      .map((o) => ({
        iuv: o.iuv,
        nav: o.nav,
        organizationFiscalCode: institution.fiscalCode,
        amount: o.amount,
        description: o.description,
        isPartialPayment: o.is_partial_payment,
        dueDate: o.due_date,
        retentionDate: optional(o.retention_date),
        fee: o.fee,
        status: o.status,
        paymentDate: o.payment_date,
        paymentMethod: o.payment_method,
        pspCompany: o.psp_company,
        idReceipt: o.id_receipt,
        paymentOptionMetadata: o.metadata,
        insertedDate: o.inserted_date,
        lastUpdatedDate: o.last_updated_date,
        transfer: transfers
          .filter((t) => t.option_id === o.id)
          .map((t) => ({
            idTransfer: t.id_transfer,
            amount: t.amount,
            organizationFiscalCode: t.organization_fiscal_code,
            companyName: optional(t.company_name),
            remittanceInformation: t.remittance_information,
            category: t.category,
            iban: optional(t.iban),
            postalIban: optional(t.postal_iban),
            stamp: optional(t.stamp),
            status: t.status,
            transferMetadata: t.metadata,
            insertedDate: t.inserted_date,
            lastUpdatedDate: t.last_updated_date,
          })),
      }));
    const state: PositionState = { status: r.status, validityDate: r.validity_date, switchToExpired: r.switch_to_expired, options: paymentOption };
    return {
      id: r.id,
      iupd: r.iupd,
      organizationFiscalCode: institution.fiscalCode,
      type: r.type,
      fiscalCode: r.debtor_fiscal_code,
      fullName: r.full_name,
      streetName: optional(r.street_name),
      civicNumber: optional(r.civic_number),
      postalCode: optional(r.postal_code),
      city: optional(r.city),
      province: optional(r.province),
      region: optional(r.region),
      country: optional(r.country),
      email: optional(r.email),
      phone: optional(r.phone),
      payStandIn: r.pay_stand_in,
      switchToExpired: r.switch_to_expired,
      companyName: r.company_name,
      officeName: r.office_name,
      validityDate: r.validity_date,
      // The stored state may lag the clock (the sweeper runs every minute): answer with the state as of now.
      status: statusAsOf(state, now),
      insertedDate: r.inserted_date,
      publishDate: r.publish_date,
      lastUpdatedDate: r.last_updated_date,
      paymentDate: r.payment_date,
      paymentOption,
    };
  });
}

const POSITION_COLUMNS = sql`id, iupd, type, debtor_fiscal_code, full_name, street_name, civic_number, postal_code, city, province, region, country,
  email, phone, switch_to_expired, pay_stand_in, company_name, office_name, validity_date, status, inserted_date, publish_date, last_updated_date, payment_date`;

async function find(db: Executor, institution: Institution, iupd: string, now: Date, lock = false): Promise<DebtPosition | undefined> {
  const { rows } = await sql<PositionRow>`select ${POSITION_COLUMNS} from pagopa.debt_positions
    where institution_id = ${institution.id} and iupd = ${iupd} ${lock ? sql`for update` : sql``}`.execute(db);
  return (await load(db, institution, rows, now))[0];
}

export async function getPosition(db: Executor, institution: Institution, iupd: string, now = new Date()): Promise<DebtPosition> {
  const position = await find(db, institution, iupd, now);
  if (!position) throw notFound(iupd);
  return position;
}

const ORDER_COLUMNS = { INSERTED_DATE: 'inserted_date', IUPD: 'iupd', STATUS: 'status', COMPANY_NAME: 'company_name' } as const satisfies Record<(typeof ORDER_BY)[number], string>;

export interface ListFilter {
  limit: number;
  page: number;
  dueDateFrom?: string;
  dueDateTo?: string;
  paymentDateFrom?: string;
  paymentDateTo?: string;
  status?: DebtPositionStatus;
  orderBy: (typeof ORDER_BY)[number];
  ordering: 'ASC' | 'DESC';
}

export interface PositionPage {
  positions: DebtPosition[];
  itemsFound: number;
  totalPages: number;
}

/** Dates are calendar days in Italy, as the GPD filters are (yyyy-MM-dd); "to" includes its whole day. */
const dayStart = (day: string) => sql`(${day}::date::timestamp at time zone 'Europe/Rome')`;
const dayEnd = (day: string) => sql`((${day}::date + 1)::timestamp at time zone 'Europe/Rome')`;

export async function listPositions(db: Executor, institution: Institution, filter: ListFilter, now = new Date()): Promise<PositionPage> {
  if ((filter.dueDateFrom || filter.dueDateTo) && (filter.paymentDateFrom || filter.paymentDateTo)) {
    throw gpdProblem(400, 'DEBT_POSITION_REQUEST_DATA_ERROR', 'the due-date interval and the payment-date interval cannot be used together');
  }
  // The stored states must be current for a filter on them.
  if (filter.status) await advanceStatuses(db, now, institution.id);
  const conditions = [sql`p.institution_id = ${institution.id}`];
  if (filter.status) conditions.push(sql`p.status = ${filter.status}`);
  const optionWhere = [];
  if (filter.dueDateFrom) optionWhere.push(sql`o.due_date >= ${dayStart(filter.dueDateFrom)}`);
  if (filter.dueDateTo) optionWhere.push(sql`o.due_date < ${dayEnd(filter.dueDateTo)}`);
  if (filter.paymentDateFrom) optionWhere.push(sql`o.payment_date >= ${dayStart(filter.paymentDateFrom)}`);
  if (filter.paymentDateTo) optionWhere.push(sql`o.payment_date < ${dayEnd(filter.paymentDateTo)}`);
  if (optionWhere.length) conditions.push(sql`exists (select 1 from pagopa.payment_options o where o.position_id = p.id and ${sql.join(optionWhere, sql` and `)})`);
  const where = sql.join(conditions, sql` and `);
  const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from pagopa.debt_positions p where ${where}`.execute(db);
  const order = sql.raw(`p.${ORDER_COLUMNS[filter.orderBy]} ${filter.ordering === 'ASC' ? 'asc' : 'desc'}, p.id`);
  const { rows } = await sql<PositionRow>`select ${POSITION_COLUMNS} from pagopa.debt_positions p where ${where}
    order by ${order} limit ${filter.limit} offset ${filter.page * filter.limit}`.execute(db);
  const itemsFound = count[0]!.n;
  return { positions: await load(db, institution, rows, now), itemsFound, totalPages: Math.ceil(itemsFound / filter.limit) };
}

/** The payment option with this notice number, and its position. */
export async function getByNoticeNumber(db: Executor, institution: Institution, nav: string, now = new Date()): Promise<{ position: DebtPosition; option: PaymentOption }> {
  const parsed = parseNoticeNumber(nav);
  if (!parsed.ok) throw gpdProblem(400, 'PAYMENT_OPTION_NAV_INVALID', `Malformed notice number: ${parsed.message}`, [{ pointer: '/params/nav', code: parsed.reason, detail: parsed.message }]);
  const { rows } = await sql<PositionRow>`select ${POSITION_COLUMNS} from pagopa.debt_positions
    where id = (select position_id from pagopa.payment_options where institution_id = ${institution.id} and nav = ${parsed.value.noticeNumber})`.execute(db);
  const position = (await load(db, institution, rows, now))[0];
  const option = position?.paymentOption.find((o) => o.nav === parsed.value.noticeNumber);
  if (!position || !option) throw gpdProblem(404, 'PAYMENT_OPTION_NOT_FOUND', `No payment option with notice number ${parsed.value.noticeNumber} of this organization`);
  return { position, option };
}

// --- Writing ----------------------------------------------------------------------------------------

/** Refuses content GPD refuses: 400 for request data, 409 for duplicate metadata keys and IUVs. */
async function checkContent(db: Executor, institution: Institution, input: DebtPositionInput, now: Date): Promise<void> {
  const beneficiaries = input.paymentOption.flatMap((o) => o.transfer.map((t) => t.organizationFiscalCode ?? institution.fiscalCode));
  const registered = await ibansOf(db, beneficiaries);
  const problems = checkPositionContent(input, { now, organizationFiscalCode: institution.fiscalCode, generationPoint: generationPoint(institution), ibansOf: (cf) => registered.get(cf) });
  const debtor = checkDebtor(input.type, input.fiscalCode);
  if (debtor) problems.invalid.unshift(debtor);
  if (problems.invalid.length) throw gpdProblem(400, 'DEBT_POSITION_REQUEST_DATA_ERROR', 'The debt position contains invalid fields.', problems.invalid);
  if (problems.conflicts.length) throw gpdProblem(409, 'DEBT_POSITION_UNIQUE_VIOLATION', 'The debt position repeats what must be unique.', problems.conflicts);
}

/** Writes options and transfers; IUVs not given are drawn from the institution's sequence. */
async function insertOptions(tx: Executor, institution: Institution, positionId: string, input: DebtPositionInput): Promise<void> {
  const point = generationPoint(institution);
  const fresh = await nextIuvProgressives(tx, institution, input.paymentOption.filter((o) => o.iuv === undefined).length);
  for (const [index, option] of input.paymentOption.entries()) {
    const given = option.iuv === undefined ? undefined : noticeNumberOfIuv(point, option.iuv);
    if (given && !given.ok) throw new Error(`IUV ${option.iuv} passed checkContent but does not fit: ${given.message}`);
    const { iuv, noticeNumber } = given ? given.value : composeNoticeNumber(point, fresh.shift()!);
    // An IUV is issued once for ever: it may come back only in a rewrite of the same position.
    const { rows: issued } = await sql<{ iupd: string }>`
      insert into pagopa.issued_iuvs (institution_id, iuv, iupd) values (${institution.id}, ${iuv}, ${input.iupd})
      on conflict (institution_id, iuv) do update set iuv = excluded.iuv returning iupd`.execute(tx);
    if (issued[0]!.iupd !== input.iupd) throw gpdProblem(409, 'DEBT_POSITION_UNIQUE_VIOLATION', `The IUV ${iuv} has already been used by this organization`);
    const { rows } = await sql<{ id: string }>`
      insert into pagopa.payment_options (position_id, institution_id, iuv, nav, amount, description, is_partial_payment, due_date, retention_date, fee, metadata, position_index)
      values (${positionId}, ${institution.id}, ${iuv}, ${noticeNumber}, ${option.amount}, ${option.description}, ${option.isPartialPayment}, ${option.dueDate},
              ${option.retentionDate ?? null}, ${option.fee ?? 0}, ${JSON.stringify(option.paymentOptionMetadata ?? [])}::jsonb, ${index})
      returning id`.execute(tx);
    for (const t of option.transfer) {
      await sql`insert into pagopa.transfers (option_id, id_transfer, amount, organization_fiscal_code, company_name, remittance_information, category, iban, postal_iban, stamp, metadata)
        values (${rows[0]!.id}, ${t.idTransfer}, ${t.amount}, ${t.organizationFiscalCode ?? institution.fiscalCode}, ${t.companyName ?? null}, ${t.remittanceInformation},
                ${t.category}, ${t.iban?.replace(/\s+/g, '').toUpperCase() ?? null}, ${t.postalIban?.replace(/\s+/g, '').toUpperCase() ?? null},
                ${t.stamp ? JSON.stringify(t.stamp) : null}::jsonb, ${JSON.stringify(t.transferMetadata ?? [])}::jsonb)`.execute(tx);
    }
  }
}

const maxDueDate = (input: PositionInput) => new Date(Math.max(...input.paymentOption.map((o) => o.dueDate.getTime())));

function debtorColumns(input: DebtPositionInput) {
  return {
    type: input.type,
    debtor_fiscal_code: input.fiscalCode.toUpperCase(),
    full_name: input.fullName,
    street_name: input.streetName ?? null,
    civic_number: input.civicNumber ?? null,
    postal_code: input.postalCode ?? null,
    city: input.city ?? null,
    province: input.province ?? null,
    region: input.region ?? null,
    country: input.country ?? null,
    email: input.email ?? null,
    phone: input.phone ?? null,
    switch_to_expired: input.switchToExpired,
    pay_stand_in: input.payStandIn ?? true,
    company_name: input.companyName,
    office_name: input.officeName ?? null,
    validity_date: input.validityDate ?? null,
  };
}

/** Publishes the position inside the transaction that holds its row. */
async function publishLocked(tx: Executor, institution: Institution, position: DebtPosition, actor: Actor, now: Date): Promise<void> {
  const decision = decide(stateOf(position), 'publish', now);
  if (!decision.ok) throw refusal(decision);
  await sql`update pagopa.debt_positions set status = ${decision.status}, publish_date = ${now}, last_updated_date = ${now} where id = ${position.id}`.execute(tx);
  await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'debt-position.publish', targetType: 'debt_position', targetId: position.iupd, details: { status: decision.status }, requestId: actor.requestId });
}

export async function createPosition(db: Executor, actor: Actor, institution: Institution, input: DebtPositionInput, options: { toPublish: boolean; now?: Date }): Promise<DebtPosition> {
  const now = options.now ?? new Date();
  await checkContent(db, institution, input, now);
  return transaction(db, async (tx) => {
    const columns = debtorColumns(input);
    const { rows } = await sql<{ id: string }>`
      insert into pagopa.debt_positions (institution_id, iupd, status, inserted_date, last_updated_date, max_due_date, ${sql.join(Object.keys(columns).map((c) => sql.ref(c)))})
      values (${institution.id}, ${input.iupd}, 'DRAFT', ${now}, ${now}, ${maxDueDate(input)}, ${sql.join(Object.values(columns))})
      on conflict (institution_id, iupd) do nothing returning id`.execute(tx);
    const id = rows[0]?.id;
    if (!id) throw gpdProblem(409, 'DEBT_POSITION_UNIQUE_VIOLATION', `The organization already has a debt position ${input.iupd}`);
    await insertOptions(tx, institution, id, input);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'debt-position.create', targetType: 'debt_position', targetId: input.iupd, requestId: actor.requestId });
    if (options.toPublish) await publishLocked(tx, institution, (await find(tx, institution, input.iupd, now))!, actor, now);
    return (await find(tx, institution, input.iupd, now))!;
  });
}

/** Full replacement (GPD PUT): back to DRAFT, or published again with toPublish. */
export async function updatePosition(db: Executor, actor: Actor, institution: Institution, iupd: string, input: DebtPositionInput, options: { toPublish: boolean; now?: Date }): Promise<DebtPosition> {
  const now = options.now ?? new Date();
  if (input.iupd !== iupd) throw gpdProblem(400, 'DEBT_POSITION_REQUEST_DATA_ERROR', 'the iupd of the body differs from the one in the path', [{ pointer: '/body/iupd', code: 'mismatch', detail: `expected ${iupd}` }]);
  await checkContent(db, institution, input, now);
  return transaction(db, async (tx) => {
    const current = await find(tx, institution, iupd, now, true);
    if (!current) throw notFound(iupd);
    const decision = decide(stateOf(current), 'update', now);
    if (!decision.ok) throw refusal(decision);
    const columns = debtorColumns(input);
    await sql`update pagopa.debt_positions set
      ${sql.join(Object.entries(columns).map(([c, v]) => sql`${sql.ref(c)} = ${v}`))},
      status = ${decision.status}, publish_date = null, last_updated_date = ${now}, max_due_date = ${maxDueDate(input)}
      where id = ${current.id}`.execute(tx);
    await sql`delete from pagopa.payment_options where position_id = ${current.id}`.execute(tx);
    await insertOptions(tx, institution, current.id, input);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'debt-position.update', targetType: 'debt_position', targetId: iupd, requestId: actor.requestId });
    if (options.toPublish) await publishLocked(tx, institution, (await find(tx, institution, iupd, now))!, actor, now);
    return (await find(tx, institution, iupd, now))!;
  });
}

/** Publish or invalidate (GPD "actions"), under the position's row lock. */
export async function changeState(db: Executor, actor: Actor, institution: Institution, iupd: string, action: Extract<DebtPositionAction, 'publish' | 'invalidate'>, now = new Date()): Promise<DebtPosition> {
  return transaction(db, async (tx) => {
    const current = await find(tx, institution, iupd, now, true);
    if (!current) throw notFound(iupd);
    if (action === 'publish') {
      await publishLocked(tx, institution, current, actor, now);
    } else {
      const decision = decide(stateOf(current), 'invalidate', now);
      if (!decision.ok) throw refusal(decision);
      await sql`update pagopa.debt_positions set status = ${decision.status}, last_updated_date = ${now} where id = ${current.id}`.execute(tx);
      await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'debt-position.invalidate', targetType: 'debt_position', targetId: iupd, requestId: actor.requestId });
    }
    return (await find(tx, institution, iupd, now))!;
  });
}

export async function deletePosition(db: Executor, actor: Actor, institution: Institution, iupd: string, now = new Date()): Promise<void> {
  await transaction(db, async (tx) => {
    const current = await find(tx, institution, iupd, now, true);
    if (!current) throw notFound(iupd);
    const decision = decide(stateOf(current), 'delete', now);
    if (!decision.ok) throw refusal(decision);
    await sql`delete from pagopa.debt_positions where id = ${current.id}`.execute(tx);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'debt-position.delete', targetType: 'debt_position', targetId: iupd, requestId: actor.requestId });
  });
}

/** GPD setPaymentOptionAsAlreadyPaid: the institution records a payment of this notice made outside pagoPA. */
export async function markOptionPaid(db: Executor, actor: Actor, institution: Institution, nav: string, paymentDate: Date, now = new Date()): Promise<DebtPosition> {
  const { position, option: target } = await getByNoticeNumber(db, institution, nav, now);
  return transaction(db, async (tx) => {
    const current = await find(tx, institution, position.iupd, now, true);
    const option = current?.paymentOption.find((o) => o.iuv === target.iuv);
    if (!current || !option) throw gpdProblem(404, 'PAYMENT_OPTION_NOT_FOUND', `No payment option with notice number ${target.nav} of this organization`);
    const decision = payOption(stateOf(current), option.iuv, now);
    if (!decision.ok) throw refusal(decision);
    await sql`update pagopa.payment_options set status = 'PO_PAID', payment_date = ${paymentDate}, payment_method = 'OTHER', last_updated_date = ${now}
      where institution_id = ${institution.id} and iuv = ${option.iuv}`.execute(tx);
    await sql`update pagopa.debt_positions set status = ${decision.status}, last_updated_date = ${now},
      payment_date = ${decision.status === 'PAID' ? paymentDate : null} where id = ${current.id}`.execute(tx);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'payment-option.mark-paid', targetType: 'payment_option', targetId: option.nav, details: { iupd: current.iupd, status: decision.status }, requestId: actor.requestId });
    return (await find(tx, institution, current.iupd, now))!;
  });
}

/** Stores the time-driven states (PUBLISHED → VALID, VALID → EXPIRED) decided by statusAsOf; returns how many changed. */
export async function advanceStatuses(db: Executor, now = new Date(), institutionId?: string): Promise<number> {
  const scope = institutionId ? sql`and institution_id = ${institutionId}` : sql``;
  const { rows } = await sql<{ id: string; status: DebtPositionStatus; validity_date: Date | null; switch_to_expired: boolean }>`
    select id, status, validity_date, switch_to_expired from pagopa.debt_positions
    where ((status = 'PUBLISHED' and (validity_date is null or validity_date <= ${now}))
       or (status = 'VALID' and switch_to_expired and max_due_date < ${now})) ${scope}
    limit 1000`.execute(db);
  let changed = 0;
  for (const row of rows) {
    const { rows: options } = await sql<{ iuv: string; is_partial_payment: boolean; due_date: Date; status: PaymentOptionStatus }>`
      select iuv, is_partial_payment, due_date, status from pagopa.payment_options where position_id = ${row.id}`.execute(db);
    const state: PositionState = {
      status: row.status,
      validityDate: row.validity_date,
      switchToExpired: row.switch_to_expired,
      options: options.map((o) => ({ iuv: o.iuv, isPartialPayment: o.is_partial_payment, dueDate: o.due_date, status: o.status })),
    };
    const next = statusAsOf(state, now);
    if (next === row.status) continue;
    const { numAffectedRows } = await sql`update pagopa.debt_positions set status = ${next}, last_updated_date = ${now} where id = ${row.id} and status = ${row.status}`.execute(db);
    changed += Number(numAffectedRows ?? 0);
  }
  return changed;
}
