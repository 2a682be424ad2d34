// Files citizens attach to forms: bytes kept content-addressed (SHA-256) under DATA_DIR/uploads, outside
// any static root; limits enforced while the body streams in, so a refused upload never touches the disk.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { sql, type Executor } from '../../core/db.ts';
import { HttpProblem, problemType } from '../../core/problem.ts';
import type { UploadedFileRef } from './validate.ts';

export const ACCEPTED_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type AcceptedType = (typeof ACCEPTED_TYPES)[number];
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export interface UploadLimits {
  maxBytes: number;
  types: readonly AcceptedType[];
}

export interface UploadInput {
  tenantId: string;
  /** The citizen's fiscal code. */
  owner: string;
  formId: string | null;
  /** As the browser named it: sanitized before it is kept. */
  filename: string;
  body: AsyncIterable<Uint8Array> | Readable;
  limits?: Partial<UploadLimits>;
}

export interface StoredFile extends UploadedFileRef {
  tenantId: string;
  owner: string;
  formId: string | null;
  sha256: string;
  createdAt: string;
}

export interface FileStore {
  /** Stores the body if it passes the limits; throws 413 (too large), 415 (type) or 400 (empty) otherwise. */
  put(input: UploadInput): Promise<StoredFile>;
  /** The file's metadata, only for its owner in its tenant. */
  get(tenantId: string, owner: string, id: string): Promise<StoredFile | undefined>;
  /** What this citizen uploaded for this form: the ctx.files of validateSubmission. */
  listFor(tenantId: string, owner: string, formId: string | null): Promise<StoredFile[]>;
  /** The bytes. */
  open(file: StoredFile): Readable;
}

// Magic numbers: ISO 32000 (%PDF-), PNG spec (8-byte signature), JPEG/JFIF (SOI marker FF D8 FF).
const SIGNATURES: { mime: AcceptedType; bytes: number[] }[] = [
  { mime: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { mime: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
];
export const SNIFF_BYTES = 8;

/** The type the content says it is, whatever the client declared. */
export function sniffType(head: Uint8Array): AcceptedType | undefined {
  return SIGNATURES.find((s) => s.bytes.every((b, i) => head[i] === b))?.mime;
}

/** A name safe to show and to offer back as a download: no path, no control or reserved characters. */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}<>:"|?*]/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+/, '')
    .trim();
  if (!clean) return 'file';
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(clean)?.[0] ?? '';
  return [...clean].length > 120 ? [...clean.slice(0, -ext.length || undefined)].slice(0, 120 - ext.length).join('') + ext : clean;
}

const tooLarge = (max: number) => new HttpProblem(413, { type: problemType('file-too-large'), detail: `files are at most ${max} bytes`, extra: { maxBytes: max } });

/**
 * Reads the body into memory, stopping at the first byte over the limit; checks the type on the first
 * bytes. Limits are a few MB, so memory is cheaper than a temporary file that could be left behind.
 */
export async function readWithinLimits(body: AsyncIterable<Uint8Array> | Readable, limits: UploadLimits): Promise<{ bytes: Buffer; mime: AcceptedType; sha256: string }> {
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let size = 0;
  let mime: AcceptedType | undefined;
  const iterator = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const chunk = Buffer.from(next.value);
      size += chunk.length;
      if (size > limits.maxBytes) throw tooLarge(limits.maxBytes);
      chunks.push(chunk);
      hash.update(chunk);
      if (!mime && size >= SNIFF_BYTES) {
        const head = Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
        mime = sniffType(head);
        if (!mime || !limits.types.includes(mime)) throw unsupported(limits);
      }
    }
  } catch (err) {
    await iterator.return?.(); // stops reading the rest of a refused upload
    if (body instanceof Readable) body.destroy();
    throw err;
  }
  if (size === 0) throw new HttpProblem(400, { type: problemType('file-empty'), detail: 'the file is empty' });
  mime ??= sniffType(Buffer.concat(chunks));
  if (!mime || !limits.types.includes(mime)) throw unsupported(limits);
  return { bytes: Buffer.concat(chunks), mime, sha256: hash.digest('hex') };
}

const unsupported = (limits: UploadLimits) => new HttpProblem(415, { type: problemType('file-type'), detail: `accepted: ${limits.types.join(', ')}`, extra: { types: limits.types } });

interface FileRow {
  id: string;
  tenant_id: string;
  owner: string;
  form_id: string | null;
  sha256: string;
  size: string | number;
  mime: string;
  original_name: string;
  created_at: Date | string;
}

const fromRow = (r: FileRow): StoredFile => ({
  id: r.id,
  tenantId: r.tenant_id,
  owner: r.owner,
  formId: r.form_id,
  sha256: r.sha256,
  size: Number(r.size),
  mime: r.mime,
  name: r.original_name,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Local disk: `${dataDir}/uploads/ab/abcdef…` (first two hex digits as a folder); metadata in comune.uploaded_files. */
export class LocalFileStore implements FileStore {
  readonly root: string;
  constructor(
    private readonly db: Executor,
    dataDir: string,
  ) {
    this.root = path.join(dataDir, 'uploads');
  }

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(input: UploadInput): Promise<StoredFile> {
    const limits: UploadLimits = { maxBytes: DEFAULT_MAX_BYTES, types: ACCEPTED_TYPES, ...input.limits };
    const { bytes, mime, sha256 } = await readWithinLimits(input.body, limits);
    const target = this.pathOf(sha256);
    if (!fs.existsSync(target)) {
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      // Written aside then renamed: a reader never sees half a file, two writers of the same bytes agree.
      const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
      await fs.promises.writeFile(temp, bytes, { mode: 0o640 });
      await fs.promises.rename(temp, target);
    }
    const { rows } = await sql<FileRow>`insert into comune.uploaded_files (tenant_id, owner, form_id, sha256, size, mime, original_name)
      values (${input.tenantId}, ${input.owner}, ${input.formId}, ${sha256}, ${bytes.length}, ${mime}, ${sanitizeFileName(input.filename)}) returning *`.execute(this.db);
    return fromRow(rows[0]!);
  }

  async get(tenantId: string, owner: string, id: string): Promise<StoredFile | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const { rows } = await sql<FileRow>`select * from comune.uploaded_files where id = ${id} and tenant_id = ${tenantId} and owner = ${owner}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async listFor(tenantId: string, owner: string, formId: string | null): Promise<StoredFile[]> {
    const { rows } = await sql<FileRow>`select * from comune.uploaded_files
      where tenant_id = ${tenantId} and owner = ${owner} and form_id is not distinct from ${formId} order by created_at, id`.execute(this.db);
    return rows.map(fromRow);
  }

  open(file: StoredFile): Readable {
    return fs.createReadStream(this.pathOf(file.sha256));
  }
}
