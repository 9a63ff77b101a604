// The auditor's tools on real lifecycles (Temporal CLI dev server, SQLite):
// a full opt-in → confirm → welcome → texts → STOP story read back as a
// timeline, replayed against the current and a nondeterministic build (also
// through `npm run audit`), and an erasure that leaves no number behind.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseSubscriberData } from '../../src/audit/erasure.js';
import { fetchRunHistories, historyText } from '../../src/audit/histories.js';
import { replaySubscribers } from '../../src/audit/replay.js';
import { buildTimeline, type TimelineEntry } from '../../src/audit/timeline.js';
import { OptInRefusedError } from '../../src/domain/errors.js';
import { optIn as apiOptIn, type SubscriberDeps } from '../../src/domain/subscribers.js';
import { verifyChain } from '../../src/ledger/ledger.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import {
  buildProgram,
  buildSubscriber,
  daytimeZone,
  eventually,
  ledgerTypes,
  optIn,
  outbound,
  PHONE_HASH_KEY,
  reply,
  startLifecycle,
  startLifecycleWorker,
  type LifecycleHarness,
} from '../helpers/lifecycle.js';
import { createDevServer } from '../helpers/temporal.js';
import { enqueueMarketing } from '../lifecycle/texts.js';
import { auditPaths, auditRouter, auditRoutes } from '../../src/api/routes/audit.js';
import { createApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/domain/keys.js';
import { phoneHash } from '../../src/identity.js';
import pino from 'pino';
import type { Server } from 'node:http';
import { buildProgram as buildBareProgram, buildSubscriber as buildBareSubscriber } from './factories.js';
import { PHONE, seedStory } from './seed.js';
import { Worker } from '@temporalio/worker';
import { createRetentionActivities } from '../../src/activities/retention.js';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/audit/retention-schedule.js';
import type { RetentionReport } from '../../src/audit/retention.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const nondeterministic = fileURLToPath(new URL('./fixtures/nondeterministic-workflows.ts', import.meta.url));

let env: TestWorkflowEnvironment;
let t: TestDb;
let h: LifecycleHarness;
let current: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createDevServer();
  t = await createSqliteTestDb();
  h = await startLifecycleWorker(env, t.db);
  current = await bundleWorkflowCode({ workflowsPath: `${root}src/workflows/index.ts`, logger: quiet });
});
afterAll(async () => {
  await h?.stop();
  await env?.teardown();
  await t?.cleanup();
});

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function label(e: TimelineEntry): string {
  return e.entry === 'consent_event' ? e.type : e.entry === 'outbound' ? `out:${e.kind}` : `in:${e.keyword}`;
}

