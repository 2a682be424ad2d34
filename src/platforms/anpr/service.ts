// Registry-office operations (ufficio anagrafe): each one checks the officer's scope and the rules, then
// appends dated events (and writes the audit log) in one transaction. Officers act for one comune (ISTAT
// code) and write only the records of that comune's residents (policy.ts).
import { audit } from '../../core/audit.ts';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { isIsoDate, todayUtc, type IsoDate } from '../../domain/dates.ts';
import { normalizePhone } from '../../domain/contacts.ts';
import { computeFiscalCode, MAX_OMOCODIA_LEVEL, type Sex } from '../../domain/fiscal-code.ts';
import { municipalityByIstat } from '../../domain/municipalities.ts';
import { CHILD, HEAD, isCivilStatusCode, type CivilStatusCode, type RelationshipCode } from './codes.ts';
import { placeOfBelfiore } from './generator.ts';
import { familyIdOf, idAnprOf } from './id.ts';
import { contactsOf, personAsOf, type Address, type AnprEvent, type AnprEventData, type Contacts, type Generalita, type PersonState } from './model.ts';
import { mayWriteRecord, type Officer } from './policy.ts';
import { canStillReject, checkEvent, declarationStateAt, type DeclarationState, type RuleViolation } from './rules.ts';
import { SCHEMA } from './schema.ts';
import { appendEvents, idByFiscalCode, loadEvents, nextFamilySerial, nextPersonSerial, personRow, readFamilyAsOf } from './store.ts';

export type { Officer } from './policy.ts';

const t = (name: string) => sql.table(`${SCHEMA}.${name}`);

export type AnprErrorCode = 'not-found' | 'forbidden' | 'rule' | 'conflict';

/** A refused operation: `violations` say which rules, for the HTTP layer and the officer pages. */
export class AnprError extends Error {
  constructor(
    readonly code: AnprErrorCode,
    message: string,
    readonly violations: readonly RuleViolation[] = [],
  ) {
    super(message);
    this.name = 'AnprError';
  }
}

export interface OperationOptions {
  /** The day the office records the operation (default: today, UTC). */
  today?: IsoDate;
  requestId?: string;
}

type NewEvent = AnprEventData & { effectiveDate: IsoDate };

async function stateOf(db: Executor, idAnpr: string, on: IsoDate): Promise<PersonState> {
  const state = personAsOf(await loadEvents(db, idAnpr), on);
  if (!state) throw new AnprError('not-found', `no scheda anagrafica ${idAnpr} on ${on}`);
  return state;
}

/** The state on a date, or (for a date before the record starts) the state at its start, for the rules to judge. */
function stateNear(events: readonly AnprEvent[], on: IsoDate): PersonState | undefined {
  const state = personAsOf(events, on);
  if (state) return state;
  const start = events.find((e) => e.type === 'registered')?.effectiveDate;
  return start ? personAsOf(events, start) : undefined;
}

async function requireWritable(db: Executor, officer: Officer, idAnpr: string): Promise<void> {
  const row = await personRow(db, idAnpr);
  if (!row) throw new AnprError('not-found', `no scheda anagrafica ${idAnpr}`);
  if (!mayWriteRecord(officer, row)) throw new AnprError('forbidden', `${idAnpr} is not a resident of the comune ${officer.istatCode}`);
}

function check(before: PersonState | undefined, e: NewEvent, today: IsoDate): void {
  const violations = checkEvent(before, e, today);
  if (violations.length) throw new AnprError('rule', violations.map((v) => v.message).join('; '), violations);
}

/** Checks every event of one person in order against the state it builds, then appends them (recordedBy: a comune's ISTAT code). */
async function record(tx: Executor, recordedBy: string, idAnpr: string, events: NewEvent[], today: IsoDate): Promise<PersonState> {
  const existing = await loadEvents(tx, idAnpr);
  const staged = [...existing];
  for (const e of events) {
    const before = e.type === 'registered' ? personAsOf(staged, e.effectiveDate) : stateNear(staged, e.effectiveDate);
    check(before, e, today);
    staged.push({ ...e, seq: Number.MAX_SAFE_INTEGER, idAnpr, recordedAt: new Date().toISOString(), recordedBy } as never);
  }
  return appendEvents(tx, idAnpr, events, recordedBy);
}

