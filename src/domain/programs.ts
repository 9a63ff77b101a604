// Programs: what a marketer runs, and the rules every text of it obeys. A
// program is refused when its own texts (every template in every language)
// would fail the content lint: a subscriber must never receive a HELP reply
// without a contact or a confirmation without the brand.
import { lintMessage, renderTemplate, type TemplateKind, templateMessageKind } from '../compliance/index.js';
import type { Language, ProgramKeywords, ProgramRules } from '../compliance/types.js';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { ConflictError, NotFoundError, ProgramLintError } from './errors.js';
import { newId } from './ids.js';

export type SenderType = 'twilio_number' | 'messaging_service' | 'short_code' | 'toll_free' | 'simulated';
export type ProgramCategory = 'marketing' | 'informational' | 'transactional';

/** A program as marketers describe it (the API's create body, defaults applied). */
export interface ProgramSpec {
  brandName: string;
  name: string;
  description: string;
  frequencyText: string;
  frequencyCap: { count: number; perHours: number } | null;
  helpContact: string;
  termsUrl: string;
  termsVersion: string;
  privacyUrl: string;
  privacyVersion: string;
  sender: { type: SenderType; value?: string | undefined };
  allowedCountries: string[];
  languages: Language[];
  doubleOptIn: boolean;
  confirmationWindowHours: number;
  reminderEveryDays: number;
  reminderEveryMessages: number | null;
  reminderMode: 'standalone' | 'append';
  quietHours: { start: string; end: string } | null;
  messagesPerSecond: number | null;
  category: ProgramCategory;
  minimumAge: number | null;
  segmentLimit: number;
  keywords: ProgramKeywords;
}

export type ProgramPatch = Partial<Omit<ProgramSpec, 'termsUrl' | 'termsVersion' | 'privacyUrl' | 'privacyVersion'>>;

export interface ProgramView extends ProgramSpec {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ProgramRow = NonNullable<Awaited<ReturnType<Db['program']['findUnique']>>>;

/** Every text the lifecycle itself writes: each must pass the lint in each program language. */
export const programTemplateKinds: readonly TemplateKind[] = [
  'confirmation_request',
  'welcome',
  'help',
  'stop_confirmation',
  'reminder',
  'reconsent',
  'policy_notice',
  'clarification',
  'confirmation_expired_notice',
];

function jsonList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function jsonObject<T extends object>(text: string): T | Record<string, never> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as T) : {};
  } catch {
    return {};
  }
}

const LANGUAGES: readonly Language[] = ['en', 'es', 'fr'];

/** The rules' view of a stored program: the one mapping every module uses. */
export function toProgramRules(row: ProgramRow): ProgramRules {
  return {
    brandName: row.brandName,
    programName: row.name,
    description: row.description,
    frequencyText: row.frequencyText,
    helpContact: row.helpContact,
    termsUrl: row.termsUrl,
    privacyUrl: row.privacyUrl,
    category: row.category === 'informational' || row.category === 'transactional' ? row.category : 'marketing',
    languages: jsonList(row.languages).filter((l): l is Language => LANGUAGES.some((x) => x === l)),
    allowedCountries: jsonList(row.allowedCountries),
    minimumAge: row.minimumAge,
    segmentLimit: row.segmentLimit,
    quietHours: row.quietHoursStart && row.quietHoursEnd ? { start: row.quietHoursStart, end: row.quietHoursEnd } : null,
    frequencyCap:
      row.frequencyCapCount !== null && row.frequencyCapHours !== null ? { count: row.frequencyCapCount, perHours: row.frequencyCapHours } : null,
    keywords: jsonObject<ProgramKeywords>(row.keywords),
  };
}

function rulesOf(spec: ProgramSpec): ProgramRules {
  return {
    brandName: spec.brandName,
    programName: spec.name,
    description: spec.description,
    frequencyText: spec.frequencyText,
    helpContact: spec.helpContact,
    termsUrl: spec.termsUrl,
    privacyUrl: spec.privacyUrl,
    category: spec.category,
    languages: spec.languages,
    allowedCountries: spec.allowedCountries,
    minimumAge: spec.minimumAge,
    segmentLimit: spec.segmentLimit,
    quietHours: spec.quietHours,
    frequencyCap: spec.frequencyCap,
    keywords: spec.keywords,
  };
}

/** Lint findings for every template × language × allowed country; empty when the program may run. */
export function lintProgram(spec: ProgramSpec): string[] {
  const program = rulesOf(spec);
  const reasons = new Set<string>();
  for (const language of spec.languages) {
    for (const kind of programTemplateKinds) {
      let body: string;
      try {
        body = renderTemplate(kind, language, program);
      } catch (err) {
        reasons.add(`${kind} (${language}): cannot be written: ${(err as Error).message}`);
        continue;
      }
      for (const country of spec.allowedCountries) {
        const result = lintMessage(body, { kind: templateMessageKind(kind), program, country, language });
        for (const issue of result.errors) {
          reasons.add(`${kind} (${language}, ${country}): ${issue.code}: ${issue.message}`);
        }
      }
    }
  }
  return [...reasons];
}

