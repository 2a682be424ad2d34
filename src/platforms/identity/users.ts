// People who can log in at the identity OPs, and the documented demo credentials.
import { createHash } from 'node:crypto';
import { sql, type Executor } from '../../core/db.ts';
import { hashPassword } from '../../core/auth/passwords.ts';
import { demoPeople } from '../../domain/demo-people.ts';
import { municipalityByBelfiore } from '../../domain/municipalities.ts';
import type { IdentityRecord } from './claims.ts';
import { SCHEMA } from './schema.ts';

const table = sql.table(`${SCHEMA}.users`);

export interface IdentityUser extends IdentityRecord {
  id: string;
  username: string;
  passwordHash: string;
  totpSecret: string;
  cardNumber: string | null;
  pinHash: string | null;
}

interface Row {
  id: string;
  username: string;
  fiscal_code: string;
  given_name: string;
  family_name: string;
  sex: 'M' | 'F';
  birth_date: string;
  birthplace_code: string;
  birth_province: string | null;
  email: string;
  phone: string;
  password_hash: string;
  totp_secret: string;
  card_number: string | null;
  pin_hash: string | null;
}

const toUser = (row: Row): IdentityUser => ({
  id: row.id,
  username: row.username,
  fiscalCode: row.fiscal_code,
  givenName: row.given_name,
  familyName: row.family_name,
  sex: row.sex,
  birthDate: row.birth_date,
  birthplaceCode: row.birthplace_code,
  birthProvince: row.birth_province,
  email: row.email,
  phone: row.phone,
  passwordHash: row.password_hash,
  totpSecret: row.totp_secret,
  cardNumber: row.card_number,
  pinHash: row.pin_hash,
});

/** Usernames are case-insensitive and stored lower-case. */
export const normalizeUsername = (value: string) => value.trim().toLowerCase();
/** CIE card numbers as printed, e.g. "CA00000AA" (spaces and case ignored). */
export const normalizeCardNumber = (value: string) => value.replace(/\s+/g, '').toUpperCase();
export const CARD_NUMBER = /^[A-Z]{2}\d{5}[A-Z]{2}$/;
export const CARD_PIN = /^\d{8}$/;

async function findOne(db: Executor, column: 'id' | 'username' | 'card_number', value: string): Promise<IdentityUser | undefined> {
  if (column === 'id' && !/^[0-9a-f-]{36}$/i.test(value)) return undefined;
  const { rows } = await sql<Row>`select * from ${table} where ${sql.ref(column)} = ${value}`.execute(db);
  return rows[0] && toUser(rows[0]);
}

export const findUserById = (db: Executor, id: string) => findOne(db, 'id', id);
export const findUserByUsername = (db: Executor, username: string) => findOne(db, 'username', normalizeUsername(username));
export const findUserByCard = (db: Executor, cardNumber: string) => findOne(db, 'card_number', normalizeCardNumber(cardNumber));

export interface NewUser extends Omit<IdentityRecord, 'birthProvince'> {
  username: string;
  password: string;
  totpSecret: string;
  cardNumber?: string;
  pin?: string;
}

/** Adds a person unless one with the same fiscal code or username exists; true when added. */
export async function addUser(db: Executor, user: NewUser): Promise<boolean> {
  // attributi_utente.rst: place_of_birth.region is the birthplace's province (none for a birth abroad).
  const birthProvince = municipalityByBelfiore(user.birthplaceCode)?.province ?? null;
  const result = await sql`
    insert into ${table} (username, fiscal_code, given_name, family_name, sex, birth_date, birthplace_code, birth_province,
                          email, phone, password_hash, totp_secret, card_number, pin_hash)
    values (${normalizeUsername(user.username)}, ${user.fiscalCode}, ${user.givenName}, ${user.familyName}, ${user.sex},
            ${user.birthDate}, ${user.birthplaceCode}, ${birthProvince}, ${user.email}, ${user.phone},
            ${await hashPassword(user.password)}, ${user.totpSecret}, ${user.cardNumber ? normalizeCardNumber(user.cardNumber) : null},
            ${user.pin ? await hashPassword(user.pin) : null})
    on conflict do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

// --- Demo credentials ---------------------------------------------------------------------------

/** The password of every demo user. */
export const DEMO_PASSWORD = 'Sportello2026!';
/** The PIN of every demo CIE card. */
export const DEMO_PIN = '12345678';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (the TOTP secret format of authenticator apps). */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A demo user's TOTP secret: base32 of the first 20 bytes of SHA-256("sportello-demo-totp:" + fiscal code). */
export function demoTotpSecret(fiscalCode: string): string {
  return base32(createHash('sha256').update(`sportello-demo-totp:${fiscalCode}`).digest().subarray(0, 20));
}

export interface DemoCredentials {
  username: string;
  password: string;
  totpSecret: string;
  cardNumber: string;
  pin: string;
  fiscalCode: string;
  givenName: string;
  familyName: string;
}

/**
 * One login per demo person (src/domain/demo-people.ts): username = the e-mail's local part
 * (e.g. "marco.bianchi"), password DEMO_PASSWORD, TOTP secret demoTotpSecret(CF), CIE card
 * CA00001AA, CA00002AA... in demoPeople order, PIN DEMO_PIN.
 */
export function identityDemoUsers(): DemoCredentials[] {
  return demoPeople.map((person, i) => ({
    username: normalizeUsername(person.email.split('@')[0]!),
    password: DEMO_PASSWORD,
    totpSecret: demoTotpSecret(person.fiscalCode),
    cardNumber: `CA${String(i + 1).padStart(5, '0')}AA`,
    pin: DEMO_PIN,
    fiscalCode: person.fiscalCode,
    givenName: person.givenName,
    familyName: person.familyName,
  }));
}

/** Idempotent: adds the demo people that are missing. */
export async function seedDemoUsers(db: Executor): Promise<number> {
  const credentials = identityDemoUsers();
  let added = 0;
  for (const [i, person] of demoPeople.entries()) {
    const login = credentials[i]!;
    const exists = await sql`select 1 from ${table} where fiscal_code = ${person.fiscalCode}`.execute(db);
    if (exists.rows.length) continue;
    const ok = await addUser(db, {
      ...person,
      username: login.username,
      password: login.password,
      totpSecret: login.totpSecret,
      cardNumber: login.cardNumber,
      pin: login.pin,
    });
    if (ok) added++;
  }
  return added;
}
