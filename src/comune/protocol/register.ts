// The built-in protocol register of each ente (its AOO): gapless numbering per calendar year under
// concurrency, the art. 53 fields, the documents' SHA-256 and the segnatura, append-only.
import { dateInItaly } from '../../domain/dates.ts';
import { sql, type Executor } from '../../core/db.ts';
import { audit, type ActorType } from '../../core/audit.ts';
import { conflict, invalid, notFound } from '../../core/problem.ts';
import type { DocumentStore } from './files.ts';
import { segnaturaXml, type Correspondent } from './segnatura.ts';

export type Direction = 'incoming' | 'outgoing';

export interface RegisterDocument {
  name: string;
  mime: string;
  data: Uint8Array;
}

export interface RegisterInput {
  direction: Direction;
  subject: string;
  /** Sender of an incoming document, addressee of an outgoing one (DPR 445/2000 art. 53 c.1 c). */
  correspondent: Correspondent;
  /** Titolario code, e.g. "VI.3". */
  classification: string;
  /** The primary document first, then its attachments. */
  documents: readonly RegisterDocument[];
  /** The earlier registration this one follows up (an integration to its application, a reply to it). */
  linkedTo?: LinkedRegistration | null;
}

/** A registration by its identifiers in whichever register gave it (an external system's id is not a uuid). */
export interface LinkedRegistration {
  id: string;
  number: number;
  year: number;
}

export interface Registration {
  id: string;
  number: number;
  year: number;
  registeredAt: Date;
}

export interface RegisterOptions {
  store: DocumentStore;
  /** The system's clock (art. 53: the date is assigned by the system); injectable for tests. */
  now?: () => Date;
}


export interface EnteRow {
  name: string;
  fiscal_code: string;
  ipa_code: string;
  aoo_code: string | null;
  register_code: string | null;
}

export async function ente(tx: Executor, tenantId: string): Promise<EnteRow> {
  const { rows } = await sql<EnteRow>`
    select t.name, t.fiscal_code, t.ipa_code, s.aoo_code, s.register_code
    from comune.tenants t left join comune.protocol_settings s on s.tenant_id = t.id
    where t.id = ${tenantId}`.execute(tx);
  if (!rows[0]) throw notFound('No such ente.');
  return rows[0];
}

/**
 * Registers a document (DPR 445/2000 art. 53 c.1: number, date, correspondent, subject, fingerprint of
 * the documents) in the caller's transaction. The number comes from the ente's counter row for the
 * year, locked until the transaction ends: concurrent registrations queue, and a rollback gives the
 * number back, so numbers are progressive without gaps (art. 57).
 */
export async function registerEntry(tx: Executor, tenantId: string, input: RegisterInput, options: RegisterOptions): Promise<Registration> {
  if (!input.subject.trim()) throw new Error('a protocol registration needs a subject');
  if (!input.documents.length) throw new Error('a protocol registration needs its primary document');
  const stored = await Promise.all(input.documents.map(async (d) => ({ name: d.name, mime: d.mime, ...(await options.store.put(d.data)) })));
  const { name, fiscal_code, ipa_code, aoo_code, register_code } = await ente(tx, tenantId);
  const now = (options.now ?? (() => new Date()))();
  // The year of numbering restarts on 1 January in Italy (DPR 445/2000 art. 57).
  const year = Number(dateInItaly(now).slice(0, 4));
  // The register's time never goes back: a registration that waited for the lock takes at least the previous one's time.
  const counter = await sql<{ last_number: number; last_registered_at: Date }>`
    insert into comune.protocol_registers (tenant_id, year, last_number, last_registered_at)
    values (${tenantId}, ${year}, 1, ${now})
    on conflict (tenant_id, year) do update
      set last_number = protocol_registers.last_number + 1,
          last_registered_at = greatest(protocol_registers.last_registered_at, excluded.last_registered_at)
    returning last_number, last_registered_at`.execute(tx);
  const { last_number: number, last_registered_at: registeredAt } = counter.rows[0]!;
  const xml = segnaturaXml({
    enteName: name,
    enteFiscalCode: fiscal_code,
    ipaCode: ipa_code,
    aooCode: aoo_code ?? ipa_code,
    registerCode: register_code ?? 'PROT_GEN',
    number,
    date: dateInItaly(registeredAt),
    direction: input.direction,
    subject: input.subject,
    classification: input.classification,
    correspondent: input.correspondent,
    documents: stored,
  });
  const linked = input.linkedTo ?? null;
  const { rows } = await sql<{ id: string }>`
    insert into comune.protocol_entries (tenant_id, year, number, registered_at, direction, subject, correspondent, classification, segnatura_xml,
                                         linked_id, linked_number, linked_year)
    values (${tenantId}, ${year}, ${number}, ${registeredAt}, ${input.direction}, ${input.subject}, ${JSON.stringify(input.correspondent)}::jsonb,
            ${input.classification}, ${xml}, ${linked?.id ?? null}, ${linked?.number ?? null}, ${linked?.year ?? null})
    returning id`.execute(tx);
  const id = rows[0]!.id;
  await sql`
    insert into comune.protocol_documents (entry_id, position, name, mime, size, sha256)
    values ${sql.join(stored.map((d, i) => sql`(${id}, ${i}, ${d.name}, ${d.mime}, ${d.size}, ${d.sha256})`))}`.execute(tx);
  return { id, number, year, registeredAt };
}

