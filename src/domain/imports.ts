// Bulk import of subscribers from a CSV export, in two halves.
// 1. The upload is parsed as a stream (a few hundred rows in memory, never the
//    file). Each row is checked against the consent rules with its ORIGINAL
//    source and evidence; a row that fails is reported with its row number and
//    reason and leaves no trace. Rows that pass are staged (ImportRow).
// 2. The import workflow then opts the staged rows in, a bounded number at a
//    time, through the same opt-in as the API with source `import`, and
//    deletes each staged row once decided. Decision: an import brings consent
//    the marketer already holds, so the lifecycle records it as given and
//    sends the welcome and disclosure, not a second confirmation request.
// The upload is answered (202) as soon as it is read: an import of 100,000
// rows never holds an HTTP request open while 100,000 lifecycles answer.
import type { Readable } from 'node:stream';
import type { Client } from '@temporalio/client';
import { CsvError, parse, type Info } from 'csv-parse';
import { z } from 'zod';
import { evaluateOptIn } from '../compliance/consent.js';
import { InvalidPhoneError, parsePhone, resolveJurisdiction } from '../compliance/jurisdiction.js';
import type { ConsentSource, ConsentType, Language, ProgramRules } from '../compliance/types.js';
import type { Db } from '../db/client.js';
import { InvalidPhoneNumberError, LifecycleUnavailableError, NotFoundError, OptInRefusedError } from './errors.js';
import { newId } from './ids.js';
import { getProgramRow, toProgramRules } from './programs.js';
import { optIn, type OptInInput, type SubscriberDeps } from './subscribers.js';
import { mapBounded } from './bounded.js';
import { importWorkflow } from '../workflows/import.js';

export function importWorkflowId(jobId: string): string {
  return `import-${jobId}`;
}

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
  /** Rows staged or refused per database batch, and how often the job's counts move. */
  batchSize: number;
  /** Staged rows opted in per activity call, between heartbeats of their page. */
  pagesPerCall: number;
  /** Largest accepted field, in characters: a guard against a runaway quoted field. */
  maxFieldLength: number;
}

export const defaultImportOptions: ImportOptions = { concurrency: 16, batchSize: 250, pagesPerCall: 4, maxFieldLength: 4096 };

/** What the upload half needs: the database, and Temporal to start the opt-in half. */
export interface ImportDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  now: () => Date;
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

interface StagedInput {
  input: OptInInput;
  callerKeyId: string;
}

/** Buffers staged rows, row errors and counts, writing them in batches. */
class JobWriter {
  private errors: { id: string; jobId: string; row: number; reason: string }[] = [];
  private staged: { jobId: string; row: number; input: string }[] = [];
  readonly tally: Tally = { total: 0, imported: 0, rejected: 0, duplicates: 0 };
  private sinceFlush = 0;

  constructor(
    private readonly deps: ImportDeps,
    readonly jobId: string,
    private readonly batchSize: number,
  ) {}

  async reject(row: number, reasons: string[], kind: 'rejected' | 'duplicates' = 'rejected'): Promise<void> {
    this.tally[kind] += 1;
    this.errors.push({ id: this.deps.newId('ire'), jobId: this.jobId, row, reason: reasons.join('; ') });
    await this.tick();
  }

  /** Rows staged so far for the opt-in half. */
  stagedRows = 0;

  async stage(row: number, staged: StagedInput): Promise<void> {
    this.stagedRows += 1;
    this.staged.push({ jobId: this.jobId, row, input: JSON.stringify(staged) });
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
    const staged = this.staged;
    this.errors = [];
    this.staged = [];
    this.sinceFlush = 0;
    await this.deps.db.$transaction([
      this.deps.db.importRowError.createMany({ data: errors }),
      this.deps.db.importRow.createMany({ data: staged }),
      this.deps.db.importJob.update({
        where: { id: this.jobId },
        data: { totalRows: this.tally.total, rejected: this.tally.rejected, duplicates: this.tally.duplicates, ...data },
      }),
    ]);
  }
}

/**
 * Reads a CSV stream into a program's import: checks and stages every row,
 * then starts the workflow that opts the staged rows in. Returns the job,
 * still running. Throws ImportFileError when the file as a whole cannot be
 * read (the job is left `failed`, nothing staged is opted in).
 */
