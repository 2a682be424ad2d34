// Where the register keeps document bytes: content-addressed by SHA-256, so a stored document is
// immutable and a repeat of the same bytes is one file. Minimal interface until forms/files.ts's
// FileStore exists (issue 5 contract); any store with put/get by hash fits.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sha256Hex } from './segnatura.ts';

export interface DocumentStore {
  /** Stores the bytes; their SHA-256 (hex) is the key. */
  put(data: Uint8Array): Promise<{ sha256: string; size: number }>;
  get(sha256: string): Promise<Buffer | undefined>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Files under `dir/ab/abcdef…` (outside any web root); written to a temporary name then renamed. */
export function diskDocumentStore(dir: string): DocumentStore {
  const where = (sha256: string) => path.join(dir, sha256.slice(0, 2), sha256);
  // The 256 folders, each made once per process rather than asked for at every put.
  const made = new Set<string>();
  return {
    async put(data) {
      const sha256 = sha256Hex(data);
      const file = where(sha256);
      const folder = path.dirname(file);
      if (!made.has(folder)) {
        await fs.mkdir(folder, { recursive: true });
        made.add(folder);
      }
      // Unique per call: two requests storing the same bytes in the same millisecond must not share it.
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.writeFile(temporary, data, { mode: 0o640 });
      await fs.rename(temporary, file);
      return { sha256, size: data.byteLength };
    },
    async get(sha256) {
      if (!HEX64.test(sha256)) return undefined;
      return fs.readFile(where(sha256)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
    },
  };
}

/** In memory, for tests and tools. */
export function memoryDocumentStore(): DocumentStore {
  const files = new Map<string, Buffer>();
  return {
    async put(data) {
      const sha256 = sha256Hex(data);
      files.set(sha256, Buffer.from(data));
      return { sha256, size: data.byteLength };
    },
    async get(sha256) {
      return files.get(sha256);
    },
  };
}
