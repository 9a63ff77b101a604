import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseMessage } from '../../src/db/errors.js';
import { appendConsentEvent, verifyChain } from '../../src/ledger/ledger.js';
import { testDbFactories, type TestDb } from '../helpers/db.js';

describe.each(['sqlite', 'postgres'] as const)('consent ledger on %s', (provider) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await testDbFactories[provider]();
    await t.db.program.create({
      data: {
        id: 'prg_ledger', brandName: 'Acme', name: 'Acme Deals', description: 'deals', frequencyText: '4 msgs/mo',
        helpContact: 'help@acme.test', termsUrl: 'https://acme.test/t', termsVersion: '1', privacyUrl: 'https://acme.test/p',
        privacyVersion: '1', senderType: 'simulated', allowedCountries: '["US"]', languages: '["en"]',
      },
    });
    await t.db.subscriber.create({
      data: { id: 'sub_1', programId: 'prg_ledger', phoneHash: 'h1', workflowId: 'wf-1', country: 'US', timeZones: '["America/New_York"]', zoneBasis: 'number' },
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('chains events, is idempotent on the event key, and refuses edits at the database', async () => {
    const base = { subscriberId: 'sub_1', programId: 'prg_ledger', source: 'web_form' } as const;
    const first = await appendConsentEvent(t.db, { ...base, eventKey: 'k1', type: 'opt_in_requested', occurredAt: new Date('2026-12-01T10:00:00Z'), personal: { ip: '203.0.113.9' } });
    const again = await appendConsentEvent(t.db, { ...base, eventKey: 'k1', type: 'opt_in_requested', occurredAt: new Date('2026-12-01T10:00:00Z') });
    const second = await appendConsentEvent(t.db, { ...base, eventKey: 'k2', type: 'confirmed', occurredAt: new Date('2026-12-01T10:05:00Z') });
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(second.seq).toBe(2);
    expect(await verifyChain(t.db, 'sub_1')).toEqual({ ok: true, events: 2, erasedEvidence: 0 });

    const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', databaseMessage);
    expect(await refusal(t.db.consentEvent.update({ where: { id: second.id }, data: { type: 'opted_out' } }))).toMatch(/append-only/);
    expect(await refusal(t.db.consentEvent.delete({ where: { id: first.id } }))).toMatch(/append-only/);

    // Erasing personal evidence leaves the chain verifiable.
    await t.db.consentEvidence.delete({ where: { eventId: first.id } });
    expect(await verifyChain(t.db, 'sub_1')).toEqual({ ok: true, events: 2, erasedEvidence: 1 });
  });
});
