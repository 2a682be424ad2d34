// The citizen area's pure pieces (login claims and pending logins, the declaration and rectification
// forms, contacts) and its operations in service.ts on PGlite and PostgreSQL: the online declaration shares
// the office's core (same refusals, the channel and filer kept), contacts as events of the record.
import { describe, expect, it } from 'vitest';
import { ACR, FISCAL_NUMBER_CLAIM } from '../../src/clients/identity/index.ts';
import { PENDING_LOGIN_TTL_MS, citizenFromClaims, isPendingLoginFresh, type PendingLogin } from '../../src/clients/identity/login.ts';
import { loginFailureMessage, shuffled, signInMessages } from '../../src/clients/identity/sign-in.ts';
import { listAudit } from '../../src/core/audit.ts';
import { missingTranslations } from '../../src/core/i18n.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { BUGLIANO } from '../../src/domain/municipalities.ts';
import { citizenMessages, citizenT, codeMessages } from '../../src/platforms/anpr/citizen/messages.ts';
import { birthplaceCodeOf, corrections } from '../../src/platforms/anpr/citizen/rectification.ts';
import { checkDeclarationForm, declaredAddress } from '../../src/platforms/anpr/citizen/residence.ts';
import { civilStatusName, relationshipName } from '../../src/platforms/anpr/citizen/labels.ts';
import { anprMigrations } from '../../src/platforms/anpr/migrations.ts';
import { contactsOf, type AnprEvent, type PersonState } from '../../src/platforms/anpr/model.ts';
import { checkContacts } from '../../src/platforms/anpr/rules.ts';
import { seedDemoPopulation } from '../../src/platforms/anpr/seed.ts';
import * as svc from '../../src/platforms/anpr/service.ts';
import { stradarioOf } from '../../src/platforms/anpr/stradario.ts';
import { idByFiscalCode, loadEvents, readPersonAsOf } from '../../src/platforms/anpr/store.ts';
import { municipalityByIstat } from '../../src/domain/municipalities.ts';
import { withTestDatabases } from '../support/database.ts';

const it_ = citizenT('it');

describe('login pieces', () => {
  it('reads the citizen from the SPID/CIE claims, and refuses without the essential ones', () => {
    const claims = { [FISCAL_NUMBER_CLAIM]: 'TINIT-BNCMRC78C14G702E', given_name: 'Marco', family_name: 'Bianchi', email: 'm@example.it', place_of_birth: { locality: 'G702', region: 'PI' } };
    expect(citizenFromClaims(claims)).toEqual({ fiscalCode: 'BNCMRC78C14G702E', givenName: 'Marco', familyName: 'Bianchi', email: 'm@example.it', placeOfBirth: { locality: 'G702', region: 'PI' } });
    expect(citizenFromClaims({ ...claims, [FISCAL_NUMBER_CLAIM]: 'BNCMRC78C14G702E' })).toBeUndefined();
    expect(citizenFromClaims({ ...claims, given_name: '' })).toBeUndefined();
  });

  it('accepts a pending login once started and for ten minutes only', () => {
    const pending: PendingLogin = { provider: 'spid', acr: ACR.L2, state: 's', nonce: 'n', codeVerifier: 'v', startedAt: 1_000_000 };
    expect(isPendingLoginFresh(pending, 1_000_000 + PENDING_LOGIN_TTL_MS)).toBe(true);
    expect(isPendingLoginFresh(pending, 1_000_001 + PENDING_LOGIN_TTL_MS)).toBe(false);
    expect(isPendingLoginFresh(pending, 999_999)).toBe(false);
    expect(isPendingLoginFresh(undefined, 1_000_000)).toBe(false);
  });

  it('shuffles the identity providers without losing one', () => {
    const items = ['a', 'b', 'c', 'd'];
    expect(shuffled(items, () => 0)).toEqual(['b', 'c', 'd', 'a']);
    expect([...shuffled(items)].sort()).toEqual(items);
  });

  it('explains a failed login in the citizen language', () => {
    expect(loginFailureMessage('it', { reason: 'level' })).toBe("L'accesso non è riuscito: il livello di sicurezza raggiunto non è sufficiente. Riprova.");
    expect(loginFailureMessage('de', { reason: 'cancelled' })).toBe('Die Anmeldung wurde abgebrochen oder abgelehnt.');
  });
});

