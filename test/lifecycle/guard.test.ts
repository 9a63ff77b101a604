// The consent guard in the send path, on SQLite and PostgreSQL: a text whose
// subscriber opted out after it was prepared never reaches the carrier, and
// the opt-out's own transaction skips the texts prepared but not yet sent.
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../src/activities/index.js';
import type { ConsentChange, SendOutcome } from '../../src/activities/lifecycle.js';
import { CONSENT_WITHDRAWN, withConsentGuard } from '../../src/activities/lifecycle/consent-guard.js';
import { testDbFactories, type TestDb } from '../helpers/db.js';
import { buildProgram, buildSubscriber, PHONE_HASH_KEY, RecordingCarrier } from '../helpers/lifecycle.js';

describe.each(Object.entries(testDbFactories))('consent guard on %s', (_name, createTestDb) => {
  let testDb: TestDb;
  let carrier: RecordingCarrier;
  let acts: ReturnType<typeof createActivities>;

  beforeAll(async () => {
    testDb = await createTestDb();
    carrier = new RecordingCarrier();
    acts = createActivities({
      db: testDb.db,
      carrier: withConsentGuard(carrier, testDb.db),
      client: undefined as never,
      logger: pino({ level: 'silent' }),
      phoneHashKey: PHONE_HASH_KEY,
      publicBaseUrl: 'http://127.0.0.1:9',
      taskQueue: 'guard-test',
      now: () => new Date(),
    });
  });

  afterAll(async () => {
    await testDb?.cleanup();
  });

  async function preparedText(consentState: string) {
    const program = await buildProgram(testDb.db);
    const subscriber = await buildSubscriber(testDb.db, program, { consentState });
    const message = await testDb.db.outboundMessage.create({
      data: {
        id: randomUUID(),
        messageKey: `${subscriber.workflowId}:m-${randomUUID()}`,
        subscriberId: subscriber.id,
        programId: program.id,
        kind: 'marketing',
        body: 'Harbor Coffee: 2-for-1 lattes today. Reply STOP to opt out.',
      },
    });
    return { subscriber, message };
  }

  it('hands a text to the carrier while consent holds', async () => {
    const { subscriber, message } = await preparedText('active');
    const outcome = (await new MockActivityEnvironment().run(acts.sendMessage, { messageId: message.id })) as SendOutcome;
    expect(outcome.outcome).toBe('sent');
    expect(carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(1);
  });

  it('stops a prepared text whose subscriber opted out before the carrier call', async () => {
    const { subscriber, message } = await preparedText('opted_out');
    const outcome = (await new MockActivityEnvironment().run(acts.sendMessage, { messageId: message.id })) as SendOutcome;
    expect(outcome).toMatchObject({ outcome: 'rejected', errorCode: CONSENT_WITHDRAWN, optedOut: false });
    expect(carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(0);
    const row = await testDb.db.outboundMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(row.providerSid).toBeNull();
    expect(row.errorCode).toBe(CONSENT_WITHDRAWN);
  });

  it('an opt-out skips prepared texts in the same transaction as its ledger event', async () => {
    const { subscriber, message } = await preparedText('active');
    const ref = { subscriberId: subscriber.id, programId: subscriber.programId, workflowId: subscriber.workflowId };
    const env = new MockActivityEnvironment();
    const change: ConsentChange = {
      ref,
      type: 'opted_out',
      to: 'opted_out',
      key: 'opt-out:guard',
      source: 'api',
      at: new Date().toISOString(),
      evidence: { requestId: 'guard' },
    };
    await env.run(acts.changeConsent, change);
    const row = await testDb.db.outboundMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(row).toMatchObject({ status: 'skipped', errorCode: CONSENT_WITHDRAWN });
    const outcome = (await env.run(acts.sendMessage, { messageId: message.id })) as SendOutcome;
    expect(outcome.outcome).toBe('rejected');
    expect(carrier.to(subscriber.phoneE164 ?? '')).toHaveLength(0);
    const events = await testDb.db.consentEvent.findMany({ where: { subscriberId: subscriber.id } });
    expect(events.map((e) => e.type)).toEqual(['opted_out']);
    expect((await testDb.db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).optedOutAt).not.toBeNull();
  });
});