/** Who acts, for the audit log: an officer of a comune, or a citizen online (tenant: the comune concerned). */
interface Actor {
  type: 'operator' | 'citizen';
  id: string;
  tenantId: string;
}

const officerActor = (officer: Officer): Actor => ({ type: 'operator', id: officer.id, tenantId: officer.istatCode });

async function auditOp(tx: Executor, actor: Officer | Actor, action: string, targetId: string, details: Record<string, unknown>, options: OperationOptions) {
  const a = 'type' in actor ? actor : officerActor(actor);
  await audit(tx, SCHEMA, { actorType: a.type, actorId: a.id, tenantId: a.tenantId, action, targetType: 'person', targetId, details, requestId: options.requestId });
}

async function fiscalCodeFree(db: Executor, data: Omit<Generalita, 'fiscalCode'>): Promise<string> {
  for (let level = 0; level <= MAX_OMOCODIA_LEVEL; level++) {
    const r = computeFiscalCode({ ...data, birthplaceCode: data.birthPlace.belfioreCode, omocodiaLevel: level });
    if (!r.ok) throw new AnprError('rule', r.message, [{ rule: r.reason, message: r.message }]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${t('persons')} where fiscal_code = ${r.value}`.execute(db);
    if (rows[0]!.n === 0) return r.value;
  }
  throw new AnprError('conflict', 'every omocodia variant of this fiscal code is taken');
}

// --- Birth ------------------------------------------------------------------------------------------------

export interface BirthInput {
  givenName: string;
  /** Default: the father's surname, else the mother's. */
  familyName?: string;
  sex: Sex;
  birthDate: IsoDate;
  /** Belfiore code of the comune (or foreign state) of birth; default the officer's comune. */
  birthplaceCode?: string;
  motherId?: string | null;
  fatherId?: string | null;
}

/**
 * Registers a birth (DPR 223/1989 art. 7 c.1 a): a new scheda with a computed fiscal code, in the family of
 * the mother (or the father), as the head's child or grandchild. Returns the newborn's state.
 */
export async function registerBirth(db: Executor, officer: Officer, input: BirthInput, options: OperationOptions = {}): Promise<PersonState> {
  const today = options.today ?? todayUtc();
  return transaction(db, async (tx) => {
    const parentIds = [input.motherId, input.fatherId].filter((x): x is string => !!x);
    if (!parentIds.length) throw new AnprError('rule', 'a birth is registered with at least one parent', [{ rule: 'no-parent', field: 'motherId', message: 'mother or father required' }]);
    const parents = new Map<string, PersonState>();
    for (const id of parentIds) parents.set(id, await stateOf(tx, id, input.birthDate));
    const mother = input.motherId ? parents.get(input.motherId) : undefined;
    const father = input.fatherId ? parents.get(input.fatherId) : undefined;
    const home = [mother, father].find((p) => p?.status === 'resident' && p.family);
    if (!home?.family || !home.residence) throw new AnprError('rule', 'no parent is resident in a famiglia anagrafica', [{ rule: 'no-resident-parent', message: 'no resident parent' }]);
    await requireWritable(tx, officer, home.idAnpr);
    const relationship: RelationshipCode = home.family.relationship === HEAD || home.family.relationship === '2' || home.family.relationship === '23' ? CHILD : home.family.relationship === CHILD ? '4' : '13';
    const comune = municipalityByIstat(officer.istatCode)!;
    const birthPlace = placeOfBelfiore(input.birthplaceCode ?? comune.belfioreCode);
    const familyName = input.familyName ?? father?.familyName ?? mother!.familyName;
    const data = { givenName: input.givenName, familyName, sex: input.sex, birthDate: input.birthDate, birthPlace };
    if (!isIsoDate(input.birthDate)) throw new AnprError('rule', 'invalid birth date', [{ rule: 'invalid-date', field: 'birthDate', message: 'YYYY-MM-DD' }]);
    const fiscalCode = await fiscalCodeFree(tx, data);
    // Citizenship by birth from an Italian parent (L. 91/1992 art. 1 c.1 a); otherwise the parents'.
    const parentCitizenships = [...parents.values()].flatMap((p) => p.citizenships);
    const citizenships = parentCitizenships.includes('IT') ? ['IT'] : [...new Set(parentCitizenships)];
    const idAnpr = idAnprOf(await nextPersonSerial(tx));
    const { since: _since, ...address } = home.residence;
    const state = await record(tx, officer.istatCode, idAnpr, [
      {
        type: 'registered',
        effectiveDate: input.birthDate,
        reason: 'birth',
        generalita: { fiscalCode, ...data },
        citizenships,
        civilStatus: '1',
        fatherId: input.fatherId ?? null,
        motherId: input.motherId ?? null,
        residence: address,
        family: { familyId: home.family.familyId, relationship },
      },
    ], today);
    await auditOp(tx, officer, 'person.birth', idAnpr, { fiscalCode, familyId: home.family.familyId }, options);
    return state;
  });
}

// --- Death --------------------------------------------------------------------------------------------------

/**
 * Registers a death (DPR 223/1989 art. 11 c.1 a): the record ends. The spouse becomes widowed (c.c. art. 149);
 * when the deceased headed the family, the spouse, else the eldest member, becomes intestatario
 * (relationships of the others are left as they were [simplified: ANPR recodes them to the new head]).
 */
export async function registerDeath(db: Executor, officer: Officer, input: { idAnpr: string; date: IsoDate; placeIstatCode?: string | null }, options: OperationOptions = {}): Promise<PersonState> {
  const today = options.today ?? todayUtc();
  if (input.placeIstatCode && !municipalityByIstat(input.placeIstatCode)) {
    throw new AnprError('rule', `no comune has ISTAT code ${input.placeIstatCode}`, [{ rule: 'unknown-place', field: 'placeIstatCode', message: 'unknown comune' }]);
  }
  return transaction(db, async (tx) => {
    await requireWritable(tx, officer, input.idAnpr);
    const before = stateNear(await loadEvents(tx, input.idAnpr), input.date);
    if (!before) throw new AnprError('not-found', `no scheda anagrafica ${input.idAnpr}`);
    const state = await record(tx, officer.istatCode, input.idAnpr, [{ type: 'died', effectiveDate: input.date, placeIstatCode: input.placeIstatCode ?? null }], today);
    if (before.spouseId && before.civilStatus.code === '2') {
      const spouse = personAsOf(await loadEvents(tx, before.spouseId), input.date);
      if (spouse && spouse.status !== 'deceased' && spouse.spouseId === input.idAnpr) {
        await record(tx, officer.istatCode, spouse.idAnpr, [{ type: 'civil-status-changed', effectiveDate: input.date, civilStatus: '3' }], today);
      }
    }
    if (before.family?.relationship === HEAD) {
      const members = (await readFamilyAsOf(tx, before.family.familyId, input.date)).filter((m) => m.person.idAnpr !== input.idAnpr);
      const next = members.find((m) => m.person.idAnpr === before.spouseId) ?? [...members].sort((a, b) => a.person.birthDate.localeCompare(b.person.birthDate))[0];
      if (next) await record(tx, officer.istatCode, next.person.idAnpr, [{ type: 'family-changed', effectiveDate: input.date, familyId: before.family.familyId, relationship: HEAD }], today);
    }
    await auditOp(tx, officer, 'person.death', input.idAnpr, { date: input.date }, options);
    return state;
  });
}

// --- Civil status ---------------------------------------------------------------------------------------

/** Records a change of civil status (marriage, divorce, widowhood, civil union...) from a date. */
export async function changeCivilStatus(
  db: Executor,
  officer: Officer,
  input: { idAnpr: string; civilStatus: CivilStatusCode; date: IsoDate; spouseId?: string | null },
  options: OperationOptions = {},
): Promise<PersonState> {
  const today = options.today ?? todayUtc();
  if (!isCivilStatusCode(input.civilStatus)) throw new AnprError('rule', `unknown civil status ${input.civilStatus}`, [{ rule: 'unknown-civil-status', field: 'civilStatus', message: 'unknown code' }]);
  return transaction(db, async (tx) => {
    await requireWritable(tx, officer, input.idAnpr);
    const state = await record(tx, officer.istatCode, input.idAnpr, [{ type: 'civil-status-changed', effectiveDate: input.date, civilStatus: input.civilStatus, spouseId: input.spouseId ?? null }], today);
    await auditOp(tx, officer, 'person.civil-status', input.idAnpr, { civilStatus: input.civilStatus, date: input.date }, options);
    return state;
  });
}

// --- Change of residence -------------------------------------------------------------------------------

export interface ResidenceDeclarationInput {
  declarantId: string;
  /** Date of the declaration: the change holds from it (DL 5/2012 art. 5). */
  date: IsoDate;
  address: Address;
  /** Who moves with the declarant: only members of the declarant's famiglia anagrafica. */
  movers?: string[];
}

export interface ResidenceDeclaration {
  id: string;
  declarantId: string;
  istatCode: string;
  declaredOn: IsoDate;
  address: Address;
  movers: string[];
  familyId: string;
  decision: { state: 'confirmed' | 'rejected'; on: IsoDate; reason?: string } | null;
  /** The effective state on the day it was read (45-day silence applied). */
  state: DeclarationState;
  /** Filed at the registry office (filedBy: the officer) or online by the declarant (filedBy: their fiscal code). */
  channel: 'office' | 'online';
  filedBy: string;
}

function relationshipToNewHead(declarant: PersonState, mover: PersonState): RelationshipCode {
  if (mover.idAnpr === declarant.idAnpr) return HEAD;
  if (declarant.family?.relationship === HEAD && mover.family) return mover.family.relationship;
  if (declarant.spouseId === mover.idAnpr) return '2';
  if (mover.fatherId === declarant.idAnpr || mover.motherId === declarant.idAnpr) return CHILD;
  if (declarant.fatherId === mover.idAnpr || declarant.motherId === mover.idAnpr) return '6';
  return '13'; // altro parente [simplified: ANPR would code the exact degree]
}

/** Who files a declaration: the registry office of the destination comune, or the declarant online. */
export type DeclarationFiler = { kind: 'officer'; officer: Officer } | { kind: 'citizen'; fiscalCode: string };

/**
 * Records a declaration of change of residence (DPR 223/1989 art. 13 c.1 a-b; DL 5/2012 art. 5), made to
 * the comune of the new residence, so the officer must belong to it. The declarant and the members of their
 * family who move with them change residence from the declaration date; who does not belong to the
 * declarant's family is refused. If the whole family moves it keeps its id; otherwise the movers form a new
 * family headed by the declarant.
 */
export async function declareResidenceChange(db: Executor, officer: Officer, input: ResidenceDeclarationInput, options: OperationOptions = {}): Promise<ResidenceDeclaration> {
  const today = options.today ?? todayUtc();
  return transaction(db, async (tx) => {
    if (input.address.istatCode !== officer.istatCode) {
      throw new AnprError('forbidden', `the declaration is made to the comune of the new residence (${input.address.istatCode}), not ${officer.istatCode}`);
    }
    return fileDeclaration(tx, { kind: 'officer', officer }, input, today, options);
  });
}

/**
 * The same declaration made online by the declarant (the ANPR portal's "cambio di residenza"): dated the day
 * it is made, from which it holds (DL 5/2012 art. 5), for the citizen and the members of their family who
 * move with them; addressed to the comune of the new address, whose office confirms it or rejects it within
 * 45 days (silence confirms it).
 */
export async function declareResidenceChangeOnline(
  db: Executor,
  citizen: { fiscalCode: string },
  input: { address: Address; movers?: string[] },
  options: OperationOptions = {},
): Promise<ResidenceDeclaration> {
  const today = options.today ?? todayUtc();
  return transaction(db, async (tx) => {
    const declarantId = await idByFiscalCode(tx, citizen.fiscalCode);
    if (!declarantId) throw new AnprError('not-found', 'the citizen has no scheda anagrafica');
    return fileDeclaration(tx, { kind: 'citizen', fiscalCode: citizen.fiscalCode }, { declarantId, date: today, address: input.address, movers: input.movers }, today, options);
  });
}

/** The declaration itself, whoever files it; the events are recorded for the destination comune. */
async function fileDeclaration(tx: Executor, filer: DeclarationFiler, input: ResidenceDeclarationInput, today: IsoDate, options: OperationOptions): Promise<ResidenceDeclaration> {
  const istatCode = input.address.istatCode;
  const declarant = await stateOf(tx, input.declarantId, input.date);
  if (declarant.status === 'deceased') throw new AnprError('rule', 'the declarant is deceased', [{ rule: 'deceased', field: 'declarantId', message: 'deceased' }]);
  const family = declarant.family ? await readFamilyAsOf(tx, declarant.family.familyId, input.date) : [];
  const memberIds = new Set(family.map((m) => m.person.idAnpr));
  const movers = [...new Set([input.declarantId, ...(input.movers ?? [])])];
  const outsiders = movers.filter((id) => id !== input.declarantId && !memberIds.has(id));
  if (outsiders.length) {
    // DPR 223/1989 art. 6 and 13: a declarant declares for themselves and the members of their own family.
    throw new AnprError(
      'rule',
      `not members of the declarant's family: ${outsiders.join(', ')}`,
      outsiders.map((id) => ({ rule: 'mover-not-in-family', field: 'movers', message: `${id} is not a member of the declarant's famiglia anagrafica` })),
    );
  }
  const wholeFamily = declarant.family && family.every((m) => movers.includes(m.person.idAnpr)) && declarant.family.relationship === HEAD;
  const familyId = wholeFamily ? declarant.family!.familyId : familyIdOf(await nextFamilySerial(tx));
  const [channel, filedBy] = filer.kind === 'officer' ? ['office', filer.officer.id] : ['online', filer.fiscalCode];
  const { rows } = await sql<{ id: string }>`insert into ${t('residence_declarations')} (declarant_id, istat_code, declared_on, address, movers, family_id, created_by, channel)
    values (${input.declarantId}, ${istatCode}, ${input.date}, ${JSON.stringify(input.address)}::jsonb, ${movers}::text[], ${familyId}, ${filedBy}, ${channel}) returning id`.execute(tx);
  const declarationId = rows[0]!.id;
  for (const id of movers) {
    const mover = id === declarant.idAnpr ? declarant : family.find((m) => m.person.idAnpr === id)!.person;
    const relationship = wholeFamily ? mover.family!.relationship : relationshipToNewHead(declarant, mover);
    await record(tx, istatCode, id, [{ type: 'residence-changed', effectiveDate: input.date, address: input.address, family: { familyId, relationship }, declarationId }], today);
  }
  const actor: Officer | Actor = filer.kind === 'officer' ? filer.officer : { type: 'citizen', id: filer.fiscalCode, tenantId: istatCode };
  await auditOp(tx, actor, 'residence.declare', input.declarantId, { declarationId, movers, familyId, channel }, options);
  return (await getResidenceDeclaration(tx, declarationId, today))!;
}

