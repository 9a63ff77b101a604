// Phone number → country, number type, US state / Canadian province and candidate time zones.
// Loads packaged data (phone-data.ts) through node:fs, so call it from activities or the API and
// hand the resulting Jurisdiction to workflows as plain data.
import zipcodeToTimezone from 'zipcode-to-timezone';
import {
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';
import { nanpRegion, zonesForNumber, zonesOfRegion } from './phone-data.js';
import { normalizeRegionHint } from './regions.js';
import type { Jurisdiction } from './types.js';

export type InvalidPhoneReason =
  | 'empty'
  | 'not_a_number'
  | 'invalid_country'
  | 'too_short'
  | 'too_long'
  | 'invalid_length'
  | 'invalid_for_country';

export class InvalidPhoneError extends Error {
  override readonly name = 'InvalidPhoneError';

  constructor(
    readonly reason: InvalidPhoneReason,
    message: string,
  ) {
    super(message);
  }
}

export interface ParsedPhone {
  e164: string;
  country: string;
  numberType: string | null;
}

/** Parses and validates a subscriber number with full metadata (libphonenumber-js/max). */
export function parsePhone(input: string, defaultCountry?: string): ParsedPhone {
  const text = input.trim();
  if (text === '') {
    throw new InvalidPhoneError('empty', 'no phone number given');
  }
  // Vanity letters (1-800-FLOWERS) are not a subscriber's number; libphonenumber would map them to digits.
  if (/\p{L}/u.test(text)) {
    throw new InvalidPhoneError('not_a_number', `"${text}" contains letters`);
  }
  const country = defaultCountry?.toUpperCase() as CountryCode | undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  if (!parsed || !parsed.isPossible()) {
    throw lengthError(text, country);
  }
  const resolvedCountry = parsed.isValid() ? parsed.country : fictionalNanpCountry(parsed);
  if (!resolvedCountry) {
    throw new InvalidPhoneError('invalid_for_country', `${parsed.number} is not a valid number for its country`);
  }
  return { e164: parsed.number, country: resolvedCountry, numberType: parsed.getType() ?? null };
}

function lengthError(text: string, country: CountryCode | undefined): InvalidPhoneError {
  const problem = validatePhoneNumberLength(text, country);
  const reasons: Record<string, InvalidPhoneReason> = {
    TOO_SHORT: 'too_short',
    TOO_LONG: 'too_long',
    INVALID_LENGTH: 'invalid_length',
    INVALID_COUNTRY: 'invalid_country',
  };
  const reason = (problem && reasons[problem]) || 'not_a_number';
  return new InvalidPhoneError(reason, `"${text}" is not a phone number (${reason})`);
}

/**
 * 555-0100 to 555-0199 is the NANP range reserved for fiction, and the demo data is made of it.
 * Some islands' metadata rejects those lines, so a NANP number that has a possible length, sits in
 * that range and belongs to exactly one country is accepted for that country. Anything else stays invalid.
 */
function fictionalNanpCountry(parsed: PhoneNumber): string | undefined {
  const national = parsed.nationalNumber;
  if (parsed.countryCallingCode !== '1' || !/^[2-9]\d{2}55501\d{2}$/.test(national)) {
    return undefined;
  }
  const possible = parsed.getPossibleCountries();
  return parsed.country ?? (possible.length === 1 ? possible[0] : undefined);
}

export interface JurisdictionHints {
  region?: string | null;
  zip?: string | null;
}

/**
 * Where the rules should assume the recipient is. Zones come from the number (Google's map refines
 * split area codes to the exchange); several candidates are all kept. When the number only says
 * "somewhere in the country" (toll-free, an overlay missing from the data), a ZIP or region on file
 * picks the zones; without one every zone of the country stays a candidate (strictest reading).
 */
export function resolveJurisdiction(e164: string, hints: JurisdictionHints = {}): Jurisdiction {
  const { callingCode, national } = splitE164(e164);
  const { country, numberType } = numberIdentity(e164, callingCode, national);
  const region = regionOf(callingCode, national, country, hints.region);
  const { timeZones, zoneBasis } = candidateZones(callingCode, national, country, region, hints);
  return { country, numberType, region, timeZones, zoneBasis };
}

function regionOf(callingCode: string, national: string, country: string, hint: string | null | undefined): string | null {
  const fromNumber = callingCode === '1' ? nanpRegion(national) : null;
  if (fromNumber?.startsWith(`${country}-`)) {
    return fromNumber;
  }
  return hint ? normalizeRegionHint(hint, country) : null;
}

function candidateZones(
  callingCode: string,
  national: string,
  country: string,
  region: string | null,
  hints: JurisdictionHints,
): Pick<Jurisdiction, 'timeZones' | 'zoneBasis'> {
  const found = zonesForNumber(callingCode, national);
  const zipZone = country === 'US' && hints.zip ? zipcodeToTimezone.lookup(hints.zip.trim().slice(0, 5)) : null;
  if (!found) {
    return { timeZones: ['Etc/UTC'], zoneBasis: 'strictest' };
  }
  if (!found.countryWide) {
    // The number's rate centre is not always where the person lives (a ZIP on file may differ):
    // a ZIP zone the number does not list is added, never substituted.
    const extra = zipZone && !found.zones.includes(zipZone) ? [zipZone] : [];
    return { timeZones: [...found.zones, ...extra], zoneBasis: extra.length > 0 ? 'strictest' : 'number' };
  }
  if (zipZone) {
    return { timeZones: [zipZone], zoneBasis: 'zip' };
  }
  const regionZones = region ? zonesOfRegion(region) : null;
  if (regionZones) {
    return { timeZones: [...regionZones], zoneBasis: 'region' };
  }
  // The NANP country-wide entry lists all 25 NANP countries' zones; keep only this country's.
  const countryZones = callingCode === '1' ? zonesOfRegion(country) : null;
  const zones = countryZones ?? found.zones;
  return { timeZones: [...zones], zoneBasis: zones.length === 1 ? 'country' : 'strictest' };
}

let callingCodes: ReadonlySet<string> | null = null;

function splitE164(e164: string): { callingCode: string; national: string } {
  callingCodes ??= new Set(getCountries().map((country) => getCountryCallingCode(country)));
  const digits = e164.startsWith('+') && isDigits(e164, 1) ? e164.slice(1) : '';
  // Calling codes are prefix-free (ITU-T E.164), so the first 1–3 digit match is the only one.
  for (let length = 1; digits.length >= 4 && digits.length <= 15 && length <= 3; length++) {
    const code = digits.slice(0, length);
    if (callingCodes.has(code)) {
      return { callingCode: code, national: digits.slice(length) };
    }
  }
  throw new InvalidPhoneError('not_a_number', `"${e164}" is not an E.164 number`);
}

function isDigits(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) {
      return false;
    }
  }
  return text.length > from;
}

