// Opt-in, reading, listing and opt-out through the API, against a real dev
// server and a worker running the real lifecycle workflow and activities.
import { fc, test as propTest } from '@fast-check/vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneHash } from '../../src/identity.js';
import { searchAttributes, subscriberWorkflowId } from '../../src/temporal/shared.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { type ApiHarness, optInBody, PHONE_HASH_KEY, programBody, startApi, tableCounts } from '../helpers/api.js';
import { nextPhone } from '../helpers/lifecycle.js';
import { createDevServer } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let api: ApiHarness;

beforeAll(async () => {
  env = await createDevServer();
  testDb = await createSqliteTestDb();
  api = await startApi({ testDb, env, worker: true, limits: { perKeyPerMinute: 100_000, failedPerIpPerMinute: 100_000 } });
  for (const body of [
    programBody({ id: 'double-in' }),
    programBody({ id: 'single-in', doubleOptIn: false }),
    programBody({ id: 'adults-only', minimumAge: 21, doubleOptIn: false }),
  ]) {
    expect((await api.request('POST', '/v1/programs', { body })).status).toBe(201);
  }
});

afterAll(async () => {
  await api?.close();
  await testDb?.cleanup();
  await env?.teardown();
});

type OptInResult = { subscriberId: string; programId: string; workflowId: string; state: string; created: boolean; phone: string };