export async function importSubscribers(
  deps: ImportDeps,
  programId: string,
  csv: Readable,
  request: { callerKeyId: string },
): Promise<ImportJobView> {
  const options = { ...defaultImportOptions, ...deps.options };
  const program = toProgramRules(await getProgramRow(deps.db, programId));
  const job = await deps.db.importJob.create({ data: { id: deps.newId('imp'), programId, status: 'running' } });
  const writer = new JobWriter(deps, job.id, options.batchSize);
  try {
    await consume(deps, options, program, csv, writer, request);
    // With nothing to opt in, the import is complete as soon as it is read.
    await writer.flush(writer.stagedRows === 0 ? { status: 'completed', finishedAt: deps.now() } : {});
  } catch (err) {
    const message = err instanceof ImportFileError ? err.message : 'the upload ended before the whole file was read';
    await writer.flush({ status: 'failed', finishedAt: deps.now(), error: message });
    await deps.db.importRow.deleteMany({ where: { jobId: job.id } });
    throw err instanceof ImportFileError ? new ImportFileError(err.message, job.id) : err;
  }
  if (writer.stagedRows > 0) {
    await deps.client.workflow.start(importWorkflow, {
      workflowId: importWorkflowId(job.id),
      taskQueue: deps.taskQueue,
      args: [{ jobId: job.id }],
    });
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
      await writer.stage(row, { input: verdict.input, callerKeyId: request.callerKeyId });
    }
  } catch (err) {
    if (err instanceof ImportFileError) {
      throw err;
    }
    if (err instanceof CsvError) {
      throw new ImportFileError(`the file is not valid CSV: ${err.message}`, null);
    }
    throw err;
  }
}

// ---- the opt-in half (run by the import workflow's activities) ----

type RowOutcome = { row: number; decided: true; imported: boolean; reasons: string[] } | { row: number; decided: false };

const PAGE = 100;

/**
 * Opts in up to `pagesPerCall` pages of the job's staged rows. Each decided
 * row is deleted with its count in one transaction, so a retried call never
 * counts a row twice (and a row's opt-in, keyed on the row, never acts twice).
 */
export async function optInStagedRows(
  deps: SubscriberDeps & { options?: Partial<ImportOptions> },
  jobId: string,
  heartbeat: () => void,
): Promise<{ remaining: boolean }> {
  const options = { ...defaultImportOptions, ...deps.options };
  const job = await deps.db.importJob.findUniqueOrThrow({ where: { id: jobId }, select: { programId: true } });
  for (let page = 0; page < options.pagesPerCall; page++) {
    const rows = await deps.db.importRow.findMany({ where: { jobId }, orderBy: { row: 'asc' }, take: PAGE });
    if (rows.length === 0) {
      return { remaining: false };
    }
    const outcomes = await mapBounded(rows, options.concurrency, (r) => optInRow(deps, job.programId, jobId, r.row, JSON.parse(r.input) as StagedInput));
    await recordOutcomes(deps.db, jobId, outcomes);
    heartbeat();
    if (outcomes.some((o) => !o.decided)) {
      // Lifecycles are not answering: fail this attempt so Temporal backs off before the rest.
      throw new LifecycleUnavailableError('subscriber lifecycles did not answer in time; the import resumes when they do');
    }
  }
  return { remaining: (await deps.db.importRow.count({ where: { jobId } })) > 0 };
}

async function recordOutcomes(db: Db, jobId: string, outcomes: RowOutcome[]): Promise<void> {
  const decided = outcomes.filter((o): o is Extract<RowOutcome, { decided: true }> => o.decided);
  const refused = decided.filter((o) => !o.imported);
  await db.$transaction([
    db.importRow.deleteMany({ where: { jobId, row: { in: decided.map((o) => o.row) } } }),
    db.importRowError.createMany({ data: refused.map((o) => ({ id: newId('ire'), jobId, row: o.row, reason: o.reasons.join('; ') })) }),
    db.importJob.update({
      where: { id: jobId },
      data: { imported: { increment: decided.length - refused.length }, rejected: { increment: refused.length } },
    }),
  ]);
}

async function optInRow(deps: SubscriberDeps, programId: string, jobId: string, row: number, staged: StagedInput): Promise<RowOutcome> {
  try {
    await optIn(deps, programId, staged.input, { requestId: `import-${jobId}-${row}`, callerKeyId: staged.callerKeyId });
    return { row, decided: true, imported: true, reasons: [] };
  } catch (err) {
    if (err instanceof OptInRefusedError) {
      return { row, decided: true, imported: false, reasons: err.reasons };
    }
    if (err instanceof InvalidPhoneNumberError) {
      return { row, decided: true, imported: false, reasons: [`invalid_phone: ${err.reason}`] };
    }
    if (err instanceof LifecycleUnavailableError) {
      return { row, decided: false };
    }
    throw err;
  }
}

export async function finishImport(db: Db, jobId: string, at: Date): Promise<void> {
  await db.importJob.updateMany({ where: { id: jobId, status: 'running' }, data: { status: 'completed', finishedAt: at } });
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
