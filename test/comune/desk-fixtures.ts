// An ente for the desk's tests: two offices, a service each, an operator each, an admin, and submitted applications.
import { randomBytes } from 'node:crypto';
import { sql, type Executor } from '../../src/core/db.ts';
import { hashPassword } from '../../src/core/auth/passwords.ts';
import { OfficeRepository } from '../../src/comune/catalog/offices.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { ApplicationStore, type Attachment } from '../../src/comune/applications/store.ts';
import type { DocumentStore } from '../../src/comune/protocol/files.ts';
import type { DeskUser } from '../../src/comune/desk/model.ts';
import { serviceInput } from './catalog-fixtures.ts';

export const DESK_PASSWORD = 'Desk-Password-2026';
let passwordHash: Promise<string> | undefined;

export async function seedDesk(db: Executor, tenantId: string) {
  const suffix = randomBytes(3).toString('hex');
  const offices = new OfficeRepository(db);
  const officeA = await offices.create(tenantId, { name: 'Ufficio Scuola', email: null, phone: null, address: null, openingHours: null });
  const officeB = await offices.create(tenantId, { name: 'Ufficio Tributi', email: null, phone: null, address: null, openingHours: null });
  const services = new ServiceRepository(db);
  const serviceA = (await services.create(tenantId, serviceInput(`mensa-${suffix}`, 'Iscrizione alla mensa', { officeId: officeA.id, deadlineDays: 30 })))!;
  const serviceB = (await services.create(tenantId, serviceInput(`tari-${suffix}`, 'Riduzione TARI', { officeId: officeB.id, deadlineDays: 30 })))!;
  // One password hash for every account: hashing is slow on purpose.
  passwordHash ??= hashPassword(DESK_PASSWORD);
  const hash = await passwordHash;
  const person = async (role: 'operator' | 'tenant_admin', givenName: string, familyName: string) => {
    const email = `${givenName.toLowerCase()}.${suffix}@example.it`;
    const { rows } = await sql<{ id: string }>`insert into comune.staff_users (tenant_id, role, email, given_name, family_name, password_hash)
      values (${tenantId}, ${role}, ${email}, ${givenName}, ${familyName}, ${hash}) returning id`.execute(db);
    return { id: rows[0]!.id, role, email, name: `${givenName} ${familyName}` };
  };
  const [anna, bruno, carla, admin] = [await person('operator', 'Anna', 'Scuola'), await person('operator', 'Bruno', 'Tributi'), await person('operator', 'Carla', 'Scuola'), await person('tenant_admin', 'Dora', 'Admin')];
  await offices.setMembers(officeA.id, [anna.id, carla.id]);
  await offices.setMembers(officeB.id, [bruno.id]);
  const desk = (p: typeof anna, officeIds: string[]): DeskUser => ({ id: p.id, role: p.role, tenantId, name: p.name, offices: officeIds });
  return {
    officeA,
    officeB,
    serviceA,
    serviceB,
    people: { anna, bruno, carla, admin },
    users: { anna: desk(anna, [officeA.id]), bruno: desk(bruno, [officeB.id]), carla: desk(carla, [officeA.id]), admin: desk(admin, []) },
  };
}

/** A submitted application of `service` by the citizen, at the store's clock. */
export async function submitApplication(
  db: Executor,
  files: DocumentStore,
  tenantId: string,
  service: { id: string; name: string },
  citizen: { fiscalCode: string; name: string },
  options: { now?: () => Date; data?: Record<string, unknown>; form?: { id: string; version: number }; attachments?: Attachment[] } = {},
) {
  const store = new ApplicationStore(db, files, options.now);
  const actor = { kind: 'citizen', tenantId, fiscalCode: citizen.fiscalCode } as const;
  const draft = await store.createDraft(actor, tenantId, { service: { ...service, classification: 'VII.4' }, form: options.form, citizen, data: options.data ?? { Scuola: 'Primaria G. Pascoli', Classe: '3B' } });
  return (await store.submit(actor, draft.id, { idempotencyKey: `k-${draft.id}`, attachments: options.attachments })).application;
}

export const serviceRef = (s: { id: string; content: { it?: { name: string } } }) => ({ id: s.id, name: s.content.it!.name });
