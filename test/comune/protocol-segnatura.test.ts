// The segnatura against the structure of AgID's segnatura_protocollo.xsd v3.0.0: what we generate passes,
// for both directions, with and without attachments and classification; malformed ones are caught.
import { describe, expect, it } from 'vitest';
import { segnaturaXml, type SegnaturaInput } from '../../src/comune/protocol/segnatura.ts';
import { segnaturaProblems } from '../../src/comune/protocol/segnatura-check.ts';
import { parseXml, XmlSyntaxError } from '../../src/comune/protocol/xml.ts';

const sha = (c: string) => c.repeat(64);
const base: SegnaturaInput = {
  enteName: 'Comune di Bugliano & Uniti',
  enteFiscalCode: '00123450503',
  ipaCode: 'c_b999',
  aooCode: 'AOO_1',
  registerCode: 'PROT_GEN',
  number: 42,
  date: '2031-03-04',
  direction: 'incoming',
  subject: 'Iscrizione <mensa> "scolastica"',
  classification: 'VII.4.2',
  correspondent: { name: 'Anna Bianchi', givenName: 'Anna', familyName: 'Bianchi', fiscalCode: 'BNCNNA85M41G702X', email: 'anna@example.it' },
  documents: [
    { name: 'domanda.pdf', mime: 'application/pdf', sha256: sha('a') },
    { name: 'allegato 1.pdf', mime: 'application/pdf', sha256: sha('b') },
    { name: 'foto.jpg', mime: 'image/jpeg', sha256: sha('c') },
  ],
};
const valid = segnaturaXml(base);
/** The generated segnatura with one textual change (which must be there). */
const broken = (from: string | RegExp, to: string) => {
  const xml = valid.replace(from, to);
  expect(xml).not.toBe(valid);
  return segnaturaProblems(xml);
};

