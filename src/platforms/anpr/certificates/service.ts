// Issuing certificates: who may have which (kinds.ts), the duty (stamp-duty.ts), the snapshot of what is
// certified (content.ts), the PDF (certificate-pdf.ts), and the record of it (anpr.certificates) with the
// audit entry, in one transaction. The PDF itself is not kept: its SHA-256 is, and the same stored content
// renders the same bytes again (reissuePdf).
import { audit } from '../../../core/audit.ts';
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { isIsoDate, type IsoDate } from '../../../domain/dates.ts';
import type { PersonState } from '../model.ts';
import { SCHEMA } from '../schema.ts';
import { AnprError } from '../service.ts';
import { idByFiscalCode, readFamilyAsOf, readPersonAsOf } from '../store.ts';
import { certificatePdf } from './certificate-pdf.ts';
import { newCertificateCode, parseCertificateCode } from './code.ts';
import { certificateContent, type CertificateContent } from './content.ts';
import { isCertificateKind, kindRefusal, kindSpec, requestRefusal, type CertificateKind, type Refusal } from './kinds.ts';
import { sha256Hex } from '../../../core/pdf.ts';
import { stampDutyOf, type ExemptUseCode } from './stamp-duty.ts';

const table = sql.table(`${SCHEMA}.certificates`);

export interface IssueCertificateInput {
  /** Who asks (the signed-in citizen). */
  requesterFiscalCode: string;
  /** Whom the certificate is about: the requester or a member of their famiglia anagrafica. */
  subjectFiscalCode: string;
  kind: string;
  /** An exempt use (stamp-duty.ts EXEMPT_USES) or 'bollo'. */
  use: string;
  /** The contrassegno's 14-digit identifier, with use 'bollo'. */
  bolloId?: string | null;
  /** The issue date. */
  today: IsoDate;
  /** Reference date of a certificato storico (default today). */
  asOf?: IsoDate | null;
  /** The ANPR app's public URL: the QR code links to its verification page. */
  publicUrl: string;
  requestId?: string;
}

export interface IssuedCertificate {
  code: string;
  kind: CertificateKind;
  subjectId: string;
  subjectFiscalCode: string;
  requesterId: string;
  requesterFiscalCode: string;
  exemptUse: ExemptUseCode | null;
  bolloId: string | null;
  issuedOn: IsoDate;
  issuedAt: string;
  referenceDate: IsoDate;
  validUntil: IsoDate | null;
  content: CertificateContent;
  pdfSha256: string;
}

interface Row {
  code: string;
  kind: CertificateKind;
  subject_id: string;
  subject_fiscal_code: string;
  requester_id: string;
  requester_fiscal_code: string;
  exempt_use: ExemptUseCode | null;
  bollo_id: string | null;
  issued_on: string;
  issued_at: Date | string;
  reference_date: string;
  valid_until: string | null;
  content: CertificateContent;
  pdf_sha256: string;
}

const toCertificate = (r: Row): IssuedCertificate => ({
  code: r.code,
  kind: r.kind,
  subjectId: r.subject_id,
  subjectFiscalCode: r.subject_fiscal_code,
  requesterId: r.requester_id,
  requesterFiscalCode: r.requester_fiscal_code,
  exemptUse: r.exempt_use,
  bolloId: r.bollo_id,
  issuedOn: r.issued_on,
  issuedAt: new Date(r.issued_at).toISOString(),
  referenceDate: r.reference_date,
  validUntil: r.valid_until,
  content: r.content,
  pdfSha256: r.pdf_sha256,
});

/** The public verification page of a certificate (the QR code's target). */
export const verificationUrl = (publicUrl: string, code: string) => `${publicUrl.replace(/\/+$/, '')}/verifica/${code}`;

const DATE_RULES = ['future-date', 'not-historical', 'not-registered-on-date'];

function fail(r: Refusal, field?: string): never {
  throw new AnprError(r.code, r.message, [{ rule: r.rule, message: r.message, ...(field ? { field } : {}) }]);
}

async function personByFiscalCode(db: Executor, fiscalCode: string, on: IsoDate): Promise<PersonState | undefined> {
  const id = await idByFiscalCode(db, fiscalCode.trim().toUpperCase());
  return id ? readPersonAsOf(db, id, on) : undefined;
}

/**
 * Issues a certificate: refuses with an AnprError ('not-found': unknown person; 'forbidden': not the
 * requester nor a member of their family; 'rule': kind, date, use or duty not allowed, naming the field),
 * else records it and returns its code, the PDF and the record.
 */
