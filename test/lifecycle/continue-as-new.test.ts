// Continue-as-new forced early (the dev server suggests it after 40 events):
// a pending confirmation, held texts, the reminder clock and de-duplication
// keys all cross the boundary; nothing is lost and nothing is sent twice.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateQuery } from '../../src/workflows/messages.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import {
  buildProgram,
  buildSubscriber,
  daytimeZone,
  eventually,
  nighttimeZone,
  optIn,
  outbound,
  reply,
  startLifecycle,
  startLifecycleWorker,
  type LifecycleHarness,
} from '../helpers/lifecycle.js';
import { createDevServer } from '../helpers/temporal.js';
import { recordHistory } from './record.js';
import { enqueueMarketing } from './texts.js';

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let h: LifecycleHarness;

beforeAll(async () => {
  env = await createDevServer({ dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 40 } });
  testDb = await createSqliteTestDb();
  h = await startLifecycleWorker(env, testDb.db);
});

afterAll(async () => {
  await h?.stop();
  await env?.teardown();
  await testDb?.cleanup();
});

describe('continue-as-new', () => {
  it('carries a pending confirmation and held texts, in order, across runs', async () => {
    const program = await buildProgram(h.db);
    const subscriber = await buildSubscriber(h.db, program, { timeZones: JSON.stringify([nighttimeZone()]) });
    const handle = await startLifecycle(h, subscriber);
    await optIn(h, handle, subscriber);
    const before = await handle.query(stateQuery);
    for (const step of ['a', 'b', 'c']) {
      await enqueueMarketing(h, handle, subscriber, step);
    }
    for (let i = 0; i < 6; i++) {
      await reply(h, handle, subscriber, 'HELP', { keyword: 'help' });
    }
    await eventually(async () => expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId));
    const crossed = await handle.query(stateQuery);
    expect(crossed.consentState).toBe('pending');
    expect(crossed.confirmationDeadline).toBe(before.confirmationDeadline);
    expect(crossed.pending.map((p) => p.requestId.split(':')[0])).toEqual(['a', 'b', 'c']);

    await reply(h, handle, subscriber, 'YES', { keyword: 'confirm' });
    await eventually(async () => {
      const state = await handle.query(stateQuery);
      expect(state.consentState).toBe('active');
      expect(state.pending.every((p) => p.heldUntil !== null)).toBe(true);
    });
    const reminderAt = (await handle.query(stateQuery)).nextReminderAt;
    const runBefore = (await handle.describe()).runId;
    for (let i = 0; i < 6; i++) {
      await reply(h, handle, subscriber, 'HELP', { keyword: 'help' });
    }
    await eventually(async () => expect((await handle.describe()).runId).not.toBe(runBefore));
    const after = await handle.query(stateQuery);
    expect(after.pending.map((p) => p.requestId.split(':')[0])).toEqual(['a', 'b', 'c']);
    expect(after.nextReminderAt).toBe(reminderAt);
    const rows = await outbound(h.db, subscriber.id);
    expect(rows.filter((r) => r.kind === 'marketing')).toHaveLength(0);
    expect(rows.filter((r) => r.kind === 'help')).toHaveLength(12);
    expect(rows.filter((r) => r.kind === 'confirmation_request')).toHaveLength(1);
    await recordHistory('continued-held-texts', handle);
  });

  it('sends a burst of texts across several runs exactly once each, in order, ignoring repeats', async () => {
    const program = await buildProgram(h.db, { doubleOptIn: false });
    const subscriber = await buildSubscriber(h.db, program, { timeZones: JSON.stringify([daytimeZone()]) });
    const handle = await startLifecycle(h, subscriber);
    await optIn(h, handle, subscriber);
    const campaigns: string[] = [];
    for (let i = 0; i < 10; i++) {
      campaigns.push(await enqueueMarketing(h, handle, subscriber, `burst-${i}`, { body: `Harbor Coffee deal ${i}: 10% off. Reply STOP to opt out.` }));
    }
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(11), 60_000);
    expect(h.carrier.to(phone).slice(1).map((t) => t.body.match(/deal (\d+)/)?.[1])).toEqual(
      ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    );
    await eventually(async () => expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId));

    // The same request IDs again, after the runs that saw them ended.
    const { enqueueTextSignal } = await import('../../src/workflows/messages.js');
    for (const [i, campaign] of campaigns.entries()) {
      await handle.signal(enqueueTextSignal, {
        requestId: `burst-${i}:${campaign}`,
        kind: 'marketing',
        campaignId: campaign,
        stepIndex: 0,
        templateRef: `campaign:${campaign}:0`,
        notBefore: null,
        deadline: null,
      });
    }
    await reply(h, handle, subscriber, 'HELP', { keyword: 'help' });
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(12));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(h.carrier.to(phone)).toHaveLength(12);
    expect(new Set((await outbound(h.db, subscriber.id)).map((r) => r.messageKey)).size).toBe(12);
  });
});
