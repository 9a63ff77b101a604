// The API's HTTP surface without a lifecycle worker: problem+json errors,
// authentication and roles, rate limits, programs, keys, OpenAPI, health.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_BODY_LIMIT } from '../../src/api/app.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { type ApiHarness, optInBody, programBody, startApi, tableCounts } from '../helpers/api.js';
import { createDevServer } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let api: ApiHarness;

beforeAll(async () => {
  env = await createDevServer();
  testDb = await createSqliteTestDb();
  api = await startApi({ testDb, env, limits: { perKeyPerMinute: 10_000, failedPerIpPerMinute: 10_000 } });
});

afterAll(async () => {
  await api?.close();
  await testDb?.cleanup();
  await env?.teardown();
});

function expectProblem(res: { status: number; headers: Headers; body: Record<string, unknown> }, status: number, kind: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe(`https://consentline.dev/problems/${kind}`);
  expect(res.body.status).toBe(status);
  expect(typeof res.body.title).toBe('string');
  expect(typeof res.body.detail).toBe('string');
}

describe('programs', () => {
  it('creates, reads, updates and lists a program with defaults applied', async () => {
    const created = await api.request('POST', '/v1/programs', { body: programBody({ id: 'harbor-deals' }) });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/programs/harbor-deals');
    expect(created.body).toMatchObject({
      id: 'harbor-deals',
      doubleOptIn: true,
      confirmationWindowHours: 72,
      reminderEveryDays: 30,
      reminderMode: 'standalone',
      category: 'marketing',
      segmentLimit: 3,
      quietHours: null,
      sender: { type: 'simulated' },
      allowedCountries: ['US', 'CA'],
    });

    const read = await api.request('GET', '/v1/programs/harbor-deals', { key: api.keys.auditor });
    expect(read.status).toBe(200);
    expect(read.body.brandName).toBe('Harbor Coffee');

    const patched = await api.request('PATCH', '/v1/programs/harbor-deals', { body: { quietHours: { start: '10:00', end: '18:30' }, frequencyCap: { count: 2, perHours: 24 } } });
    expect(patched.status).toBe(200);
    expect(patched.body.quietHours).toEqual({ start: '10:00', end: '18:30' });
    expect(patched.body.frequencyCap).toEqual({ count: 2, perHours: 24 });
    const row = await api.db.program.findUniqueOrThrow({ where: { id: 'harbor-deals' } });
    expect([row.quietHoursStart, row.quietHoursEnd, row.frequencyCapCount, row.frequencyCapHours]).toEqual(['10:00', '18:30', 2, 24]);

    await api.request('POST', '/v1/programs', { body: programBody({ id: 'harbor-news', category: 'informational' }) });
    const page1 = await api.request<{ items: Array<{ id: string }>; nextCursor: string | null }>('GET', '/v1/programs?limit=1');
    expect(page1.body.items.map((p) => p.id)).toEqual(['harbor-deals']);
    expect(page1.body.nextCursor).toBe('harbor-deals');
    const page2 = await api.request<{ items: Array<{ id: string }>; nextCursor: string | null }>('GET', `/v1/programs?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((p) => p.id)).toEqual(['harbor-news']);
  });

  it('refuses a program whose texts fail the content lint, and stores nothing', async () => {
    const before = await tableCounts(api.db);
    const res = await api.request('POST', '/v1/programs', { body: programBody({ id: 'no-help', helpContact: ' ', brandName: 'X' }) });
    // A blank help contact is a validation error before the lint even runs.
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'helpContact' })]));

    const long = await api.request('POST', '/v1/programs', {
      body: programBody({ id: 'too-long', description: 'an extremely long description of everything the program will ever send '.repeat(7).slice(0, 480), segmentLimit: 1 }),
    });
    expectProblem(long, 422, 'program-lint-failed');
    const reasons = long.body.reasons as string[];
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.some((r) => r.startsWith('confirmation_request (en, US)'))).toBe(true);
    expect(await tableCounts(api.db)).toEqual(before);
  });

  it('refuses a change that would make the texts fail, and keeps the program as it was', async () => {
    await api.request('POST', '/v1/programs', { body: programBody({ id: 'lint-update' }) });
    const res = await api.request('PATCH', '/v1/programs/lint-update', { body: { segmentLimit: 1, description: 'x'.repeat(400) } });
    expectProblem(res, 422, 'program-lint-failed');
    const row = await api.db.program.findUniqueOrThrow({ where: { id: 'lint-update' } });
    expect(row.segmentLimit).toBe(3);
  });

  it('keeps terms and privacy out of plain updates', async () => {
    await api.request('POST', '/v1/programs', { body: programBody({ id: 'terms-fixed' }) });
    const res = await api.request('PATCH', '/v1/programs/terms-fixed', { body: { termsVersion: '2027-01' } });
    expectProblem(res, 400, 'validation');
  });

  it('answers a duplicate ID with 409 and an unknown program with 404', async () => {
    await api.request('POST', '/v1/programs', { body: programBody({ id: 'dup-program' }) });
    expectProblem(await api.request('POST', '/v1/programs', { body: programBody({ id: 'dup-program' }) }), 409, 'conflict');
    expectProblem(await api.request('GET', '/v1/programs/nope-nope'), 404, 'not-found');
  });
});

describe('bad input gets 4xx problem+json and records nothing', () => {
  it.each([
    ['malformed JSON', { raw: '{"phone": "+1312555', headers: {} }, 400, 'malformed-json'],
    ['wrong types', { body: { phone: 13125550123, source: 'carrier pigeon', consentType: true, consentAt: 'yesterday' } }, 400, 'validation'],
    ['a JSON array', { body: [1, 2, 3] }, 400, 'validation'],
    ['an invalid number', { body: optInBody('+1 555 01') }, 422, 'invalid-phone'],
    ['letters for a number', { body: optInBody('CALL-ME-NOW') }, 422, 'invalid-phone'],
    ['an oversized body', { body: optInBody('+13125550123', { userAgent: 'x'.repeat(300 * 1024) }) }, 413, 'payload-too-large'],
  ])('%s', async (_name, options, status, kind) => {
    await api.request('POST', '/v1/programs', { body: programBody({ id: 'bad-input' }) });
    const before = await tableCounts(api.db);
    const res = await api.request('POST', '/v1/programs/bad-input/subscribers', options);
    expectProblem(res, status, kind);
    expect(await tableCounts(api.db)).toEqual(before);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const before = await tableCounts(api.db);
    const res = await api.request('POST', '/v1/programs/bad-input/subscribers', { raw: 'phone=%2B13125550123', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectProblem(res, 415, 'unsupported-media-type');
    expect(await tableCounts(api.db)).toEqual(before);
  });

  it('checks the sender value against its type', async () => {
    const res = await api.request('POST', '/v1/programs', { body: programBody({ sender: { type: 'messaging_service', value: '+13125550123' } }) });
    expectProblem(res, 400, 'validation');
    expect(res.body.errors).toEqual([{ path: 'sender.value', message: 'a messaging_service sender needs a Messaging Service SID (MG + 32 hex digits)' }]);
    const ok = await api.request('POST', '/v1/programs', { body: programBody({ id: 'mg-sender', sender: { type: 'messaging_service', value: `MG${'a'.repeat(32)}` } }) });
    expect(ok.status).toBe(201);
  });

  it('names each invalid field', async () => {
    const res = await api.request('POST', '/v1/programs', { body: programBody({ quietHours: { start: '25:00', end: '09:00' }, languages: ['de'], allowedCountries: ['usa'] }) });
    expectProblem(res, 400, 'validation');
    const paths = (res.body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['allowedCountries.0', 'languages.0', 'quietHours.end', 'quietHours.start']);
  });

  it('never echoes a phone number in an error', async () => {
    const res = await api.request('POST', '/v1/programs/bad-input/subscribers', { body: optInBody('+1 312 555 01') });
    expect(res.status).toBe(422);
    expect(res.text).not.toContain('312');
  });

  it('answers an unknown program with 404 before touching the number', async () => {
    const before = await tableCounts(api.db);
    expectProblem(await api.request('POST', '/v1/programs/no-such-program/subscribers', { body: optInBody('+13125550123') }), 404, 'not-found');
    expect(await tableCounts(api.db)).toEqual(before);
  });

  it('states the JSON body limit', () => {
    expect(JSON_BODY_LIMIT).toBe('256kb');
  });
});

describe('authentication and roles', () => {
  it('needs a key: 401 with WWW-Authenticate', async () => {
    const res = await api.request('GET', '/v1/programs', { key: null });
    expectProblem(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a wrong secret for a real prefix, and a made-up key', async () => {
    const [prefix] = api.keys.marketer.split('_').slice(1, 2);
    expectProblem(await api.request('GET', '/v1/programs', { key: `cl_${prefix}_${'A'.repeat(43)}` }), 401, 'unauthorized');
    expectProblem(await api.request('GET', '/v1/programs', { key: 'cl_000000000000_nope-nope-nope-nope' }), 401, 'unauthorized');
  });

  it('lets an auditor read but not write: 403', async () => {
    expect((await api.request('GET', '/v1/programs', { key: api.keys.auditor })).status).toBe(200);
    const res = await api.request('POST', '/v1/programs', { key: api.keys.auditor, body: programBody({ id: 'auditor-made' }) });
    expectProblem(res, 403, 'forbidden');
    expect(await api.db.program.count({ where: { id: 'auditor-made' } })).toBe(0);
  });

  it('keeps key management to admins; a revoked key stops working at once', async () => {
    expectProblem(await api.request('POST', '/v1/keys', { body: { name: 'x', role: 'marketer' } }), 403, 'forbidden');
    const created = await api.request('POST', '/v1/keys', { key: api.keys.admin, body: { name: 'crm sync', role: 'marketer' } });
    expect(created.status).toBe(201);
    const token = created.body.key as string;
    expect(token).toMatch(/^cl_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const row = await api.db.apiKey.findUniqueOrThrow({ where: { prefix: created.body.prefix as string } });
    expect(row.keyHash).not.toContain(token.split('_').slice(2).join('_'));
    expect((await api.request('GET', '/v1/programs', { key: token })).status).toBe(200);

    const list = await api.request<{ items: Array<Record<string, unknown>> }>('GET', '/v1/keys', { key: api.keys.admin });
    expect(list.body.items.some((k) => k.prefix === created.body.prefix && !('key' in k) && !('keyHash' in k))).toBe(true);

    const revoked = await api.request('POST', `/v1/keys/${String(created.body.prefix)}/revoke`, { key: api.keys.admin });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expectProblem(await api.request('GET', '/v1/programs', { key: token }), 401, 'unauthorized');
    expectProblem(await api.request('POST', `/v1/keys/${String(created.body.prefix)}/revoke`, { key: api.keys.admin }), 409, 'conflict');
  });
});

describe('rate limits', () => {
  it('limits per API key with 429 problem+json, leaving other keys alone', async () => {
    const limited = await startApi({ testDb, env, limits: { perKeyPerMinute: 3, failedPerIpPerMinute: 100 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        statuses.push((await limited.request('GET', '/v1/programs')).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const res = await limited.request('GET', '/v1/programs');
      expectProblem(res, 429, 'rate-limited');
      expect(res.headers.get('ratelimit-policy') ?? res.headers.get('ratelimit')).toBeTruthy();
      expect((await limited.request('GET', '/v1/programs', { key: limited.keys.auditor })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('slows down key guessing per address', async () => {
    const limited = await startApi({ testDb, env, limits: { perKeyPerMinute: 100, failedPerIpPerMinute: 2 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await limited.request('GET', '/v1/programs', { key: `cl_guess0000000${i}_${'x'.repeat(20)}` })).status);
      }
      expect(statuses).toEqual([401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('observability', () => {
  it('echoes a valid X-Request-Id and puts it in problems', async () => {
    const res = await api.request('GET', '/v1/programs/nope-nope', { headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    expect(res.body.requestId).toBe('req-abc.123');
    const generated = await api.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is live and ready with the database and Temporal answering', async () => {
    expect((await api.request('GET', '/healthz', { key: null })).body).toEqual({ ok: true });
    const ready = await api.request<{ ready: boolean; checks: Record<string, { ok: boolean }> }>('GET', '/readyz', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);
    expect(ready.body.checks.database?.ok).toBe(true);
    expect(ready.body.checks.temporal?.ok).toBe(true);
  });

  it('exposes Prometheus metrics with HTTP timings by route pattern', async () => {
    await api.request('GET', '/v1/programs/harbor-deals');
    const res = await fetch(`${api.baseUrl}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/consentline_http_request_duration_seconds_count\{method="GET",route="\/v1\/programs\/:programId",status="200"\} \d+/);
    for (const name of ['consentline_opt_ins_total', 'consentline_opt_outs_total', 'consentline_texts_total', 'consentline_holds_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
  });

  it('answers unknown routes with a problem+json 404', async () => {
    const res = await api.request('GET', '/nowhere', { key: null });
    expectProblem(res, 404, 'not-found');
  });
});
