// Bulk import of subscribers from a CSV export. The upload is parsed as a
// stream: a bounded number of rows is in flight at any moment, so an import of
// 100,000 rows holds a few hundred of them, never the file. Each row is checked
// against the consent rules with its ORIGINAL source and evidence; a row that
// fails is reported with its row number and reason and leaves no trace. A row
// that passes becomes a subscriber through the same opt-in as the API, with
// source `import` (decision: an import brings consent the marketer already
// holds, so the lifecycle records it as given and sends the welcome and
// disclosure, not a second confirmation request).
import type { Readable } from 'node:stream';
import { CsvError, parse, type Info } from 'csv-parse';
import { z } from 'zod';
import { evaluateOptIn } from '../compliance/consent.js';
import { InvalidPhoneError, parsePhone, resolveJurisdiction } from '../compliance/jurisdiction.js';
import type { ConsentSource, ConsentType, Language, ProgramRules } from '../compliance/types.js';
import type { Db } from '../db/client.js';
import { InvalidPhoneNumberError, LifecycleUnavailableError, NotFoundError, OptInRefusedError } from './errors.js';
import { getProgramRow, toProgramRules } from './programs.js';
import { optIn, type OptInInput, type SubscriberDeps } from './subscribers.js';

export const IMPORT_COLUMNS = [
  'phone',
  'country',
  'region',
  'zip',
  'language',
  'consent_source',
  'consent_type',
  'consent_at',
  'disclosure_version',
  'ip',
  'user_agent',
  'page_url',
  'form_ref',
  'birthdate',
  'purchase_at',
  'inquiry_at',
] as const;

/** Columns without which no row could ever be imported. */
export const REQUIRED_COLUMNS = ['phone', 'consent_source', 'consent_type', 'consent_at'] as const;

export interface ImportOptions {
  /** Opt-ins in flight at once: each waits for its lifecycle to answer. */
  concurrency: number;
  /** Row errors written per database batch, and how often the job's counts move. */
  batchSize: number;
  /** Largest accepted field, in characters: a guard against a runaway quoted field. */
  maxFieldLength: number;
}

export const defaultImportOptions: ImportOptions = { concurrency: 16, batchSize: 250, maxFieldLength: 4096 };

export interface ImportDeps extends SubscriberDeps {
  newId: (prefix: string) => string;
  options?: Partial<ImportOptions>;
}

/** The whole upload is unusable (not CSV, or missing columns): nothing was imported. */
export class ImportFileError extends Error {
  constructor(
    message: string,
    readonly importId: string | null,
  ) {
    super(message);
  }
}

export interface ImportJobView {
  id: string;
  programId: string;
  status: 'running' | 'completed' | 'failed';
  counts: { total: number; imported: number; rejected: number; duplicates: number };
  /** Share of rows decided so far; 1 when finished. */
  progress: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

type JobRow = NonNullable<Awaited<ReturnType<Db['importJob']['findUnique']>>>;

export function importJobView(job: JobRow): ImportJobView {
  const decided = job.imported + job.rejected + job.duplicates;
  return {
    id: job.id,
    programId: job.programId,
    status: job.status === 'completed' || job.status === 'failed' ? job.status : 'running',
    counts: { total: job.totalRows, imported: job.imported, rejected: job.rejected, duplicates: job.duplicates },
    progress: job.status === 'running' ? (job.totalRows === 0 ? 0 : decided / job.totalRows) : 1,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

// ---- one row ----

const optionalText = z
  .string()
  .transform((v) => v.trim())
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const instant = (label: string) =>
  optionalText.refine((v) => v === undefined || (/^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v))), {
    message: `bad_date: ${label} is not an ISO 8601 date`,
  });

const rowSchema = z.object({
  phone: optionalText,
  country: optionalText,
  region: optionalText,
  zip: optionalText,
  language: optionalText,
  consent_source: optionalText,
  consent_type: optionalText,
  consent_at: instant('consent_at'),
  disclosure_version: optionalText,
  ip: optionalText,
  user_agent: optionalText,
  page_url: optionalText,
  form_ref: optionalText,
  birthdate: optionalText,
  purchase_at: instant('purchase_at'),
  inquiry_at: instant('inquiry_at'),
});

type Row = z.infer<typeof rowSchema>;

const phoneReasons: Record<string, string> = {
  empty: 'missing_phone: no phone number',
  not_a_number: 'invalid_phone: contains letters or is not a number',
  invalid_country: 'invalid_phone: country unknown; give it in E.164 (+1...) or fill the country column',
  too_short: 'invalid_phone: too short',
  too_long: 'invalid_phone: too long',
  invalid_length: 'invalid_phone: wrong length for its country',
  invalid_for_country: 'invalid_phone: not a valid number for its country',
};

export type RowVerdict = { ok: true; e164: string; input: OptInInput } | { ok: false; reasons: string[] };

const toDate = (v: string | undefined) => (v === undefined ? null : new Date(v));

/**
 * Checks one row against the consent rules as it was collected (its original
 * source and evidence), before anything is stored. Reasons never repeat the
 * phone number.
 */
export function checkRow(raw: Record<string, string>, program: ProgramRules, at: Date): RowVerdict {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, reasons: parsed.error.issues.map((i) => i.message) };
  }
  const row = parsed.data;
  if (!row.consent_at) {
    return { ok: false, reasons: ['missing_consent_time: consent_at is empty'] };
  }
  let e164: string;
  let jurisdiction;
  try {
    const phone = parsePhone(row.phone ?? '', row.country);
    e164 = phone.e164;
    jurisdiction = resolveJurisdiction(e164, { region: row.region ?? null, zip: row.zip ?? null });
  } catch (err) {
    if (err instanceof InvalidPhoneError) {
      return { ok: false, reasons: [phoneReasons[err.reason] ?? 'invalid_phone: not a valid number'] };
    }
    throw err;
  }
  if (row.country && row.country.toUpperCase() !== jurisdiction.country) {
    return { ok: false, reasons: [`country_mismatch: the number belongs to ${jurisdiction.country}, the row says ${row.country}`] };
  }
  const verdict = evaluateOptIn(
    {
      source: row.consent_source ?? '',
      consentType: row.consent_type ?? '',
      consentAt: new Date(row.consent_at),
      disclosureVersion: row.disclosure_version ?? null,
      ip: row.ip ?? null,
      userAgent: row.user_agent ?? null,
      pageUrl: row.page_url ?? null,
      formRef: row.form_ref ?? null,
      birthdate: row.birthdate ?? null,
      purchaseAt: toDate(row.purchase_at),
      inquiryAt: toDate(row.inquiry_at),
    },
    program,
    jurisdiction,
    at,
  );
  if (!verdict.ok) {
    return { ok: false, reasons: verdict.reasons };
  }
  return { ok: true, e164, input: optInInputOf(row, e164, program) };
}

