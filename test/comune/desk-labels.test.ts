// The desk shows an application's answers by the labels of the form version the citizen filled in.
import { describe, expect, it } from 'vitest';
import { demoFormSchema } from '../../src/comune/forms/demo.ts';
import { labelledAnswers } from '../../src/comune/desk/model.ts';

describe('labelledAnswers', () => {
  it('labels the answers with the form and shows option labels, dates and hidden fields left out', () => {
    const schema = demoFormSchema('accesso-agli-atti');
    const data = { applicantGivenName: 'Marco', applicantBirthDate: '1978-03-14', accessType: 'documentale', asDelegate: 'false', delegatorFiscalCode: 'RSSMRA80A01H501U' };
    const answers = labelledAnswers(schema, data, '2026-03-10', 'it');
    expect(answers).toContainEqual({ label: 'Nome', value: 'Marco' });
    expect(answers).toContainEqual({ label: 'Data di nascita', value: '14/03/1978' });
    expect(answers).toContainEqual({ label: 'Tipo di accesso', value: 'Accesso documentale (L. 241/1990, art. 22)' });
    expect(answers.map((a) => a.label)).not.toContain('accessType');
    // The delegation page is hidden when the citizen does not act on delegation.
    expect(answers.map((a) => a.label)).not.toContain('Codice fiscale del delegante');
  });

  it('falls back to the data keys without a form', () => {
    expect(labelledAnswers(undefined, { Scuola: 'Pascoli', n: 3 }, '2026-03-10', 'it')).toEqual([
      { label: 'Scuola', value: 'Pascoli' },
      { label: 'n', value: '3' },
    ]);
  });
});
