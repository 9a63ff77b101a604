import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Jurisdiction, ProgramRules } from '../../src/compliance/index.js';

export function buildProgram(overrides: Partial<ProgramRules> = {}): ProgramRules {
  return {
    brandName: 'Acme Outfitters',
    programName: 'Acme Deals',
    description: 'weekly offers on outdoor gear',
    frequencyText: 'Up to 4 msgs/month',
    helpContact: 'help@acme.example',
    termsUrl: 'https://acme.example/terms',
    privacyUrl: 'https://acme.example/privacy',
    category: 'marketing',
    languages: ['en', 'es', 'fr'],
    allowedCountries: ['US', 'CA', 'GB', 'AU', 'DE', 'FR', 'MX', 'BR', 'CN'],
    minimumAge: null,
    segmentLimit: 3,
    quietHours: null,
    frequencyCap: null,
    keywords: { join: ['JOIN'] },
    ...overrides,
  };
}

/** Programs the templates must satisfy by construction. */
export const SAMPLE_PROGRAMS: ProgramRules[] = [
  buildProgram(),
  buildProgram({
    brandName: 'Northwind Pharmacy',
    programName: 'Northwind Refill Alerts',
    description: 'prescription refill reminders',
    frequencyText: 'Msg frequency varies',
    helpContact: '1-800-555-0199',
    termsUrl: 'https://northwind.example/sms-terms',
    privacyUrl: 'https://northwind.example/privacy',
    category: 'informational',
    keywords: { join: ['REFILL'], stop: ['QUITAR'] },
    segmentLimit: 3,
  }),
  buildProgram({
    brandName: 'Café Lumière',
    programName: 'Lumière Club',
    description: 'member events and new menus',
    frequencyText: '2 msgs/week',
    helpContact: 'club@lumiere.example',
    termsUrl: 'https://lumiere.example/t',
    privacyUrl: 'https://lumiere.example/p',
    minimumAge: 18,
    segmentLimit: 4,
    keywords: {},
  }),
];

export function jurisdiction(overrides: Partial<Jurisdiction> = {}): Jurisdiction {
  return { country: 'US', numberType: 'FIXED_LINE_OR_MOBILE', region: null, timeZones: ['America/New_York'], zoneBasis: 'number', ...overrides };
}

export interface ImportRow {
  line: number;
  phone: string;
  country: string;
  region: string;
  zip: string;
  language: string;
  consent_source: string;
  consent_type: string;
  consent_at: string;
  disclosure_version: string;
  ip: string;
  user_agent: string;
  page_url: string;
  form_ref: string;
  birthdate: string;
  purchase_at: string;
  inquiry_at: string;
}

/** The shared demo import; `line` is the file line number (the header is line 1). */
export function importRows(): ImportRow[] {
  const records = parse(readFileSync('/work/shared/data/subscribers-import.csv', 'utf8'), { columns: true }) as Record<string, string>[];
  return records.map((record, index) => ({ line: index + 2, ...record }) as unknown as ImportRow);
}
