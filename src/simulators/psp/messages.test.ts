import { describe, expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { FAULT_CODES, PAA_FAULT_CODES } from '../../clients/pagopa/nodo-wire.ts';
import { messages } from './messages.ts';

describe('the counters’ words', () => {
  it('exist in Italian, English and German', () => {
    expect(missingTranslations(messages)).toEqual([]);
  });

  it('say every refusal of the Nodo and of the institutions in plain words', () => {
    const missing = [...FAULT_CODES, ...PAA_FAULT_CODES].filter((code) => !(`fault.${code}` in messages.it));
    expect(missing).toEqual([]);
  });
});