/** `npm run audit -- ...` against this test's database and Temporal server. */
async function audit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const envVars = { ...process.env, DATABASE_URL: t.url, TEMPORAL_ADDRESS: env.address, PHONE_HASH_KEY, LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/audit.ts', ...args], { cwd: root, env: envVars, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('a full lifecycle, audited', () => {
  let workflowId: string;
  let subscriberId: string;
  let programId: string;
  let phone: string;

  beforeAll(async () => {
    const program = await buildProgram(h.db);
    const subscriber = await buildSubscriber(h.db, program, { timeZones: JSON.stringify([daytimeZone()]) });
    const handle = await startLifecycle(h, subscriber);
    ({ workflowId } = handle);
    subscriberId = subscriber.id;
    programId = program.id;
    phone = subscriber.phoneE164 ?? '';

    // Each step waits for the lifecycle to record the last one: the person answers what they received.
    const recorded = (type: string) => eventually(async () => expect(await ledgerTypes(h.db, subscriber.id)).toContain(type));
    expect((await optIn(h, handle, subscriber)).state).toBe('pending');
    await recorded('confirmation_requested');
    await reply(h, handle, subscriber, 'YES', { keyword: 'confirm' });
    await recorded('disclosure_sent');
    await enqueueMarketing(h, handle, subscriber, 'weekend');
    await eventually(async () => expect((await outbound(h.db, subscriber.id)).filter((o) => o.kind === 'marketing' && o.sentAt)).toHaveLength(1));
    await reply(h, handle, subscriber, 'HELP', { keyword: 'help' });
    await recorded('help_sent');
    await reply(h, handle, subscriber, 'STOP', { keyword: 'stop' });
    await recorded('opt_out_confirmation_sent');
  });

  it('reads back as a timeline with every event and text in order and a valid chain', async () => {
    const timeline = await buildTimeline(h.db, subscriberId);

    expect(timeline.entries.map(label)).toEqual([
      'opt_in_requested',
      'out:confirmation_request',
      'confirmation_requested',
      'in:confirm',
      'confirmed',
      'out:welcome',
      'disclosure_sent',
      'out:marketing',
      'in:help',
      'out:help',
      'help_sent',
      'in:stop',
      'opted_out',
      'out:stop_confirmation',
      'opt_out_confirmation_sent',
    ]);
    expect(timeline.chain).toEqual({ ok: true, events: 7, erasedEvidence: 0 });
    expect(timeline.ledgerState).toBe('opted_out');
    expect(timeline.subscriber.consentState).toBe('opted_out');
    const sids = timeline.entries.flatMap((e) => (e.entry === 'outbound' ? [e.providerSid] : []));
    expect(sids).toEqual(h.carrier.to(phone).map((s) => s.providerSid));
    const optInEvent = timeline.entries[0];
    expect(optInEvent).toMatchObject({ entry: 'consent_event', source: 'web_form', personal: { ip: '203.0.113.7' } });
  });

  it('replays every run against the current code, and three accounts of the state agree', async () => {
    const report = await replaySubscribers(
      { db: h.db, client: env.client, phoneHashKey: PHONE_HASH_KEY, workflows: { workflowBundle: current }, queryTimeoutMs: 5000 },
      { workflowId },
    );

    expect(report.ok).toBe(true);
    const [s] = report.subscribers;
    expect(s?.runs).toHaveLength(1);
    expect(s?.runs[0]).toMatchObject({ outcome: 'ok', message: null });
    expect(s?.states).toEqual({ ledger: 'opted_out', record: 'opted_out', workflow: 'opted_out', workflowSource: 'query' });
    expect(s?.problems).toEqual([]);
  });

  it('reports nondeterminism against a changed build, and through npm run audit exits non-zero', async () => {
    const bad = await bundleWorkflowCode({ workflowsPath: nondeterministic, logger: quiet });
    const report = await replaySubscribers(
      { db: h.db, client: env.client, phoneHashKey: PHONE_HASH_KEY, workflows: { workflowBundle: bad }, queryTimeoutMs: 0 },
      { programId, phone },
    );
    expect(report.ok).toBe(false);
    expect(report.subscribers[0]?.runs[0]?.outcome).toBe('nondeterminism');
    expect(report.subscribers[0]?.states.workflowSource).toBe('history');

    const failing = await audit('replay', '--workflow-id', workflowId, '--workflows-path', nondeterministic, '--query-timeout', '0');
    expect({ code: failing.code, stderr: failing.stderr }).toMatchObject({ code: 1 });
    expect(failing.stdout).toMatch(/^FAIL subscriber-/);
    expect(failing.stdout).toMatch(/replay nondeterminism/);
    expect(failing.stdout).toMatch(/1 subscriber\(s\) checked, 1 with problems: MISMATCH/);

    const passing = await audit('replay', '--program', programId, '--phone', phone);
    expect({ code: passing.code, stdout: passing.stdout }).toMatchObject({ code: 0 });
    expect(passing.stdout).toMatch(/state: ledger opted_out, record opted_out, workflow opted_out \(query, running\)/);
    expect(passing.stdout).not.toContain(phone);
  });

  it('prints the timeline through npm run audit as CSV', async () => {
    const result = await audit('timeline', '--program', programId, '--phone', phone, '--format', 'csv');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\r\n')[0]).toBe('at,entry,seq,event_or_kind,source,status,provider_sid,id,body,detail,recorded_at');
    expect(result.stdout.trimEnd().split('\r\n')).toHaveLength(16);
    expect(result.stderr).toMatch(/chain verified: 7 event\(s\)/);
  });
});

