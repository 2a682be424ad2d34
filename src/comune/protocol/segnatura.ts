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
  /** Nome and Cognome apart, when known (PersonaFisicaType wants both). */
  givenName?: string;
  familyName?: string;
  fiscalCode?: string;
  email?: string;
}

export interface SegnaturaInput {
  /** The ente's name, fiscal code (CFPA) and IPA code (CodiceAmministrazione). */
  enteName: string;
  enteFiscalCode: string;
  ipaCode: string;
  /** The AOO's IPA code (CodiceAOO). */
  aooCode: string;
  registerCode: string;
  number: number;
  /** The registration day in Italy, YYYY-MM-DD. */
  date: string;
  direction: 'incoming' | 'outgoing';
  subject: string;
  /** A titolario code such as "VI.3": one Livello per segment; empty when not classified. */
  classification: string;
  correspondent: Correspondent;
  /** The first is the primary document, the others its attachments. */
  documents: readonly SegnaturaDocument[];
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Attributes are namespace-qualified in the xsd (attributeFormDefault="qualified"): written with the prot prefix. */
const element = (name: string, content: string, attributes: Record<string, string> = {}) =>
  `<${name}${Object.entries(attributes).map(([k, v]) => ` prot:${k}="${escapeXml(v)}"`).join('')}>${content}</${name}>`;
const text = (name: string, value: string, attributes?: Record<string, string>) => element(name, escapeXml(value), attributes);

/** 7 digits at least (DPR 445/2000 art. 57; NumeroRegistrazioneType pattern [0-9]{7,}). */
export const formatProtocolNumber = (n: number) => String(n).padStart(7, '0');

/** A SHA-256 given in hex as the xsd's ImprontaType wants it: base64. */
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

export const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** CodiceFiscaleType's pattern: a natural person's full fiscal code (a provisional numeric one is left out). */
export const PERSON_FISCAL_CODE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

function personaFisica(c: Correspondent): string {
  // Without the split, the whole name goes in Cognome: both elements are required, and guessing a split is worse.
  const nome = c.familyName ? (c.givenName ?? '') : '';
  const contatti = c.email ? element('Contatti', text('IndirizzoTelematico', c.email, { tipo: 'smtp' })) : '';
  return element(
    'PersonaFisica',
    text('Nome', nome) + text('Cognome', c.familyName ?? c.name) + (c.fiscalCode && PERSON_FISCAL_CODE.test(c.fiscalCode) ? text('CodiceFiscale', c.fiscalCode) : '') + contatti,
  );
}

function pa(input: SegnaturaInput): string {
  return element('PA', text('DenominazionePA', input.enteName) + text('CFPA', input.enteFiscalCode) + text('CodiceIPAPA', input.ipaCode) + text('CodiceIPAAOO', input.aooCode));
}

/** Titolo, classe, sottoclasse… as nested Livello/SubLivello. */
const codicePath = (levels: string[]): string => (levels.length ? text('Livello', levels[0]!) + (levels.length > 1 ? element('SubLivello', codicePath(levels.slice(1))) : '') : '');

function classifica(code: string): string {
  const levels = code.split('.').map((l) => l.trim()).filter(Boolean);
  if (!levels.length) return element('Classifica', text('Denominazione', 'Non classificato') + text('CodiceFlat', ''));
  return element('Classifica', text('Denominazione', code) + element('CodicePath', codicePath(levels)));
}

function documento(name: string, d: SegnaturaDocument): string {
  return element(name, text('Impronta', hexToBase64(d.sha256), { algoritmo: 'SHA-256' }), { nomeFile: d.name, mimeType: d.mime });
}

/**
 * The segnatura of one registration, unsigned: the ds:Signature the xsd requires last is the XAdES seal
 * of the sealing step, over this very text.
 */
export function segnaturaXml(input: SegnaturaInput): string {
  const [primary, ...attachments] = input.documents;
  if (!primary) throw new Error('a segnatura needs the primary document');
  const ente = pa(input);
  const person = personaFisica(input.correspondent);
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
      classifica(input.classification),
  );
  const descrizione = element(
    'Descrizione',
    element('Mittente', input.direction === 'incoming' ? person : ente) +
      element('Destinatario', input.direction === 'incoming' ? ente : person) +
      documento('DocumentoPrimario', primary) +
      attachments.map((d) => documento('Allegato', d)).join(''),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<SegnaturaInformatica xmlns="${SEGNATURA_NAMESPACE}" xmlns:prot="${SEGNATURA_NAMESPACE}" prot:versione="3.0.0" prot:lang="it">${intestazione}${descrizione}</SegnaturaInformatica>`;
}