interface DeclarationRow {
  id: string;
  declarant_id: string;
  istat_code: string;
  declared_on: string;
  address: Address;
  movers: string[];
  family_id: string;
  decision: 'confirmed' | 'rejected' | null;
  decided_on: string | null;
  reason: string | null;
  channel: 'office' | 'online';
  created_by: string;
}

function toDeclaration(r: DeclarationRow, on: IsoDate): ResidenceDeclaration {
  const decision = r.decision ? { state: r.decision, on: r.decided_on!, ...(r.reason ? { reason: r.reason } : {}) } : null;
  return {
    id: r.id,
    declarantId: r.declarant_id,
    istatCode: r.istat_code,
    declaredOn: r.declared_on,
    address: r.address,
    movers: r.movers,
    familyId: r.family_id,
    decision,
    state: declarationStateAt({ declaredOn: r.declared_on, decision }, on),
    channel: r.channel,
    filedBy: r.created_by,
  };
}

export async function getResidenceDeclaration(db: Executor, id: string, on: IsoDate = todayUtc()): Promise<ResidenceDeclaration | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await sql<DeclarationRow>`select * from ${t('residence_declarations')} where id = ${id}`.execute(db);
  return rows[0] ? toDeclaration(rows[0], on) : undefined;
}

/** A comune's declarations, newest first, with their effective state on `on`. */
export async function listResidenceDeclarations(db: Executor, istatCode: string, on: IsoDate = todayUtc(), limit = 50): Promise<ResidenceDeclaration[]> {
  const { rows } = await sql<DeclarationRow>`select * from ${t('residence_declarations')} where istat_code = ${istatCode} order by declared_on desc, created_at desc limit ${limit}`.execute(db);
  return rows.map((r) => toDeclaration(r, on));
}