describe('erasure', () => {
  const subscriberDeps = (): SubscriberDeps => ({ db: h.db, client: env.client, taskQueue: h.taskQueue, phoneHashKey: PHONE_HASH_KEY, now: () => new Date(), lifecycleTimeoutMs: 20_000 });

  it('leaves no number in any table or history, keeps the chain, and needs fresh consent afterwards', async () => {
    const phone = '+13125550177';
    const programs = [await buildProgram(h.db, { doubleOptIn: false }), await buildProgram(h.db, { doubleOptIn: false })];
    const optInAt = new Date(Date.now() - 60_000).toISOString();
    const subscribed = [];
    for (const p of programs) {
      const outcome = await apiOptIn(subscriberDeps(), p.id, { phone, source: 'web_form', consentType: 'express_written', consentAt: optInAt, ip: '198.51.100.23', userAgent: 'Mozilla/5.0', pageUrl: 'https://harbor.example/join', disclosureText: 'I agree to receive texts', birthdate: '1990-04-01' }, { requestId: randomUUID(), callerKeyId: 'key_test' });
      expect(outcome.state).toBe('active');
      subscribed.push(outcome);
    }
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(2));
    const first = await h.db.subscriber.findUniqueOrThrow({ where: { id: subscribed[0]?.subscriberId ?? '' } });
    const handle = env.client.workflow.getHandle(first.workflowId);
    await reply(h, handle, first, 'HELP me, this is 312 555 0177', { keyword: 'help' });
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(3));
    expect(await tablesMentioning(h.db, phone)).not.toEqual([]);

    const report = await eraseSubscriberData(
      { db: h.db, client: env.client, phoneHashKey: PHONE_HASH_KEY, now: () => new Date() },
      { target: { phone }, reason: 'data subject request', requestedBy: 'dpo' },
    );

    expect(report.suppression.programId).toBe('*');
    expect(report.subscribers).toHaveLength(2);
    for (const s of report.subscribers) {
      expect(s).toMatchObject({ workflowTerminated: true, historyRuns: 1, historiesDeleted: [], chain: { ok: true } });
      expect(s.evidenceDeleted).toBeGreaterThanOrEqual(2);
      expect((await ledgerTypes(h.db, s.subscriberId)).at(-1)).toBe('erased');
      expect(await verifyChain(h.db, s.subscriberId)).toMatchObject({ ok: true, erasedEvidence: 1 });
      const described = await env.client.workflow.getHandle(s.workflowId).describe();
      expect(described.status.name).toBe('TERMINATED');
      const histories = (await fetchRunHistories(env.client, s.workflowId)).map((r) => historyText(r.history)).join('\n');
      for (const spelling of spellings(phone)) {
        expect(histories).not.toContain(spelling);
      }
    }
    expect(await tablesMentioning(h.db, phone)).toEqual([]);
    expect(await h.db.suppression.count({ where: { programId: '*', phoneHash: first.phoneHash } })).toBe(1);

    const replay = await replaySubscribers(
      { db: h.db, client: env.client, phoneHashKey: PHONE_HASH_KEY, workflows: { workflowBundle: current }, queryTimeoutMs: 0 },
      { workflowId: first.workflowId },
    );
    expect(replay.subscribers[0]?.states).toMatchObject({ ledger: 'erased', record: 'erased' });
    expect(replay.ok).toBe(true);

    // The consent given before the erasure no longer counts; consent given after it does, confirmed afresh.
    const stale = apiOptIn(subscriberDeps(), programs[0]?.id ?? '', { phone, source: 'web_form', consentType: 'express_written', consentAt: optInAt }, { requestId: randomUUID(), callerKeyId: 'key_test' });
    await expect(stale).rejects.toBeInstanceOf(OptInRefusedError);
    await expect(stale).rejects.toThrow(/suppressed/);
    const fresh = await apiOptIn(subscriberDeps(), programs[0]?.id ?? '', { phone, source: 'web_form', consentType: 'express_written', consentAt: new Date().toISOString(), ip: '198.51.100.24', userAgent: 'Mozilla/5.0', pageUrl: 'https://harbor.example/join' }, { requestId: randomUUID(), callerKeyId: 'key_test' });
    expect(fresh.subscriberId).toBe(first.id);
    expect(await verifyChain(h.db, first.id)).toMatchObject({ ok: true });
  });
});

describe('erasure of a history that leaked the number', () => {
  it('finds the number in a run and deletes that run from Temporal', async () => {
    const programId = await buildBareProgram(h.db);
    const phone = '+13125550188';
    const subscriberId = await buildBareSubscriber(h.db, programId, { phoneE164: phone, phoneHash: phoneHash(phone, PHONE_HASH_KEY), workflowId: `leaky-${randomUUID()}` });
    const { workflowId } = await h.db.subscriber.findUniqueOrThrow({ where: { id: subscriberId } });
    // A workflow started the way no consentline code starts one: the number in its memo.
    await env.client.workflow.start('waitAndReport', { taskQueue: 'nobody-polls', workflowId, args: [60_000], memo: { note: `call ${phone}` } });

    const report = await eraseSubscriberData(
      { db: h.db, client: env.client, phoneHashKey: PHONE_HASH_KEY, now: () => new Date() },
      { target: { subscriberId }, reason: 'data subject request', requestedBy: 'dpo' },
    );

    const [erased] = report.subscribers;
    expect(erased?.workflowTerminated).toBe(true);
    expect(erased?.historiesDeleted.map((d) => d.label).sort()).toEqual(['E.164', 'digits', 'national digits']);
    expect(JSON.stringify(report)).not.toContain(phone.slice(2));
    // The server deletes asynchronously, visibility last.
    await eventually(async () => expect(await fetchRunHistories(env.client, workflowId)).toEqual([]), 90_000);
  });
});

