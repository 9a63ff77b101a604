import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignActivities } from '../../src/activities/campaigns.js';
import type { ActivityDeps } from '../../src/activities/deps.js';
import type { Carrier } from '../../src/carriers/types.js';
import {
  campaignProgress,
  controlCampaign,
  createBroadcast,
  createCampaign,
  createCampaignSchema,
  getCampaign,
  loadCampaignStepTemplate,
  nextLocalTime,
  startCampaign,
  type CampaignServices,
} from '../../src/domain/campaigns.js';
import { ConflictError, ProgramLintError } from '../../src/domain/errors.js';
import { createPolicyChange, policyChangeStatus } from '../../src/domain/policies.js';
import { logger } from '../../src/logger.js';
import type { CampaignRunState } from '../../src/workflows/campaign.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { createDevServer } from '../helpers/temporal.js';
import { buildProgram, buildSubscribers } from './factories.js';
import { receivedQuery, recordingLifecycle, type Received } from './fixtures/workflows.js';

const taskQueue = 'campaigns-test';
/** A step text that passes the campaign lint: brand, sender contact (CASL) and how to opt out. */
const text = (words: string) => `{{brand}}: ${words} Help: help@acme.example. Reply STOP to cancel.`;
const CONCURRENCY = 4;
const workflowsPath = fileURLToPath(new URL('./fixtures/workflows.ts', import.meta.url));

const noCarrier: Carrier = {
  name: 'simulated',
  send: () => Promise.reject(new Error('campaign fan-out never sends directly')),
  fetch: () => Promise.reject(new Error('unused')),
  findSent: () => Promise.reject(new Error('unused')),
};

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let worker: Worker;
let running: Promise<void>;
let services: CampaignServices;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  env = await createDevServer();
  testDb = await createSqliteTestDb();
  // A real client whose signal calls are counted on the way through, to see the fan-out's bound.
  const countingClient = new Client({
    connection: env.connection,
    interceptors: {
      workflow: [
        {
          async signal(input, next) {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            try {
              return await next(input);
            } finally {
              inFlight -= 1;
            }
          },
        },
      ],
    },
  });
  const deps: ActivityDeps = {
    db: testDb.db,
    carrier: noCarrier,
    client: countingClient,
    logger,
    phoneHashKey: 'k'.repeat(32),
    publicBaseUrl: 'http://127.0.0.1:9',
    taskQueue,
    now: () => new Date(),
  };
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath,
    activities: createCampaignActivities(deps, { concurrency: CONCURRENCY, pageSize: 10, pagesPerCall: 2 }),
  });
  running = worker.run();
  services = { db: testDb.db, client: env.client, taskQueue, newId: () => `cmp_${randomUUID().slice(0, 8)}` };
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await testDb?.cleanup();
  await env?.teardown();
});

async function startLifecycles(subs: { id: string; workflowId: string }[], programId: string): Promise<void> {
  await Promise.all(
    subs.map((s) => env.client.workflow.start(recordingLifecycle, { workflowId: s.workflowId, taskQueue, args: [s.id, programId] })),
  );
}

function received(workflowId: string): Promise<Received> {
  return env.client.workflow.getHandle(workflowId).query(receivedQuery);
}

async function result(campaignId: string): Promise<CampaignRunState> {
  const c = await getCampaign(testDb.db, campaignId);
  return env.client.workflow.getHandle(c.workflowId ?? '').result();
}

