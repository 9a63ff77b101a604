// Database rows → the shapes the compliance rules and the workflow decide with.
import type { ConsentRecord, ConsentType, Jurisdiction, Language, ProgramRules } from '../../compliance/types.js';
import { toProgramRules } from '../../domain/programs.js';
import type { Db } from '../../db/client.js';
import type { LifecycleSettings } from '../../workflows/lifecycle/state.js';
import type { ConsentState } from '../../workflows/messages.js';

export type ProgramRow = NonNullable<Awaited<ReturnType<Db['program']['findUnique']>>>;
export type SubscriberRow = NonNullable<Awaited<ReturnType<Db['subscriber']['findUnique']>>>;

const CONSENT_STATES: readonly ConsentState[] = ['new', 'pending', 'active', 'paused', 'opted_out', 'expired', 'lapsed', 'refused'];
const CONSENT_TYPES: readonly ConsentType[] = [
  'express_written',
  'express',
  'implied_purchase',
  'implied_inquiry',
  'inferred',
  'soft_opt_in',
  'informational',
  'emergency',
];
const LANGUAGES: readonly Language[] = ['en', 'es', 'fr'];

/** A row the lifecycle cannot work with: retrying will not help. */
export class LifecycleDataError extends Error {
  override readonly name = 'LifecycleDataError';
}

export function consentStateOf(row: SubscriberRow): ConsentState {
  // An erased subscriber can be texted no more than one who opted out.
  return CONSENT_STATES.find((s) => s === row.consentState) ?? 'opted_out';
}

export function consentTypeOf(value: string | null): ConsentType | null {
  return CONSENT_TYPES.find((t) => t === value) ?? null;
}

export function languageOf(row: SubscriberRow, program: ProgramRules): Language {
  const wanted = LANGUAGES.find((l) => l === row.language);
  if (wanted && program.languages.includes(wanted)) {
    return wanted;
  }
  return program.languages[0] ?? 'en';
}

export function settingsOf(program: ProgramRow): LifecycleSettings {
  return {
    doubleOptIn: program.doubleOptIn,
    confirmationWindowHours: program.confirmationWindowHours,
    reminderEveryDays: program.reminderEveryDays,
    reminderEveryMessages: program.reminderEveryMessages,
    reminderMode: program.reminderMode === 'append' ? 'append' : 'standalone',
  };
}

/** The rules' view of a program: the one mapping in src/domain/programs.ts. */
export function programRules(program: ProgramRow): ProgramRules {
  return toProgramRules(program);
}

export function jurisdictionOf(row: SubscriberRow): Jurisdiction {
  const zones = parseList(row.timeZones);
  if (zones.length === 0) {
    throw new LifecycleDataError(`subscriber ${row.id} has no time zone`);
  }
  const basis = row.zoneBasis;
  return {
    country: row.country,
    numberType: row.numberType,
    region: row.region,
    timeZones: zones,
    zoneBasis: basis === 'number' || basis === 'zip' || basis === 'region' || basis === 'country' ? basis : 'strictest',
  };
}

export function consentRecordOf(row: SubscriberRow): ConsentRecord | null {
  const type = consentTypeOf(row.consentType);
  const givenAt = row.confirmedAt ?? row.consentAt;
  if (!type || !givenAt) {
    return null;
  }
  return { type, givenAt, purchaseAt: row.purchaseAt, inquiryAt: row.inquiryAt };
}

function parseList(json: string): string[] {
  const value = parseJson<unknown>(json, []);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function parseJson<T>(json: string, fallback: T): T {
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}
