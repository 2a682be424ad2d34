// The ANPR e-services as a consumer reads them through PDND: one voucher per purpose (one purpose per
// e-service), RichiestaE002 → RispostaE002OK at POST <audience>/anpr-service-e002 (reference §6).
// Used by the comune (src/comune/interop) and by form prefill (once-only principle).
import type { Problem } from '../../core/problem.ts';
import { todayUtc, type IsoDate } from '../../domain/dates.ts';
import type { DatiSoggetto, RispostaE002OK } from './wire.ts';
import { anprAudience, type AnprEservice } from '../pdnd/anpr.ts';
import type { VoucherSource } from '../pdnd/consumer.ts';
import { readProblem } from '../problem.ts';
import { profileFromFamily, type PrefillProfile } from './profile.ts';

export { profileFromFamily, type PrefillAddress, type PrefillFamilyMember, type PrefillProfile } from './profile.ts';

export type { DatiSoggetto, RispostaE002OK } from './wire.ts';
export type Generalita = DatiSoggetto['generalita'];
export type Residenza = NonNullable<DatiSoggetto['residenza']>[number];
export type Cittadinanza = NonNullable<DatiSoggetto['cittadinanza']>[number];
export type StatoCivile = NonNullable<DatiSoggetto['statoCivile']>;
export type LegameSoggetto = NonNullable<DatiSoggetto['legameSoggetto']>;
export type AnprEserviceCode = AnprEservice['code'];

export interface LookupOptions {
  /** The record as it was on this day (default today). */
  date?: IsoDate;
  /** motivoRichiesta: why the ente asks, e.g. the application or protocol number. */
  motivo: string;
}

export interface AnprSubject {
  idAnpr: string;
  generalita: Generalita;
}
export interface GeneralitaResult extends AnprSubject {
  statoCivile?: StatoCivile;
}
export interface ResidenzaResult extends AnprSubject {
  residenza: Residenza[];
  /** When the person has died: the residence is the last one. */
  dataDecesso?: IsoDate;
}
export interface FamilyMember extends AnprSubject {
  /** Relationship to the head of the family (absent when the person lives alone or has died). */
  legame?: LegameSoggetto;
}
export interface StatoFamigliaResult {
  /** The subject first, then the other members of the famiglia anagrafica on the date. */
  members: FamilyMember[];
  residenza: Residenza[];
}
export interface EsistenzaInVitaResult extends AnprSubject {
  alive: boolean;
  dataDecesso?: IsoDate;
}
export interface CittadinanzaResult extends AnprSubject {
  cittadinanza: Cittadinanza[];
}

/** ANPR refused the call: 400 (malformed request), 403 (voucher of another e-service, inactive purpose), 429 (daily calls used up), 5xx. */
export class AnprClientError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly eservice: AnprEserviceCode,
  ) {
    super(`ANPR ${eservice} answered ${status}${problem.detail ? `: ${problem.detail}` : ` ${problem.title}`}`);
    this.name = 'AnprClientError';
  }
}

export interface AnprClientOptions {
  /** The ANPR app's base URL; each e-service is at (and its vouchers are for) anprAudience(anprUrl, code). */
  anprUrl: string;
  /** Vouchers per purpose: a PDND VoucherSource (cached, invalidated on 401), or any function. */
  vouchers: VoucherSource | ((purposeId: string) => Promise<string>);
  /** The consumer's purpose per e-service. */
  purposes: Partial<Record<AnprEserviceCode, string>>;
  fetch?: typeof fetch;
  today?: () => IsoDate;
}

export interface AnprClient {
  /** C030: the idANPR of a fiscal code. */
  idAnpr(fiscalCode: string, options?: Partial<LookupOptions>): Promise<string | undefined>;
  /** C015: generalità and civil status. */
  generalita(fiscalCode: string, options: LookupOptions): Promise<GeneralitaResult | undefined>;
  /** C020: residence (and death date). */
  residenza(fiscalCode: string, options: LookupOptions): Promise<ResidenzaResult | undefined>;
  /** C021: the famiglia anagrafica. */
  statoFamiglia(fiscalCode: string, options: LookupOptions): Promise<StatoFamigliaResult | undefined>;
  /** C019: alive or not on the date. */
  esistenzaInVita(fiscalCode: string, options: LookupOptions): Promise<EsistenzaInVitaResult | undefined>;
  /** C018: citizenships. */
  cittadinanza(fiscalCode: string, options: LookupOptions): Promise<CittadinanzaResult | undefined>;
  /** What a form prefill needs (names, birth, residence, family) in one call (C021). */
  prefillProfile(fiscalCode: string, options?: Partial<LookupOptions>): Promise<PrefillProfile | undefined>;
}