function columns(spec: ProgramSpec) {
  return {
    brandName: spec.brandName,
    name: spec.name,
    description: spec.description,
    frequencyText: spec.frequencyText,
    frequencyCapCount: spec.frequencyCap?.count ?? null,
    frequencyCapHours: spec.frequencyCap?.perHours ?? null,
    helpContact: spec.helpContact,
    termsUrl: spec.termsUrl,
    termsVersion: spec.termsVersion,
    privacyUrl: spec.privacyUrl,
    privacyVersion: spec.privacyVersion,
    senderType: spec.sender.type,
    senderValue: spec.sender.value ?? null,
    allowedCountries: JSON.stringify(spec.allowedCountries),
    languages: JSON.stringify(spec.languages),
    doubleOptIn: spec.doubleOptIn,
    confirmationWindowHours: spec.confirmationWindowHours,
    reminderEveryDays: spec.reminderEveryDays,
    reminderEveryMessages: spec.reminderEveryMessages,
    reminderMode: spec.reminderMode,
    quietHoursStart: spec.quietHours?.start ?? null,
    quietHoursEnd: spec.quietHours?.end ?? null,
    messagesPerSecond: spec.messagesPerSecond,
    category: spec.category,
    minimumAge: spec.minimumAge,
    segmentLimit: spec.segmentLimit,
    keywords: JSON.stringify(spec.keywords),
  };
}

export function toProgramView(row: ProgramRow): ProgramView {
  const rules = toProgramRules(row);
  return {
    id: row.id,
    brandName: row.brandName,
    name: row.name,
    description: row.description,
    frequencyText: row.frequencyText,
    frequencyCap: rules.frequencyCap,
    helpContact: row.helpContact,
    termsUrl: row.termsUrl,
    termsVersion: row.termsVersion,
    privacyUrl: row.privacyUrl,
    privacyVersion: row.privacyVersion,
    sender: { type: row.senderType as SenderType, ...(row.senderValue ? { value: row.senderValue } : {}) },
    allowedCountries: rules.allowedCountries,
    languages: rules.languages,
    doubleOptIn: row.doubleOptIn,
    confirmationWindowHours: row.confirmationWindowHours,
    reminderEveryDays: row.reminderEveryDays,
    reminderEveryMessages: row.reminderEveryMessages,
    reminderMode: row.reminderMode === 'append' ? 'append' : 'standalone',
    quietHours: rules.quietHours,
    messagesPerSecond: row.messagesPerSecond,
    category: rules.category,
    minimumAge: row.minimumAge,
    segmentLimit: row.segmentLimit,
    keywords: rules.keywords,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function createProgram(db: Db, input: ProgramSpec & { id?: string | undefined }): Promise<ProgramView> {
  const { id, ...spec } = input;
  const reasons = lintProgram(spec);
  if (reasons.length > 0) {
    throw new ProgramLintError(reasons);
  }
  try {
    return toProgramView(await db.program.create({ data: { id: id ?? newId('prg'), ...columns(spec) } }));
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ConflictError(`program ${id ?? ''} already exists`);
    }
    throw err;
  }
}

export async function getProgramRow(db: Db, programId: string): Promise<ProgramRow> {
  const row = await db.program.findUnique({ where: { id: programId } });
  if (!row) {
    throw new NotFoundError('program', programId);
  }
  return row;
}

export async function getProgram(db: Db, programId: string): Promise<ProgramView> {
  return toProgramView(await getProgramRow(db, programId));
}

/** Applies a partial change; the merged program must pass the lint as a whole. */
export async function updateProgram(db: Db, programId: string, patch: ProgramPatch): Promise<ProgramView> {
  const current = toProgramView(await getProgramRow(db, programId));
  const { id: _id, createdAt: _c, updatedAt: _u, ...spec } = current;
  const merged: ProgramSpec = { ...spec, ...patch };
  const reasons = lintProgram(merged);
  if (reasons.length > 0) {
    throw new ProgramLintError(reasons);
  }
  return toProgramView(await db.program.update({ where: { id: programId }, data: columns(merged) }));
}

export async function listPrograms(db: Db, page: { limit: number; cursor?: string | undefined }): Promise<{ items: ProgramView[]; nextCursor: string | null }> {
  const rows = await db.program.findMany({
    where: page.cursor ? { id: { gt: page.cursor } } : {},
    orderBy: { id: 'asc' },
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit).map(toProgramView);
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}