describe('opt-in', () => {
  it('starts one lifecycle with the right ID and search attributes, and records the evidence', async () => {
    const phone = nextPhone();
    const res = await api.request<OptInResult>('POST', '/v1/programs/double-in/subscribers', { body: optInBody(phone) });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('pending');
    expect(res.body.created).toBe(true);
    expect(res.body.phone).toBe(`+1******${phone.slice(-4)}`);
    expect(res.text).not.toContain(phone);

    const workflowId = subscriberWorkflowId('double-in', phoneHash(phone, PHONE_HASH_KEY));
    expect(res.body.workflowId).toBe(workflowId);
    expect(workflowId).not.toContain(phone.slice(2));
    const described = await env.client.workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.typedSearchAttributes.get(searchAttributes.program)).toBe('double-in');
    expect(described.typedSearchAttributes.get(searchAttributes.country)).toBe('US');
    expect(described.typedSearchAttributes.get(searchAttributes.consentState)).toBe('pending');

    const row = await api.db.subscriber.findUniqueOrThrow({ where: { id: res.body.subscriberId } });
    expect(row.phoneE164).toBe(phone);
    expect(row.consentState).toBe('pending');
    const events = await api.db.consentEvent.findMany({ where: { subscriberId: row.id }, orderBy: { seq: 'asc' } });
    expect(events[0]?.type).toBe('opt_in_requested');
    expect(events[0]?.source).toBe('web_form');
    expect(JSON.parse(events[0]?.evidence ?? '{}')).toMatchObject({ disclosureVersion: 'web-2026-01' });
    const personal = await api.db.consentEvidence.findUniqueOrThrow({ where: { eventId: events[0]?.id ?? '' } });
    expect(JSON.parse(personal.personal)).toMatchObject({ ip: '203.0.113.7', pageUrl: 'https://harbor.example/join' });
  });

  it('joins the running lifecycle for a number it knows: 200, same subscriber, same run', async () => {
    const phone = nextPhone();
    const first = await api.request<OptInResult>('POST', '/v1/programs/double-in/subscribers', { body: optInBody(phone) });
    const runId = (await env.client.workflow.getHandle(first.body.workflowId).describe()).runId;
    const second = await api.request<OptInResult>('POST', '/v1/programs/double-in/subscribers', { body: optInBody(phone, { source: 'popup' }) });
    expect(second.status).toBe(200);
    expect(second.body.created).toBe(false);
    expect(second.body.subscriberId).toBe(first.body.subscriberId);
    expect((await env.client.workflow.getHandle(first.body.workflowId).describe()).runId).toBe(runId);
    expect(await api.db.subscriber.count({ where: { programId: 'double-in', phoneE164: phone } })).toBe(1);
  });

  it('never starts two lifecycles for concurrent opt-ins of one number', async () => {
    const phone = nextPhone();
    const results = await Promise.all([1, 2, 3].map(() => api.request<OptInResult>('POST', '/v1/programs/single-in/subscribers', { body: optInBody(phone) })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(results.map((r) => r.body.subscriberId)).size).toBe(1);
    expect(await api.db.subscriber.count({ where: { programId: 'single-in', phoneE164: phone } })).toBe(1);
  });

  it('activates at once without double opt-in', async () => {
    const res = await api.request<OptInResult>('POST', '/v1/programs/single-in/subscribers', { body: optInBody(nextPhone()) });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('active');
  });

  it('replays the first response for a repeated Idempotency-Key, and refuses the key with another body', async () => {
    const phone = nextPhone();
    const headers = { 'idempotency-key': `signup-${phone.slice(-4)}-a` };
    const body = optInBody(phone);
    const first = await api.request<OptInResult>('POST', '/v1/programs/double-in/subscribers', { body, headers });
    expect(first.status).toBe(201);
    const events = await api.db.consentEvent.count();

    const again = await api.request<OptInResult>('POST', '/v1/programs/double-in/subscribers', { body, headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await api.db.consentEvent.count()).toBe(events);

    const other = await api.request('POST', '/v1/programs/double-in/subscribers', { body: { ...body, source: 'popup' }, headers });
    expect(other.status).toBe(409);
    expect(other.body.type).toBe('https://consentline.dev/problems/conflict');
    expect(await api.db.consentEvent.count()).toBe(events);

    // Keys belong to the API key that sent them: another caller's same key is a new request.
    const otherCaller = await api.request<OptInResult>('POST', '/v1/programs/double-in/subscribers', { body, headers, key: api.keys.admin });
    expect(otherCaller.status).toBe(200);
    expect(otherCaller.body.phone).toBe(phone);
  });

  it('refuses an opt-in that fails the rules with 422 and the reasons, and records the refusal', async () => {
    const res = await api.request('POST', '/v1/programs/adults-only/subscribers', { body: optInBody(nextPhone(), { birthdate: '2015-06-01' }) });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('https://consentline.dev/problems/opt-in-refused');
    expect((res.body.reasons as string[]).length).toBeGreaterThan(0);
    expect(res.body.state).toBe('refused');
    const refused = await api.db.consentEvent.findFirst({ where: { subscriberId: res.body.subscriberId as string, type: 'opt_in_refused' } });
    expect(refused).not.toBeNull();

    const adult = await api.request<OptInResult>('POST', '/v1/programs/adults-only/subscribers', { body: optInBody(nextPhone(), { birthdate: '1990-06-01' }) });
    expect(adult.status).toBe(201);
    expect(adult.body.state).toBe('active');
  });

  it('needs consent given after a suppression', async () => {
    const phone = nextPhone();
    const suppressedAt = new Date(Date.now() - 30 * 60_000);
    await api.db.suppression.create({ data: { id: `sup-${phone}`, programId: '*', phoneHash: phoneHash(phone, PHONE_HASH_KEY), reason: 'carrier_opt_out', createdAt: suppressedAt } });
    const before = await tableCounts(api.db);
    const stale = await api.request('POST', '/v1/programs/single-in/subscribers', { body: optInBody(phone, { consentAt: new Date(suppressedAt.getTime() - 60_000).toISOString() }) });
    expect(stale.status).toBe(422);
    expect((stale.body.reasons as string[])[0]).toMatch(/^suppressed:/);
    expect(await tableCounts(api.db)).toEqual(before);

    const fresh = await api.request<OptInResult>('POST', '/v1/programs/single-in/subscribers', { body: optInBody(phone, { consentAt: new Date().toISOString() }) });
    expect(fresh.status).toBe(201);
  });
});

describe('reading and opting out', () => {
  it('shows consent, jurisdiction, next allowed send and live pending texts; masks the number except for admins', async () => {
    const phone = nextPhone();
    const { body: created } = await api.request<OptInResult>('POST', '/v1/programs/single-in/subscribers', { body: optInBody(phone) });
    const path = `/v1/programs/single-in/subscribers/${created.subscriberId}`;
    const res = await api.request('GET', path, { key: api.keys.auditor });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.subscriberId, state: 'active', consentType: 'express_written', live: true, phone: `+1******${phone.slice(-4)}` });
    expect(res.body.jurisdiction).toMatchObject({ country: 'US' });
    expect(Array.isArray(res.body.pending)).toBe(true);
    expect(Date.parse(res.body.nextMarketingSendAt as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(typeof res.body.nextMarketingSendRule).toBe('string');
    expect((await api.request('GET', path, { key: api.keys.admin })).body.phone).toBe(phone);
    expect((await api.request('GET', `/v1/programs/double-in/subscribers/${created.subscriberId}`)).status).toBe(404);
  });

  it('opts out through the lifecycle and returns only after the ledger row exists', async () => {
    const phone = nextPhone();
    const { body: created } = await api.request<OptInResult>('POST', '/v1/programs/single-in/subscribers', { body: optInBody(phone) });
    const res = await api.request('POST', `/v1/programs/single-in/subscribers/${created.subscriberId}/opt-out`, { body: { reason: 'asked by phone' } });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('opted_out');
    const event = await api.db.consentEvent.findUnique({ where: { id: res.body.ledgerEventId as string } });
    expect(event?.type).toBe('opted_out');
    expect(event?.subscriberId).toBe(created.subscriberId);
    expect((await api.db.subscriber.findUniqueOrThrow({ where: { id: created.subscriberId } })).consentState).toBe('opted_out');

    const read = await api.request('GET', `/v1/programs/single-in/subscribers/${created.subscriberId}`);
    expect(read.body.state).toBe('opted_out');
    expect(read.body.nextMarketingSendAt).toBeNull();

    // Consent older than the opt-out cannot bring the number back.
    const stale = await api.request('POST', '/v1/programs/single-in/subscribers', { body: optInBody(phone, { consentAt: new Date(Date.now() - 3_600_000).toISOString() }) });
    expect(stale.status).toBe(422);
    expect((stale.body.reasons as string[])[0]).toMatch(/^suppressed:/);
  });

  it('lists with state and country filters and cursor pages', async () => {
    await api.request('POST', '/v1/programs', { body: programBody({ id: 'list-me', doubleOptIn: false }) });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await api.request<OptInResult>('POST', '/v1/programs/list-me/subscribers', { body: optInBody(nextPhone()) })).body.subscriberId);
    }
    const firstId = ids[0] ?? '';
    await api.request('POST', `/v1/programs/list-me/subscribers/${firstId}/opt-out`, { body: {} });
    type Page = { items: Array<{ id: string; state: string; phone: string }>; nextCursor: string | null };
    const active = await api.request<Page>('GET', '/v1/programs/list-me/subscribers?state=active&country=US');
    expect(active.body.items.map((s) => s.id)).toEqual(ids.slice(1));
    expect(active.body.items.every((s) => s.phone.includes('******'))).toBe(true);
    const page1 = await api.request<Page>('GET', '/v1/programs/list-me/subscribers?limit=2');
    expect(page1.body.items.map((s) => s.id)).toEqual(ids.slice(0, 2));
    const page2 = await api.request<Page>('GET', `/v1/programs/list-me/subscribers?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((s) => s.id)).toEqual(ids.slice(2));
    expect(page2.body.nextCursor).toBeNull();
    expect((await api.request<Page>('GET', '/v1/programs/list-me/subscribers?country=CA')).body.items).toEqual([]);
  });
});

describe('the opt-in endpoint never fails with a 5xx', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const phoneish = fc.oneof(
    fc.string({ maxLength: 24 }),
    fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/),
    fc.constantFrom('+13125550100', '+447911123456', '+18005551212', '+1', '', '   ', '+999999999999', '00447911123456'),
  );

  propTest.prop([json], { numRuns: 100 })('for arbitrary JSON bodies', async (body) => {
    const res = await api.request('POST', '/v1/programs/single-in/subscribers', { body });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(500);
  });

  propTest.prop([phoneish, fc.constantFrom('US', 'CA', 'GB', undefined)], { numRuns: 100 })('for arbitrary phone strings', async (phone, country) => {
    const res = await api.request('POST', '/v1/programs/single-in/subscribers', { body: optInBody(phone, country ? { country } : {}) });
    expect([200, 201, 400, 422]).toContain(res.status);
    if (res.status >= 400) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });
});
