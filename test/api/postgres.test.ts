// The API's database paths on PostgreSQL: programs, opt-in with evidence,
// idempotency records, reading and opt-out, with a real lifecycle worker.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDb, type TestDb } from '../helpers/db.js';
import { type ApiHarness, optInBody, programBody, startApi, tableCounts } from '../helpers/api.js';
import { nextPhone } from '../helpers/lifecycle.js';
import { createDevServer } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let api: ApiHarness;

beforeAll(async () => {
  env = await createDevServer();
  testDb = await createPostgresTestDb();
  api = await startApi({ testDb, env, worker: true });
});

afterAll(async () => {
  await api?.close();
  await testDb?.cleanup();
  await env?.teardown();
});

describe('marketer API on PostgreSQL', () => {
  it('creates a program, refuses a failing one, and maps a duplicate to 409', async () => {
    expect((await api.request('POST', '/v1/programs', { body: programBody({ id: 'pg-deals', doubleOptIn: false }) })).status).toBe(201);
    expect((await api.request('POST', '/v1/programs', { body: programBody({ id: 'pg-deals' }) })).status).toBe(409);
    const before = await tableCounts(api.db);
    expect((await api.request('POST', '/v1/programs', { body: programBody({ id: 'pg-bad', segmentLimit: 1, description: 'y'.repeat(400) }) })).status).toBe(422);
    expect(await tableCounts(api.db)).toEqual(before);
  });

  it('opts in idempotently, reads live state, and opts out after the ledger write', async () => {
    const phone = nextPhone();
    const headers = { 'idempotency-key': 'pg-signup-1' };
    const body = optInBody(phone);
    const first = await api.request<{ subscriberId: string; state: string }>('POST', '/v1/programs/pg-deals/subscribers', { body, headers });
    expect(first.status).toBe(201);
    expect(first.body.state).toBe('active');
    const replay = await api.request('POST', '/v1/programs/pg-deals/subscribers', { body, headers });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await api.db.optInEvidence.count({ where: { subscriberId: first.body.subscriberId } })).toBe(1);

    const read = await api.request('GET', `/v1/programs/pg-deals/subscribers/${first.body.subscriberId}`);
    expect(read.body).toMatchObject({ state: 'active', live: true });

    const out = await api.request('POST', `/v1/programs/pg-deals/subscribers/${first.body.subscriberId}/opt-out`, { body: {} });
    expect(out.status).toBe(200);
    const event = await api.db.consentEvent.findUniqueOrThrow({ where: { id: out.body.ledgerEventId as string } });
    expect(event.type).toBe('opted_out');
  });

  it('rejects bad input with 4xx and writes nothing', async () => {
    const before = await tableCounts(api.db);
    expect((await api.request('POST', '/v1/programs/pg-deals/subscribers', { raw: '{"phone":' })).status).toBe(400);
    expect((await api.request('POST', '/v1/programs/pg-deals/subscribers', { body: optInBody('+1 202 55') })).status).toBe(422);
    expect(await tableCounts(api.db)).toEqual(before);
  });
});
