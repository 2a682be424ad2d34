// The PSP registry of the Nodo: who may call node-for-psp (with a subscription key of owner type `psp`),
// through which broker and channel, the fee charged for an online card payment and the payment types offered.
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { audit } from '../../../core/audit.ts';
import { conflict, invalid } from '../../../core/problem.ts';
import { hasValidPartitaIvaCheckDigit } from '../../../domain/partita-iva.ts';
import type { PaymentType } from '../../../clients/pagopa/nodo-wire.ts';
import type { Actor } from '../institutions.ts';
import { SCHEMA } from '../schema.ts';

/** Owner type of the PSPs' subscription keys in pagopa.api_keys (owner id: the idPSP). */
export const PSP_KEY_OWNER = 'psp';

export interface Psp {
  idPSP: string;
  idBrokerPSP: string;
  idChannel: string;
  companyName: string;
  fiscalCode: string;
  /** Euro cents charged to the payer for an online card payment. */
  fee: number;
  paymentTypes: PaymentType[];
  enabled: boolean;
}

export type PspInput = Omit<Psp, 'enabled'> & { enabled?: boolean };

interface PspRow {
  id_psp: string;
  id_broker_psp: string;
  id_channel: string;
  company_name: string;
  fiscal_code: string;
  fee: string | number;
  payment_types: PaymentType[];
  enabled: boolean;
}

const toPsp = (r: PspRow): Psp => ({
  idPSP: r.id_psp,
  idBrokerPSP: r.id_broker_psp,
  idChannel: r.id_channel,
  companyName: r.company_name,
  fiscalCode: r.fiscal_code,
  fee: Number(r.fee),
  paymentTypes: r.payment_types,
  enabled: r.enabled,
});

const COLUMNS = sql`id_psp, id_broker_psp, id_channel, company_name, fiscal_code, fee, payment_types, enabled`;

export async function pspById(db: Executor, idPSP: string): Promise<Psp | undefined> {
  const { rows } = await sql<PspRow>`select ${COLUMNS} from pagopa.psps where id_psp = ${idPSP}`.execute(db);
  return rows[0] && toPsp(rows[0]);
}

/** Every PSP, enabled or not, by name. */
export async function listPsps(db: Executor): Promise<Psp[]> {
  const { rows } = await sql<PspRow>`select ${COLUMNS} from pagopa.psps order by company_name, id_psp`.execute(db);
  return rows.map(toPsp);
}

/** Registers a PSP; 409 if its idPSP is already there. */
export async function onboardPsp(db: Executor, actor: Actor, input: PspInput): Promise<Psp> {
  if (!hasValidPartitaIvaCheckDigit(input.fiscalCode)) throw invalid([{ pointer: '/body/fiscalCode', code: 'fiscal-code', detail: '11 digits with a valid check digit' }]);
  return transaction(db, async (tx) => {
    const { rows } = await sql<PspRow>`
      insert into pagopa.psps (id_psp, id_broker_psp, id_channel, company_name, fiscal_code, fee, payment_types, enabled)
      values (${input.idPSP}, ${input.idBrokerPSP}, ${input.idChannel}, ${input.companyName}, ${input.fiscalCode}, ${input.fee},
              ${[...new Set(input.paymentTypes)]}::text[], ${input.enabled ?? true})
      on conflict (id_psp) do nothing returning ${COLUMNS}`.execute(tx);
    if (!rows[0]) throw conflict(`The PSP ${input.idPSP} is already registered`);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, action: 'psp.onboard', targetType: 'psp', targetId: input.idPSP, requestId: actor.requestId });
    return toPsp(rows[0]);
  });
}

/** Switches a PSP on or off: a disabled PSP's keys are refused. */
export async function setPspEnabled(db: Executor, actor: Actor, idPSP: string, enabled: boolean): Promise<Psp | undefined> {
  return transaction(db, async (tx) => {
    const { rows } = await sql<PspRow>`update pagopa.psps set enabled = ${enabled} where id_psp = ${idPSP} returning ${COLUMNS}`.execute(tx);
    if (!rows[0]) return undefined;
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, action: enabled ? 'psp.enable' : 'psp.disable', targetType: 'psp', targetId: idPSP, requestId: actor.requestId });
    return toPsp(rows[0]);
  });
}
