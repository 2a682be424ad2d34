// Stradario: the street list (toponomastica) of each comune. A residence must be at an address of the
// comune's stradario (DPR 223/1989 art. 43 and L. 1228/1954 art. 10 [article numbers from memory, unverified]:
// the comune keeps the onomastica stradale and numbering). Bugliano's is a fictional, realistic list; for the
// real comuni the list is generated (deterministic from the ISTAT code) from names common across Italy, so the
// validation rule has something to check until comuni upload their own (ANPR "ANNCSU" archive, a later issue).
import { BUGLIANO, municipalityByIstat, type Municipality } from '../../domain/municipalities.ts';
import type { ToponymSpecies } from './codes.ts';

export interface Street {
  /** ISTAT code of the comune + '-' + 4-digit progressive, e.g. '050999-0001' [our format]. */
  readonly code: string;
  readonly istatCode: string;
  /** DUG, denominazione urbanistica generica (ANPR toponimo.specie). */
  readonly species: ToponymSpecies;
  /** ANPR toponimo.denominazioneToponimo, e.g. 'Roma'. */
  readonly name: string;
  /** CAP of the street; undefined when this system does not know the comune's postcodes. */
  readonly postcode: string | undefined;
  /** Highest house number (civico) on the street. */
  readonly maxNumber: number;
}

// Bugliano (fictional): a small hill comune of the Pisan plain, a historic centre, a frazione and the
// countryside. Postcode 56000 as in the comune platform's demo data (no real comune uses it).
const BUGLIANO_STREETS: readonly [ToponymSpecies, string, number][] = [
  ['PIAZZA', 'del Municipio', 12],
  ['VIA', 'Roma', 120],
  ['VIA', 'Giuseppe Garibaldi', 90],
  ['VIA', 'Giuseppe Mazzini', 70],
  ['VIA', 'Camillo Benso di Cavour', 60],
  ['CORSO', 'Vittorio Emanuele II', 140],
  ['VIA', 'XX Settembre', 80],
  ['VIA', 'IV Novembre', 45],
  ['VIA', 'della Chiesa', 30],
  ['VIA', 'del Castello', 25],
  ['VICOLO', 'del Forno', 12],
  ['VICOLO', 'della Torre', 9],
  ['PIAZZA', 'della Pieve', 15],
  ['VIA', 'della Repubblica', 110],
  ['VIA', 'Antonio Gramsci', 75],
  ['VIA', 'Giacomo Matteotti', 66],
  ['VIA', 'Aldo Moro', 40],
  ['VIA', 'delle Vigne', 55],
  ['VIA', 'degli Ulivi', 48],
  ['VIA', 'dei Mulini', 36],
  ['VIA', 'del Poggio', 28],
  ['VIA', 'di Valdarno', 150],
  ['VIA', 'Pisana', 210],
  ['VIALE', 'dei Tigli', 60],
  ['VIALE', 'della Stazione', 44],
  ['LARGO', 'Galileo Galilei', 10],
  ['VIA', 'Leonardo da Vinci', 58],
  ['VIA', 'Dante Alighieri', 62],
  ['VIA', 'Francesco Petrarca', 24],
  ['VIA', 'Giacomo Puccini', 33],
  ['VIA', 'Enrico Fermi', 27],
  ['VIA', 'Sandro Pertini', 35],
  ['VIA', 'don Lorenzo Milani', 22],
  ['VIA', 'dei Partigiani', 41],
  ['STRADA', 'Vicinale del Borro', 18],
  ['LOCALITA', 'Casa Bianca', 14],
  ['LOCALITA', 'Poggio ai Pini', 20],
  ['VIA', 'di Santa Lucia', 52],
  ['PIAZZA', 'San Michele', 16],
  ['BORGO', 'Vecchio', 30],
];