const subject = (d: DatiSoggetto): AnprSubject => ({ idAnpr: d.identificativi.idANPR, generalita: d.generalita });

/** idOperazioneClient is numeric and increasing per client (RichiestaE002): microseconds since the epoch, never repeated. */
function operationIds(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) * 1000n;
    last = now > last ? now : last + 1n;
    return last.toString();
  };
}

export function createAnprClient(options: AnprClientOptions): AnprClient {
  const doFetch = options.fetch ?? fetch;
  const today = options.today ?? todayUtc;
  const nextOperationId = operationIds();
  const source: VoucherSource =
    typeof options.vouchers === 'function' ? { voucher: options.vouchers, invalidate: () => undefined } : options.vouchers;

  /** The subjects ANPR answers with, or undefined when it knows nobody with this fiscal code on the date. */
  async function e002(code: AnprEserviceCode, fiscalCode: string, lookup: Partial<LookupOptions>, defaultMotivo: string): Promise<DatiSoggetto[] | undefined> {
    const purposeId = options.purposes[code];
    if (!purposeId) throw new Error(`No PDND purpose is configured for the ANPR e-service ${code}`);
    const url = `${anprAudience(options.anprUrl, code)}/anpr-service-e002`;
    for (let attempt = 1; ; attempt++) {
      const voucher = await source.voucher(purposeId);
      const body = {
        idOperazioneClient: nextOperationId(),
        criteriRicerca: { codiceFiscale: fiscalCode },
        datiRichiesta: { dataRiferimentoRichiesta: lookup.date ?? today(), motivoRichiesta: lookup.motivo ?? defaultMotivo, casoUso: code },
      };
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${voucher}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
        });
      } catch (err) {
        throw new AnprClientError(503, { type: 'about:blank', title: 'ANPR unreachable', status: 503, detail: (err as Error).message }, code);
      }
      if (response.status === 401 && attempt === 1) {
        // The voucher expired or was revoked early: one fresh voucher, one retry.
        await response.arrayBuffer();
        source.invalidate(purposeId);
        continue;
      }
      if (response.ok) return ((await response.json()) as RispostaE002OK).listaSoggetti.datiSoggetto;
      const problem = await readProblem(response);
      // ANPR's "subject not found" carries its listaErrori (EN122); any other 404 is a wrong address.
      if (response.status === 404 && Array.isArray((problem as Record<string, unknown>).listaErrori)) return undefined;
      throw new AnprClientError(response.status, problem, code);
    }
  }

  const first = async (code: AnprEserviceCode, fiscalCode: string, lookup: Partial<LookupOptions>, defaultMotivo = '') =>
    (await e002(code, fiscalCode, lookup, defaultMotivo))?.[0];

  return {
    async idAnpr(fiscalCode, lookup = {}) {
      return (await first('C030', fiscalCode, lookup, 'accertamento identificativo unico nazionale'))?.identificativi.idANPR;
    },
    async generalita(fiscalCode, lookup) {
      const d = await first('C015', fiscalCode, lookup);
      return d && { ...subject(d), ...(d.statoCivile ? { statoCivile: d.statoCivile } : {}) };
    },
    async residenza(fiscalCode, lookup) {
      const d = await first('C020', fiscalCode, lookup);
      return d && { ...subject(d), residenza: d.residenza ?? [], ...(d.datiDecesso ? { dataDecesso: d.datiDecesso.dataEvento } : {}) };
    },
    async statoFamiglia(fiscalCode, lookup) {
      const list = await e002('C021', fiscalCode, lookup, '');
      return list && { members: list.map((d) => ({ ...subject(d), ...(d.legameSoggetto ? { legame: d.legameSoggetto } : {}) })), residenza: list[0]?.residenza ?? [] };
    },
    async esistenzaInVita(fiscalCode, lookup) {
      const d = await first('C019', fiscalCode, lookup);
      if (!d) return undefined;
      const death = d.datiDecesso?.dataEvento ?? d.infoSoggettoEnte?.find((i) => i.chiave === 'esistenzaInVita')?.valoreData;
      return { ...subject(d), alive: !death, ...(death ? { dataDecesso: death } : {}) };
    },
    async cittadinanza(fiscalCode, lookup) {
      const d = await first('C018', fiscalCode, lookup);
      return d && { ...subject(d), cittadinanza: d.cittadinanza ?? [] };
    },
    async prefillProfile(fiscalCode, lookup = {}) {
      const list = await e002('C021', fiscalCode, lookup, 'precompilazione di un modulo (principio once only)');
      return list && profileFromFamily(list);
    },
  };
}