describe('segnatura (AgID 2021, xsd v3.0.0)', () => {
  it('generates segnature with the structure of the xsd', () => {
    expect(segnaturaProblems(valid)).toEqual([]);
    expect(segnaturaProblems(segnaturaXml({ ...base, direction: 'outgoing', documents: base.documents.slice(0, 1) }))).toEqual([]);
    // No split name, a provisional fiscal code, no classification: still valid.
    expect(segnaturaProblems(segnaturaXml({ ...base, classification: '', correspondent: { name: 'Mario De Rossi', fiscalCode: '12345678901' } }))).toEqual([]);
  });

  it('puts each datum where the xsd wants it', () => {
    const root = parseXml(valid);
    const child = (el: ReturnType<typeof parseXml>, ...names: string[]) => names.reduce((e, n) => e.children.find((c) => c.name === n)!, el);
    expect(child(root, 'Intestazione', 'Identificatore', 'NumeroRegistrazione').text).toBe('0000042');
    expect(child(root, 'Intestazione', 'Oggetto').text).toBe('Iscrizione <mensa> "scolastica"');
    expect(child(root, 'Intestazione', 'Classifica', 'CodicePath', 'SubLivello', 'SubLivello', 'Livello').text).toBe('2');
    expect(child(root, 'Descrizione', 'Mittente', 'PersonaFisica', 'CodiceFiscale').text).toBe('BNCNNA85M41G702X');
    expect(child(root, 'Descrizione', 'Destinatario', 'PA', 'DenominazionePA').text).toBe('Comune di Bugliano & Uniti');
    const allegati = child(root, 'Descrizione').children.filter((c) => c.name === 'Allegato');
    expect(allegati.map((a) => a.attributes.get('{http://www.agid.gov.it/protocollo/}nomeFile'))).toEqual(['allegato 1.pdf', 'foto.jpg']);
    expect(child(root, 'Descrizione', 'DocumentoPrimario', 'Impronta').text).toBe(Buffer.from(sha('a'), 'hex').toString('base64'));
  });

  it('finds what is malformed', () => {
    expect(segnaturaProblems('<SegnaturaInformatica')).toEqual([expect.stringMatching(/not well-formed/)]);
    expect(segnaturaProblems(valid.replace('</Oggetto>', '</Oggett>'))).toEqual([expect.stringMatching(/not well-formed/)]);
    expect(segnaturaProblems(valid.replace(/xmlns="[^"]+"/, 'xmlns="urn:other"'))[0]).toMatch(/root element/);
    expect(broken(/<Oggetto>.*?<\/Oggetto>/, '')).toEqual([expect.stringMatching(/Intestazione: expected Oggetto, found Classifica/)]);
    expect(broken('<NumeroRegistrazione>0000042<', '<NumeroRegistrazione>42<')).toEqual([expect.stringMatching(/NumeroRegistrazione: invalid value "42"/)]);
    expect(broken('<DataRegistrazione>2031-03-04<', '<DataRegistrazione>2031-02-30<')).toEqual([expect.stringMatching(/DataRegistrazione: invalid value/)]);
    expect(broken('prot:versione="3.0.0"', 'versione="3.0.0"')).toEqual([
      expect.stringMatching(/attribute versione is not allowed/),
      expect.stringMatching(/missing attribute prot:versione/),
    ]);
    expect(broken(' prot:mimeType="application/pdf"', '')).toEqual([expect.stringMatching(/DocumentoPrimario: missing attribute prot:mimeType/)]);
    // The 2013 shape (an Allegati wrapper) is not v3's.
    const allegati = broken(/(<Allegato .*<\/Allegato>)<\/Descrizione>/, '<Allegati>$1</Allegati></Descrizione>');
    expect(allegati).toEqual([expect.stringMatching(/unexpected element .*Allegati/)]);
    // Order matters: the primary document after an attachment.
    expect(broken(/(<DocumentoPrimario .*?<\/DocumentoPrimario>)(<Allegato .*?<\/Allegato>)/, '$2$1')).not.toEqual([]);
    expect(broken(/<Denominazione>VII.4.2<\/Denominazione>/, '')).toEqual([expect.stringMatching(/Classifica: expected Denominazione/)]);
    expect(broken('<CFPA>00123450503</CFPA>', '<CFPA>ABC</CFPA>')).toEqual([expect.stringMatching(/CFPA: invalid value/)]);
    expect(broken('<Impronta prot:algoritmo="SHA-256">', '<Impronta prot:algoritmo="SHA-256">***')).toEqual([expect.stringMatching(/Impronta: invalid value/)]);
    expect(broken('<Nome>Anna</Nome>', '')).toEqual([expect.stringMatching(/PersonaFisica: expected Nome, found Cognome/)]);
  });

  it('wants the ds:Signature last when asked for a sealed one', () => {
    expect(segnaturaProblems(valid, { signed: true })).toEqual(['/SegnaturaInformatica: missing ds:Signature']);
    const sealed = valid.replace('</SegnaturaInformatica>', '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature></SegnaturaInformatica>');
    expect(segnaturaProblems(sealed, { signed: true })).toEqual([]);
  });
});

describe('the XML reader', () => {
  it('resolves namespaces, qualified attributes and references', () => {
    const root = parseXml('<?xml version="1.0"?>\n<!-- c --><a xmlns="urn:a" xmlns:p="urn:p" p:x="1 &amp; 2" y=\'&#x41;\'><p:b>&lt;&#233;&gt;</p:b><c/></a>');
    expect(root).toMatchObject({ ns: 'urn:a', name: 'a' });
    expect([...root.attributes]).toEqual([['{urn:p}x', '1 & 2'], ['y', 'A']]);
    expect(root.children.map((c) => [c.ns, c.name, c.text])).toEqual([['urn:p', 'b', '<é>'], ['urn:a', 'c', '']]);
  });

  it('refuses what a segnatura never needs or what is not well-formed', () => {
    for (const bad of ['<!DOCTYPE a><a/>', '<a><![CDATA[x]]></a>', '<a><b></a>', '<p:a/>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a/><b/>', '<a x=1/>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlSyntaxError);
    }
  });
});
