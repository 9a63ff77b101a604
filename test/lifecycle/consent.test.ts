// The lifecycle's consent behaviour on the Temporal CLI dev server with a real
// SQLite database: identity and privacy, opt-in (double and single), refusals,
// STOP from every source, HELP, clarification, re-subscription and policy changes.
import { historyText } from '../../src/audit/histories.js';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes } from '../../src/temporal/shared.js';
import {
  carrierEventSignal,
  enqueueTextSignal,
  optOutUpdate,
  policyChangeSignal,
  stateQuery,
} from '../../src/workflows/messages.js';
import type { TestDb } from '../helpers/db.js';
import { createSqliteTestDb } from '../helpers/db.js';
import {
  buildProgram,
  buildSubscriber as buildAnySubscriber,
  daytimeZone,
  eventually,
  ledgerTypes,
  optIn,
  outbound,
  reply,
  startLifecycle,
  startLifecycleWorker,
  type LifecycleHarness,
} from '../helpers/lifecycle.js';
import { recordHistory } from './record.js';
import { campaignText, enqueueMarketing } from './texts.js';

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let h: LifecycleHarness;

beforeAll(async () => {
  const { createDevServer } = await import('../helpers/temporal.js');
  env = await createDevServer();
  testDb = await createSqliteTestDb();
  h = await startLifecycleWorker(env, testDb.db);
});

afterAll(async () => {
  await h?.stop();
  await env?.teardown();
  await testDb?.cleanup();
});

/** Subscribers here live where it is daytime now: held texts go at once. */
const buildSubscriber: typeof buildAnySubscriber = (db, program, overrides = {}) =>
  buildAnySubscriber(db, program, { timeZones: JSON.stringify([daytimeZone()]), ...overrides });

async function subscribed(overrides: Parameters<typeof buildProgram>[1] = {}) {
  const program = await buildProgram(h.db, { doubleOptIn: false, ...overrides });
  const subscriber = await buildSubscriber(h.db, program);
  const handle = await startLifecycle(h, subscriber);
  const result = await optIn(h, handle, subscriber);
  expect(result.state).toBe('active');
  return { program, subscriber, handle };
}

describe('identity and privacy', () => {
  it('keeps the phone number and every message body out of the workflow ID, search attributes and history', async () => {
    const program = await buildProgram(h.db);
    const subscriber = await buildSubscriber(h.db, program);
    const handle = await startLifecycle(h, subscriber);
    await optIn(h, handle, subscriber);
    await reply(h, handle, subscriber, 'YES', { keyword: 'confirm' });
    await reply(h, handle, subscriber, 'HELP', { keyword: 'help' });
    await eventually(async () => expect(h.carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(3));

    // historyText decodes every payload's bytes: a JSON dump of the history
    // would show payloads as base64, where a number would go unnoticed.
    const history = historyText(await handle.fetchHistory());
    const phone = subscriber.phoneE164 ?? '';
    expect(phone).not.toBe('');
    expect(history).toContain(subscriber.id);
    expect(handle.workflowId).not.toContain(phone.slice(2));
    expect(history).not.toContain(phone);
    expect(history).not.toContain(phone.slice(2));
    for (const text of h.carrier.to(phone)) {
      expect(history).not.toContain(text.body.slice(0, 40));
    }
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(searchAttributes.program)).toBe(program.id);
    expect(described.typedSearchAttributes.get(searchAttributes.consentState)).toBe('active');
    expect(described.typedSearchAttributes.get(searchAttributes.country)).toBe('US');
    expect(JSON.stringify(described.raw.workflowExecutionInfo?.searchAttributes ?? {})).not.toContain(phone);
    await recordHistory('double-opt-in-help', handle);
  });
});

