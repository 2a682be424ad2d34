// Checks a segnatura against the structure of AgID's segnatura_protocollo.xsd v3.0.0 (Linee guida 2021,
// allegato 6): elements in the prot namespace, in order and number, attributes qualified, the simple
// types' patterns. Our own description of the schema's rules, for what we generate and what we receive.
import { parseXml, XmlSyntaxError, type XmlElement } from './xml.ts';
import { SEGNATURA_NAMESPACE } from './segnatura.ts';

type Simple = (value: string) => boolean;
type Attribute = { name: string; required?: boolean; value?: Simple };
type Particle = { element: string; type: string; min?: number; max?: number } | { choice: { element: string; type: string }[]; min?: number };
type Type = { simple: Simple; attributes?: Attribute[] } | { sequence: Particle[]; attributes?: Attribute[] };

const pattern = (re: RegExp): Simple => (v) => re.test(v);
const anyString: Simple = () => true;
const date: Simple = (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const time: Simple = pattern(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/);
const boolean: Simple = pattern(/^(true|false|1|0)$/);
const base64: Simple = (v) => /^[A-Za-z0-9+/\s]*={0,2}$/.test(v) && v.replace(/\s/g, '').length % 4 === 0;
const integer: Simple = pattern(/^[+-]?\d+$/);
const code16 = pattern(/^[A-Za-z0-9_.-]{1,16}$/);

const string: Type = { simple: anyString };
const withDescrizione: Type = { simple: anyString, attributes: [{ name: 'descrizione' }] };
const persona = { element: 'PersonaFisica', type: 'PersonaFisica' };

/** The complex and simple types of the xsd we check, by name. */
const TYPES: Record<string, Type> = {
  string,
  date: { simple: date },
  time: { simple: time },
  boolean: { simple: boolean },
  anyURI: string,
  CodiceIPA: withDescrizione,
  CodiceRegistro: { simple: code16 },
  NumeroRegistrazione: { simple: pattern(/^[0-9]{7,}$/) },
  CodiceFiscale: { simple: pattern(/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/) },
  PartitaIVA: { simple: pattern(/^[0-9]{11}$/) },
  CAP: { simple: pattern(/^[0-9]{6}$/) },
  SegnaturaInformatica: {
    sequence: [
      { element: 'Intestazione', type: 'Intestazione' },
      { element: 'Descrizione', type: 'Descrizione' },
    ],
    attributes: [
      { name: 'versione', required: true, value: (v) => v === '3.0.0' },
      { name: 'lang', required: true, value: (v) => v === 'it' },
    ],
  },
  Intestazione: {
    sequence: [
      { element: 'Identificatore', type: 'Identificatore' },
      { element: 'PrimaRegistrazione', type: 'Identificatore', min: 0 },
      { element: 'Oggetto', type: 'string' },
      { element: 'Classifica', type: 'Classifica' },
      { element: 'Fascicolo', type: 'Fascicolo', min: 0 },
      { element: 'Riservato', type: 'Riservato', min: 0 },
    ],
  },
  Identificatore: {
    sequence: [
      { element: 'CodiceAmministrazione', type: 'CodiceIPA' },
      { element: 'CodiceAOO', type: 'CodiceIPA' },
      { element: 'CodiceRegistro', type: 'CodiceRegistro' },
      { element: 'NumeroRegistrazione', type: 'NumeroRegistrazione' },
      { element: 'DataRegistrazione', type: 'date' },
      { element: 'OraRegistrazione', type: 'time', min: 0 },
    ],
  },
  Fascicolo: { sequence: [{ element: 'Denominazione', type: 'string' }, { element: 'CodiceFascicolo', type: 'string' }] },
  Classifica: {
    sequence: [
      { element: 'Denominazione', type: 'string' },
      { choice: [{ element: 'CodiceFlat', type: 'string' }, { element: 'CodicePath', type: 'Livello' }] },
    ],
  },
  Riservato: { simple: boolean, attributes: [{ name: 'note' }] },
  Livello: { sequence: [{ element: 'Livello', type: 'CodiceIPA' }, { element: 'SubLivello', type: 'Livello', min: 0 }] },
  Descrizione: {
    sequence: [
      { element: 'Mittente', type: 'Soggetto' },
      { element: 'Destinatario', type: 'Destinatario', max: Infinity },
      { element: 'DocumentoPrimario', type: 'Documento' },
      { element: 'Allegato', type: 'Documento', min: 0, max: Infinity },
    ],
  },
  Soggetto: { sequence: [{ choice: [{ element: 'PA', type: 'Amministrazione' }, { element: 'PersonaGiuridica', type: 'PersonaGiuridica' }, persona] }] },
  Destinatario: {
    sequence: [{ choice: [{ element: 'PA', type: 'Amministrazione' }, { element: 'PersonaGiuridica', type: 'PersonaGiuridica' }, persona] }],
    attributes: [
      { name: 'confermaRicezione', value: boolean },
      { name: 'perConoscenza', value: boolean },
    ],
  },
  Documento: {
    sequence: [
      { element: 'Descrizione', type: 'string', min: 0 },
      { element: 'Impronta', type: 'Impronta' },
      { element: 'CollocazioneTelematica', type: 'CollocazioneTelematica', min: 0 },
      { element: 'firmatoDigitalmente', type: 'Sign', min: 0 },
      { element: 'sigillatoElettronicamente', type: 'Sign', min: 0 },
      { element: 'marcaturaTemporale', type: 'Sign', min: 0 },
    ],
    attributes: [
      { name: 'nomeFile', required: true },
      { name: 'mimeType', required: true },
    ],
  },
  Impronta: { simple: base64, attributes: [{ name: 'algoritmo' }] },
  Sign: { sequence: [{ choice: [{ element: 'UnDetached', type: 'boolean' }, { element: 'Detached', type: 'Detached' }] }] },
  Detached: {
    simple: boolean,
    attributes: [
      { name: 'nomeFile', required: true },
      { name: 'mimeType' },
      { name: 'order', required: true, value: integer },
    ],
  },
  CollocazioneTelematica: {
    sequence: [
      { element: 'HostValue', type: 'anyURI' },
      { element: 'PathValue', type: 'anyURI' },
    ],
    attributes: [{ name: 'timeToLive', value: integer }, { name: 'userId' }, { name: 'password' }],
  },
  Amministrazione: {
    sequence: [
      { element: 'DenominazionePA', type: 'string' },
      { element: 'CFPA', type: 'PartitaIVA' },
      { element: 'CodiceIPAPA', type: 'string', min: 0 },
      { element: 'CodiceIPAAOO', type: 'CodiceIPA', min: 0 },
      { element: 'ContattiAOO', type: 'Contatti', min: 0 },
      { element: 'CodiceIPAUO', type: 'CodiceIPA', min: 0 },
      { element: 'ContattiUO', type: 'Contatti', min: 0 },
      { element: 'ContattiAmministrazione', type: 'Contatti', min: 0 },
      { element: 'PersonaFisica', type: 'PersonaFisica', min: 0 },
    ],
  },
  PersonaGiuridica: {
    sequence: [
      { element: 'Denominazione', type: 'string' },
      { choice: [{ element: 'CF', type: 'CodiceFiscale' }, { element: 'PIVA', type: 'PartitaIVA' }] },
      { element: 'ContattiPersonaGiuridica', type: 'Contatti', min: 0 },
      { element: 'RiferimentoPersonaFisica', type: 'PersonaFisica', min: 0 },
    ],
  },
  PersonaFisica: {
    sequence: [
      { element: 'Nome', type: 'string' },
      { element: 'Cognome', type: 'string' },
      { element: 'Titolo', type: 'string', min: 0 },
      { element: 'CodiceFiscale', type: 'CodiceFiscale', min: 0 },
      { element: 'Contatti', type: 'Contatti', min: 0 },
    ],
  },
  Contatti: {
    sequence: [
      { element: 'IndirizzoPostale', type: 'IndirizzoPostale', min: 0, max: Infinity },
      { element: 'IndirizzoTelematico', type: 'IndirizzoTelematico', min: 0, max: Infinity },
      { element: 'Telefono', type: 'string', min: 0, max: Infinity },
    ],
  },
  IndirizzoTelematico: { simple: anyString, attributes: [{ name: 'tipo', value: pattern(/^(smtp|url|other)$/) }, { name: 'note' }] },
  IndirizzoPostale: {
    sequence: [
      { element: 'Toponimo', type: 'Toponimo' },
      { element: 'Civico', type: 'string' },
      { element: 'CAP', type: 'CAP' },
      { element: 'Comune', type: 'Comune' },
      { element: 'Nazione', type: 'Nazione' },
    ],
  },
  Toponimo: { sequence: [{ element: 'dug', type: 'string' }, { element: 'duf', type: 'string' }] },
  Comune: { simple: anyString, attributes: [{ name: 'CodiceISTAT', required: true, value: pattern(/^[0-9]{6}$/) }] },
  Nazione: { simple: anyString, attributes: [{ name: 'codice3166' }] },
};

const DS_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
const qualified = (name: string) => `{${SEGNATURA_NAMESPACE}}${name}`;

function checkAttributes(el: XmlElement, type: Type, path: string, problems: string[]): void {
  const declared = type.attributes ?? [];
  for (const key of el.attributes.keys()) {
    const local = key.startsWith(`{${SEGNATURA_NAMESPACE}}`) ? key.slice(SEGNATURA_NAMESPACE.length + 2) : undefined;
    if (local === undefined || !declared.some((a) => a.name === local)) problems.push(`${path}: attribute ${key} is not allowed (attributes are prot-qualified)`);
  }
  for (const a of declared) {
    const value = el.attributes.get(qualified(a.name));
    if (value === undefined) {
      if (a.required) problems.push(`${path}: missing attribute prot:${a.name}`);
    } else if (a.value && !a.value(value)) problems.push(`${path}: invalid value "${value}" of prot:${a.name}`);
  }
}

function checkElement(el: XmlElement, typeName: string, path: string, problems: string[]): void {
  const type = TYPES[typeName]!;
  checkAttributes(el, type, path, problems);
  if ('simple' in type) {
    if (el.children.length) problems.push(`${path}: elements are not allowed in a text-only element`);
    else if (!type.simple(el.text)) problems.push(`${path}: invalid value "${el.text}"`);
    return;
  }
  if (el.text.trim()) problems.push(`${path}: text is not allowed here`);
  checkSequence(el.children, type.sequence, path, problems);
}

function checkSequence(children: XmlElement[], sequence: Particle[], path: string, problems: string[]): void {
  let next = 0;
  for (const particle of sequence) {
    const options = 'choice' in particle ? particle.choice : [particle];
    const max = 'choice' in particle ? 1 : (particle.max ?? 1);
    const min = particle.min ?? 1;
    let count = 0;
    while (count < max && next < children.length) {
      const child = children[next]!;
      const option = child.ns === SEGNATURA_NAMESPACE ? options.find((o) => o.element === child.name) : undefined;
      if (!option) break;
      checkElement(child, option.type, `${path}/${child.name}`, problems);
      next++;
      count++;
    }
    if (count < min) problems.push(`${path}: expected ${options.map((o) => o.element).join(' or ')}${next < children.length ? `, found ${children[next]!.name}` : ''}`);
  }
  for (const extra of children.slice(next)) problems.push(`${path}: unexpected element {${extra.ns}}${extra.name}`);
}

/**
 * What is wrong with a segnatura, by the xsd's structure; empty when nothing. `signed` asks for the ds:Signature
 * the xsd puts last (our generated segnatura is checked before the sealing step adds it).
 */
export function segnaturaProblems(xml: string, options: { signed?: boolean } = {}): string[] {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (error) {
    if (error instanceof XmlSyntaxError) return [`not well-formed XML: ${error.message}`];
    throw error;
  }
  if (root.ns !== SEGNATURA_NAMESPACE || root.name !== 'SegnaturaInformatica') return [`the root element is {${root.ns}}${root.name}, not prot:SegnaturaInformatica`];
  const problems: string[] = [];
  const last = root.children.at(-1);
  const signature = last && last.ns === DS_NAMESPACE && last.name === 'Signature' ? last : undefined;
  if (options.signed && !signature) problems.push('/SegnaturaInformatica: missing ds:Signature');
  checkElement({ ...root, children: signature ? root.children.slice(0, -1) : root.children }, 'SegnaturaInformatica', '/SegnaturaInformatica', problems);
  return problems;
}
