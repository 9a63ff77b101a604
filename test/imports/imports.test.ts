import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { fc, test as propTest } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobView } from '../../src/domain/imports.js';
import { phoneHash } from '../../src/identity.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { buildProgram, PHONE_HASH_KEY } from '../helpers/lifecycle.js';
import { createDevServer } from '../helpers/temporal.js';
import { finishedImport, startBulkApi, type BulkHarness } from './harness.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sharedCsv = readFileSync(resolve(root, '../shared/data/subscribers-import.csv'), 'utf8');
const header = sharedCsv.split('\n')[0] ?? '';
// The rows are judged as of this instant, so consent ages in the file give the same verdicts on any day.
const judgedAt = new Date('2026-12-03T17:00:00Z');

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let api: BulkHarness;

const finished = (id: string) => finishedImport(api, id);

beforeAll(async () => {
  env = await createDevServer();
  testDb = await createSqliteTestDb();
  api = await startBulkApi(env, testDb, () => judgedAt);
});

afterAll(async () => {
  await api?.close();
  await testDb?.cleanup();
  await env?.teardown();
});

async function newProgram(): Promise<string> {
  const program = await buildProgram(testDb.db, {
    allowedCountries: JSON.stringify(['US', 'CA', 'GB', 'AU']),
    languages: JSON.stringify(['en', 'es', 'fr']),
  });
  return program.id;
}