describe('catalogs', () => {
  it('are complete in it, en and de', () => {
    expect(missingTranslations(citizenMessages)).toEqual([]);
    expect(missingTranslations(codeMessages)).toEqual([]);
    expect(missingTranslations(signInMessages)).toEqual([]);
  });

  it('name the code tables by sex, in each language', () => {
    expect(civilStatusName('it', '2', 'F')).toBe('Coniugata');
    expect(civilStatusName('it', '1', 'M')).toBe('Celibe');
    expect(relationshipName('it', '2', 'F')).toBe('Moglie');
    expect(relationshipName('en', '3', 'M')).toBe('Son');
    expect(relationshipName('de', '6', 'F')).toBe('Mutter');
    expect(relationshipName('it', '1', 'F')).toBe('Intestataria scheda');
  });
});

describe('forms', () => {
  it('checks the declaration fields before the rules', () => {
    expect(checkDeclarationForm({ street: 'x', houseNumber: '12/B', postcode: '56000' }, it_)).toEqual({});
    expect(checkDeclarationForm({ houseNumber: 'dodici', postcode: '5600', interior: 'x'.repeat(11) }, it_)).toEqual({
      street: 'Campo obbligatorio.',
      houseNumber: it_('invalidHouseNumber'),
      postcode: it_('invalidPostcode'),
      interior: it_('invalidInterior'),
    });
  });

  it('takes the street from the stradario, and leaves an unknown one for the rules', () => {
    const bugliano = municipalityByIstat(BUGLIANO.istatCode)!;
    const roma = stradarioOf(BUGLIANO.istatCode)!.find((s) => s.name === 'Roma')!;
    expect(declaredAddress(bugliano, { street: roma.code, houseNumber: ' 12a ', postcode: '56000', interior: '' })).toEqual({
      istatCode: '050999', comune: 'Bugliano', province: 'PI', postcode: '56000', streetCode: roma.code, species: 'VIA', streetName: 'Roma', houseNumber: '12A',
    });
    expect(declaredAddress(bugliano, { street: '050026-0001', houseNumber: '1', postcode: '56000' }).streetName).toBe('');
  });

  it('resolves a birthplace typed by name: comune, comune among namesakes, foreign state', () => {
    expect(birthplaceCodeOf('Pisa')).toBe('G702');
    expect(birthplaceCodeOf("  sant'angelo a cupolo ")).toBeDefined();
    expect(birthplaceCodeOf('Argentina')).toBe('Z600');
    expect(birthplaceCodeOf('Castro')).toBeUndefined(); // two comuni
    expect(birthplaceCodeOf('Castro (LE)')).toBeDefined();
    expect(birthplaceCodeOf('Atlantide')).toBeUndefined();
  });

  it('keeps only the corrections that change something, and asks for the motivation', () => {
    const current = { givenName: 'Marco', familyName: 'Bianchi', sex: 'M', birthDate: '1978-03-14', birthPlace: { kind: 'comune', belfioreCode: 'G702' } } as unknown as PersonState;
    expect(corrections({ givenName: 'MARCO', sex: 'M', birthplace: 'Pisa', motivation: 'x' }, current, '2026-03-01', it_)).toEqual({ fields: {}, errors: {} });
    expect(corrections({ givenName: 'Marco Maria', birthDate: '1978-03-15', birthplace: 'Roma', motivation: 'x' }, current, '2026-03-01', it_).fields).toEqual({ givenName: 'Marco Maria', birthDate: '1978-03-15', birthplaceCode: 'H501' });
    expect(corrections({ birthDate: '2027-01-01' }, current, '2026-03-01', it_).errors).toEqual({ birthDate: it_('invalidDate'), motivation: it_('required') });
  });

  it('checks contacts by form only, both optional', () => {
    expect(checkContacts({ email: null, phone: null })).toEqual([]);
    expect(checkContacts({ email: 'a@example.it', phone: '+393331234567' })).toEqual([]);
    expect(checkContacts({ email: 'a@', phone: '12' }).map((v) => v.rule)).toEqual(['invalid-email', 'invalid-phone']);
  });

  it('reads the contacts last given', () => {
    const e = (seq: number, email: string | null, phone: string | null) =>
      ({ seq, idAnpr: '1', effectiveDate: `2026-01-0${seq}`, recordedAt: '', recordedBy: 'online', type: 'contacts-changed', email, phone }) as AnprEvent;
    expect(contactsOf([])).toBeNull();
    expect(contactsOf([e(2, 'b@example.it', null), e(1, 'a@example.it', '050123456')])).toEqual({ email: 'b@example.it', phone: null, since: '2026-01-02' });
    expect(contactsOf([e(1, 'a@example.it', null), e(2, null, null)])).toBeNull();
  });
});

const TODAY = '2026-03-01';

