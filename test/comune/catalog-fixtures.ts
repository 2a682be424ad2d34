// A valid service for the catalog's tests, to vary one field at a time.
import type { ServiceInput } from '../../src/comune/catalog/model.ts';

const blank = { who: '', howTo: '', needed: '', obtained: '', times: '', costs: '', conditions: '', contacts: '', moreInfo: '' };

export const serviceInput = (slug: string, name: string, extra: Partial<ServiceInput> = {}): ServiceInput => ({
  slug,
  categoryId: null,
  status: 'active',
  activeFrom: null,
  activeTo: null,
  accessLevel: 'spid-l2',
  officeId: null,
  deadlineDays: 30,
  protocolRequired: true,
  formId: null,
  content: { it: { ...blank, name, description: `Descrizione di ${name}.` } },
  topics: [],
  lifeEvents: [],
  channels: ['online'],
  ...extra,
});