interface NumberIdentity {
  country: string;
  numberType: string | null;
}

const identities = new Map<string, NumberIdentity>();
const MAX_IDENTITIES = 200_000;

/**
 * Country and type depend on the leading digits only: numbering plans allocate the last four digits
 * as one block, and libphonenumber's patterns end in a run of free digits. In the US and Canada the
 * area code alone decides (checked over every exchange of every NANP area code with libphonenumber-js
 * 1.13: one country and type per US/Canadian area code; the islands split by exchange). So the full
 * parse runs once per block, or once per area code in the US and Canada, and is remembered.
 */
function numberIdentity(e164: string, callingCode: string, national: string): NumberIdentity {
  const areaKey = callingCode === '1' ? `1|${national.length}|${national.slice(0, 3)}` : null;
  const byArea = areaKey ? identities.get(areaKey) : undefined;
  if (byArea) {
    return byArea;
  }
  const blockKey = `${callingCode}|${national.length}|${national.slice(0, Math.max(4, national.length - 4))}`;
  const cached = identities.get(blockKey);
  if (cached) {
    return cached;
  }
  const identity = quickIdentity(e164) ?? fullIdentity(e164);
  if (identities.size >= MAX_IDENTITIES) {
    identities.clear();
  }
  const wholeArea = areaKey && (identity.country === 'US' || identity.country === 'CA');
  identities.set(wholeArea ? areaKey : blockKey, identity);
  return identity;
}

/** The number was validated when it was stored, so the type alone settles country and validity. */
function quickIdentity(e164: string): NumberIdentity | null {
  const parsed = parsePhoneNumberFromString(e164);
  const numberType = parsed?.getType();
  return parsed?.country && numberType ? { country: parsed.country, numberType } : null;
}

function fullIdentity(e164: string): NumberIdentity {
  const parsed = parsePhone(e164);
  return { country: parsed.country, numberType: parsed.numberType };
}
