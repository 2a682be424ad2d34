// Pure rules of ANPR certificates: the code and its check symbol, stamp duty and exempt uses, who may request
// which kind, validity, and the Italian wording of the certified facts.
import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, checkSymbol, formatCertificateCode, newCertificateCode, parseCertificateCode } from '../../src/platforms/anpr/certificates/code.ts';
import { certificateContent, certifiedStatements, genderedLabel, italianDate, placeLabel } from '../../src/platforms/anpr/certificates/content.ts';
import { CERTIFICATE_KIND_CODES, addMonths, certificateTitle, kindRefusal, requestRefusal, validUntil, type CertificateKind } from '../../src/platforms/anpr/certificates/kinds.ts';
import { EXEMPT_USES, parseBolloId, stampDutyLine, stampDutyOf } from '../../src/platforms/anpr/certificates/stamp-duty.ts';
import type { PersonState } from '../../src/platforms/anpr/model.ts';

const TODAY = '2026-03-01';

function person(over: Partial<PersonState> = {}): PersonState {
  return {
    idAnpr: '100000017',
    fiscalCode: 'BNCMRC78C14G702E',
    givenName: 'Marco',
    familyName: 'Bianchi',
    sex: 'M',
    birthDate: '1978-03-14',
    birthPlace: { kind: 'comune', istatCode: '050026', belfioreCode: 'G702', name: 'Pisa', province: 'PI' },
    status: 'resident',
    registeredOn: '2008-06-14',
    registrationReason: 'transfer',
    citizenships: ['IT'],
    civilStatus: { code: '2', since: '2008-06-14' },
    spouseId: null,
    fatherId: null,
    motherId: null,
    residence: { istatCode: '050999', comune: 'Bugliano', province: 'PI', postcode: '56000', streetCode: '050999-0002', species: 'VIA', streetName: 'Roma', houseNumber: '15', since: '2008-06-14' },
    aire: null,
    family: { familyId: 'F100000017', relationship: '1', since: '2008-06-14' },
    deathDate: null,
    lastRecordedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('certificate codes', () => {
  it('are 20 symbols of the unambiguous alphabet, random, with a valid check symbol', () => {
    const codes = new Set(Array.from({ length: 500 }, () => newCertificateCode()));
    expect(codes.size).toBe(500);
    for (const code of codes) {
      expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`));
      expect(code).not.toMatch(/[ILOU]/);
      expect(parseCertificateCode(code)).toBe(code);
    }
  });

  it('are read back however they are typed, and printed in groups of four', () => {
    const code = newCertificateCode(() => Buffer.from(Array.from({ length: 19 }, (_, i) => i * 7)));
    const body = Array.from({ length: 19 }, (_, i) => CODE_ALPHABET[(i * 7) % 32]).join('');
    expect(code).toBe(body + checkSymbol(body));
    const printed = formatCertificateCode(code);
    expect(printed).toMatch(/^(\w{4}-){4}\w{4}$/);
    expect(parseCertificateCode(printed.toLowerCase())).toBe(code);
    expect(parseCertificateCode(` ${printed.replace(/0/g, 'O').replace(/1/g, 'l')} `)).toBe(code);
  });

  it('catch every single wrong symbol and every swap of adjacent symbols', () => {
    const code = newCertificateCode();
    for (let i = 0; i < code.length; i++) {
      for (const c of CODE_ALPHABET) {
        if (c === code[i]) continue;
        expect(parseCertificateCode(code.slice(0, i) + c + code.slice(i + 1))).toBeUndefined();
      }
      if (i < code.length - 1 && code[i] !== code[i + 1]) {
        expect(parseCertificateCode(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2))).toBeUndefined();
      }
    }
    expect(parseCertificateCode(code.slice(1))).toBeUndefined();
    expect(parseCertificateCode(`${code}0`)).toBeUndefined();
    expect(parseCertificateCode(code.replace(/.$/, 'U'))).toBeUndefined();
    expect(parseCertificateCode('<script>')).toBeUndefined();
  });
});

describe('stamp duty', () => {
  it('every exempt use cites its rule', () => {
    for (const [code, use] of Object.entries(EXEMPT_USES)) {
      expect(use.label.length, code).toBeGreaterThan(5);
      expect(use.citation, code).toMatch(/^(DPR|L\.) \d+\/\d{4}, .*art\. \d+/);
    }
    expect(EXEMPT_USES.pensione.citation).toBe('DPR 642/1972, Tabella allegato B, art. 9');
    expect(EXEMPT_USES.onlus.citation).toContain('art. 27-bis');
    expect(EXEMPT_USES['adozione-affidamento'].citation).toContain('art. 13');
  });

  it('an exempt use, or the contrassegno of 14 digits', () => {
    expect(stampDutyOf({ use: 'pensione' })).toEqual({ type: 'exempt', use: 'pensione', label: EXEMPT_USES.pensione.label, citation: EXEMPT_USES.pensione.citation });
    expect(stampDutyOf({ use: 'bollo', bolloId: '0123 4567 8901 23' })).toEqual({ type: 'paid', bolloId: '01234567890123', amount: '16,00' });
    expect(stampDutyOf({ use: 'bollo', bolloId: '0123456789012' })).toEqual({ refused: 'invalid-bollo-id' });
    expect(stampDutyOf({ use: 'bollo', bolloId: '0123456789012A' })).toEqual({ refused: 'invalid-bollo-id' });
    expect(stampDutyOf({ use: 'bollo' })).toEqual({ refused: 'invalid-bollo-id' });
    expect(stampDutyOf({ use: 'vacanza' })).toEqual({ refused: 'unknown-use' });
    expect(stampDutyOf({ use: 'toString' })).toEqual({ refused: 'unknown-use' });
    expect(stampDutyOf({ use: 'pensione', bolloId: '01234567890123' })).toEqual({ refused: 'bollo-id-not-needed' });
    expect(parseBolloId('01234567890123')).toBe('01234567890123');
    expect(parseBolloId('123456789012345')).toBeUndefined();
  });

  it('is printed with the rule or the contrassegno', () => {
    const exempt = stampDutyOf({ use: 'pensione' });
    const paid = stampDutyOf({ use: 'bollo', bolloId: '01234567890123' });
    if ('refused' in exempt || 'refused' in paid) throw new Error('unexpected');
    expect(stampDutyLine(exempt)).toBe(`Esente da imposta di bollo ai sensi di DPR 642/1972, Tabella allegato B, art. 9 (uso: ${EXEMPT_USES.pensione.label}).`);
    expect(stampDutyLine(paid)).toContain('Imposta di bollo di € 16,00 assolta');
    expect(stampDutyLine(paid)).toContain('identificativo 01234567890123');
  });
});

describe('who may request which certificate', () => {
  const marco = person();
  const silvia = person({ idAnpr: '100000025', fiscalCode: 'NRESLV80S49G702X', givenName: 'Silvia', familyName: 'Neri', sex: 'F', family: { familyId: 'F100000017', relationship: '2', since: '2008-06-14' } });
  const stranger = person({ idAnpr: '100000033', fiscalCode: 'RSSMRA80A01H501U', family: { familyId: 'F100000099', relationship: '1', since: '2000-01-01' } });

  it('the citizen for themselves or a member of their current famiglia anagrafica', () => {
    expect(requestRefusal(marco, marco)).toBeUndefined();
    expect(requestRefusal(marco, silvia)).toBeUndefined();
    expect(requestRefusal(silvia, marco)).toBeUndefined();
    expect(requestRefusal(marco, stranger)).toMatchObject({ code: 'forbidden', rule: 'not-family-member' });
    expect(requestRefusal(marco, undefined)).toMatchObject({ code: 'not-found', rule: 'subject-not-found' });
    expect(requestRefusal(undefined, marco)).toMatchObject({ code: 'not-found', rule: 'requester-not-registered' });
    // An AIRE citizen has no famiglia anagrafica in Italy: only for themselves.
    const aire = person({ idAnpr: '100000041', status: 'aire', residence: null, family: null, aire: { stateCode: 'Z110', stateName: 'Francia', city: 'Parigi', address: '3 Rue de la Paix', aireIstatCode: '050999', since: '2015-01-01' } });
    expect(requestRefusal(aire, aire)).toBeUndefined();
    expect(requestRefusal(aire, person({ family: null, status: 'aire' }))).toMatchObject({ rule: 'not-family-member' });
    // A deceased member has left the family; a deceased requester asks for nothing.
    expect(requestRefusal(marco, { ...silvia, status: 'deceased', deathDate: '2025-01-01' })).toMatchObject({ rule: 'not-family-member' });
    expect(requestRefusal({ ...marco, status: 'deceased' }, marco)).toMatchObject({ code: 'forbidden', rule: 'requester-deceased' });
  });

  it('each kind certifies only what holds of the subject on the reference date', () => {
    const ok = (kind: CertificateKind, p: PersonState | undefined, on = TODAY) => kindRefusal(kind, p, on, TODAY)?.rule;
    for (const kind of ['nascita', 'cittadinanza', 'esistenza-in-vita', 'residenza', 'stato-civile', 'stato-di-famiglia', 'stato-di-famiglia-parentela', 'stato-di-famiglia-stato-civile', 'contestuale', 'matrimonio'] as const) {
      expect(ok(kind, marco), kind).toBeUndefined();
    }
    expect(ok('residenza-aire', marco)).toBe('not-aire');
    expect(ok('stato-libero', marco)).toBe('not-free-status');
    expect(ok('unione-civile', marco)).toBe('not-civil-union');
    // Cittadinanza only for Italian citizens.
    expect(ok('cittadinanza', person({ citizenships: ['AR'] }))).toBe('not-italian');
    expect(ok('cittadinanza', person({ citizenships: ['IT', 'AR'] }))).toBeUndefined();
    // Esistenza in vita only for the living, and nothing at all for the deceased.
    const dead = person({ status: 'deceased', deathDate: '2025-05-05' });
    for (const kind of CERTIFICATE_KIND_CODES) expect(ok(kind, dead), kind).toBe('deceased');
    // Stato libero for the single, widowed, divorced; not when unknown.
    for (const code of ['1', '3', '4', '7', '8'] as const) expect(ok('stato-libero', person({ civilStatus: { code, since: '2000-01-01' } }))).toBeUndefined();
    expect(ok('stato-libero', person({ civilStatus: { code: '9', since: '2000-01-01' } }))).toBe('not-free-status');
    // AIRE: residenza AIRE, not residenza nor stato di famiglia.
    const aire = person({ status: 'aire', residence: null, family: null, aire: { stateCode: 'Z110', stateName: 'Francia', city: 'Parigi', address: '3 Rue de la Paix', aireIstatCode: '050999', since: '2015-01-01' } });
    expect(ok('residenza-aire', aire)).toBeUndefined();
    expect(ok('residenza', aire)).toBe('not-resident');
    expect(ok('stato-di-famiglia', aire)).toBe('not-resident');
  });

  it('a certificato storico only of kinds that have one, never in the future nor before the record', () => {
    const ok = (kind: CertificateKind, on: string, p: PersonState | undefined) => kindRefusal(kind, p, on, TODAY)?.rule;
    expect(ok('residenza', '2018-01-01', person())).toBeUndefined();
    expect(ok('stato-di-famiglia', '2018-01-01', person())).toBeUndefined();
    expect(ok('esistenza-in-vita', '2018-01-01', person())).toBe('not-historical');
    expect(ok('nascita', '2018-01-01', person())).toBe('not-historical');
    expect(ok('residenza', '2026-03-02', person())).toBe('future-date');
    expect(ok('residenza', '2000-01-01', undefined)).toBe('not-registered-on-date');
    expect(certificateTitle('residenza', true)).toBe('Certificato storico di residenza');
    expect(certificateTitle('nascita', true)).toBe('Certificato anagrafico di nascita');
  });
});

describe('validity', () => {
  it('six months, to the corresponding day or the end of a shorter month; unlimited for birth', () => {
    expect(addMonths('2026-03-01', 6)).toBe('2026-09-01');
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2027-08-31', 6)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 2)).toBe('2027-01-15');
    expect(validUntil('residenza', '2026-03-01')).toBe('2026-09-01');
    expect(validUntil('nascita', '2026-03-01')).toBeNull();
  });
});

describe('wording', () => {
  it('labels of the ANPR tables in the right gender', () => {
    expect(genderedLabel('Marito / Moglie', 'F')).toBe('Moglie');
    expect(genderedLabel('Marito / Moglie', 'M')).toBe('Marito');
    expect(genderedLabel('Zio / Zia (collaterale)', 'F')).toBe('Zia (collaterale)');
    expect(genderedLabel('Coniugato/a', 'F')).toBe('Coniugata');
    expect(genderedLabel('Celibe / Nubile', 'F')).toBe('Nubile');
    expect(genderedLabel('Unito civilmente', 'F')).toBe('Unita civilmente');
    expect(genderedLabel('Intestatario scheda', 'F')).toBe('Intestataria scheda');
    expect(genderedLabel('Non classificabile / ignoto / n.c.', 'F')).toBe('Non classificabile / ignoto / n.c.');
    expect(genderedLabel('Convivente (con vincoli di adozione o affettivi)', 'F')).toBe('Convivente (con vincoli di adozione o affettivi)');
    expect(italianDate('1978-03-14')).toBe('14/03/1978');
    expect(placeLabel({ kind: 'foreign', belfioreCode: 'Z600', name: 'Argentina', locality: 'Buenos Aires' })).toBe('BUENOS AIRES (ARGENTINA)');
  });

  it('states the facts in the present, or in the past for a certificato storico', () => {
    const stampDuty = { type: 'exempt', use: 'pensione', label: 'x', citation: 'y' } as const;
    const martina = person({ givenName: 'Martina', familyName: 'Greco', sex: 'F', citizenships: ['IT', 'AR'], civilStatus: { code: '2', since: '2011-04-09' } });
    const now = certificateContent({ kind: 'contestuale', subject: martina, family: [{ relationship: '2', person: martina }], referenceDate: TODAY, issuedOn: TODAY, stampDuty });
    expect(now.comune).toEqual({ istatCode: '050999', name: 'Bugliano', province: 'PI' });
    expect(certifiedStatements(now)).toEqual([
      'risulta residente in BUGLIANO (PI), VIA ROMA 15, CAP 56000, dal 14/06/2008.',
      'risulta in possesso della cittadinanza italiana e di quella dei seguenti Stati: ARGENTINA.',
      'risulta di stato civile CONIUGATA dal 09/04/2011.',
      'la famiglia anagrafica è così composta:',
    ]);
    const past = certificateContent({ kind: 'residenza', subject: martina, referenceDate: '2020-01-01', issuedOn: TODAY, stampDuty });
    expect(past.title).toBe('Certificato storico di residenza');
    expect(certifiedStatements(past)).toEqual(['alla data del 01/01/2020:', 'risultava residente in BUGLIANO (PI), VIA ROMA 15, CAP 56000, dal 14/06/2008.']);
    const single = certificateContent({ kind: 'stato-libero', subject: person({ civilStatus: { code: '1', since: '1978-03-14' } }), referenceDate: TODAY, issuedOn: TODAY, stampDuty });
    expect(certifiedStatements(single)).toEqual(['risulta di stato libero (CELIBE): non vincolato da matrimonio né da unione civile.']);
    const alive = certificateContent({ kind: 'esistenza-in-vita', subject: martina, referenceDate: TODAY, issuedOn: TODAY, stampDuty });
    expect(certifiedStatements(alive)).toEqual(['risulta in vita alla data del 01/03/2026.']);
    const married = certificateContent({ kind: 'matrimonio', subject: martina, partner: person(), referenceDate: TODAY, issuedOn: TODAY, stampDuty });
    expect(certifiedStatements(married)).toEqual(['risulta coniugata con BIANCHI MARCO, nato a PISA (PI) il 14/03/1978, dal 09/04/2011.']);
    const birth = certificateContent({ kind: 'nascita', subject: martina, referenceDate: TODAY, issuedOn: TODAY, stampDuty });
    expect(certifiedStatements(birth)).toEqual(['risulta nata a PISA (PI) il 14/03/1978.']);
    expect(birth.validUntil).toBeNull();
  });
});