function optInInputOf(row: Row, e164: string, program: ProgramRules): OptInInput {
  const language = program.languages.find((l) => l === row.language) ?? program.languages[0] ?? 'en';
  return {
    phone: e164,
    source: 'import',
    importedFrom: row.consent_source as ConsentSource,
    consentType: row.consent_type as ConsentType,
    consentAt: row.consent_at ?? '',
    disclosureVersion: row.disclosure_version,
    ip: row.ip,
    userAgent: row.user_agent,
    pageUrl: row.page_url,
    formRef: row.form_ref,
    birthdate: row.birthdate,
    purchaseAt: row.purchase_at,
    inquiryAt: row.inquiry_at,
    region: row.region,
    zip: row.zip,
    language: language as Language,
  };
}

// ---- the stream ----

function headerOf(columns: string[]): string[] {
  const names = columns.map((c) => c.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new ImportFileError(`the CSV header lacks the column(s) ${missing.join(', ')}; expected ${IMPORT_COLUMNS.join(',')}`, null);
  }
  return names;
}

interface Tally {
  total: number;
  imported: number;
  rejected: number;
  duplicates: number;
}

/** Buffers row errors and counts, writing them in batches. */
class JobWriter {
  private errors: { id: string; jobId: string; row: number; reason: string }[] = [];
  readonly tally: Tally = { total: 0, imported: 0, rejected: 0, duplicates: 0 };
  private sinceFlush = 0;

  constructor(
    private readonly deps: ImportDeps,
    readonly jobId: string,
    readonly programId: string,
    private readonly batchSize: number,
  ) {}

  async reject(row: number, reasons: string[], kind: 'rejected' | 'duplicates' = 'rejected'): Promise<void> {
    this.tally[kind] += 1;
    this.errors.push({ id: this.deps.newId('ire'), jobId: this.jobId, row, reason: reasons.join('; ') });
    await this.tick();
  }

  async imported(): Promise<void> {
    this.tally.imported += 1;
    await this.tick();
  }

  private async tick(): Promise<void> {
    this.sinceFlush += 1;
    if (this.sinceFlush >= this.batchSize) {
      await this.flush();
    }
  }

  async flush(data: { status?: string; finishedAt?: Date; error?: string } = {}): Promise<void> {
    const errors = this.errors;
    this.errors = [];
    this.sinceFlush = 0;
    if (errors.length > 0) {
      await this.deps.db.importRowError.createMany({ data: errors });
    }
    await this.deps.db.importJob.update({
      where: { id: this.jobId },
      data: { totalRows: this.tally.total, imported: this.tally.imported, rejected: this.tally.rejected, duplicates: this.tally.duplicates, ...data },
    });
  }
}

/**
 * Imports a CSV stream into a program. Returns the finished job; throws
 * ImportFileError when the file as a whole cannot be read (the job, if one was
 * created, is left `failed` with the reason).
 */
