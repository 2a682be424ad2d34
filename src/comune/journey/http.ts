// What the journey's routes share: the stores, the citizen as the applications' actor, and form posts
// read from urlencoded or multipart bodies with each file stored as it streams in (after the CSRF check).
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { assertCsrf, CSRF_FIELD } from '../../core/auth/csrf.ts';
import { checkFormCsrf } from '../../core/auth/sessions.ts';
import { HttpProblem } from '../../core/problem.ts';
import type { ComuneContext, CitizenLogin } from '../context.ts';
import { ApplicationStore, type ApplicationActor } from '../applications/store.ts';
import { diskDocumentStore, type DocumentStore } from '../protocol/files.ts';
import { DEFAULT_MAX_BYTES, LocalFileStore } from '../forms/files.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { FormRepository } from '../forms/forms.ts';
import { CitizenApplications } from './mine.ts';

export interface JourneyDeps {
  services: ServiceRepository;
  forms: FormRepository;
  uploads: LocalFileStore;
  documents: DocumentStore;
  store: ApplicationStore;
  mine: CitizenApplications;
}

export function journeyDeps(comune: ComuneContext): JourneyDeps {
  const dataDir = comune.app.config.dataDir;
  // The same content-addressed directory the protocol job reads the application's documents from (index.ts).
  const documents = diskDocumentStore(path.join(dataDir, 'documents'));
  return {
    services: new ServiceRepository(comune.db),
    forms: new FormRepository(comune.db),
    uploads: new LocalFileStore(comune.db, dataDir),
    documents,
    store: new ApplicationStore(comune.db, documents),
    mine: new CitizenApplications(comune.db),
  };
}

export const citizenActor = (login: CitizenLogin): ApplicationActor & { kind: 'citizen' } => ({
  kind: 'citizen',
  tenantId: login.tenantId,
  fiscalCode: login.fiscalCode,
  citizenId: login.citizenId,
});

/** A file part of a post: handed to `onFile`, which stores it or throws an HttpProblem (413/415/400). */
export type FileHandler = (field: string, filename: string, body: AsyncIterable<Uint8Array>) => Promise<void>;

/** Per-route multipart limits, above the app's (sized for a logo): the file store enforces the real per-file size first. */
const FORM_LIMITS = { fileSize: 2 * DEFAULT_MAX_BYTES, files: 10, fields: 400, parts: 410 };

/**
 * The post's fields (repeated names as arrays) after the CSRF check. In a multipart post the token
 * precedes the files (csrfField comes first in every form), so nothing is stored for a forged post.
 */
export async function readFormPost(request: FastifyRequest, secret: string, onFile: FileHandler): Promise<Record<string, unknown>> {
  if (!request.isMultipart()) {
    checkFormCsrf(request, secret);
    return (request.body as Record<string, unknown> | undefined) ?? {};
  }
  const body: Record<string, unknown> = {};
  let checked = false;
  for await (const part of request.parts({ limits: FORM_LIMITS })) {
    if (part.type === 'field') {
      const value = String(part.value);
      const prior = body[part.fieldname];
      body[part.fieldname] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
      continue;
    }
    if (!checked) {
      if (request.session.isNew) assertCsrf(secret, 'no-session', undefined);
      assertCsrf(secret, request.session.data.csrfSeed, body[CSRF_FIELD]);
      checked = true;
    }
    await storeOrDrain(part.file, part.filename, (stream) => onFile(part.fieldname, part.filename, stream));
  }
  if (!checked) {
    if (request.session.isNew) assertCsrf(secret, 'no-session', undefined);
    assertCsrf(secret, request.session.data.csrfSeed, body[CSRF_FIELD]);
  }
  return body;
}

/**
 * Hands the file to the store through an iterator it cannot close, then reads what is left: a refused
 * file's remaining bytes are discarded so the next parts of the post still arrive.
 */
async function storeOrDrain(file: Readable, filename: string, store: (body: AsyncIterable<Uint8Array>) => Promise<void>): Promise<void> {
  const iterator = file[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const body: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: () => iterator.next() }) };
  try {
    // An empty file input posts a part without a name: nothing chosen.
    if (filename) await store(body);
  } finally {
    while (!(await iterator.next()).done);
  }
}

/** An upload's refusal as the form's error code (forms/messages.ts `forms.error.*`). */
export function uploadErrorCode(err: unknown): string {
  if (!(err instanceof HttpProblem)) throw err;
  if (err.status === 413) return 'file-size';
  if (err.status === 415 || err.status === 400) return 'file-type';
  throw err;
}