/** The declarations a person made or was moved by (as declarant or mover), newest first. */
export async function listDeclarationsOf(db: Executor, idAnpr: string, on: IsoDate = todayUtc(), limit = 50): Promise<ResidenceDeclaration[]> {
  const { rows } = await sql<DeclarationRow>`select * from ${t('residence_declarations')} where declarant_id = ${idAnpr} or ${idAnpr} = any(movers)
    order by declared_on desc, created_at desc limit ${limit}`.execute(db);
  return rows.map((r) => toDeclaration(r, on));
}

/**
 * Confirms or rejects a declaration after the checks on actual dwelling (DPR 223/1989 art. 19). A rejection
 * is possible only within 45 days (after that silence has confirmed it, DL 5/2012 art. 5) and annuls the
 * change ex tunc: the movers' previous residence and family hold again, as if never changed.
 */
export async function decideResidenceDeclaration(
  db: Executor,
  officer: Officer,
  input: { declarationId: string; decision: 'confirmed' | 'rejected'; date: IsoDate; reason?: string },
  options: OperationOptions = {},
): Promise<ResidenceDeclaration> {
  const today = options.today ?? todayUtc();
  return transaction(db, async (tx) => {
    const { rows } = await sql<DeclarationRow>`select * from ${t('residence_declarations')} where id = ${input.declarationId} for update`.execute(tx);
    const row = rows[0];
    if (!row) throw new AnprError('not-found', `no declaration ${input.declarationId}`);
    if (row.istat_code !== officer.istatCode) throw new AnprError('forbidden', 'the declaration belongs to another comune');
    const current = toDeclaration(row, input.date);
    if (current.decision) throw new AnprError('conflict', `already ${current.decision.state} on ${current.decision.on}`);
    if (input.decision === 'rejected') {
      if (!input.reason?.trim()) throw new AnprError('rule', 'a rejection states its reason', [{ rule: 'reason-required', field: 'reason', message: 'reason required' }]);
      if (!canStillReject(current, input.date)) {
        throw new AnprError('rule', 'more than 45 days have passed: the declaration stands (silenzio-assenso)', [{ rule: 'silence-confirmed', field: 'date', message: 'confirmed by silence' }]);
      }
      for (const id of row.movers) {
        await record(tx, officer.istatCode, id, [{ type: 'residence-change-annulled', effectiveDate: input.date, declarationId: row.id, reason: input.reason }], today);
      }
    }
    await sql`update ${t('residence_declarations')} set decision = ${input.decision}, decided_on = ${input.date}, reason = ${input.reason ?? null}, decided_by = ${officer.id}
      where id = ${row.id}`.execute(tx);
    await auditOp(tx, officer, `residence.${input.decision === 'confirmed' ? 'confirm' : 'reject'}`, row.declarant_id, { declarationId: row.id, reason: input.reason }, options);
    return (await getResidenceDeclaration(tx, row.id, input.date))!;
  });
}