export interface ProtocolEntry extends Registration {
  tenantId: string;
  direction: Direction;
  subject: string;
  correspondent: Correspondent;
  classification: string;
  segnaturaXml: string;
  documents: { position: number; name: string; mime: string; size: number; sha256: string }[];
  linkedTo: LinkedRegistration | null;
  annulment: { annulledAt: Date; reason: string; authorisedBy: string } | null;
}

export interface EntryRow {
  id: string;
  tenant_id: string;
  year: number;
  number: number;
  registered_at: Date;
  direction: Direction;
  subject: string;
  correspondent: Correspondent;
  classification: string;
  segnatura_xml: string;
  documents: ProtocolEntry['documents'];
  linked_id: string | null;
  linked_number: number | null;
  linked_year: number | null;
  annulled_at: Date | null;
  reason: string | null;
  authorised_by: string | null;
}

export const entryQuery = sql`
  select e.*, a.annulled_at, a.reason, a.authorised_by,
    (select coalesce(jsonb_agg(jsonb_build_object('position', d.position, 'name', d.name, 'mime', d.mime, 'size', d.size, 'sha256', d.sha256) order by d.position), '[]')
       from comune.protocol_documents d where d.entry_id = e.id) as documents
  from comune.protocol_entries e left join comune.protocol_annulments a on a.entry_id = e.id`;

export const toEntry = (r: EntryRow): ProtocolEntry => ({
  id: r.id,
  tenantId: r.tenant_id,
  year: r.year,
  number: r.number,
  registeredAt: r.registered_at,
  direction: r.direction,
  subject: r.subject,
  correspondent: r.correspondent,
  classification: r.classification,
  segnaturaXml: r.segnatura_xml,
  documents: r.documents,
  linkedTo: r.linked_id === null ? null : { id: r.linked_id, number: r.linked_number!, year: r.linked_year! },
  annulment: r.annulled_at ? { annulledAt: r.annulled_at, reason: r.reason!, authorisedBy: r.authorised_by! } : null,
});

export async function getEntry(db: Executor, tenantId: string, id: string): Promise<ProtocolEntry | undefined> {
  const { rows } = await sql<EntryRow>`${entryQuery} where e.tenant_id = ${tenantId} and e.id = ${id}`.execute(db);
  return rows[0] && toEntry(rows[0]);
}

/** A year of the register in number order (the daily register of art. 53 c.2 is a range of it). */
export async function listEntries(db: Executor, tenantId: string, year: number, options: { after?: number; limit?: number } = {}): Promise<ProtocolEntry[]> {
  const { rows } = await sql<EntryRow>`${entryQuery}
    where e.tenant_id = ${tenantId} and e.year = ${year} and e.number > ${options.after ?? 0}
    order by e.number limit ${options.limit ?? 100}`.execute(db);
  return rows.map(toEntry);
}

export interface AnnulmentInput {
  reason: string;
  /** The act that authorised it (e.g. "Provv. n. 12/2031 del responsabile della gestione documentale"). */
  authorisedBy: string;
  actor: { type: ActorType; id: string };
}

/** Reason and authorisation are both required (DPCM 3/12/2013 art. 8; Linee guida AgID 2021 sul documento informatico). */
export function checkAnnulment(input: AnnulmentInput): AnnulmentInput {
  const reason = input.reason.trim();
  const authorisedBy = input.authorisedBy.trim();
  const problems = [
    ...(reason ? [] : [{ pointer: '/body/reason', code: 'required', detail: 'An annulment states its reason.' }]),
    ...(authorisedBy ? [] : [{ pointer: '/body/authorisedBy', code: 'required', detail: 'An annulment names the act that authorised it.' }]),
  ];
  if (problems.length) throw invalid(problems);
  return { ...input, reason, authorisedBy };
}

/**
 * Annuls a registration (DPR 445/2000 art. 54; DPCM 3/12/2013 art. 8): the entry stays, readable, with
 * the annulment's date, reason and the authorising act beside it; the number is never reused.
 */
export async function annulEntry(tx: Executor, tenantId: string, id: string, annulment: AnnulmentInput): Promise<void> {
  const input = checkAnnulment(annulment);
  const entry = await getEntry(tx, tenantId, id);
  if (!entry) throw notFound('No such protocol registration.');
  const { rows } = await sql`
    insert into comune.protocol_annulments (entry_id, reason, authorised_by) values (${id}, ${input.reason}, ${input.authorisedBy})
    on conflict (entry_id) do nothing returning entry_id`.execute(tx);
  if (!rows.length) throw conflict('This registration is already annulled.');
  await auditAnnulment(tx, tenantId, id, input, { year: entry.year, number: entry.number });
}

/** The audit entry of an annulment, whichever register keeps it: who asked, why, on whose authority. */
export async function auditAnnulment(tx: Executor, tenantId: string, id: string, input: AnnulmentInput, entry: Record<string, unknown>): Promise<void> {
  await audit(tx, 'comune', {
    actorType: input.actor.type,
    actorId: input.actor.id,
    tenantId,
    action: 'protocol.annul',
    targetType: 'protocol_entry',
    targetId: id,
    details: { ...entry, reason: input.reason, authorisedBy: input.authorisedBy },
  });
}
