// US states and Canadian provinces as ISO 3166-2 codes, and the English names Google's geocoder uses.

const US_STATES: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado',
  CT: 'Connecticut', DE: 'Delaware', DC: 'Washington D.C.', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii',
  ID: 'Idaho', IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana',
  ME: 'Maine', MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi',
  MO: 'Missouri', MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey',
  NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma',
  OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota',
  TN: 'Tennessee', TX: 'Texas', UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington State',
  WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
};

const CA_PROVINCES: Record<string, string> = {
  AB: 'Alberta', BC: 'British Columbia', MB: 'Manitoba', NB: 'New Brunswick', NL: 'Newfoundland and Labrador',
  NS: 'Nova Scotia', NT: 'Northwest Territories', NU: 'Nunavut', ON: 'Ontario', PE: 'Prince Edward Island',
  QC: 'Quebec', SK: 'Saskatchewan', YT: 'Yukon',
};

/** Spellings found in the geocoder data besides the canonical names above. */
const GEOCODER_ALIASES: Record<string, string> = {
  'British Colombia': 'CA-BC',
  'District of Columbia': 'US-DC',
};

const BY_NAME = new Map<string, string>([
  ...Object.entries(US_STATES).map(([code, name]): [string, string] => [name, `US-${code}`]),
  ...Object.entries(CA_PROVINCES).map(([code, name]): [string, string] => [name, `CA-${code}`]),
  ...Object.entries(GEOCODER_ALIASES),
]);

const SUBDIVISIONS: Record<string, Record<string, string>> = { US: US_STATES, CA: CA_PROVINCES };

/**
 * A geocoder description ("Pensacola, FL", "Florida", "Washington State") as an ISO 3166-2 code.
 * Descriptions spanning several provinces ("Nova Scotia/Prince Edward Island") give null.
 */
export function regionFromGeocode(description: string): string | null {
  const abbreviation = /, ([A-Z]{2})$/.exec(description)?.[1];
  if (abbreviation) {
    return subdivisionCode(abbreviation);
  }
  return BY_NAME.get(description) ?? null;
}

/** 'FL' or 'US-FL' with country 'US' → 'US-FL'; anything not a subdivision of that country → null. */
export function normalizeRegionHint(hint: string, country: string): string | null {
  const cleaned = hint.trim().toUpperCase();
  const [prefix, code] = cleaned.includes('-') ? cleaned.split('-', 2) : [country, cleaned];
  if (prefix !== country || !code) {
    return null;
  }
  return SUBDIVISIONS[country]?.[code] ? `${country}-${code}` : null;
}

function subdivisionCode(abbreviation: string): string | null {
  if (US_STATES[abbreviation]) {
    return `US-${abbreviation}`;
  }
  return CA_PROVINCES[abbreviation] ? `CA-${abbreviation}` : null;
}

export function countryOfRegion(region: string): string {
  return region.slice(0, 2);
}