// --- Rectification -------------------------------------------------------------------------------------

export type RectifiableFields = Partial<Pick<Generalita, 'givenName' | 'familyName' | 'sex' | 'birthDate'>> & { birthplaceCode?: string };

export interface RectificationRequest {
  id: string;
  idAnpr: string;
  istatCode: string;
  requestedOn: IsoDate;
  fields: RectifiableFields;
  motivation: string;
  state: 'pending' | 'accepted' | 'rejected';
  decidedOn: IsoDate | null;
  reason: string | null;
}

interface RectificationRow {
  id: string;
  id_anpr: string;
  istat_code: string;
  requested_on: string;
  fields: RectifiableFields;
  motivation: string;
  state: 'pending' | 'accepted' | 'rejected';
  decided_on: string | null;
  reason: string | null;
}

const toRectification = (r: RectificationRow): RectificationRequest => ({
  id: r.id,
  idAnpr: r.id_anpr,
  istatCode: r.istat_code,
  requestedOn: r.requested_on,
  fields: r.fields,
  motivation: r.motivation,
  state: r.state,
  decidedOn: r.decided_on,
  reason: r.reason,
});

/**
 * A request to correct material errors in the generalità (the ANPR portal's "rettifica dati"), addressed to
 * the comune that keeps the record. `requestedBy` is the citizen's fiscal code or the officer's id.
 */