describe('opt-in', () => {
  it('double opt-in: sends the confirmation request at once, confirms on YES, then the welcome disclosure', async () => {
    const program = await buildProgram(h.db);
    const subscriber = await buildSubscriber(h.db, program);
    const handle = await startLifecycle(h, subscriber);

    const result = await optIn(h, handle, subscriber);
    expect(result).toEqual({ state: 'pending', refusedReasons: [] });
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));
    expect(h.carrier.to(phone)[0]?.body).toMatch(/YES/i);
    const pending = await handle.query(stateQuery);
    expect(pending.consentState).toBe('pending');
    expect(Date.parse(pending.confirmationDeadline ?? '')).toBeGreaterThan(Date.now() + 71 * 3600_000);

    await reply(h, handle, subscriber, 'Yes', { keyword: 'confirm' });
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(2));
    const welcome = h.carrier.to(phone)[1]?.body ?? '';
    expect(welcome).toContain('Harbor Coffee');
    expect(welcome).toMatch(/STOP/);
    expect(welcome).toMatch(/HELP/);
    expect(welcome).toMatch(/rates may apply/i);

    await eventually(async () =>
      expect(await ledgerTypes(h.db, subscriber.id)).toEqual(['opt_in_requested', 'confirmation_requested', 'confirmed', 'disclosure_sent']),
    );
    const row = await h.db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } });
    expect(row.consentState).toBe('active');
    const disclosure = await h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: 'disclosure_sent' } });
    const evidence = JSON.parse(disclosure.evidence) as { textSha256: string; version: string; text: string };
    expect(evidence.text).toBe(welcome);
    expect(evidence.textSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(evidence.version).toBe('terms 2026-01; privacy 2026-01');
    const requested = await h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: 'opt_in_requested' } });
    expect(requested.personalHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('single opt-in: active at once with the welcome text', async () => {
    const { subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () =>
      expect(await ledgerTypes(h.db, subscriber.id)).toEqual(['opt_in_requested', 'confirmed', 'disclosure_sent']),
    );
    expect(h.carrier.to(phone)).toHaveLength(1);
    expect((await handle.query(stateQuery)).consentState).toBe('active');
  });

  it('refuses an opt-in from a country the program does not serve, with the reason, and texts nothing', async () => {
    const program = await buildProgram(h.db, { allowedCountries: JSON.stringify(['US']) });
    const subscriber = await buildSubscriber(h.db, program, {
      country: 'CA',
      region: 'CA-ON',
      timeZones: JSON.stringify(['America/Toronto']),
    });
    const handle = await startLifecycle(h, subscriber);
    const result = await optIn(h, handle, subscriber);
    expect(result.state).toBe('refused');
    expect(result.refusedReasons.join(' ')).toContain('country_not_allowed');
    expect(await ledgerTypes(h.db, subscriber.id)).toEqual(['opt_in_refused']);
    expect((await h.db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).consentState).toBe('refused');
    expect(h.carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(0);
  });

  it('answers a repeated opt-in request (same request ID) once', async () => {
    const program = await buildProgram(h.db);
    const subscriber = await buildSubscriber(h.db, program);
    const handle = await startLifecycle(h, subscriber);
    const first = await optIn(h, handle, subscriber, { requestId: 'req-repeat' });
    const again = await optIn(h, handle, subscriber, { requestId: 'req-repeat' });
    expect(again).toEqual(first);
    await eventually(async () =>
      expect(await ledgerTypes(h.db, subscriber.id)).toEqual(['opt_in_requested', 'confirmation_requested']),
    );
    expect(h.carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(1);
  });
});

describe('STOP and revocation', () => {
  it('STOP: records the opt-out with the inbound message, sends exactly one confirmation, then nothing', async () => {
    const { subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));

    const inboundId = await reply(h, handle, subscriber, 'please stop texting me', { keyword: 'stop' });
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(2));
    const confirmation = h.carrier.to(phone)[1];
    expect(confirmation?.body).toMatch(/no (more|further)|unsubscribed|opted out/i);
    const optedOut = await h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: 'opted_out' } });
    expect(JSON.parse(optedOut.evidence)).toMatchObject({ inboundId });
    expect(optedOut.source).toBe('keyword');
    // Presumed compliant when the confirmation follows within 5 minutes (FCC 24-24).
    expect((confirmation?.acceptedAt.getTime() ?? 0) - optedOut.recordedAt.getTime()).toBeLessThan(5 * 60_000);

    await reply(h, handle, subscriber, 'STOP', { keyword: 'stop' });
    await enqueueMarketing(h, handle, subscriber, 'after-stop');
    await eventually(async () => {
      const rows = await outbound(h.db, subscriber.id);
      expect(rows.find((r) => r.kind === 'marketing')).toMatchObject({ status: 'skipped' });
    });
    expect(h.carrier.to(phone)).toHaveLength(2);
    expect((await ledgerTypes(h.db, subscriber.id)).filter((t) => t === 'opted_out')).toHaveLength(1);
    expect((await handle.query(stateQuery)).consentState).toBe('opted_out');
    await recordHistory('stop-then-marketing', handle);
  });

  it('optOut update from the API returns only after the ledger write', async () => {
    const { subscriber, handle } = await subscribed();
    const result = await handle.executeUpdate(optOutUpdate, {
      args: [{ requestId: 'api-optout-1', source: 'api', reason: 'customer called support' }],
      updateId: 'api-optout-1',
    });
    expect(result.state).toBe('opted_out');
    const event = await h.db.consentEvent.findUniqueOrThrow({ where: { id: result.ledgerEventId ?? '' } });
    expect(event.type).toBe('opted_out');
    expect(event.source).toBe('api');
    const again = await handle.executeUpdate(optOutUpdate, {
      args: [{ requestId: 'api-optout-2', source: 'api', reason: 'again' }],
    });
    expect(again).toEqual({ state: 'opted_out', ledgerEventId: null });
  });

  it('carrier 21610 (signalled by the status webhook): carrier opt-out, no confirmation text', async () => {
    const { subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));
    await handle.signal(carrierEventSignal, { messageId: 'msg-from-webhook', errorCode: '21610' });
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('opted_out'));
    expect(await ledgerTypes(h.db, subscriber.id)).toContain('carrier_opt_out');
    expect(h.carrier.to(phone)).toHaveLength(1);
  });

  it('a send rejected as opted out at the carrier records a carrier opt-out', async () => {
    const { subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));
    h.carrier.optedOut.add(phone);
    await enqueueMarketing(h, handle, subscriber, 'rejected');
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('opted_out'));
    const event = await h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: 'carrier_opt_out' } });
    expect(JSON.parse(event.evidence)).toMatchObject({ errorCode: '21610' });
    expect(h.carrier.to(phone)).toHaveLength(1);
  });

  it('START after STOP with double opt-in: a fresh confirmation, active again on YES', async () => {
    const program = await buildProgram(h.db);
    const subscriber = await buildSubscriber(h.db, program);
    const handle = await startLifecycle(h, subscriber);
    await optIn(h, handle, subscriber);
    await reply(h, handle, subscriber, 'Y', { keyword: 'confirm' });
    await reply(h, handle, subscriber, 'STOP', { keyword: 'stop' });
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('opted_out'));

    await reply(h, handle, subscriber, 'START', { keyword: 'start' });
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('pending'));
    await reply(h, handle, subscriber, 'YES', { keyword: 'confirm' });
    await eventually(async () => expect((await handle.query(stateQuery)).consentState).toBe('active'));
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(5));
    await eventually(async () => expect(await ledgerTypes(h.db, subscriber.id)).toHaveLength(10));
    expect(await ledgerTypes(h.db, subscriber.id)).toEqual([
      'opt_in_requested',
      'confirmation_requested',
      'confirmed',
      'disclosure_sent',
      'opted_out',
      'opt_out_confirmation_sent',
      'resubscribed',
      'confirmation_requested',
      'confirmed',
      'disclosure_sent',
    ]);
  });
});

