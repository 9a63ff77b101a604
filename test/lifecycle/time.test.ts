// Days and months of a lifecycle on the Java time-skipping server: the
// confirmation window, reminders, overnight and DST holds, the Florida cap,
// re-consent lapse and Canadian implied-consent expiry, asserted to the second
// against server time (sentAt and ledger times are Temporal time here).
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { policyChangeSignal, stateQuery } from '../../src/workflows/messages.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import {
  buildProgram,
  buildSubscriber,
  DAY,
  eventually,
  HOUR,
  optIn,
  outbound,
  startLifecycle,
  startLifecycleWorker,
  type LifecycleHarness,
} from '../helpers/lifecycle.js';
import { createTimeSkippingServer } from '../helpers/temporal.js';
import { recordHistory } from './record.js';
import { enqueueMarketing } from './texts.js';

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let h: LifecycleHarness;
const started: WorkflowHandle[] = [];

beforeAll(async () => {
  env = await createTimeSkippingServer();
  testDb = await createSqliteTestDb();
  h = await startLifecycleWorker(env, testDb.db);
});

afterEach(async () => {
  // Finished scenarios must not keep texting while later tests skip months ahead.
  // Each is terminated once idle: the test server keeps time locked for an
  // activity that was running when its workflow was terminated.
  for (const handle of started.splice(0)) {
    await eventually(async () => expect((await handle.describe()).raw.pendingActivities ?? []).toHaveLength(0));
    await handle.terminate('test finished');
  }
});

afterAll(async () => {
  await h?.stop();
  await env?.teardown();
  await testDb?.cleanup();
});

async function serverNow(): Promise<DateTime> {
  return DateTime.fromMillis(await env.currentTimeMs(), { zone: 'utc' });
}

/** Skips server time forward to the next occurrence of `hh:mm` in `zone`. */
async function skipToLocal(zone: string, hour: number, minute = 0): Promise<DateTime> {
  const now = (await serverNow()).setZone(zone);
  let target = now.set({ hour, minute, second: 0, millisecond: 0 });
  if (target <= now.plus({ minutes: 1 })) {
    target = target.plus({ days: 1 }).set({ hour, minute });
  }
  await env.sleep(target.toMillis() - now.toMillis());
  return target;
}

async function lifecycle(programOverrides: Parameters<typeof buildProgram>[1], subscriberOverrides: Parameters<typeof buildSubscriber>[2]) {
  const program = await buildProgram(h.db, programOverrides);
  const subscriber = await buildSubscriber(h.db, program, subscriberOverrides);
  const handle = await startLifecycle(h, subscriber);
  started.push(handle);
  return { program, subscriber, handle };
}

/**
 * Opts in and waits until the lifecycle is idle (its reply recorded): time is
 * skipped only while nothing runs, or activity timeouts would be skipped past.
 */
async function optedIn(handle: WorkflowHandle, subscriber: Parameters<typeof optIn>[2], overrides: Parameters<typeof optIn>[3] = {}) {
  const result = await optIn(h, handle, subscriber, overrides);
  const reply = result.state === 'pending' ? 'confirmation_requested' : 'disclosure_sent';
  if (result.state === 'pending' || result.state === 'active') {
    await eventually(async () => h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: reply } }));
  }
  return result;
}

async function sentOf(subscriberId: string, kind: string) {
  const rows = await outbound(h.db, subscriberId);
  return rows.filter((r) => r.kind === kind && r.sentAt !== null).map((r) => r.sentAt as Date);
}

async function ledgerTime(subscriberId: string, type: string): Promise<number> {
  const event = await h.db.consentEvent.findFirstOrThrow({ where: { subscriberId, type }, orderBy: { seq: 'desc' } });
  return event.occurredAt.getTime();
}