export async function requestRectification(
  db: Executor,
  input: { idAnpr: string; fields: RectifiableFields; motivation: string; requestedBy: string; date?: IsoDate },
): Promise<RectificationRequest> {
  const row = await personRow(db, input.idAnpr);
  if (!row) throw new AnprError('not-found', `no scheda anagrafica ${input.idAnpr}`);
  if (!Object.keys(input.fields).length) throw new AnprError('rule', 'nothing to correct', [{ rule: 'no-fields', field: 'fields', message: 'empty' }]);
  const { rows } = await sql<RectificationRow>`insert into ${t('rectification_requests')} (id_anpr, istat_code, requested_on, fields, motivation, created_by)
    values (${input.idAnpr}, ${row.comune_istat}, ${input.date ?? todayUtc()}, ${JSON.stringify(input.fields)}::jsonb, ${input.motivation}, ${input.requestedBy}) returning *`.execute(db);
  return toRectification(rows[0]!);
}

export async function listRectifications(db: Executor, filter: { istatCode?: string; idAnpr?: string }): Promise<RectificationRequest[]> {
  const { rows } = await sql<RectificationRow>`select * from ${t('rectification_requests')}
    where (${filter.istatCode ?? null}::text is null or istat_code = ${filter.istatCode ?? null})
      and (${filter.idAnpr ?? null}::text is null or id_anpr = ${filter.idAnpr ?? null})
    order by created_at desc limit 100`.execute(db);
  return rows.map(toRectification);
}