describe('replay across continue-as-new', () => {
  it('fetches and replays every run of a lifecycle that continued as new', async () => {
    const program = await buildProgram(h.db, { doubleOptIn: false });
    const subscriber = await buildSubscriber(h.db, program, { timeZones: JSON.stringify([daytimeZone()]) });
    const handle = await startLifecycle(h, subscriber, { maxHistoryLength: 40 });
    await optIn(h, handle, subscriber);
    for (let i = 0; i < 8; i++) {
      await reply(h, handle, subscriber, 'HELP', { keyword: 'help' });
    }
    await eventually(async () => expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId));

    const report = await replaySubscribers(
      { db: h.db, client: env.client, phoneHashKey: PHONE_HASH_KEY, workflows: { workflowBundle: current }, queryTimeoutMs: 5000 },
      { programId: program.id, all: true },
    );
    const [s] = report.subscribers;
    expect(report.subscribers).toHaveLength(1);
    expect(s?.runs.length).toBeGreaterThanOrEqual(2);
    expect(s?.runs[0]?.runId).toBe(handle.firstExecutionRunId);
    expect(s?.runs.map((r) => r.outcome).every((o) => o === 'ok')).toBe(true);
    expect(s?.states).toMatchObject({ ledger: 'active', record: 'active', workflow: 'active' });
    expect(report.ok).toBe(true);
  });
});

describe('over HTTP', () => {
  let server: Server;
  let base: string;
  const tokens: Record<'auditor' | 'marketer' | 'admin', string> = { auditor: '', marketer: '', admin: '' };
  let programId: string;
  let subscriberId: string;

  beforeAll(async () => {
    const deps = { db: h.db, client: env.client, phoneHashKey: PHONE_HASH_KEY, now: () => new Date() };
    const app = createApp({
      db: h.db,
      client: env.client,
      config: { publicBaseUrl: 'http://127.0.0.1', TEMPORAL_TASK_QUEUE: h.taskQueue },
      logger: pino({ level: 'silent' }),
      phoneHashKey: PHONE_HASH_KEY,
      routes: [auditRoutes(deps)],
      routers: [auditRouter(deps)],
      paths: [auditPaths],
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (const role of ['auditor', 'marketer', 'admin'] as const) {
      tokens[role] = (await createApiKey(h.db, { name: `audit ${role}`, role })).token;
    }
    programId = await buildBareProgram(h.db);
    subscriberId = await buildBareSubscriber(h.db, programId, { phoneE164: PHONE, phoneHash: phoneHash(PHONE, PHONE_HASH_KEY), consentState: 'opted_out' });
    await seedStory(h.db, programId, subscriberId);
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  const get = (path: string, role: keyof typeof tokens) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });

  it('serves the timeline to auditors as JSON, CSV and printable HTML, by ID or by phone', async () => {
    const json = await get(`/v1/audit/subscribers/${subscriberId}/timeline`, 'auditor');
    expect(json.status).toBe(200);
    expect(json.headers.get('consentline-chain')).toBe('chain verified: 6 event(s)');
    const body = (await json.json()) as { chain: { ok: boolean }; entries: Array<{ entry: string }>; subscriber: { id: string } };
    expect(body.chain.ok).toBe(true);
    expect(body.entries).toHaveLength(12);

    const csv = await get(`/v1/audit/subscribers/${subscriberId}/timeline?format=csv`, 'auditor');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await csv.text()).trimEnd().split('\r\n')).toHaveLength(13);

    const html = await get(`/v1/audit/programs/${programId}/timeline?phone=${encodeURIComponent('(212) 555-0142')}&country=US&format=html`, 'auditor');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(await html.text()).toContain(`<dd>${subscriberId}</dd>`);
  });

  it('refuses marketers, unknown subscribers and bad numbers as problem+json', async () => {
    expect((await get(`/v1/audit/subscribers/${subscriberId}/timeline`, 'marketer')).status).toBe(403);
    const missing = await get('/v1/audit/subscribers/sub_nobody/timeline', 'auditor');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const bad = await get(`/v1/audit/programs/${programId}/timeline?phone=12`, 'auditor');
    expect(bad.status).toBe(422);
    expect(await bad.text()).not.toContain('"12"');
    expect((await get(`/v1/audit/subscribers/${subscriberId}/timeline?format=pdf`, 'auditor')).status).toBe(400);
  });

  it('verifies a program and lets only admins erase; the timeline then shows the erasure', async () => {
    const verdict = await get(`/v1/audit/programs/${programId}/verify`, 'auditor');
    expect(await verdict.json()).toMatchObject({ ok: true, programId, subscribers: 1, events: 6, broken: [] });

    const erase = (role: keyof typeof tokens) =>
      fetch(`${base}/v1/audit/subscribers/${subscriberId}/erase`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json', 'idempotency-key': `erase-${subscriberId}` },
        body: JSON.stringify({ reason: 'data subject request', requestedBy: 'dpo' }),
      });
    expect((await erase('auditor')).status).toBe(403);
    const erased = await erase('admin');
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ suppression: { programId }, subscribers: [{ subscriberId, evidenceDeleted: 1, outboundBodiesCleared: 4, inboundBodiesCleared: 2, simulatedMessagesDeleted: 4, chain: { ok: true } }] });
    expect((await erase('admin')).headers.get('idempotent-replayed')).toBe('true');

    const after = (await (await get(`/v1/audit/subscribers/${subscriberId}/timeline`, 'auditor')).json()) as { subscriber: { phoneE164: string | null }; ledgerState: string; entries: Array<{ type?: string }> };
    expect(after.subscriber.phoneE164).toBeNull();
    expect(after.ledgerState).toBe('erased');
    expect((after as unknown as { suppressions: Array<{ programId: string; reason: string }> }).suppressions).toEqual([expect.objectContaining({ programId, reason: 'erasure' })]);
    expect(after.entries.at(-1)?.type).toBe('erased');
    expect(JSON.stringify(after)).not.toContain(PHONE);
  });

  it('documents the audit routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.paths['/v1/audit/subscribers/{subscriberId}/timeline']?.get?.operationId).toBe('subscriberTimeline');
    expect(doc.paths['/v1/audit/programs/{programId}/timeline']?.get?.operationId).toBe('subscriberTimelineByPhone');
    expect(doc.paths['/v1/audit/programs/{programId}/verify']?.get?.operationId).toBe('verifyProgramLedger');
    expect(doc.paths['/v1/audit/subscribers/{subscriberId}/erase']?.post?.operationId).toBe('eraseSubscriber');
    expect(doc.paths['/v1/audit/erasures']?.post?.operationId).toBe('erasePhone');
  });
});

