// The segnatura di protocollo as XML, per AgID "Linee guida sul documento informatico" (2021),
// allegato 6 "Comunicazione tra AOO di documenti amministrativi protocollati", segnatura_protocollo.xsd v3.0.0.
import { createHash } from 'node:crypto';

export const SEGNATURA_NAMESPACE = 'http://www.agid.gov.it/protocollo/';

export interface SegnaturaDocument {
  name: string;
  mime: string;
  sha256: string;
}

export interface Correspondent {
  /** Name and surname, or the organisation's name. */
  name: string;
  fiscalCode?: string;
  email?: string;
}

export interface SegnaturaInput {
  /** The ente's name and IPA code (CodiceAmministrazione). */
  enteName: string;
  ipaCode: string;
  /** The AOO's IPA code (CodiceAOO). */
  aooCode: string;
  registerCode: string;
  number: number;
  /** The registration day in Italy, YYYY-MM-DD. */
  date: string;
  direction: 'incoming' | 'outgoing';
  subject: string;
  /** A titolario code such as "VI.3": one Livello per segment. */
  classification: string;
  correspondent: Correspondent;
  /** The first is the primary document, the others its attachments. */
  documents: readonly SegnaturaDocument[];
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

const element = (name: string, content: string, attributes: Record<string, string> = {}) =>
  `<${name}${Object.entries(attributes).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('')}>${content}</${name}>`;
const text = (name: string, value: string, attributes?: Record<string, string>) => element(name, escapeXml(value), attributes);

/** 7 digits at least (DPR 445/2000 art. 57; NumeroRegistrazioneType pattern [0-9]{7,}). */
export const formatProtocolNumber = (n: number) => String(n).padStart(7, '0');

/** A SHA-256 given in hex as the xsd's ImprontaType wants it: base64. */
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function persona(c: Correspondent): string {
  return element(
    'Persona',
    text('Denominazione', c.name) + (c.fiscalCode ? text('CodiceFiscale', c.fiscalCode) : ''),
  ) + (c.email ? text('IndirizzoTelematico', c.email, { tipo: 'smtp' }) : '');
}

function documento(name: string, d: SegnaturaDocument): string {
  return element(name, text('Impronta', hexToBase64(d.sha256), { algoritmo: 'SHA-256' }), { nomeFile: d.name, mimeType: d.mime });
}

/** The segnatura of one registration (unsigned: the Signature element is left to the sealing step). */
export function segnaturaXml(input: SegnaturaInput): string {
  const [primary, ...attachments] = input.documents;
  const ente = element('Amministrazione', text('Denominazione', input.enteName) + text('CodiceAmministrazione', input.ipaCode)) + element('AOO', text('CodiceAOO', input.aooCode));
  const mittente = input.direction === 'incoming' ? persona(input.correspondent) : ente;
  const destinatario = input.direction === 'incoming' ? ente : persona(input.correspondent);
  const intestazione = element(
    'Intestazione',
    element(
      'Identificatore',
      text('CodiceAmministrazione', input.ipaCode) +
        text('CodiceAOO', input.aooCode) +
        text('CodiceRegistro', input.registerCode) +
        text('NumeroRegistrazione', formatProtocolNumber(input.number)) +
        text('DataRegistrazione', input.date),
    ) +
      text('Oggetto', input.subject) +
      element('Classifica', input.classification.split('.').filter(Boolean).map((level) => text('Livello', level)).join('')),
  );
  const descrizione = element(
    'Descrizione',
    element('Mittente', mittente) +
      element('Destinatario', destinatario) +
      (primary ? documento('DocumentoPrimario', primary) : '') +
      (attachments.length ? element('Allegati', attachments.map((d) => documento('Documento', d)).join('')) : ''),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('SegnaturaInformatica', intestazione + descrizione, { xmlns: SEGNATURA_NAMESPACE, versione: '3.0.0', 'xml:lang': 'it' })}`;
}
