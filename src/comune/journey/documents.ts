// The citizen's uploads become the application's documents: copied, content-addressed, into the store
// the protocol job and the downloads read (the upload area belongs to the forms and may be cleaned).
import { buffer } from 'node:stream/consumers';
import type { Attachment } from '../applications/store.ts';
import type { StoredFile } from '../forms/files.ts';
import type { JourneyDeps } from './http.ts';

export async function toDocuments(deps: Pick<JourneyDeps, 'uploads' | 'documents'>, files: readonly StoredFile[]): Promise<Attachment[]> {
  const attachments: Attachment[] = [];
  for (const file of files) {
    const { sha256, size } = await deps.documents.put(await buffer(deps.uploads.open(file)));
    attachments.push({ sha256, size, name: file.name, mime: file.mime });
  }
  return attachments;
}