// Names found in most Italian comuni (the national toponymy is dominated by them), used to generate a
// plausible stradario for comuni whose list we do not hold.
const COMMON_STREETS: readonly [ToponymSpecies, string][] = [
  ['VIA', 'Roma'], ['VIA', 'Giuseppe Garibaldi'], ['VIA', 'Giuseppe Mazzini'], ['PIAZZA', 'Dante Alighieri'],
  ['VIA', 'Guglielmo Marconi'], ['VIA', 'Giacomo Matteotti'], ['VIA', 'Camillo Benso di Cavour'], ['VIA', 'Dante Alighieri'],
  ['VIA', 'XX Settembre'], ['VIA', 'IV Novembre'], ['VIA', 'Vittorio Veneto'], ['VIA', 'Alessandro Manzoni'],
  ['VIA', 'Antonio Gramsci'], ['VIA', 'della Repubblica'], ['CORSO', 'Italia'], ['VIA', 'Giuseppe Verdi'],
  ['VIA', 'Aldo Moro'], ['VIA', 'Leonardo da Vinci'], ['VIA', 'Galileo Galilei'], ['VIA', 'Cesare Battisti'],
  ['VIA', 'Nazario Sauro'], ['VIA', 'Enrico Fermi'], ['VIA', 'Piave'], ['VIA', 'Trieste'], ['VIA', 'Trento'],
  ['VIA', 'Nino Bixio'], ['VIA', 'Goffredo Mameli'], ['VIA', 'Ugo Foscolo'], ['VIA', 'Giacomo Leopardi'],
  ['VIA', 'Francesco Petrarca'], ['VIA', 'Giovanni Pascoli'], ['VIA', 'Giosuè Carducci'], ['VIA', 'San Francesco'],
  ['PIAZZA', 'della Libertà'], ['PIAZZA', 'del Popolo'], ['PIAZZA', 'Giuseppe Garibaldi'], ['VIALE', 'Europa'],
  ['VIALE', 'della Vittoria'], ['VIA', 'Luigi Einaudi'], ['VIA', 'Alcide De Gasperi'], ['VIA', 'Sandro Pertini'],
  ['VIA', 'Giovanni XXIII'], ['VIA', 'Martiri della Libertà'], ['VIA', 'Filippo Turati'], ['VIA', 'Carlo Pisacane'],
  ['VIA', 'Fratelli Bandiera'], ['VIA', 'Silvio Pellico'], ['VIA', 'Torquato Tasso'], ['VIA', 'Ludovico Ariosto'],
  ['VIA', 'Amerigo Vespucci'], ['VIA', 'Cristoforo Colombo'], ['VIA', 'Marco Polo'], ['VIA', 'Pietro Mascagni'],
  ['VIA', 'Gioacchino Rossini'], ['VIA', 'Vincenzo Bellini'], ['VIA', 'Gaetano Donizetti'], ['VIA', 'Giacomo Puccini'],
  ['VIA', 'delle Rose'], ['VIA', 'dei Tigli'], ['VIA', 'dei Pini'], ['VIA', 'della Stazione'], ['VIA', 'del Mercato'],
  ['LARGO', 'Augusto'], ['VIA', 'Don Giovanni Minzoni'], ['VIA', 'Papa Giovanni Paolo II'], ['VIA', 'Salvo D\'Acquisto'],
  ['VIA', 'Giovanni Falcone'], ['VIA', 'Paolo Borsellino'], ['VIA', 'Benedetto Croce'], ['VIA', 'Luigi Pirandello'],
];

/** Postcodes (CAP) of the comuni the synthetic population uses; large cities have one per zone. */
const POSTCODES: Record<string, readonly string[]> = {
  [BUGLIANO.istatCode]: ['56000'],
  '050026': ['56121', '56122', '56123', '56124', '56125', '56126', '56127', '56128'], // Pisa
  '050003': ['56011'], // Calci
  '050008': ['56021', '56023'], // Cascina
  '050038': ['56010'], // Vicopisano
  '050031': ['56017'], // San Giuliano Terme
  '050029': ['56025'], // Pontedera
  '058091': ['00118', '00135', '00141', '00152', '00162', '00175', '00185', '00199'], // Roma
  '015146': ['20121', '20129', '20135', '20143', '20154', '20162'], // Milano
  '048017': ['50121', '50127', '50135', '50142'], // Firenze
  '063049': ['80121', '80128', '80135', '80142'], // Napoli
  '001272': ['10121', '10128', '10138', '10149'], // Torino
  '037006': ['40121', '40127', '40134', '40141'], // Bologna
  '049009': ['57121', '57124', '57128'], // Livorno
  '046017': ['55100'], // Lucca
};

/** A tiny deterministic hash (FNV-1a) so that generated lists depend only on the ISTAT code. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const STEPS = [7, 11, 13, 17, 19, 23];
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

const cache = new Map<string, readonly Street[]>();

function build(m: Municipality): readonly Street[] {
  const postcodes = POSTCODES[m.istatCode];
  const street = (i: number, species: ToponymSpecies, name: string, maxNumber: number): Street =>
    Object.freeze({
      code: `${m.istatCode}-${String(i + 1).padStart(4, '0')}`,
      istatCode: m.istatCode,
      species,
      name,
      postcode: postcodes ? postcodes[fnv1a(name) % postcodes.length] : undefined,
      maxNumber,
    });
  if (m.istatCode === BUGLIANO.istatCode) return BUGLIANO_STREETS.map(([s, n, max], i) => street(i, s, n, max));
  // Larger lists for the comuni with several postcodes (cities), 20-40 streets for the others.
  const h = fnv1a(m.istatCode);
  const count = Math.min(COMMON_STREETS.length, (postcodes?.length ?? 1) > 2 ? COMMON_STREETS.length : 20 + (h % 21));
  const start = h % COMMON_STREETS.length;
  // Stepping by a number coprime with the list length visits distinct entries.
  const step = STEPS.find((k) => gcd(k, COMMON_STREETS.length) === 1)!;
  const picked = Array.from({ length: count }, (_, i) => COMMON_STREETS[(start + i * step) % COMMON_STREETS.length]!);
  return picked.map(([s, n], i) => street(i, s, n, 20 + (fnv1a(m.istatCode + n) % 180)));
}

/** The stradario of a comune (by ISTAT code), or undefined for an unknown comune. */
export function stradarioOf(istatCode: string): readonly Street[] | undefined {
  const m = municipalityByIstat(istatCode);
  if (!m) return undefined;
  let list = cache.get(m.istatCode);
  if (!list) cache.set(m.istatCode, (list = build(m)));
  return list;
}

export function streetByCode(code: string): Street | undefined {
  const istat = code.slice(0, 6);
  return stradarioOf(istat)?.find((s) => s.code === code);
}

/** Finds a street of the comune by DUG and name, ignoring case and accents. */
export function findStreet(istatCode: string, species: string, name: string): Street | undefined {
  const key = (t: string) => t.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  return stradarioOf(istatCode)?.find((s) => key(s.species) === key(species) && key(s.name) === key(name));
}