async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) {
      return v;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('campaign fan-out', () => {
  it('signals every active subscriber once, never more than the concurrency bound at a time', async () => {
    const programId = await buildProgram(testDb.db);
    const active = await buildSubscribers(testDb.db, programId, Array.from({ length: 25 }, () => ({})));
    const optedOut = await buildSubscribers(testDb.db, programId, [{ state: 'opted_out' }, { state: 'opted_out' }]);
    await startLifecycles([...active, ...optedOut], programId);
    maxInFlight = 0;

    const campaign = await createCampaign(services, programId, createCampaignSchema.parse({ name: 'welcome week', steps: [{ body: text('Hi!') }] }));
    await startCampaign(services, campaign.id);
    const run = await result(campaign.id);

    expect(run.status).toBe('completed');
    expect(run.steps[0]).toMatchObject({ status: 'done', signalled: 25, missingLifecycle: 0 });
    expect(maxInFlight).toBe(CONCURRENCY);
    for (const s of active) {
      const r = await received(s.workflowId);
      expect(r.texts).toHaveLength(1);
      expect(r.texts[0]).toMatchObject({
        requestId: `${campaign.id}:0`,
        kind: 'marketing',
        campaignId: campaign.id,
        stepIndex: 0,
        templateRef: `campaign:${campaign.id}:0`,
      });
    }
    for (const s of optedOut) {
      expect((await received(s.workflowId)).texts).toHaveLength(0);
    }
    expect((await getCampaign(testDb.db, campaign.id)).status).toBe('completed');
  });

  it('counts target subscribers whose lifecycle is gone instead of failing the step', async () => {
    const programId = await buildProgram(testDb.db);
    const subs = await buildSubscribers(testDb.db, programId, [{}, {}, {}]);
    await startLifecycles(subs.slice(0, 2), programId);
    const campaign = await createBroadcast(services, programId, { name: 'flash sale', body: text('Sale today.'), variables: {}, target: { allActive: true }, expireAfterHours: 48, atLocalTime: undefined });
    const run = await result(campaign.id);
    expect(run.steps[0]).toMatchObject({ signalled: 2, missingLifecycle: 1 });
  });

  it("gives an atLocalTime step each subscriber's own local time, the westernmost reading for an uncertain zone", async () => {
    const programId = await buildProgram(testDb.db);
    const subs = await buildSubscribers(testDb.db, programId, [
      { timeZones: ['America/New_York'] },
      { timeZones: ['America/Los_Angeles'] },
      { timeZones: ['America/Chicago', 'America/Denver'] },
    ]);
    await startLifecycles(subs, programId);
    const campaign = await createCampaign(services, programId, createCampaignSchema.parse({ name: 'morning', steps: [{ body: text('Good morning.'), atLocalTime: '10:00' }] }));
    await startCampaign(services, campaign.id);
    const run = await result(campaign.id);
    const dueAt = DateTime.fromISO(run.steps[0]?.dueAt ?? '');

    const [ny, la, mixed] = await Promise.all(subs.map((s) => received(s.workflowId)));
    const local = (r: Received | undefined, zone: string) => DateTime.fromISO(r?.texts[0]?.notBefore ?? '', { zone });
    for (const [r, zone] of [[ny, 'America/New_York'], [la, 'America/Los_Angeles'], [mixed, 'America/Denver']] as const) {
      const at = local(r, zone);
      expect(at.toFormat('HH:mm')).toBe('10:00');
      expect(at >= dueAt).toBe(true);
      expect(at.diff(dueAt, 'hours').hours).toBeLessThan(24);
      expect(Date.parse(r?.texts[0]?.deadline ?? '') - at.toMillis()).toBe(48 * 3600_000);
    }
    // Denver's 10:00 is already 11:00 in Chicago: never before 10:00 in either candidate zone.
    expect(local(mixed, 'America/Chicago').toFormat('HH:mm')).toBe('11:00');
    expect(local(ny, 'UTC').toMillis()).not.toBe(local(la, 'UTC').toMillis());
  });

  it('runs drip steps after their delays, in order', async () => {
    const programId = await buildProgram(testDb.db);
    const subs = await buildSubscribers(testDb.db, programId, [{}, {}]);
    await startLifecycles(subs, programId);
    const campaign = await createCampaign(
      services,
      programId,
      createCampaignSchema.parse({ name: 'drip', steps: [{ body: text('One.') }, { body: text('Two.'), delay: 'PT1S' }, { body: text('Three.'), delay: 0.0005 }] }),
    );
    await startCampaign(services, campaign.id);
    const run = await result(campaign.id);
    const [first, second, third] = run.steps.map((s) => Date.parse(s.dueAt ?? ''));
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(1000);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(1800);
    for (const s of subs) {
      const r = await received(s.workflowId);
      expect(r.texts.map((t) => t.stepIndex)).toEqual([0, 1, 2]);
      expect(r.texts.map((t) => t.requestId)).toEqual([0, 1, 2].map((i) => `${campaign.id}:${i}`));
    }
    const template = await loadCampaignStepTemplate(testDb.db, `campaign:${campaign.id}:1`);
    expect(template).toEqual({ campaignId: campaign.id, stepIndex: 1, body: text('Two.'), variables: {}, skipReason: null });
  });
});

describe('campaign control', () => {
  it('holds later steps while paused and sends them after resume', async () => {
    const programId = await buildProgram(testDb.db);
    const subs = await buildSubscribers(testDb.db, programId, [{}]);
    await startLifecycles(subs, programId);
    const campaign = await createCampaign(services, programId, createCampaignSchema.parse({ name: 'pausable', steps: [{ body: text('A.') }, { body: text('B.'), delay: 'PT1S' }] }));
    await startCampaign(services, campaign.id);
    const workflowId = subs[0]?.workflowId ?? '';
    await waitFor('step 0', () => received(workflowId), (r) => r.texts.length === 1);

    expect((await controlCampaign(services, campaign.id, 'pause')).status).toBe('paused');
    await new Promise((r) => setTimeout(r, 2500));
    expect((await received(workflowId)).texts).toHaveLength(1);
    await expect(controlCampaign(services, campaign.id, 'pause')).rejects.toBeInstanceOf(ConflictError);

    expect((await controlCampaign(services, campaign.id, 'resume')).status).toBe('running');
    const run = await result(campaign.id);
    expect(run.status).toBe('completed');
    expect((await received(workflowId)).texts.map((t) => t.stepIndex)).toEqual([0, 1]);
  });

  it('cancels: later steps never run and queued texts of the campaign are to be skipped', async () => {
    const programId = await buildProgram(testDb.db);
    const subs = await buildSubscribers(testDb.db, programId, [{}]);
    await startLifecycles(subs, programId);
    const campaign = await createCampaign(services, programId, createCampaignSchema.parse({ name: 'cancelled', steps: [{ body: text('A.') }, { body: text('B.'), delay: 'PT1H' }] }));
    await startCampaign(services, campaign.id);
    await waitFor('step 0', () => received(subs[0]?.workflowId ?? ''), (r) => r.texts.length === 1);

    await controlCampaign(services, campaign.id, 'cancel');
    const run = await result(campaign.id);
    expect(run.status).toBe('cancelled');
    expect(run.steps.map((s) => s.status)).toEqual(['done', 'not_run']);
    expect((await getCampaign(testDb.db, campaign.id)).status).toBe('cancelled');
    expect((await loadCampaignStepTemplate(testDb.db, `campaign:${campaign.id}:0`))?.skipReason).toBe('campaign_cancelled');
    await expect(startCampaign(services, campaign.id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('reports progress from outbound texts by status and reason, and holds from the lifecycles', async () => {
    const programId = await buildProgram(testDb.db);
    const subs = await buildSubscribers(testDb.db, programId, [{}, {}, {}]);
    await startLifecycles(subs, programId);
    // Two hours from now in New York: each lifecycle holds the text until then.
    const later = DateTime.now().setZone('America/New_York').plus({ hours: 2 }).toFormat('HH:mm');
    const campaign = await createCampaign(services, programId, createCampaignSchema.parse({ name: 'measured', steps: [{ body: text('Later.'), atLocalTime: later }] }));
    const [a, b, c] = subs.map((s) => s.id);
    const row = (subscriberId: string | undefined, status: string, errorReason: string | null) => ({
      id: randomUUID(),
      messageKey: randomUUID(),
      subscriberId: subscriberId ?? '',
      programId,
      kind: 'marketing',
      status,
      errorReason,
      campaignId: campaign.id,
    });
    await testDb.db.outboundMessage.createMany({
      data: [row(a, 'delivered', null), row(b, 'sent', null), row(c, 'skipped', 'us-fl-cap'), row(c, 'skipped', 'no_consent')],
    });
    await startCampaign(services, campaign.id);
    await result(campaign.id);

    const progress = await campaignProgress(services, campaign.id);
    expect(progress.texts.byStatus).toEqual({ delivered: 1, sent: 1, skipped: 2 });
    expect(progress.texts.reasons).toEqual({ 'us-fl-cap': 1, no_consent: 1 });
    expect(progress.run?.steps[0]).toMatchObject({ status: 'done', signalled: 3 });
    expect(progress.holds).toEqual({ sampledLifecycles: 3, byRule: { quiet_hours: 3 } });
  });
});

describe('campaign creation', () => {
  it('refuses steps that would fail the lint or name an unknown placeholder, with every reason', async () => {
    const programId = await buildProgram(testDb.db);
    const attempt = createCampaign(
      services,
      programId,
      createCampaignSchema.parse({ name: 'sloppy', steps: [{ body: text('Fine.') }, { body: 'Big sale today!' }, { body: text('Code {{code}}.') }] }),
    );
    const error = await attempt.then(() => null, (err: unknown) => err);
    expect(error).toBeInstanceOf(ProgramLintError);
    const reasons = (error as ProgramLintError).reasons;
    expect(reasons).toContain('step 3: unknown template variable {{code}}');
    expect(reasons.filter((r) => r.startsWith('step 2 (US)')).map((r) => r.split(':')[1]?.trim())).toEqual(['brand_missing', 'opt_out_missing']);
    expect(reasons.some((r) => r.startsWith('step 1'))).toBe(false);
    expect(await testDb.db.campaign.count({ where: { programId } })).toBe(0);
  });
});

describe('policy changes', () => {
  it('moves the program to the new version and tells every active and paused lifecycle', async () => {
    const programId = await buildProgram(testDb.db);
    const subs = await buildSubscribers(testDb.db, programId, [{}, { state: 'paused' }, { state: 'opted_out' }, { state: 'pending' }]);
    await startLifecycles(subs, programId);
    const input = { policy: 'privacy' as const, version: '2026-12', url: 'https://acme.example/privacy-v2', material: true };

    const { change, created } = await createPolicyChange(services, programId, input);
    expect(created).toBe(true);
    const program = await testDb.db.program.findUniqueOrThrow({ where: { id: programId } });
    expect([program.privacyVersion, program.privacyUrl, program.termsVersion]).toEqual(['2026-12', 'https://acme.example/privacy-v2', '2026-01']);

    const done = await env.client.workflow.getHandle(change.workflowId ?? '').result();
    expect(done).toEqual({ status: 'completed', signalled: 2, missingLifecycle: 0 });
    const got = await Promise.all(subs.map((s) => received(s.workflowId)));
    expect(got.map((r) => r.policyChanges.length)).toEqual([1, 1, 0, 0]);
    expect(got[0]?.policyChanges[0]).toEqual({ changeId: change.id, policy: 'privacy', version: '2026-12', material: true });

    const again = await createPolicyChange(services, programId, input);
    expect(again).toMatchObject({ created: false, change: { id: change.id } });
    await expect(createPolicyChange(services, programId, { ...input, material: false })).rejects.toBeInstanceOf(ConflictError);
    const status = await policyChangeStatus(services, change.id);
    expect(status.progress).toEqual({ status: 'completed', signalled: 2, missingLifecycle: 0 });
    expect(status.subscribers).toEqual({ active: 1, paused: 1, opted_out: 1, pending: 1 });
  });
});
