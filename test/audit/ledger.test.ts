// The ledger under attack and under load: an administrator who disables the
// append-only triggers and edits or deletes rows is caught, and concurrent
// appends for one subscriber still form one chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendConsentEvent, verifyChain, verifyProgram, type LedgerEventInput } from '../../src/ledger/ledger.js';
import { testDbFactories, type TestDb } from '../helpers/db.js';
import { buildProgram, buildSubscriber } from './factories.js';

const disableTriggers = {
  sqlite: ['DROP TRIGGER "ConsentEvent_no_update"', 'DROP TRIGGER "ConsentEvent_no_delete"'],
  postgres: ['ALTER TABLE "ConsentEvent" DISABLE TRIGGER USER'],
};

describe.each(['sqlite', 'postgres'] as const)('ledger verification on %s', (provider) => {
  let t: TestDb;
  let programId: string;

  async function chainOf(n: number): Promise<{ subscriberId: string; ids: string[] }> {
    const subscriberId = await buildSubscriber(t.db, programId);
    const ids: string[] = [];
    for (let i = 1; i <= n; i += 1) {
      const event: LedgerEventInput = {
        subscriberId,
        programId,
        eventKey: `${subscriberId}:${i}`,
        type: i === 1 ? 'opt_in_requested' : 'reminder_sent',
        occurredAt: new Date(Date.UTC(2026, 11, 1, 10, i)),
        source: 'web_form',
        personal: i === 1 ? { ip: '203.0.113.7' } : null,
      };
      ids.push((await appendConsentEvent(t.db, event)).id);
    }
    return { subscriberId, ids };
  }

  beforeAll(async () => {
    t = await testDbFactories[provider]();
    programId = await buildProgram(t.db);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('serialises concurrent appends for one subscriber into one chain', async () => {
    const subscriberId = await buildSubscriber(t.db, programId);
    const append = (i: number) =>
      appendConsentEvent(t.db, { subscriberId, programId, eventKey: `c${subscriberId}:${i}`, type: 'reminder_sent', occurredAt: new Date(), source: 'system' });
    const insideTransactions = (i: number) => t.db.$transaction((tx) => appendConsentEvent(tx, {
      subscriberId, programId, eventKey: `t${subscriberId}:${i}`, type: 'help_sent', occurredAt: new Date(), source: 'keyword',
    }));
    const results = await Promise.all([...[1, 2, 3, 4, 5, 6].map(append), ...[1, 2, 3, 4].map(insideTransactions), append(1)]);

    expect(results.filter((r) => r.created)).toHaveLength(10);
    expect(new Set(results.map((r) => r.seq))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(await verifyChain(t.db, subscriberId)).toEqual({ ok: true, events: 10, erasedEvidence: 0 });
    expect(await t.db.subscriber.findUniqueOrThrow({ where: { id: subscriberId } })).toMatchObject({ ledgerSeq: 10 });
  });

  it('names the first edited, deleted or truncated event once the triggers are gone', async () => {
    const edited = await chainOf(4);
    const deleted = await chainOf(4);
    const truncated = await chainOf(3);
    const evidence = await chainOf(2);
    const intact = await chainOf(3);
    for (const sql of disableTriggers[provider]) {
      await t.db.$executeRawUnsafe(sql);
    }

    await t.db.consentEvent.update({ where: { id: edited.ids[2] }, data: { type: 'confirmed' } });
    await t.db.consentEvent.delete({ where: { id: deleted.ids[1] } });
    await t.db.consentEvent.delete({ where: { id: truncated.ids[2] } });
    await t.db.consentEvidence.update({ where: { eventId: evidence.ids[0] }, data: { personal: '{"ip":"198.51.100.1"}' } });

    expect(await verifyChain(t.db, edited.subscriberId)).toEqual({
      ok: false, events: 4, brokenAt: { seq: 3, eventId: edited.ids[2], reason: 'event content does not match its hash' },
    });
    expect(await verifyChain(t.db, deleted.subscriberId)).toMatchObject({
      ok: false, brokenAt: { seq: 3, eventId: deleted.ids[2], reason: expect.stringMatching(/expected event #2/) },
    });
    expect(await verifyChain(t.db, truncated.subscriberId)).toMatchObject({
      ok: false, brokenAt: { seq: 3, eventId: null, reason: expect.stringMatching(/removed from the end/) },
    });
    expect(await verifyChain(t.db, evidence.subscriberId)).toMatchObject({
      ok: false, brokenAt: { seq: 1, eventId: evidence.ids[0], reason: 'personal evidence does not match its hash' },
    });
    expect(await verifyChain(t.db, intact.subscriberId)).toEqual({ ok: true, events: 3, erasedEvidence: 0 });

    const program = await verifyProgram(t.db, programId);
    expect(program.ok).toBe(false);
    expect(program.broken.map((b) => [b.subscriberId, b.seq]).sort()).toEqual(
      [[edited.subscriberId, 3], [deleted.subscriberId, 3], [truncated.subscriberId, 3], [evidence.subscriberId, 1]].sort(),
    );
    expect(program.subscribers).toBe(6);
  });
});