async function allErrors(importId: string): Promise<Map<number, string>> {
  const rows = new Map<number, string>();
  let cursor: string | null = null;
  do {
    const page: { body: { items: { row: number; reason: string }[]; nextCursor: string | null } } = await api.get(
      `/v1/imports/${importId}/errors?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const e of page.body.items) {
      rows.set(e.row, e.reason);
    }
    cursor = page.body.nextCursor;
  } while (cursor);
  return rows;
}

/** The CSV line of a row number (the header is row 1). */
function phoneOfRow(row: number): string {
  return (sharedCsv.split('\n')[row - 1] ?? '').split(',')[0] ?? '';
}

describe('importing the shared CSV', () => {
  let job: ImportJobView;
  let programId: string;
  let errors: Map<number, string>;

  beforeAll(async () => {
    programId = await newProgram();
    const res = await api.post(`/v1/programs/${programId}/imports`, sharedCsv, 'text/csv');
    expect(res.status).toBe(202);
    job = await finished(String(res.body.id));
    errors = await allErrors(job.id);
  }, 1_200_000);

  it('reports exact counts: every row decided, the file as a whole completed', () => {
    expect(job).toMatchObject({ status: 'completed', progress: 1, error: null });
    expect(job.counts).toEqual({ total: 1031, imported: 888, rejected: 142, duplicates: 1 });
    expect(errors.size).toBe(143);
  });

  it('gives each bad row its row number and reason', () => {
    expect(errors.get(213)).toMatch(/^bad_date: consent_at/);
    expect(errors.get(247)).toMatch(/^unknown_source: "purchased_list"/);
    expect(errors.get(305)).toMatch(/^coppa_under_13/);
    expect(errors.get(470)).toMatch(/^invalid_birthdate/);
    expect(errors.get(687)).toMatch(/^missing_consent_time/);
    expect(errors.get(849)).toMatch(/^invalid_phone: contains letters/);
    expect(errors.get(948)).toBe('invalid_phone: too short');
    expect(errors.get(946)).toMatch(/^missing_purchase_date/);
    expect(errors.get(1018)).toMatch(/^consent_in_future/);
    expect(errors.get(331)).toMatch(/^consent_expired: implied_purchase .*CASL/);
    expect(errors.get(786)).toMatch(/^consent_expired: express_written .*Louisiana/);
    const countryRejections = [...errors.values()].filter((r) => r.startsWith('country_not_allowed: DE'));
    expect(countryRejections).toHaveLength(30);
    const duplicate = [...errors.entries()].find(([, r]) => r.startsWith('duplicate'));
    expect(duplicate?.[1]).toMatch(/^duplicate: the same number as row \d+$/);
    for (const reason of errors.values()) {
      expect(reason).not.toMatch(/\+\d{7,}/); // reasons never repeat a phone number
    }
  });

  it('records nothing at all for a bad row', async () => {
    for (const row of [213, 247, 305, 687, 1018]) {
      const hash = phoneHash(phoneOfRow(row), PHONE_HASH_KEY);
      expect(await testDb.db.subscriber.count({ where: { programId, phoneHash: hash } })).toBe(0);
    }
    expect(await testDb.db.subscriber.count({ where: { programId } })).toBe(888);
    expect(await testDb.db.optInEvidence.count({ where: { programId } })).toBe(888);
    // Staged rows carry numbers and evidence: none outlives the import.
    expect(await testDb.db.importRow.count({ where: { jobId: job.id } })).toBe(0);
  });

  it('imports good rows as existing consent: active without a second confirmation, the original source in the ledger', async () => {
    expect(await testDb.db.subscriber.count({ where: { programId, consentState: 'active' } })).toBe(888);
    const sample = await testDb.db.subscriber.findFirstOrThrow({ where: { programId, phoneHash: phoneHash(phoneOfRow(2), PHONE_HASH_KEY) } });
    expect(sample.consentSource).toBe('import');
    const events = await testDb.db.consentEvent.findMany({ where: { subscriberId: sample.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type).slice(0, 2)).toEqual(['opt_in_requested', 'confirmed']);
    expect(JSON.parse(events[0]?.evidence ?? '{}')).toMatchObject({ importedFrom: 'api', consentSource: 'import', disclosureVersion: '2026-09' });
    const confirmations = await testDb.db.outboundMessage.count({ where: { programId, kind: 'confirmation_request' } });
    expect(confirmations).toBe(0);
  });

  it('serves the job and lists it under the program', async () => {
    const read = await api.get<ImportJobView>(`/v1/imports/${job.id}`);
    expect(read.body).toEqual(job);
    const list = await api.get<{ items: ImportJobView[] }>(`/v1/programs/${programId}/imports`);
    expect(list.body.items.map((j) => j.id)).toEqual([job.id]);
    const firstPage = await api.get<{ items: { row: number }[]; nextCursor: string }>(`/v1/imports/${job.id}/errors?limit=50`);
    expect(firstPage.body.items).toHaveLength(50);
    const second = await api.get<{ items: { row: number }[] }>(`/v1/imports/${job.id}/errors?limit=50&cursor=${firstPage.body.nextCursor}`);
    expect(second.body.items[0]?.row).toBeGreaterThan(firstPage.body.items.at(-1)?.row ?? Infinity);
  });
});

describe('uploads that cannot be imported', () => {
  it('refuses a file without the required columns as a whole, with problem+json', async () => {
    const programId = await newProgram();
    const res = await api.post(`/v1/programs/${programId}/imports`, 'phone,country\n+12125550100,US\n', 'text/csv');
    expect(res.status).toBe(400);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: 'https://consentline.dev/problems/validation' });
    expect(String(res.body.detail)).toMatch(/consent_source, consent_type, consent_at/);
    const failed = await api.get<ImportJobView>(`/v1/imports/${String(res.body.importId)}`);
    expect(failed.body).toMatchObject({ status: 'failed', counts: { imported: 0 } });
    expect(await testDb.db.subscriber.count({ where: { programId } })).toBe(0);
  });

  it('refuses a body that is not sent as CSV', async () => {
    const programId = await newProgram();
    const res = await api.post(`/v1/programs/${programId}/imports`, { rows: [] });
    expect(res.status).toBe(415);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
  });

  it('answers 404 for an unknown program', async () => {
    const res = await api.post('/v1/programs/prg_missing/imports', `${header}\n`, 'text/csv');
    expect(res.status).toBe(404);
  });

  it('refuses a broken CSV (an unclosed quote) as a whole: not even its good rows are imported', async () => {
    const programId = await newProgram();
    const good = sharedCsv.split('\n').slice(1, 3).join('\n');
    const res = await api.post(`/v1/programs/${programId}/imports`, `${header}\n${good}\n"+1212555,US,NY\n`, 'text/csv');
    expect(res.status).toBe(400);
    expect(String(res.body.detail)).toMatch(/^the file is not valid CSV/);
    const job = await api.get<ImportJobView>(`/v1/imports/${String(res.body.importId)}`);
    expect(job.body.status).toBe('failed');
    expect(await testDb.db.importRow.count({ where: { jobId: job.body.id } })).toBe(0);
    expect(await testDb.db.subscriber.count({ where: { programId } })).toBe(0);
  });
});

describe('any text as an upload', () => {
  let programId: string;
  beforeAll(async () => {
    programId = await newProgram();
  });

  const csvish = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc
      .array(fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('"', ',', '\n', '+1212555', '2026-01-01')), { maxLength: 8 }), { maxLength: 6 })
      .map((rows) => `${header}\n${rows.map((r) => r.join(',')).join('\n')}`),
  );

  propTest.prop([csvish], { numRuns: 40 })('never answers 5xx', async (text) => {
    const res = await api.post(`/v1/programs/${programId}/imports`, text, 'text/csv');
    expect(res.status).toBeLessThan(500);
    expect([202, 400]).toContain(res.status);
  });
});
