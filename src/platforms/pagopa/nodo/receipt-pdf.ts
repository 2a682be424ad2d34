// The receipt of a pagoPA payment as a PDF ("Ricevuta di pagamento pagoPA"), in Italian as pagoPA issues
// it: creditor, debtor, payer, notice number, IUV, amount, fee, PSP, receipt id (IUR), dates. Tagged for screen
// readers; deterministic for the same receipt (its creation date is the payment's).
import { formatCalendarDate, formatItalianTime } from '../../../core/i18n.ts';
import { PdfWriter } from '../../../core/pdf.ts';
import { formatNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { euroAmount, type Receipt, type Subject } from '../../../clients/pagopa/nodo-wire.ts';

const euros = (cents: number) => `€ ${euroAmount(cents).replace('.', ',')}`;
const party = (s: Subject) => `${s.fullName} — ${s.uniqueIdentifier.entityUniqueIdentifierType === 'F' ? 'codice fiscale' : 'codice fiscale / P. IVA'} ${s.uniqueIdentifier.entityUniqueIdentifierValue}`;

export async function receiptPdf(receipt: Receipt): Promise<Buffer> {
  const paidAt = new Date(receipt.paymentDateTime);
  const pdf = new PdfWriter({ title: 'Ricevuta di pagamento pagoPA', subject: `Ricevuta ${receipt.receiptId}`, author: receipt.companyName, creationDate: paidAt });
  const heading = (text: string) => pdf.text(text, { tag: 'H2', bold: true, size: 12.5, gap: 0.4 });
  pdf.text('pagoPA', { bold: true, size: 10, gap: 0.4 });
  pdf.text('Ricevuta di pagamento pagoPA', { tag: 'H1', bold: true, size: 16, gap: 0.4 });
  pdf.text(`Pagamento eseguito il ${formatItalianTime('it', paidAt, 'long', 'short')}`, { gap: 0.8 });

  heading('Pagamento');
  pdf.table(
    ['Voce', 'Valore'],
    [
      ['Oggetto', receipt.description],
      ['Importo', euros(receipt.paymentAmount)],
      ['Commissione del PSP', euros(receipt.fee)],
      ['Totale pagato', euros(receipt.paymentAmount + receipt.fee)],
      ['Codice avviso', formatNoticeNumber(receipt.noticeNumber)],
      ['IUV', receipt.creditorReferenceId],
      ['Identificativo ricevuta (IUR)', receipt.receiptId],
      ['Data di applicazione', formatCalendarDate('it', receipt.applicationDate)],
    ],
    [2, 3],
  );

  heading('Ente creditore');
  pdf.text(`${receipt.companyName}${receipt.officeName ? ` — ${receipt.officeName}` : ''}`, { gap: 0.2 });
  pdf.text(`Codice fiscale ${receipt.fiscalCode}`, { gap: 0.6 });
  heading('Debitore');
  pdf.text(party(receipt.debtor), { gap: 0.6 });
  heading('Pagatore');
  pdf.text(receipt.payer ? party(receipt.payer) : 'Non indicato dal prestatore di servizi di pagamento', { gap: 0.6 });
  heading('Prestatore di servizi di pagamento (PSP)');
  pdf.text(`${receipt.PSPCompanyName} — identificativo ${receipt.idPSP}, canale ${receipt.idChannel}`, { gap: 0.2 });
  pdf.text(`Codice fiscale ${receipt.pspFiscalCode}; metodo di pagamento ${receipt.paymentMethod}`, { gap: 0.6 });
  heading('Ripartizione');
  pdf.table(
    ['#', 'Beneficiario', 'Causale', 'Importo'],
    receipt.transferList.map((t) => [String(t.idTransfer), `${t.fiscalCodePA}${t.IBAN ? ` — ${t.IBAN}` : ''}`, t.remittanceInformation, euros(t.transferAmount)]),
    [1, 5, 5, 2],
  );
  pdf.text('La ricevuta attesta il pagamento all’ente creditore tramite la piattaforma pagoPA.', { size: 9, gap: 0.4 });
  return pdf.finish(`Ricevuta pagoPA ${receipt.receiptId} — ${receipt.companyName}`);
}