describe('send windows', () => {
  it('holds a text enqueued at 23:00 in Chicago until 08:00 the next morning', async () => {
    const zone = 'America/Chicago';
    const { subscriber, handle } = await lifecycle({ doubleOptIn: false }, { region: 'US-IL', timeZones: JSON.stringify([zone]) });
    await skipToLocal(zone, 12);
    await optedIn(handle, subscriber);
    const at23 = await skipToLocal(zone, 23);

    await enqueueMarketing(h, handle, subscriber, 'overnight');
    const expected = at23.plus({ days: 1 }).set({ hour: 8, minute: 0 });
    await eventually(async () => {
      const state = await handle.query(stateQuery);
      expect(state.pending[0]?.heldUntil).toBe(expected.toUTC().toISO());
      expect(state.status).toContain(`held until 08:00 ${zone}`);
    });
    // The same line is the workflow's current details in the Temporal UI.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toMatch(new RegExp(`^active · next text held until 08:00 ${zone} \\(`));
    expect(await sentOf(subscriber.id, 'marketing')).toHaveLength(0);

    await env.sleep(10 * HOUR);
    await eventually(async () => expect(await sentOf(subscriber.id, 'marketing')).toHaveLength(1));
    expect(Math.abs(((await sentOf(subscriber.id, 'marketing'))[0]?.getTime() ?? 0) - expected.toMillis())).toBeLessThan(2_000);
    await recordHistory('overnight-hold', handle);
  });

  it('Florida: the 4th marketing text waits until 24 hours after the 1st', async () => {
    const zone = 'America/New_York';
    const { subscriber, handle } = await lifecycle({ doubleOptIn: false }, { region: 'US-FL', timeZones: JSON.stringify([zone]) });
    await skipToLocal(zone, 10);
    await optedIn(handle, subscriber);
    for (const step of ['one', 'two', 'three', 'four']) {
      await enqueueMarketing(h, handle, subscriber, step);
    }
    await eventually(async () => expect(await sentOf(subscriber.id, 'marketing')).toHaveLength(3));
    await eventually(async () => expect((await handle.query(stateQuery)).pending[0]?.holdRule).toBe('us-fl-cap'));

    await env.sleep(25 * HOUR);
    await eventually(async () => expect(await sentOf(subscriber.id, 'marketing')).toHaveLength(4));
    const sent = (await sentOf(subscriber.id, 'marketing')).map((d) => d.getTime());
    const [first = 0, , third = 0, fourth = 0] = sent;
    expect(third - first).toBeLessThan(5_000);
    expect(fourth - first).toBeGreaterThanOrEqual(24 * HOUR);
    expect(fourth - first).toBeLessThan(24 * HOUR + 5_000);
    const rows = await outbound(h.db, subscriber.id);
    expect(rows.filter((r) => r.kind === 'marketing').map((r) => r.status)).toEqual(['queued', 'queued', 'queued', 'queued']);
    await recordHistory('florida-cap', handle);
  });
});

describe('consent that runs out', () => {
  it('material policy change with no answer: consent lapses when the window closes', async () => {
    const zone = 'America/New_York';
    const { program, subscriber, handle } = await lifecycle({ doubleOptIn: false }, { timeZones: JSON.stringify([zone]) });
    await skipToLocal(zone, 12);
    await optedIn(handle, subscriber);
    await h.db.policyChange.create({
      data: { id: `chg-${subscriber.id}`, programId: program.id, kind: 'terms', version: '2027-01', url: 'https://harbor.example/terms/2027-01', material: true },
    });
    await handle.signal(policyChangeSignal, { changeId: `chg-${subscriber.id}`, policy: 'terms', version: '2027-01', material: true });
    await eventually(async () => expect(await sentOf(subscriber.id, 'reconsent')).toHaveLength(1));
    const promptedAt = (await sentOf(subscriber.id, 'reconsent'))[0]?.getTime() ?? 0;

    await env.sleep(73 * HOUR);
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('lapsed'));
    expect(Math.abs((await ledgerTime(subscriber.id, 'reconsent_lapsed')) - (promptedAt + 72 * HOUR))).toBeLessThan(2_000);
    expect((await h.db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).consentState).toBe('lapsed');
  });

});

// Last on purpose: after this scenario (two opt-in updates on one workflow,
// then terminated) the test server's clock stopped skipping for later tests.
describe('double opt-in window', () => {
  it('expires the confirmation after 72 hours, texts nothing more, and starts over on a new request', async () => {
    const { subscriber, handle } = await lifecycle({}, {});
    expect((await optedIn(handle, subscriber)).state).toBe('pending');
    await eventually(async () => expect(await sentOf(subscriber.id, 'confirmation_request')).toHaveLength(1));
    const requestedAt = await ledgerTime(subscriber.id, 'opt_in_requested');

    await env.sleep(71 * HOUR);
    expect((await handle.query(stateQuery)).consentState).toBe('pending');
    await env.sleep(2 * HOUR);
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('expired'));
    const expiredAt = await ledgerTime(subscriber.id, 'confirmation_expired');
    const pending = await h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: 'confirmation_expired' } });
    expect(expiredAt).toBe(Date.parse((JSON.parse(pending.evidence) as { deadline: string }).deadline));
    expect(Math.abs(expiredAt - (requestedAt + 72 * HOUR))).toBeLessThan(2_000);
    expect((await h.db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).consentState).toBe('expired');
    expect(h.carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(1);

    expect((await optIn(h, handle, subscriber)).state).toBe('pending');
    await eventually(async () => expect(await sentOf(subscriber.id, 'confirmation_request')).toHaveLength(2));
    await recordHistory('confirmation-expiry', handle);
  });
});
