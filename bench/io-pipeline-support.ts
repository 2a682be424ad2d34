// Shared by the IO pipeline benches: a fresh PostgreSQL database with IO migrated and one service, citizens and
// ACCEPTED messages written in bulk (as the Services API and the citizen app would), an SMTP sink that counts
// e-mails by Message-ID, and the pipeline's counts read from the database.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/core/config.ts';
import { openDatabase, sql, type Db } from '../src/core/db.ts';
import { createContext, migrateApps } from '../src/core/runtime.ts';
import io from '../src/platforms/io/index.ts';
import { createOrganization, createService } from '../src/platforms/io/services/store.ts';
import { newMessageId, nthFiscalCode } from '../test/io/pipeline-fixtures.ts';
import { testServiceInput, TEST_BODY } from '../test/io/support.ts';

const CHUNK = 5_000;

/** IO migrated on a fresh database at url, with TEST_BODY and one service; the service id. */
export async function prepareIoDatabase(url: string): Promise<{ db: Db; serviceId: string; close(): Promise<void> }> {
  const database = await openDatabase({ databaseUrl: url, dataDir: '/tmp' });
  const ctx = await createContext(loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', SECRET: 'bench-secret-0123456789-0123456789-0123456789' }), database);
  await migrateApps(ctx, [io]);
  await createOrganization(database.db, TEST_BODY);
  const service = await createService(database.db, ctx.secret, testServiceInput());
  return { db: database.db, serviceId: service.serviceId, close: () => database.close() };
}

/** Citizens 0..count-1 (AUTO, e-mail validated; e-mail forwarding on for every `emailEvery`-th, 0: none). */
export async function insertCitizens(db: Db, count: number, emailEvery: number): Promise<void> {
  for (let from = 0; from < count; from += CHUNK) {
    const n = Array.from({ length: Math.min(CHUNK, count - from) }, (_, i) => from + i);
    await sql`
      insert into io.profiles (fiscal_code, email, is_email_validated, is_email_enabled, accepted_tos_version)
      select fc, lower(fc) || '@cittadini.example', true, email_on, 1
      from unnest(${n.map(nthFiscalCode)}::text[], ${n.map((i) => emailEvery > 0 && i % emailEvery === 0)}::boolean[]) as c (fc, email_on)`.execute(db);
  }
}

/** `count` ACCEPTED messages round-robin over `citizens` citizens, from message number `from`; their ids. */
export async function insertMessages(db: Db, serviceId: string, from: number, count: number, citizens: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = from; start < from + count; start += CHUNK) {
    const n = Array.from({ length: Math.min(CHUNK, from + count - start) }, (_, i) => start + i);
    const chunkIds = n.map(() => newMessageId());
    ids.push(...chunkIds);
    await sql`
      insert into io.messages (id, fiscal_code, sender_service_id, time_to_live, content)
      select id, fc, ${serviceId}, 86400, jsonb_build_object('subject', 'Aggiornamento della pratica ' || id,
        'markdown', 'Gentile cittadina, gentile cittadino, la pratica numero ' || id || ' è stata aggiornata: trova i dettagli nell’area personale.')
      from unnest(${chunkIds}::text[], ${n.map((i) => nthFiscalCode(i % citizens))}::text[]) as m (id, fc)`.execute(db);
  }
  return ids;
}

export interface PipelineCounts {
  messages: Record<string, number>;
  notifications: Record<string, number>;
}

export async function pipelineCounts(db: Db): Promise<PipelineCounts> {
  const messages = await sql<{ status: string; n: number }>`select status, count(*)::int as n from io.messages group by status`.execute(db);
  const notifications = await sql<{ key: string; n: number }>`
    select channel || ':' || coalesce(status, 'PENDING') as key, count(*)::int as n from io.notifications group by 1`.execute(db);
  return {
    messages: Object.fromEntries(messages.rows.map((r) => [r.status, r.n])),
    notifications: Object.fromEntries(notifications.rows.map((r) => [r.key, r.n])),
  };
}

export interface SmtpSink {
  url: string;
  /** Deliveries per Message-ID. */
  byMessageId: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

/** An SMTP server that accepts every e-mail and only counts it by its Message-ID. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const byMessageId = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8_192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? 'none';
        byMessageId.set(id, (byMessageId.get(id) ?? 0) + 1);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    byMessageId,
    total: () => [...byMessageId.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