describe('the retention schedule', () => {
  it('is created once, runs the sweep workflow on trigger, and clears old bodies', async () => {
    const programId = await buildBareProgram(h.db);
    const subscriberId = await buildBareSubscriber(h.db, programId, { consentState: 'opted_out' });
    await seedStory(h.db, programId, subscriberId);
    const taskQueue = `retention-${randomUUID().slice(0, 8)}`;
    const activities = createRetentionActivities(
      { db: h.db, carrier: h.carrier, client: env.client, logger: pino({ level: 'silent' }), phoneHashKey: PHONE_HASH_KEY, publicBaseUrl: 'http://127.0.0.1:9', taskQueue, now: () => new Date() },
      { evidenceYears: 5, bodyDays: 7 },
    );
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: current, activities });

    await ensureRetentionSchedule(env.client, { taskQueue, cron: '0 4 * * *' });
    await ensureRetentionSchedule(env.client, { taskQueue });
    const schedule = env.client.schedule.getHandle(RETENTION_SCHEDULE_ID);
    const described = await schedule.describe();
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });

    const report = await worker.runUntil(async () => {
      await schedule.trigger();
      const action = await eventually(async () => {
        const [first] = (await schedule.describe()).info.recentActions;
        expect(first).toBeDefined();
        return first;
      });
      return env.client.workflow.getHandle<() => Promise<RetentionReport>>(action?.action.workflow.workflowId ?? '').result();
    });
    expect(report).toMatchObject({ dryRun: false, outboundBodiesCleared: 4, inboundBodiesCleared: 2, evidenceRowsDeleted: 0 });
    expect(await h.db.outboundMessage.count({ where: { subscriberId, body: { not: null } } })).toBe(0);
    expect(await verifyChain(h.db, subscriberId)).toMatchObject({ ok: true, events: 6 });
    await schedule.delete();
  });
});

function spellings(phone: string): string[] {
  return [phone, phone.slice(1), phone.slice(2)];
}

/** Every text column of every table, searched for the number in its spellings. */
async function tablesMentioning(db: TestDb['db'], phone: string): Promise<string[]> {
  const tables = await db.$queryRawUnsafe<Array<{ name: string }>>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'",
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<Array<Record<string, unknown>>>(`SELECT * FROM "${name}"`);
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    for (const s of spellings(phone)) {
      if (text.includes(s)) {
        found.push(`${name}:${s}`);
      }
    }
  }
  return found;
}