describe('a STOP racing a send', () => {
  it('cancels the send in flight and everything queued; no marketing text is accepted after the STOP is recorded', async () => {
    const { subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));
    h.carrier.answerDelayMs = 3_000;
    try {
      for (const step of ['m1', 'm2', 'm3']) {
        await enqueueMarketing(h, handle, subscriber, step);
      }
      // m1 is at the carrier, which has not answered yet: the send is in flight.
      await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(2));
      const stopAt = Date.now();
      await reply(h, handle, subscriber, 'STOP', { keyword: 'stop' });
      const optedOut = await eventually(async () =>
        h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: 'opted_out' } }),
      );
      // The STOP did not wait for the slow carrier to answer.
      expect(optedOut.recordedAt.getTime() - stopAt).toBeLessThan(2_500);
      await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(3), 30_000);
      await new Promise((r) => setTimeout(r, 3_500));

      const texts = h.carrier.to(phone);
      expect(texts).toHaveLength(3);
      const afterStop = texts.filter((t) => t.acceptedAt.getTime() >= optedOut.recordedAt.getTime());
      expect(afterStop).toHaveLength(1);
      expect(afterStop[0]?.body).toMatch(/no (more|further)|unsubscribed|opted out/i);
      expect(texts.filter((t) => t.body.includes('Weekend special'))).toHaveLength(1);
      const marketing = (await outbound(h.db, subscriber.id)).filter((r) => r.kind === 'marketing');
      expect(marketing.map((r) => r.status)).toEqual(['queued', 'skipped', 'skipped']);
      expect(marketing.slice(1).every((r) => r.errorReason === 'opted out')).toBe(true);
      expect((await handle.query(stateQuery)).pending).toEqual([]);
    } finally {
      h.carrier.answerDelayMs = 0;
    }
  });
});

