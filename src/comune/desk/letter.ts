// The outcome letter of an application (provvedimento di accoglimento o di rigetto), in Italian: the ente,
// the addressee, the service, the outcome and its reasons (L. 241/1990 art. 3: every act states its motivation),
// the date; and its outgoing registration through the ente's protocol adapter.
import { sql, type Executor } from '../../core/db.ts';
import { formatItalianTime } from '../../core/i18n.ts';
import { enqueue, PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import { PdfWriter } from '../../core/pdf.ts';
import { builtinProtocolAdapter, plainRun } from '../protocol/adapter.ts';
import type { DocumentStore } from '../protocol/files.ts';
import { protocolJobHandler, storedDocument } from '../protocol/job.ts';
import type { LinkedRegistration, RegisterInput, Registration } from '../protocol/register.ts';
import { getProtocolSettings, type AdapterDeps } from '../protocol/settings.ts';

export interface OutcomeLetterInput {
  enteName: string;
  applicant: { name: string; fiscalCode: string };
  serviceName: string;
  applicationId: string;
  /** The incoming protocol registration of the application, when it has one. */
  applicationProtocol: { number: number; year: number } | null;
  submittedAt: Date | null;
  outcome: 'accepted' | 'rejected';
  motivation: string;
  signedBy: string;
  date: Date;
}

const italianDay = (at: Date) => formatItalianTime('it-IT', at, 'long');

export function outcomeLetterPdf(input: OutcomeLetterInput): Promise<Buffer> {
  const accepted = input.outcome === 'accepted';
  const title = `${accepted ? 'Accoglimento' : 'Rigetto'} della domanda: ${input.serviceName}`;
  const pdf = new PdfWriter({ title, subject: `Esito della domanda ${input.applicationId}`, author: input.enteName, creationDate: input.date });
  pdf.text(input.enteName, { bold: true, size: 12, gap: 0.8 });
  pdf.text(`${input.enteName}, ${italianDay(input.date)}`, { align: 'right', gap: 0.8 });
  pdf.text(`Gentile ${input.applicant.name}`, { gap: 0.1 });
  pdf.text(`Codice fiscale ${input.applicant.fiscalCode}`, { gap: 1 });
  pdf.text(title, { tag: 'H1', bold: true, size: 14, gap: 0.6 });
  const reference = input.applicationProtocol ? `, protocollo n. ${input.applicationProtocol.number}/${input.applicationProtocol.year}` : '';
  const submitted = input.submittedAt ? ` presentata il ${italianDay(input.submittedAt)}` : '';
  pdf.text(`Con riferimento alla Sua domanda${submitted} (identificativo ${input.applicationId}${reference}), La informiamo che la domanda è stata ${accepted ? 'ACCOLTA' : 'RESPINTA'}.`, { gap: 0.8 });
  pdf.text('Motivazione', { tag: 'H2', bold: true, size: 12, gap: 0.4 });
  pdf.text(input.motivation, { gap: 0.8 });
  if (!accepted) {
    // L. 241/1990 art. 3 c.4: the act names the authority and the term to challenge it.
    pdf.text('Contro il presente provvedimento è ammesso ricorso al TAR entro 60 giorni dalla notifica, o ricorso straordinario al Presidente della Repubblica entro 120 giorni.', { size: 9.5, gap: 0.8 });
  }
  pdf.text('Il responsabile del procedimento', { align: 'right', gap: 0.1 });
  pdf.text(input.signedBy, { align: 'right', bold: true });
  return pdf.finish(`${input.enteName} — esito della domanda ${input.applicationId}`);
}

export const REGISTER_LETTER_JOB = 'comune.protocol.register-letter';

export interface LetterRegistration {
  tenantId: string;
  applicationId: string;
  serviceName: string;
  applicant: { name: string; fiscalCode: string };
  classification: string;
  /** The application's incoming registration: the letter answers it. */
  applicationProtocol: LinkedRegistration | null;
  document: { name: string; data: Uint8Array };
}

/** The letter as an outgoing registration to the applicant (DPR 445/2000 art. 53 c.5: sent documents are registered). */
export const letterRegisterInput = (letter: LetterRegistration): RegisterInput => ({
  direction: 'outgoing',
  subject: `${letter.serviceName} — esito della domanda di ${letter.applicant.name}`,
  correspondent: letter.applicant,
  classification: letter.classification,
  documents: [{ name: letter.document.name, mime: 'application/pdf', data: letter.document.data }],
  linkedTo: letter.applicationProtocol && { id: letter.applicationProtocol.id, number: letter.applicationProtocol.number, year: letter.applicationProtocol.year },
});

/**
 * Registers the letter through the ente's adapter. The built-in register numbers it in the decision's own
 * transaction (all or nothing); an external system is called by a durable job once the decision has
 * committed, so the letter is issued even while that system is down, and numbered when it is back.
 */
export async function registerOutcomeLetter(tx: Executor, deps: { store: DocumentStore; now?: () => Date }, letter: LetterRegistration): Promise<Registration | null> {
  if ((await getProtocolSettings(tx, letter.tenantId))?.adapter === 'http') {
    await enqueue(tx, 'comune', { kind: REGISTER_LETTER_JOB, payload: { applicationId: letter.applicationId }, idempotencyKey: letter.applicationId });
    return null;
  }
  // plainRun on the decision's transaction: the number commits with the decision, or neither does.
  return builtinProtocolAdapter(deps.store, deps.now).register(letter.tenantId, letterRegisterInput(letter), plainRun(tx, `letter:${letter.applicationId}`), async (_tx, r) => r);
}

/** The job registering a letter whose ente uses an external protocol system; it records the number on the letter. */
export function registerLetterHandler(db: Executor, deps: AdapterDeps): JobHandler<{ applicationId: string }> {
  return protocolJobHandler(db, deps, {
    async prepare({ applicationId }) {
      const { rows } = await sql<{ sha256: string; file_name: string; protocol_id: string | null; tenant_id: string; service_name: string; citizen_name: string; citizen_fiscal_code: string; classification: string; app_protocol_id: string | null; app_protocol_number: number | null; app_protocol_year: number | null }>`
        select l.sha256, l.file_name, l.protocol_id, a.tenant_id, a.service_name, a.citizen_name, a.citizen_fiscal_code, a.classification,
          a.protocol_id as app_protocol_id, a.protocol_number as app_protocol_number, a.protocol_year as app_protocol_year
        from comune.desk_letters l join comune.applications a on a.id = l.application_id where l.application_id = ${applicationId}`.execute(db);
      const r = rows[0];
      if (!r) throw new PermanentJobError(`application ${applicationId} has no outcome letter`);
      // Already numbered (a repeated attempt).
      if (r.protocol_id !== null) return undefined;
      const { data } = await storedDocument(deps.store, { sha256: r.sha256, name: r.file_name, mime: 'application/pdf' });
      const input = letterRegisterInput({
        tenantId: r.tenant_id,
        applicationId,
        serviceName: r.service_name,
        applicant: { name: r.citizen_name, fiscalCode: r.citizen_fiscal_code },
        classification: r.classification,
        applicationProtocol: r.app_protocol_id === null ? null : { id: r.app_protocol_id, number: r.app_protocol_number!, year: r.app_protocol_year! },
        document: { name: r.file_name, data },
      });
      return { tenantId: r.tenant_id, input };
    },
    async record(tx, { applicationId }, receipt) {
      await sql`update comune.desk_letters set protocol_id = ${receipt.id}, protocol_number = ${receipt.number}, protocol_year = ${receipt.year}
        where application_id = ${applicationId} and protocol_id is null`.execute(tx);
    },
  });
}