await withTestDatabases('anpr citizen operations', ({ database }) => {
  const db = () => database().db;
  const id = async (cf: string) => (await idByFiscalCode(db(), cf))!;
  const street = stradarioOf('050038')![2]!;
  const vicopisano = { istatCode: '050038', comune: 'Vicopisano', province: 'PI', postcode: street.postcode!, streetCode: street.code, species: street.species, streetName: street.name, houseNumber: '3' };

  it('prepares the demo registry', async () => {
    await migrateSchema(db(), 'anpr', anprMigrations);
    await seedDemoPopulation(db());
  });

  it('files a declaration online for the citizen and family members, dated today, addressed to the new comune', async () => {
    const lombardo = 'LMBSVT49B27G273V';
    const me = (await readPersonAsOf(db(), await id(lombardo), TODAY))!;
    const d = await svc.declareResidenceChangeOnline(db(), { fiscalCode: lombardo }, { address: vicopisano, movers: [me.spouseId!] }, { today: TODAY, requestId: 'r1' });
    expect(d).toMatchObject({ istatCode: '050038', declaredOn: TODAY, channel: 'online', filedBy: lombardo, state: 'declared', movers: [me.idAnpr, me.spouseId] });
    const events = await loadEvents(db(), me.idAnpr);
    expect(events.at(-1)).toMatchObject({ type: 'residence-changed', effectiveDate: TODAY, recordedBy: '050038', declarationId: d.id });
    expect((await svc.listDeclarationsOf(db(), me.spouseId!, TODAY)).map((x) => x.id)).toEqual([d.id]);
    const audit = await listAudit(db(), 'anpr', { targetId: me.idAnpr });
    expect(audit[0]).toMatchObject({ action: 'residence.declare', actorType: 'citizen', actorId: lombardo, tenantId: '050038' });
    // The office of the new comune decides it like any other.
    const decided = await svc.decideResidenceDeclaration(db(), { id: 'officer-vicopisano', istatCode: '050038' }, { declarationId: d.id, decision: 'confirmed', date: TODAY }, { today: TODAY });
    expect(decided.state).toBe('confirmed');
  });

  it('refuses what the office path refuses: movers outside the family, streets outside the stradario', async () => {
    const elena = 'MRTLNE99T71A944N';
    const outsider = await id('BNCMRC78C14G702E');
    const err = await svc.declareResidenceChangeOnline(db(), { fiscalCode: elena }, { address: vicopisano, movers: [outsider] }, { today: TODAY }).catch((e) => e);
    expect(err).toBeInstanceOf(svc.AnprError);
    expect(err.violations.map((v: { rule: string }) => v.rule)).toEqual(['mover-not-in-family']);
    const wrong = await svc.declareResidenceChangeOnline(db(), { fiscalCode: elena }, { address: { ...vicopisano, streetCode: '050999-0001' } }, { today: TODAY }).catch((e) => e);
    expect(wrong.violations.map((v: { rule: string }) => v.rule)).toContain('street-not-in-stradario');
    expect(await svc.listDeclarationsOf(db(), await id(elena), TODAY)).toEqual([]);
    const unknown = await svc.declareResidenceChangeOnline(db(), { fiscalCode: 'RSSMRA80A01H501U' }, { address: vicopisano }, { today: TODAY }).catch((e) => e);
    expect(unknown.code).toBe('not-found');
  });

  it('keeps the office channel for declarations filed by an officer', async () => {
    const anna = await id('MRNNNA01R44A662H');
    const d = await svc.declareResidenceChange(db(), { id: 'officer-vicopisano', istatCode: '050038' }, { declarantId: anna, date: TODAY, address: vicopisano }, { today: TODAY });
    expect(d).toMatchObject({ channel: 'office', filedBy: 'officer-vicopisano' });
  });

  it('records contacts as events of the record, normalized, and refuses malformed ones', async () => {
    const cf = 'GLLDVD71D19D96VD';
    const saved = await svc.changeContacts(db(), { fiscalCode: cf }, { email: ' Davide.Gallo@Example.IT ', phone: '0039 050 123456' }, { today: TODAY });
    expect(saved).toEqual({ email: 'davide.gallo@example.it', phone: '+39050123456', since: TODAY });
    const events = await loadEvents(db(), await id(cf));
    expect(events.at(-1)).toMatchObject({ type: 'contacts-changed', recordedBy: 'online' });
    const err = await svc.changeContacts(db(), { fiscalCode: cf }, { email: 'nope', phone: null }, { today: TODAY }).catch((e) => e);
    expect(err.violations.map((v: { rule: string }) => v.rule)).toEqual(['invalid-email']);
    expect(contactsOf(await loadEvents(db(), await id(cf)))?.email).toBe('davide.gallo@example.it');
    // Contacts are not part of the certified scheda.
    expect(Object.keys((await readPersonAsOf(db(), await id(cf), TODAY))!)).not.toContain('contacts');
  });
});
