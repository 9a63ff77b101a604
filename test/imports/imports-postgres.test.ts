// The import on PostgreSQL: the same streamed pipeline, batched writes and
// opt-ins through the real lifecycle, on the other provider.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobView } from '../../src/domain/imports.js';
import { createPostgresTestDb, type TestDb } from '../helpers/db.js';
import { buildProgram } from '../helpers/lifecycle.js';
import { createDevServer } from '../helpers/temporal.js';
import { finishedImport, startBulkApi, type BulkHarness } from './harness.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const lines = readFileSync(resolve(root, '../shared/data/subscribers-import.csv'), 'utf8').split('\n');
const line = (row: number) => lines[row - 1] ?? '';

// Rows 2-31 (row 19 is a Chinese number), three known-bad rows, and row 2 again.
const picked = [...Array.from({ length: 30 }, (_, i) => i + 2), 213, 247, 948, 2];
const csv = [line(1), ...picked.map(line)].join('\n');

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let api: BulkHarness;

const finished = (id: string) => finishedImport(api, id);

beforeAll(async () => {
  env = await createDevServer();
  testDb = await createPostgresTestDb();
  api = await startBulkApi(env, testDb, () => new Date('2026-12-03T17:00:00Z'));
});

afterAll(async () => {
  await api?.close();
  await testDb?.cleanup();
  await env?.teardown();
});

describe('import on PostgreSQL', () => {
  it('imports the good rows and explains the rest by row number', async () => {
    const program = await buildProgram(testDb.db, { allowedCountries: JSON.stringify(['US', 'CA', 'GB', 'AU']), languages: JSON.stringify(['en', 'es', 'fr']) });
    const res = await api.post(`/v1/programs/${program.id}/imports`, csv, 'text/csv');
    expect(res.status).toBe(202);
    const job = await finished(String(res.body.id));
    expect(job.counts).toEqual({ total: 34, imported: 29, rejected: 4, duplicates: 1 });

    const errors = await api.get<{ items: { row: number; reason: string }[] }>(`/v1/imports/${job.id}/errors`);
    const byRow = Object.fromEntries(errors.body.items.map((e) => [e.row, e.reason.split(':')[0]]));
    // Row numbers are positions in the uploaded file: row 19 of the shared file is row 19 here too.
    expect(byRow).toEqual({ 19: 'country_not_allowed', 32: 'bad_date', 33: 'unknown_source', 34: 'invalid_phone', 35: 'duplicate' });
    expect(await testDb.db.subscriber.count({ where: { programId: program.id, consentState: 'active' } })).toBe(29);
    expect(await testDb.db.consentEvent.count({ where: { programId: program.id, type: 'opt_in_requested' } })).toBe(29);
  });
});
