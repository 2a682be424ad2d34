import { describe, expect, it } from 'vitest';
import { adjacentPage, applyRowAction, parseFormAction, pointerToName, renderForm, type RenderFormInput } from './render.ts';
import { demoFormSchema } from './demo.ts';
import { validateSubmission } from './validate.ts';
import type { FormSchema } from './schema.ts';

const ctx = { today: '2026-03-10' };
const base = (schema: FormSchema, extra: Partial<RenderFormInput> = {}): RenderFormInput => ({ schema, locale: 'it', action: '/x', csrfToken: 'tok', data: {}, ctx, ...extra });
const bonus = demoFormSchema('bonus-economico');

describe('renderForm', () => {
  it('labels every field, shows the steps, the CSRF token and Avanti on the first page only', () => {
    const out = renderForm(base(bonus, { page: 0 })).toString();
    expect(out).toContain('<label for="field-applicantFiscalCode" class="active">Codice fiscale');
    expect(out).toContain('aria-current="step">Richiedente</li>');
    expect(out).toContain('Passo 1 di 5');
    expect(out).toContain('name="_csrf" value="tok"');
    expect(out).toContain('value="next" class="btn btn-primary">Avanti');
    expect(out).not.toContain('value="back"');
    expect(out).toContain('<legend class="h6">Residenza <span aria-hidden="true">*</span></legend>');
    expect(out).not.toMatch(/<script|style=/);
  });
  it('shows errors at the top, linked to their fields, and ties each to its field', () => {
    const result = validateSubmission(bonus, { familySize: '0', isee: 'x' }, { ...ctx, page: 1 });
    if (result.ok) throw new Error('expected errors');
    const out = renderForm(base(bonus, { page: 1, data: { familySize: '0', isee: 'x' }, errors: result.errors })).toString();
    expect(out).toContain('id="error-summary"');
    expect(out).toContain('<a href="#field-familySize">«Componenti del nucleo familiare»: il valore minimo è 1.</a>');
    expect(out).toMatch(/id="field-isee"[^>]*aria-invalid="true"[^>]*aria-describedby="field-isee-help field-isee-error"/s);
    expect(out).toContain('value="0"');
  });
  it('marks prefilled fields and makes authoritative ones read-only', () => {
    const marks = { applicantResidence: { origin: 'anpr' as const, readOnly: true }, applicantEmail: { origin: 'spid' as const, readOnly: false } };
    const data = { applicantResidence: { street: 'VIA ROMA', houseNumber: '12', postcode: '56000', comune: 'BUGLIANO', province: 'PI' }, applicantEmail: 'm@example.it' };
    const out = renderForm(base(bonus, { page: 0, marks, data })).toString();
    expect(out).toMatch(/name="applicantResidence"[^>]*value="VIA ROMA 12, 56000 BUGLIANO \(PI\)"[^>]*readonly/s);
    expect(out).toContain('Dato fornito da ANPR tramite PDND');
    expect(out).toMatch(/name="applicantEmail" type="email"[^>]*value="m@example.it"(?![^>]*readonly)/s);
    expect(out).toContain('Dato fornito dal tuo SPID');
  });
  it('renders a same-page conditional with its hint, and decides cross-page ones on the server', () => {
    const page2 = renderForm(base(bonus, { page: 2 })).toString();
    expect(page2).toContain('data-when="paymentMethod" data-eq="iban" data-show="true"');
    expect(page2).toContain('Da compilare solo se «Modalità di pagamento» è «Accredito su conto corrente».');
    const atti = demoFormSchema('accesso-agli-atti');
    expect(adjacentPage(atti, {}, ctx, 1, 1)).toBe(3); // the delegation page is skipped
    expect(adjacentPage(atti, { asDelegate: 'true' }, ctx, 1, 1)).toBe(2);
    expect(adjacentPage(atti, {}, ctx, 3, -1)).toBe(1);
  });
  it('renders repeating groups with add and remove buttons posting to the server', () => {
    const canteen = demoFormSchema('iscrizione-mensa-scolastica');
    const data = applyRowAction(canteen, applyRowAction(canteen, {}, { kind: 'add', grid: 'children' }), { kind: 'add', grid: 'children' });
    expect(data.children).toEqual([{}, {}]);
    const out = renderForm(base(canteen, { page: 1, data })).toString();
    expect(out).toContain('<legend class="h6 px-2 w-auto">Figli n. 2</legend>');
    expect(out).toContain('name="children[1][child]"');
    expect(out).toContain('value="remove:children:1"');
    expect(out).toContain('value="add:children"');
    expect(out).toContain('enctype="multipart/form-data"');
    expect(applyRowAction(canteen, { children: { '0': { childName: 'a' }, '1': { childName: 'b' } } }, parseFormAction('remove:children:0')!)).toEqual({ children: [{ childName: 'b' }] });
  });
  it('ends with a summary of every answer, an edit button per page, and Invia', () => {
    const data = { applicantFiscalCode: 'BNCMRC78C14G702E', familySize: 3, paymentMethod: 'cassa', conditions: { minori: true, disabilita: false }, iban: 'IT60X0542811101000000123456', truthful: true };
    const out = renderForm(base(bonus, { page: bonus.components.length, data })).toString();
    expect(out).toContain('aria-current="step">Riepilogo</li>');
    expect(out).toContain('<dt class="col-sm-4">Modalità di pagamento</dt><dd class="col-sm-8">Ritiro presso la tesoreria comunale</dd>');
    expect(out).toContain('<dd class="col-sm-8">Presenza di figli minori</dd>');
    expect(out).not.toContain('IT60X0542811101000000123456'); // hidden by its conditional
    expect(out).toContain('value="goto:2"');
    expect(out).toContain('value="submit" class="btn btn-primary">Invia la richiesta');
  });
  it('maps pointers to input names and parses actions', () => {
    expect(pointerToName('/data/children/0/name')).toBe('children[0][name]');
    expect(pointerToName('/data/cf')).toBe('cf');
    expect(parseFormAction('goto:3')).toEqual({ kind: 'goto', page: 3 });
    expect(parseFormAction('rm -rf')).toBeUndefined();
  });
});

