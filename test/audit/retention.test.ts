// Retention deletes only personal evidence of consent no longer in force and
// clears old bodies; a dry run changes nothing; the ledger's chain still holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enforceRetention, retentionPolicyFromEnv } from '../../src/audit/retention.js';
import { verifyChain } from '../../src/ledger/ledger.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { buildProgram, buildSubscriber } from './factories.js';
import { seedStory } from './seed.js';

describe('retention', () => {
  let t: TestDb;
  let optedOut: string;
  let active: string;
  let recent: string;

  beforeAll(async () => {
    t = await createSqliteTestDb();
    const programId = await buildProgram(t.db);
    // Two stories from November 2026 (one still subscribed) and one from a later time.
    optedOut = await buildSubscriber(t.db, programId, { consentState: 'opted_out' });
    active = await buildSubscriber(t.db, programId, { consentState: 'active' });
    recent = await buildSubscriber(t.db, programId, { consentState: 'opted_out' });
    await seedStory(t.db, programId, optedOut);
    await seedStory(t.db, programId, active);
    await seedStory(t.db, programId, recent, 3 * 365 * 24 * 60);
    for (const subscriberId of [optedOut, active]) {
      await t.db.optInEvidence.create({
        data: {
          id: `evd_${subscriberId}`, requestId: `req_${subscriberId}`, subscriberId, programId, source: 'web_form', consentType: 'express_written',
          consentAt: new Date('2026-11-02T15:00:00Z'), evidence: '{"formRef":"footer"}', personal: '{"ip":"203.0.113.7"}',
        },
      });
    }
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('reads its policy from the environment and names a bad variable', () => {
    expect(retentionPolicyFromEnv({})).toEqual({ evidenceYears: 5, bodyDays: 90 });
    expect(retentionPolicyFromEnv({ RETENTION_EVIDENCE_YEARS: '7', RETENTION_BODY_DAYS: '30' })).toEqual({ evidenceYears: 7, bodyDays: 30 });
    expect(() => retentionPolicyFromEnv({ RETENTION_BODY_DAYS: 'soon' })).toThrow(/^RETENTION_BODY_DAYS: /);
  });

  it('counts in a dry run, then deletes only expired evidence and old bodies, never the ledger', async () => {
    const policy = { evidenceYears: 5, bodyDays: 90 };
    const at = new Date('2032-01-01T00:00:00Z'); // 5 years and 2 months after the November 2026 stories
    const before = await t.db.consentEvent.count();

    const dry = await enforceRetention(t.db, policy, at, true);
    expect(dry).toEqual({
      dryRun: true,
      evidenceCutoff: '2027-01-01T00:00:00.000Z',
      bodyCutoff: '2031-10-03T00:00:00.000Z',
      subscribersWithEvidenceExpired: 1,
      evidenceRowsDeleted: 2,
      outboundBodiesCleared: 12,
      inboundBodiesCleared: 6,
      simulatedMessagesDeleted: 12,
    });
    expect(await t.db.consentEvidence.count()).toBe(3);

    const applied = await enforceRetention(t.db, policy, at, false);
    expect(applied).toEqual({ ...dry, dryRun: false });
    expect(await t.db.consentEvidence.count()).toBe(2);
    expect(await t.db.optInEvidence.findMany({ orderBy: { id: 'asc' }, select: { subscriberId: true, personal: true, evidence: true } })).toEqual(
      [
        { subscriberId: optedOut, personal: '{}', evidence: '{"formRef":"footer"}' },
        { subscriberId: active, personal: '{"ip":"203.0.113.7"}', evidence: '{"formRef":"footer"}' },
      ].sort((a, b) => (`evd_${a.subscriberId}` < `evd_${b.subscriberId}` ? -1 : 1)),
    );
    expect(await t.db.outboundMessage.count({ where: { body: { not: null } } })).toBe(0);
    expect(await t.db.simulatedMessage.count()).toBe(0);
    expect(await t.db.consentEvent.count()).toBe(before);
    expect(await verifyChain(t.db, optedOut)).toEqual({ ok: true, events: 6, erasedEvidence: 1 });
    expect(await verifyChain(t.db, active)).toEqual({ ok: true, events: 6, erasedEvidence: 0 });
    expect(await verifyChain(t.db, recent)).toEqual({ ok: true, events: 6, erasedEvidence: 0 });

    const again = await enforceRetention(t.db, policy, at, false);
    expect(again).toMatchObject({ evidenceRowsDeleted: 0, outboundBodiesCleared: 0, inboundBodiesCleared: 0 });
  });
});