export async function getRectification(db: Executor, id: string): Promise<RectificationRequest | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await sql<RectificationRow>`select * from ${t('rectification_requests')} where id = ${id}`.execute(db);
  return rows[0] && toRectification(rows[0]);
}

/**
 * Accepts or rejects a rectification. Accepted corrections hold ab origine (a `rectified` event); when they
 * change the data a fiscal code is made of, the code is recomputed (DPR 605/1973; omocodia if taken).
 */
export async function decideRectification(
  db: Executor,
  officer: Officer,
  input: { requestId: string; accept: boolean; reason?: string; date: IsoDate },
  options: OperationOptions = {},
): Promise<RectificationRequest> {
  const today = options.today ?? todayUtc();
  return transaction(db, async (tx) => {
    if (!/^[0-9a-f-]{36}$/i.test(input.requestId)) throw new AnprError('not-found', 'no such request');
    const { rows } = await sql<RectificationRow>`select * from ${t('rectification_requests')} where id = ${input.requestId} for update`.execute(tx);
    const req = rows[0];
    if (!req) throw new AnprError('not-found', 'no such request');
    await requireWritable(tx, officer, req.id_anpr);
    if (req.state !== 'pending') throw new AnprError('conflict', `already ${req.state}`);
    if (input.accept) {
      const before = await stateOf(tx, req.id_anpr, today);
      const { birthplaceCode, ...rest } = req.fields;
      const corrected: Partial<Generalita> = { ...rest, ...(birthplaceCode ? { birthPlace: placeOfBelfiore(birthplaceCode) } : {}) };
      const merged = { ...before, ...corrected };
      const r = computeFiscalCode({ ...merged, birthplaceCode: merged.birthPlace.belfioreCode });
      const sameBase = r.ok && before.fiscalCode.slice(0, 11) === r.value.slice(0, 11) && before.birthPlace.belfioreCode === merged.birthPlace.belfioreCode;
      const fields = sameBase ? corrected : { ...corrected, fiscalCode: await fiscalCodeFree(tx, merged) };
      await record(tx, officer.istatCode, req.id_anpr, [{ type: 'rectified', effectiveDate: input.date, fields, requestId: req.id }], today);
    } else if (!input.reason?.trim()) {
      throw new AnprError('rule', 'a rejection states its reason', [{ rule: 'reason-required', field: 'reason', message: 'reason required' }]);
    }
    const { rows: updated } = await sql<RectificationRow>`update ${t('rectification_requests')}
      set state = ${input.accept ? 'accepted' : 'rejected'}, decided_on = ${input.date}, reason = ${input.reason ?? null}, decided_by = ${officer.id}
      where id = ${req.id} returning *`.execute(tx);
    await auditOp(tx, officer, `rectification.${input.accept ? 'accept' : 'reject'}`, req.id_anpr, { requestId: req.id }, options);
    return toRectification(updated[0]!);
  });
}