describe('renderForm in the citizen language', () => {
  it('shows labels, options, help and errors in English or German, the standard texts too', () => {
    const en = renderForm(base(bonus, { locale: 'en', page: 0 })).toString();
    expect(en).toContain('<label for="field-applicantFiscalCode" class="active">Fiscal code');
    expect(en).toContain('aria-current="step">Applicant</li>');
    expect(en).toContain('Step 1 of 5');
    const result = validateSubmission(bonus, { familySize: '0', iseeProtocol: 'DSU 12' }, { ...ctx, page: 1 });
    if (result.ok) throw new Error('expected errors');
    const de = renderForm(base(bonus, { locale: 'de', page: 1, data: { familySize: '0' }, errors: result.errors })).toString();
    expect(de).toContain('„Mitglieder des Haushalts“: das Minimum ist 1.');
    // The form's own error text replaces the standard one, in the language.
    expect(de).toContain('„Protokollnummer der DSU“: geben Sie sie wie auf der INPS-Bescheinigung ein, zum Beispiel INPS-ISEE-2026-012345678-00.');
    expect(de).toContain('Haushalte mit einem ISEE-Wert bis 15.000 Euro können den Beitrag beantragen.');
  });
  it('falls back to Italian for a text without translation, and reads stored plain-string schemas as Italian', () => {
    const schema: FormSchema = { display: 'form', components: [{ type: 'radio', key: 'r', label: { it: 'Scelta', en: 'Choice' }, values: [{ value: 'a', label: { it: 'Prima', de: 'Erste' } }, { value: 'b', label: 'Seconda' }] }] };
    const en = renderForm(base(schema, { locale: 'en' })).toString();
    expect(en).toContain('<legend class="h6">Choice</legend>');
    expect(en).toContain('>Prima</label>');
    expect(en).toContain('>Seconda</label>');
    const de = renderForm(base(schema, { locale: 'de' })).toString();
    expect(de).toContain('<legend class="h6">Scelta</legend>');
    expect(de).toContain('>Erste</label>');
  });
});

describe('a choice fed by ANPR (the canteen child)', () => {
  const canteen = demoFormSchema('iscrizione-mensa-scolastica');
  const data = { children: [{}] };
  const choices = { child: [{ value: 'BNCTMS10B21G702Z', name: 'TOMMASO BIANCHI', birthDate: '2010-02-21' }, { value: 'BNCSFO13P43G702E', name: 'SOFIA BIANCHI', birthDate: '2013-09-03' }] };

  it("offers the family's minors as options, marked as ANPR's", () => {
    const out = renderForm(base(canteen, { page: 1, data, ctx: { ...ctx, choices } })).toString();
    expect(out).toMatch(/type="radio" id="field-children\[0\]\[child\]" name="children\[0\]\[child\]" value="BNCTMS10B21G702Z"/);
    expect(out).toContain('TOMMASO BIANCHI (nascita: 21/02/2010; codice fiscale BNCTMS10B21G702Z)');
    expect(out).toContain('Elenco fornito da ANPR tramite PDND');
    expect(out).not.toContain('Non è stato possibile consultare');
    const none = renderForm(base(canteen, { locale: 'en', page: 1, data, ctx: { ...ctx, choices: { child: [] } } })).toString();
    expect(none).toContain('According to the national registry (ANPR) nobody in your registered family can be chosen here.');
  });
  it('asks for the fiscal code, saying why, when ANPR did not answer', () => {
    const out = renderForm(base(canteen, { page: 1, data: { children: [{ child: 'BNCTMS10B21G702Z' }] } })).toString();
    expect(out).toMatch(/id="field-children\[0\]\[child\]" name="children\[0\]\[child\]" type="text"[^>]*value="BNCTMS10B21G702Z"/s);
    expect(out).toContain("Non è stato possibile consultare l&#39;anagrafe nazionale (ANPR): scrivi il codice fiscale.");
  });
  it('names the chosen child in the summary', () => {
    const summary = renderForm(base(canteen, { page: canteen.components.length, data: { children: [{ child: 'BNCSFO13P43G702E' }] }, ctx: { ...ctx, choices } })).toString();
    expect(summary).toContain('SOFIA BIANCHI (nascita: 03/09/2013; codice fiscale BNCSFO13P43G702E)');
  });
});