describe('HELP and unclear replies', () => {
  it('answers HELP from a non-subscriber without changing consent', async () => {
    const program = await buildProgram(h.db);
    const subscriber = await buildSubscriber(h.db, program);
    const handle = await startLifecycle(h, subscriber);
    await reply(h, handle, subscriber, 'help', { keyword: 'help' });
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));
    const help = h.carrier.to(phone)[0]?.body ?? '';
    expect(help).toContain('Harbor Coffee');
    expect(help).toContain('help@harbor.example');
    expect(help).toMatch(/STOP/);
    await eventually(async () => expect(await ledgerTypes(h.db, subscriber.id)).toEqual(['help_sent']));
    expect((await handle.query(stateQuery)).consentState).toBe('new');
  });

  it('sends one clarification for an ambiguous text, and only one', async () => {
    const { subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));
    await reply(h, handle, subscriber, 'I said stop by the store later', { keyword: 'other', ambiguous: true });
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(2));
    await reply(h, handle, subscriber, 'can you stop by tomorrow', { keyword: 'other', ambiguous: true });
    await enqueueMarketing(h, handle, subscriber, 'after-clarification');
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(3));
    expect(h.carrier.to(phone)[2]?.body).toContain('Weekend');
    expect((await handle.query(stateQuery)).consentState).toBe('active');
  });
});

describe('opt-out reminders by message count', () => {
  it('standalone: a reminder text after every 2 marketing texts', async () => {
    const { subscriber, handle } = await subscribed({ reminderEveryMessages: 2 });
    const phone = subscriber.phoneE164 ?? '';
    for (const step of ['r1', 'r2', 'r3']) {
      await enqueueMarketing(h, handle, subscriber, step, { body: `Harbor Coffee deal ${step}: 10% off today. Reply STOP to opt out.` });
    }
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(5));
    const kinds = (await outbound(h.db, subscriber.id)).filter((r) => r.status !== 'skipped').map((r) => r.kind);
    expect(kinds).toEqual(['welcome', 'marketing', 'marketing', 'reminder', 'marketing']);
    expect(h.carrier.to(phone)[3]?.body).toMatch(/STOP/);
    await eventually(async () => expect(await ledgerTypes(h.db, subscriber.id)).toContain('reminder_sent'));
    expect((await handle.query(stateQuery)).remindersSent).toBe(1);
  });

  it('append: the reminder rides on the next text instead of a text of its own', async () => {
    const { subscriber, handle } = await subscribed({ reminderEveryMessages: 2, reminderMode: 'append' });
    const phone = subscriber.phoneE164 ?? '';
    for (const step of ['a1', 'a2', 'a3']) {
      const body = `Harbor Coffee: your order ${step} is ready for pickup.`;
      await enqueueMarketing(h, handle, subscriber, step, { body, kind: 'informational' });
    }
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(4));
    const bodies = h.carrier.to(phone).map((t) => t.body);
    expect(bodies[1]).not.toMatch(/STOP/);
    expect(bodies[2]).not.toMatch(/STOP/);
    expect(bodies[3]).toBe('Harbor Coffee: your order a3 is ready for pickup. Reply STOP to opt out.');
    const event = await eventually(async () =>
      h.db.consentEvent.findFirstOrThrow({ where: { subscriberId: subscriber.id, type: 'reminder_sent' } }),
    );
    expect(JSON.parse(event.evidence)).toMatchObject({ template: 'informational+reminder' });
    expect((await outbound(h.db, subscriber.id)).filter((r) => r.kind === 'reminder')).toHaveLength(0);
  });
});

