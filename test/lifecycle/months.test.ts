// Months of a lifecycle on its own Java time-skipping server: 30-day opt-out
// reminders over 90 days, a hold across a DST change, and Canadian implied
// consent running out, asserted against server time. Kept apart from the
// shorter scenarios in time.test.ts: skipping months after them on one server
// stalled its clock (terminated scenarios appear to keep it locked).
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

describe('months', () => {
  it('sends a reminder every 30 days: 3 over 90 days, each 30 days after the last', async () => {
    await skipToLocal('America/New_York', 11);
    const { subscriber, handle } = await lifecycle({ doubleOptIn: false }, {});
    expect((await optedIn(handle, subscriber)).state).toBe('active');
    const activeAt = await ledgerTime(subscriber.id, 'confirmed');

    await env.sleep(91 * DAY);
    await eventually(async () => expect(await sentOf(subscriber.id, 'reminder')).toHaveLength(3));
    const reminders = (await sentOf(subscriber.id, 'reminder')).map((d) => d.getTime() - activeAt);
    for (const [i, elapsed] of reminders.entries()) {
      expect(Math.abs(elapsed - (i + 1) * 30 * DAY)).toBeLessThan(5_000);
    }
    const state = await handle.query(stateQuery);
    expect(state.remindersSent).toBe(3);
    expect(Date.parse(state.nextReminderAt ?? '')).toBeCloseTo(activeAt + 120 * DAY, -4);
    const events = await h.db.consentEvent.findMany({ where: { subscriberId: subscriber.id, type: 'reminder_sent' } });
    expect(events).toHaveLength(3);
  });
  it('holds across a DST change day in New York and sends at 08:00 local time after the change', async () => {
    const zone = 'America/New_York';
    const now = (await serverNow()).setZone(zone);
    let day = now.startOf('day').plus({ days: 1 });
    while (day.offset === day.plus({ days: 1 }).offset) {
      day = day.plus({ days: 1 });
    }
    // `day` is the last local day before the change; the clocks move overnight.
    const { subscriber, handle } = await lifecycle({ doubleOptIn: false }, { timeZones: JSON.stringify([zone]) });
    await env.sleep(day.set({ hour: 12 }).toMillis() - now.toMillis());
    await optedIn(handle, subscriber);
    await skipToLocal(zone, 22);

    await enqueueMarketing(h, handle, subscriber, 'dst');
    await env.sleep(12 * HOUR);
    await eventually(async () => expect(await sentOf(subscriber.id, 'marketing')).toHaveLength(1));
    const expected = day.plus({ days: 1 }).set({ hour: 8, minute: 0 });
    expect(expected.offset).not.toBe(day.offset);
    const sentAt = (await sentOf(subscriber.id, 'marketing'))[0]?.getTime() ?? 0;
    expect(Math.abs(sentAt - expected.toMillis())).toBeLessThan(2_000);
    expect(DateTime.fromMillis(sentAt, { zone }).toFormat('yyyy-MM-dd HH:mm')).toBe(expected.toFormat('yyyy-MM-dd 08:00'));
  });

  it('Canada: implied consent from an inquiry expires 6 months later', async () => {
    const zone = 'America/Toronto';
    const { subscriber, handle } = await lifecycle(
      { doubleOptIn: false, reminderEveryDays: 365 },
      { country: 'CA', region: 'CA-ON', timeZones: JSON.stringify([zone]) },
    );
    await skipToLocal(zone, 12);
    const inquiryAt = new Date(await env.currentTimeMs());
    const result = await optedIn(handle, subscriber, { consentType: 'implied_inquiry', inquiryAt });
    expect(result).toEqual({ state: 'active', refusedReasons: [] });
    const expected = DateTime.fromJSDate(inquiryAt, { zone: 'utc' }).plus({ months: 6 }).toMillis();
    expect(Date.parse((await handle.query(stateQuery)).consentExpiresAt ?? '')).toBe(expected);

    await env.sleep(expected - inquiryAt.getTime() + DAY);
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('expired'));
    expect(await ledgerTime(subscriber.id, 'consent_expired')).toBe(expected);
    await enqueueMarketing(h, handle, subscriber, 'after-expiry');
    await eventually(async () => {
      const row = (await outbound(h.db, subscriber.id)).find((r) => r.kind === 'marketing');
      expect(row).toMatchObject({ status: 'skipped', errorReason: 'consent expired' });
    });
  });
});
