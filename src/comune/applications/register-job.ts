// The durable jobs that register in the ente's protocol (incoming) what an applicant submits: the
// application (its PDF first, then the attachments; 2000 → 3000) and each answer to a request for
// integration (its PDF, then its new documents, linked to the application's registration; 4300 → 4400).
import type { Executor } from '../../core/db.ts';
import { PermanentJobError, type JobHandler } from '../../core/jobs.ts';
import { protocolJobHandler, storedDocument } from '../protocol/job.ts';
import type { AdapterDeps } from '../protocol/settings.ts';
import { ApplicationStore, type Application } from './store.ts';
import { STATUS } from './states.ts';

export { REGISTER_APPLICATION_JOB, REGISTER_INTEGRATION_JOB } from './store.ts';

const system = { kind: 'system', id: 'protocol' } as const;
const applicant = (app: Application) => ({ name: app.citizenName, fiscalCode: app.citizenFiscalCode });

export function registerApplicationHandler(db: Executor, deps: AdapterDeps): JobHandler<{ applicationId: string }> {
  const store = new ApplicationStore(db, deps.store);
  return protocolJobHandler(db, deps, {
    async prepare({ applicationId }) {
      const app = await store.get(system, applicationId);
      // Already registered (a repeated attempt) or no longer waiting for it.
      if (app.status !== STATUS.submitted || app.protocol) return undefined;
      if (!app.pdfSha256) throw new PermanentJobError(`application ${applicationId} has no PDF`);
      const attachments = await store.attachments(db, applicationId);
      const documents = await Promise.all([{ sha256: app.pdfSha256, name: `domanda-${app.id}.pdf`, mime: 'application/pdf' }, ...attachments].map((d) => storedDocument(deps.store, d)));
      return {
        tenantId: app.tenantId,
        input: { direction: 'incoming', subject: `${app.serviceName} — domanda di ${app.citizenName}`, correspondent: applicant(app), classification: app.classification, documents },
      };
    },
    async record(tx, { applicationId }, receipt) {
      // The row lock makes a racing transition (a withdrawal) wait, then we see it.
      const app = await store.get(system, applicationId, tx, true);
      if (app.status === STATUS.submitted) await store.recordRegistration(tx, applicationId, receipt);
    },
  });
}

export function registerIntegrationHandler(db: Executor, deps: AdapterDeps): JobHandler<{ answerId: string }> {
  const store = new ApplicationStore(db, deps.store);
  return protocolJobHandler(db, deps, {
    async prepare({ answerId }) {
      const answer = await store.integrationAnswer(db, answerId);
      if (!answer) throw new PermanentJobError(`no answer to a request for integration ${answerId}`);
      // A received document is registered whatever the application's status now (DPR 445/2000 art. 53 c.5).
      if (answer.protocol) return undefined;
      const app = await store.get(system, answer.applicationId);
      const documents = await Promise.all([answer.pdf, ...answer.attachments].map((d) => storedDocument(deps.store, d)));
      return {
        tenantId: app.tenantId,
        input: {
          direction: 'incoming',
          subject: `${app.serviceName} — integrazione della domanda di ${app.citizenName}`,
          correspondent: applicant(app),
          classification: app.classification,
          documents,
          linkedTo: app.protocol && { id: app.protocol.id, number: app.protocol.number, year: app.protocol.year },
        },
      };
    },
    record: (tx, { answerId }, receipt) => store.recordIntegrationRegistration(tx, answerId, receipt),
  });
}