// --- Contacts -----------------------------------------------------------------------------------------------

/**
 * The e-mail and phone a citizen gives ANPR from the citizen area (empty = none): a `contacts-changed` event
 * recorded 'online', which the registry office reads with the record (model.ts contactsOf).
 */
export async function changeContacts(
  db: Executor,
  citizen: { fiscalCode: string },
  input: { email: string | null; phone: string | null },
  options: OperationOptions = {},
): Promise<Contacts | null> {
  const today = options.today ?? todayUtc();
  const email = input.email?.trim().toLowerCase() || null;
  const phone = input.phone?.trim() ? normalizePhone(input.phone) : null;
  return transaction(db, async (tx) => {
    const idAnpr = await idByFiscalCode(tx, citizen.fiscalCode);
    const row = idAnpr ? await personRow(tx, idAnpr) : undefined;
    if (!idAnpr || !row) throw new AnprError('not-found', 'the citizen has no scheda anagrafica');
    await record(tx, 'online', idAnpr, [{ type: 'contacts-changed', effectiveDate: today, email, phone }], today);
    await auditOp(tx, { type: 'citizen', id: citizen.fiscalCode, tenantId: row.comune_istat }, 'person.contacts', idAnpr, { email: !!email, phone: !!phone }, options);
    return contactsOf(await loadEvents(tx, idAnpr));
  });
}
