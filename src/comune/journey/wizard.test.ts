import { describe, expect, it } from 'vitest';
import { demoFormSchema } from '../forms/demo.ts';
import { fileIds, mergePage, pageOfErrors, requiredRank, summaryFields } from './wizard.ts';

const schema = demoFormSchema('iscrizione-mensa-scolastica');
const ctx = { today: '2026-03-10' };

describe('journey wizard helpers', () => {
  it('asks at least level 1 for any application, and the service level above it', () => {
    expect(requiredRank('anonymous')).toBe(1);
    expect(requiredRank('spid-l1')).toBe(1);
    expect(requiredRank('spid-l2')).toBe(2);
    expect(requiredRank('spid-l3')).toBe(3);
  });

  it("replaces only the posted page's answers: an unticked checkbox is dropped, other pages kept", () => {
    const saved = { applicantEmail: 'a@b.it', reducedFee: 'true', iseeValue: '9000', truthful: 'true' };
    const tariffa = schema.components.findIndex((p) => p.key === 'tariffa');
    expect(mergePage(schema, tariffa, saved, { applicantEmail: 'forged@x.it' })).toEqual({ applicantEmail: 'a@b.it', truthful: 'true' });
    expect(mergePage(schema, schema.components.length, saved, { reducedFee: 'false' })).toEqual(saved);
  });

  it('finds the first page with an error, or the summary', () => {
    expect(pageOfErrors(schema, [{ pointer: '/data/privacy', code: 'required', detail: '' }, { pointer: '/data/children/0/childName', code: 'required', detail: '' }])).toBe(1);
    expect(pageOfErrors(schema, [])).toBe(schema.components.length);
  });

  it('reads file ids from a value: one, a list, or file objects', () => {
    expect(fileIds(undefined)).toEqual([]);
    expect(fileIds('a')).toEqual(['a']);
    expect(fileIds(['a', { id: 'b' }])).toEqual(['a', 'b']);
  });

  it('labels the answers for the PDF, numbering the rows of a repeating group and skipping hidden fields', () => {
    const data = {
      applicantGivenName: 'Maria',
      children: [{ child: 'BNCLCU16E02G702Y', school: 'primaria-collodi', diet: 'standard' }],
      reducedFee: false,
      truthful: true,
    };
    // The child is named as ANPR listed them when the citizen chose.
    const fields = summaryFields(schema, data, { ...ctx, choices: { child: [{ value: 'BNCLCU16E02G702Y', name: 'LUCA BIANCHI', birthDate: '2016-05-02' }] } }, 'it');
    const byLabel = new Map(fields.map((f) => [f.label, f.value]));
    expect([...byLabel.keys()].some((l) => /n\. 1 – /.test(l))).toBe(true);
    expect(fields.find((f) => f.value === 'LUCA BIANCHI (nascita: 02/05/2016; codice fiscale BNCLCU16E02G702Y)')).toBeDefined();
    expect(fields.some((f) => f.value.includes('Collodi'))).toBe(true);
    // iseeValue is shown only with a reduced fee.
    expect(byLabel.has('Valore ISEE (euro)')).toBe(false);
  });
});