export async function issueCertificate(db: Executor, input: IssueCertificateInput): Promise<{ code: string; pdf: Buffer; certificate: IssuedCertificate }> {
  const { today } = input;
  const kind = input.kind;
  if (!isCertificateKind(kind)) fail({ code: 'rule', rule: 'unknown-kind', message: `no certificate kind ${kind}` }, 'kind');
  const duty = stampDutyOf({ use: input.use, bolloId: input.bolloId });
  if ('refused' in duty) fail({ code: 'rule', rule: duty.refused, message: `stamp duty: ${duty.refused}` }, duty.refused === 'unknown-use' ? 'use' : 'bolloId');
  const referenceDate = input.asOf || today;
  if (!isIsoDate(referenceDate)) fail({ code: 'rule', rule: 'invalid-date', message: 'not a valid YYYY-MM-DD date' }, 'asOf');

  const requester = await personByFiscalCode(db, input.requesterFiscalCode, today);
  const subjectNow = await personByFiscalCode(db, input.subjectFiscalCode, today);
  const who = requestRefusal(requester, subjectNow);
  if (who) fail(who, who.rule === 'requester-not-registered' || who.rule === 'requester-deceased' ? undefined : 'subjectFiscalCode');
  // requestRefusal refuses whenever the requester or the subject is missing.
  const requesterState = requester!;
  const p = await readPersonAsOf(db, subjectNow!.idAnpr, referenceDate);
  const what = kindRefusal(kind, p, referenceDate, today);
  if (what) fail(what, DATE_RULES.includes(what.rule) ? 'asOf' : 'kind');
  // kindRefusal refuses when the subject has no record on the reference date.
  const subject = p!;

  const sections = kindSpec(kind).sections;
  const family = sections.includes('famiglia') && subject.family ? await readFamilyAsOf(db, subject.family.familyId, referenceDate) : undefined;
  const partner = (sections.includes('matrimonio') || sections.includes('unione-civile')) && subject.spouseId ? await readPersonAsOf(db, subject.spouseId, referenceDate) : undefined;
  const content = certificateContent({ kind, subject, family, partner, referenceDate, issuedOn: today, stampDuty: duty });

  const code = newCertificateCode();
  const issuedAt = new Date();
  const pdf = await certificatePdf({ content, code, verifyUrl: verificationUrl(input.publicUrl, code), issuedAt });
  const certificate = await transaction(db, async (tx) => {
    const stamp = content.stampDuty;
    const { rows } = await sql<Row>`insert into ${table} (code, kind, subject_id, subject_fiscal_code, requester_id, requester_fiscal_code, exempt_use, bollo_id,
        issued_on, issued_at, reference_date, valid_until, content, pdf_sha256)
      values (${code}, ${kind}, ${subject.idAnpr}, ${subject.fiscalCode}, ${requesterState.idAnpr}, ${requesterState.fiscalCode},
        ${stamp.type === 'exempt' ? stamp.use : null}, ${stamp.type === 'paid' ? stamp.bolloId : null},
        ${today}, ${issuedAt.toISOString()}, ${referenceDate}, ${content.validUntil}, ${JSON.stringify(content)}::jsonb, ${sha256Hex(pdf)})
      on conflict do nothing returning *`.execute(tx);
    // The only conflict a fresh 95-bit code can meet is the contrassegno's.
    if (!rows[0]) fail({ code: 'rule', rule: 'bollo-already-used', message: 'this contrassegno already paid for another certificate' }, 'bolloId');
    await audit(tx, SCHEMA, {
      actorType: 'citizen',
      actorId: requesterState.fiscalCode,
      tenantId: content.comune.istatCode,
      action: 'certificate.issue',
      targetType: 'person',
      targetId: subject.idAnpr,
      details: { code, kind, referenceDate, use: input.use },
      requestId: input.requestId,
    });
    return toCertificate(rows[0]);
  });
  return { code, pdf, certificate };
}

/** A certificate by its code as typed (dashes, case and O/I/L tolerated); undefined when unknown or malformed. */
export async function findCertificate(db: Executor, code: string): Promise<IssuedCertificate | undefined> {
  const canonical = parseCertificateCode(code);
  if (!canonical) return undefined;
  const { rows } = await sql<Row>`select * from ${table} where code = ${canonical}`.execute(db);
  return rows[0] ? toCertificate(rows[0]) : undefined;
}

/** The certificates a citizen requested (for themselves and their family), newest first. */
export async function listCertificates(db: Executor, requesterFiscalCode: string, limit = 100): Promise<IssuedCertificate[]> {
  const { rows } = await sql<Row>`select * from ${table} where requester_fiscal_code = ${requesterFiscalCode.trim().toUpperCase()}
    order by issued_at desc limit ${limit}`.execute(db);
  return rows.map(toCertificate);
}

/** The PDF of an issued certificate rendered again from its record; undefined if it no longer matches its hash. */
export async function reissuePdf(certificate: IssuedCertificate, publicUrl: string): Promise<Buffer | undefined> {
  const pdf = await certificatePdf({ content: certificate.content, code: certificate.code, verifyUrl: verificationUrl(publicUrl, certificate.code), issuedAt: new Date(certificate.issuedAt) });
  return sha256Hex(pdf) === certificate.pdfSha256 ? pdf : undefined;
}