describe('queued texts', () => {
  it('blocks a text that fails the lint and records the codes', async () => {
    const { subscriber, handle } = await subscribed();
    const campaign = await campaignText(h.db, subscriber.programId, 'Cheap b33r and cigarettes all weekend at Harbor Coffee!');
    await handle.signal(enqueueTextSignal, {
      requestId: `${campaign}:0`,
      kind: 'marketing',
      campaignId: campaign,
      stepIndex: 0,
      templateRef: `campaign:${campaign}:0`,
      notBefore: null,
      deadline: null,
    });
    await eventually(async () => {
      const row = (await outbound(h.db, subscriber.id)).find((r) => r.campaignId === campaign);
      expect(row?.status).toBe('skipped');
      expect(row?.errorReason).toMatch(/^lint: /);
    });
    expect(h.carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(1);
  });

  it('material policy change: pauses marketing, prompts, and resumes on YES', async () => {
    const { program, subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(1));
    const changeId = `chg_${randomUUID().slice(0, 8)}`;
    await h.db.policyChange.create({
      data: { id: changeId, programId: program.id, kind: 'terms', version: '2026-06', url: 'https://harbor.example/terms/2026-06', material: true },
    });
    await handle.signal(policyChangeSignal, { changeId, policy: 'terms', version: '2026-06', material: true });
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(2));
    expect((await handle.query(stateQuery)).consentState).toBe('paused');
    expect((await handle.query(stateQuery)).reconsentDeadline).not.toBeNull();

    await enqueueMarketing(h, handle, subscriber, 'while-paused');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.carrier.to(phone)).toHaveLength(2);
    expect((await handle.query(stateQuery)).pending.map((p) => p.kind)).toEqual(['marketing']);

    await reply(h, handle, subscriber, 'YES', { keyword: 'confirm' });
    await eventually(async () => expect(h.carrier.to(phone)).toHaveLength(3));
    expect(await ledgerTypes(h.db, subscriber.id)).toEqual(
      expect.arrayContaining(['reconsent_prompted', 'reconsent_given']),
    );
    expect((await h.db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).consentState).toBe('active');
  });

  it('non-material policy change: a notice only, consent unchanged', async () => {
    const { program, subscriber, handle } = await subscribed();
    const phone = subscriber.phoneE164 ?? '';
    const changeId = `chg_${randomUUID().slice(0, 8)}`;
    await h.db.policyChange.create({
      data: { id: changeId, programId: program.id, kind: 'privacy', version: '2026-07', url: 'https://harbor.example/privacy/2026-07', material: false },
    });
    await handle.signal(policyChangeSignal, { changeId, policy: 'privacy', version: '2026-07', material: false });
    await eventually(async () => expect(await ledgerTypes(h.db, subscriber.id)).toContain('policy_notice_sent'));
    expect(h.carrier.to(phone)).toHaveLength(2);
    expect((await handle.query(stateQuery)).consentState).toBe('active');
  });
});