export async function importSubscribers(
  deps: ImportDeps,
  programId: string,
  csv: Readable,
  request: { callerKeyId: string },
): Promise<ImportJobView> {
  const options = { ...defaultImportOptions, ...deps.options };
  // A bulk load queues many opt-ins at once: give each lifecycle longer to answer than an interactive request.
  deps = { ...deps, lifecycleTimeoutMs: deps.lifecycleTimeoutMs ?? 60_000 };
  const program = toProgramRules(await getProgramRow(deps.db, programId));
  const job = await deps.db.importJob.create({ data: { id: deps.newId('imp'), programId, status: 'running' } });
  const writer = new JobWriter(deps, job.id, programId, options.batchSize);
  try {
    await consume(deps, options, program, csv, writer, request);
    await writer.flush({ status: 'completed', finishedAt: deps.now() });
  } catch (err) {
    const message = err instanceof ImportFileError ? err.message : 'the upload ended before the whole file was read';
    await writer.flush({ status: 'failed', finishedAt: deps.now(), error: message });
    throw err instanceof ImportFileError ? new ImportFileError(err.message, job.id) : err;
  }
  return importJobView(await deps.db.importJob.findUniqueOrThrow({ where: { id: job.id } }));
}

async function consume(
  deps: ImportDeps,
  options: ImportOptions,
  program: ProgramRules,
  csv: Readable,
  writer: JobWriter,
  request: { callerKeyId: string },
): Promise<void> {
  const parser = csv.pipe(
    parse({ columns: headerOf, bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: options.maxFieldLength * 4, info: true }),
  );
  csv.on('error', (err) => parser.destroy(err));
  const seen = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const at = deps.now();
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: Info }>) {
      const row = info.records + 1; // the header is row 1, as in a spreadsheet
      writer.tally.total += 1;
      const verdict = checkRow(record, program, at);
      if (!verdict.ok) {
        await writer.reject(row, verdict.reasons);
        continue;
      }
      const first = seen.get(verdict.e164);
      if (first !== undefined) {
        await writer.reject(row, [`duplicate: the same number as row ${first}`], 'duplicates');
        continue;
      }
      seen.set(verdict.e164, row);
      const task = optInRow(deps, writer, row, verdict.input, request).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= options.concurrency) {
        // Reading pauses here, and with it the upload: memory stays bounded.
        await Promise.race(inFlight);
      }
    }
  } catch (err) {
    if (err instanceof ImportFileError) {
      throw err;
    }
    if (err instanceof CsvError) {
      throw new ImportFileError(`the file is not valid CSV: ${(err as Error).message}`, null);
    }
    throw err;
  } finally {
    await Promise.all(inFlight);
  }
}

const LIFECYCLE_ATTEMPTS = 3;

/**
 * One row's opt-in. The request ID is the row's, so a retry after a lifecycle
 * timeout reuses the stored evidence and the same update: it cannot count twice.
 */
async function optInRow(deps: ImportDeps, writer: JobWriter, row: number, input: OptInInput, request: { callerKeyId: string }): Promise<void> {
  const requestId = `import-${writer.jobId}-${row}`;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await optIn(deps, writer.programId, input, { requestId, callerKeyId: request.callerKeyId });
        break;
      } catch (err) {
        if (!(err instanceof LifecycleUnavailableError) || attempt >= LIFECYCLE_ATTEMPTS) {
          throw err;
        }
      }
    }
    await writer.imported();
  } catch (err) {
    if (err instanceof OptInRefusedError) {
      await writer.reject(row, err.reasons);
    } else if (err instanceof InvalidPhoneNumberError) {
      await writer.reject(row, [`invalid_phone: ${err.reason}`]);
    } else if (err instanceof LifecycleUnavailableError) {
      // Stored, and the lifecycle will still record it: not a refusal, but not confirmed either.
      await writer.reject(row, ['lifecycle_unavailable: stored, but no worker confirmed it in time; import the row again to see its outcome']);
    } else {
      throw err;
    }
  }
}

// ---- reading jobs ----

export async function getImportJob(db: Db, id: string): Promise<ImportJobView> {
  const job = await db.importJob.findUnique({ where: { id } });
  if (!job) {
    throw new NotFoundError('import', id);
  }
  return importJobView(job);
}

export async function listImportJobs(db: Db, programId: string, page: { limit: number; cursor?: string | undefined }) {
  await getProgramRow(db, programId);
  const rows = await db.importJob.findMany({
    where: { programId, ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
    orderBy: { id: 'desc' },
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  return { items: items.map(importJobView), nextCursor: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}

export async function listImportErrors(db: Db, id: string, page: { limit: number; cursor?: string | undefined }) {
  await getImportJob(db, id);
  const after = page.cursor ? Number(page.cursor) : 0;
  const rows = await db.importRowError.findMany({
    where: { jobId: id, row: { gt: Number.isFinite(after) ? after : 0 } },
    orderBy: { row: 'asc' },
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit).map((e) => ({ row: e.row, reason: e.reason }));
  return { items, nextCursor: rows.length > page.limit ? String(items.at(-1)?.row ?? '') : null };
}
