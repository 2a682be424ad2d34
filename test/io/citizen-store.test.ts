// The citizen app's stores on PGlite and PostgreSQL: profiles with optimistic versions and modes, per-service
// preferences bound to the settings version, the subscriptions feed, the demo profiles, and the inbox's ownership.
import { beforeAll, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { HttpProblem } from '../../src/core/problem.ts';
import { ulid } from '../../src/core/ulid.ts';
import { changeMessageStatus, getMessage, listMessages } from '../../src/platforms/io/citizen/inbox.ts';
import { createProfile, effectivePreference, fiscalCodeHash, getProfile, setLegacyBlockedChannels, setPreferenceMode, updateProfile, upsertServicePreference } from '../../src/platforms/io/citizen/profiles.ts';
import { DEMO_NOT_ON_IO, DEMO_PROFILES, seedDemoProfiles } from '../../src/platforms/io/citizen/seed-profiles.ts';
import { ioMigrations } from '../../src/platforms/io/migrations.ts';
import { withTestDatabases } from '../support/database.ts';

const ANNA = 'MRNNNA01R44A662H';
const GIUSEPPE = 'DNGGPP60M15L736W';
const SERVICE = '01JAAAAAAAAAAAAAAAAAAAAAAA';

const status = (promise: Promise<unknown>) => promise.then(() => 200, (err: unknown) => (err instanceof HttpProblem ? err.status : 500));

await withTestDatabases('io citizen stores', ({ database }) => {
  const db = () => database().db;
  const events = async (fiscalCode: string) =>
    (await sql<{ service_id: string; kind: string }>`select service_id, kind from io.subscription_events where fiscal_code_hash = ${fiscalCodeHash(fiscalCode)} order by at, kind`.execute(db())).rows;

  beforeAll(async () => {
    await migrateSchema(db(), 'io', ioMigrations);
  });

  it('a profile is created once; updates need the current version; a new e-mail is not validated', async () => {
    const created = await createProfile(db(), { fiscalCode: ANNA, email: 'anna.marino@example.it', preferredLanguage: 'de_DE' });
    expect(created).toMatchObject({ mode: 'AUTO', settingsVersion: 0, isInboxEnabled: true, isEmailValidated: false, acceptedTosVersion: 1, preferredLanguages: ['de_DE'], version: 0 });
    expect((await createProfile(db(), { fiscalCode: ANNA, preferredLanguage: 'it_IT' })).preferredLanguages).toEqual(['de_DE']);
    expect(await events(ANNA)).toEqual([{ service_id: '', kind: 'SUBSCRIBED' }]);
    await sql`update io.profiles set is_email_validated = true where fiscal_code = ${ANNA}`.execute(db());
    expect(await status(updateProfile(db(), ANNA, 1, { isWebhookEnabled: false }))).toBe(409);
    const updated = await updateProfile(db(), ANNA, 0, { email: 'anna.nuova@example.it' });
    expect(updated).toMatchObject({ version: 1, email: 'anna.nuova@example.it', isEmailValidated: false });
    const off = await updateProfile(db(), ANNA, 1, { isInboxEnabled: false });
    expect(off.isInboxEnabled).toBe(false);
    expect(await events(ANNA)).toContainEqual({ service_id: '', kind: 'UNSUBSCRIBED' });
    expect(await status(updateProfile(db(), ANNA, 2, { blockedInboxOrChannels: { [SERVICE]: ['INBOX'] } }))).toBe(409);
  });

  it('preferences are bound to the settings version: a change of mode makes them stale; LEGACY has none', async () => {
    const profile = (await getProfile(db(), ANNA))!;
    expect(await status(upsertServicePreference(db(), ANNA, SERVICE, { isInboxEnabled: false, isEmailEnabled: false, isWebhookEnabled: false, settingsVersion: 1 }))).toBe(409);
    await upsertServicePreference(db(), ANNA, SERVICE, { isInboxEnabled: false, isEmailEnabled: false, isWebhookEnabled: false, settingsVersion: 0 });
    expect(await events(ANNA)).toContainEqual({ service_id: SERVICE, kind: 'UNSUBSCRIBED' });
    const manual = await setPreferenceMode(db(), ANNA, profile.version, 'MANUAL');
    expect(manual).toMatchObject({ mode: 'MANUAL', settingsVersion: 1 });
    // The AUTO-era "off" no longer counts; MANUAL keeps everyone out until enabled.
    expect((await effectivePreference(db(), manual, SERVICE)).isInboxEnabled).toBe(false);
    await upsertServicePreference(db(), ANNA, SERVICE, { isInboxEnabled: true, isEmailEnabled: true, isWebhookEnabled: false, settingsVersion: 1 });
    expect(await effectivePreference(db(), manual, SERVICE)).toMatchObject({ isInboxEnabled: true, isWebhookEnabled: false, settingsVersion: 1 });
    const auto = await setPreferenceMode(db(), ANNA, manual.version, 'AUTO');
    expect(await effectivePreference(db(), auto, SERVICE)).toMatchObject({ isInboxEnabled: true, isWebhookEnabled: true, settingsVersion: 2 });
  });

  it('the demo profiles are seeded once, LEGACY with its blocked channels, Salvatore not on IO', async () => {
    await seedDemoProfiles(db());
    await seedDemoProfiles(db());
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from io.profiles where fiscal_code in (${sql.join(DEMO_PROFILES.map((p) => p.fiscalCode))})`.execute(db());
    expect(rows[0]!.n).toBe(DEMO_PROFILES.length);
    expect(await getProfile(db(), DEMO_NOT_ON_IO)).toBeUndefined();
    const chiara = (await getProfile(db(), 'CLMCHR54P48L219V'))!;
    expect(chiara).toMatchObject({ mode: 'LEGACY', settingsVersion: -1 });
    expect(await status(upsertServicePreference(db(), chiara.fiscalCode, SERVICE, { isInboxEnabled: true, isEmailEnabled: true, isWebhookEnabled: true, settingsVersion: 0 }))).toBe(409);
    const blocked = await setLegacyBlockedChannels(db(), chiara.fiscalCode, chiara.version, SERVICE, ['INBOX']);
    expect(await effectivePreference(db(), blocked, SERVICE)).toMatchObject({ isInboxEnabled: false });
    expect((await getProfile(db(), 'FRRLSN65S02F205E'))!).toMatchObject({ mode: 'MANUAL', settingsVersion: 1 });
    expect((await getProfile(db(), 'BNCMRC78C14G702E'))!).toMatchObject({ mode: 'AUTO', isEmailValidated: true, email: 'marco.bianchi@example.it' });
  });

  it('the inbox holds only the citizen’s processed messages, newest first', async () => {
    const deliver = async (fiscalCode: string, messageStatus = 'PROCESSED') => {
      const id = ulid();
      await sql`insert into io.messages (id, fiscal_code, sender_service_id, time_to_live, content, status)
        values (${id}, ${fiscalCode}, ${SERVICE}, 3600, ${JSON.stringify({ subject: `Messaggio ${id}`, markdown: 'x'.repeat(80) })}::jsonb, ${messageStatus})`.execute(db());
      return id;
    };
    const [a, b] = [await deliver(GIUSEPPE), await deliver(GIUSEPPE)];
    await deliver(GIUSEPPE, 'ACCEPTED');
    const other = await deliver(ANNA);
    expect((await listMessages(db(), GIUSEPPE)).items.map((m) => m.id)).toEqual([b, a]);
    expect(await listMessages(db(), GIUSEPPE, { pageSize: 1 })).toMatchObject({ next: b });
    expect(await status(getMessage(db(), GIUSEPPE, other))).toBe(404);
    expect(await status(changeMessageStatus(db(), GIUSEPPE, other, { changeType: 'reading' }))).toBe(404);
    expect(await changeMessageStatus(db(), GIUSEPPE, a, { changeType: 'bulk', isArchived: true })).toEqual({ isRead: true, isArchived: true });
    expect((await listMessages(db(), GIUSEPPE, { archived: true })).items.map((m) => m.id)).toEqual([a]);
    expect((await getMessage(db(), ANNA, other)).isRead).toBe(false);
  });
});
