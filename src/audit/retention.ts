// Retention: personal consent evidence is kept for a period after the
// subscriber's last consent event and only once their consent is no longer in
// force (the TCPA's 4-year catch-all limitation, 28 U.S.C. 1658(a), makes 5
// years the default); message bodies are kept for a shorter period. The ledger
// itself is never touched: its chain holds hashes, which outlive the data.
import { z } from 'zod';
import type { Db } from '../db/client.js';

export interface RetentionPolicy {
  /** Years of personal evidence after the subscriber's last consent event. */
  evidenceYears: number;
  /** Days a text's body is kept after it was sent or received. */
  bodyDays: number;
}

export const defaultRetentionPolicy: RetentionPolicy = { evidenceYears: 5, bodyDays: 90 };

const envSchema = z.object({
  RETENTION_EVIDENCE_YEARS: z.coerce.number().positive().max(100).default(defaultRetentionPolicy.evidenceYears),
  RETENTION_BODY_DAYS: z.coerce.number().int().positive().max(36_500).default(defaultRetentionPolicy.bodyDays),
});

/** The policy from RETENTION_EVIDENCE_YEARS and RETENTION_BODY_DAYS; a bad value names the variable. */
export function retentionPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetentionPolicy {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${String(issue?.path[0] ?? 'retention')}: ${issue?.message ?? 'invalid'}`);
  }
  return { evidenceYears: parsed.data.RETENTION_EVIDENCE_YEARS, bodyDays: parsed.data.RETENTION_BODY_DAYS };
}

export interface RetentionReport {
  dryRun: boolean;
  evidenceCutoff: string;
  bodyCutoff: string;
  subscribersWithEvidenceExpired: number;
  evidenceRowsDeleted: number;
  outboundBodiesCleared: number;
  inboundBodiesCleared: number;
  simulatedMessagesDeleted: number;
}

/** Consent still relied on: its evidence stays, however old. */
const IN_FORCE = ['pending', 'active', 'paused'];
const PAGE = 500;
const DAY = 24 * 60 * 60 * 1000;

export async function enforceRetention(db: Db, policy: RetentionPolicy, now: Date, dryRun: boolean): Promise<RetentionReport> {
  const evidenceCutoff = new Date(now);
  evidenceCutoff.setUTCMonth(evidenceCutoff.getUTCMonth() - Math.round(policy.evidenceYears * 12));
  const bodyCutoff = new Date(now.getTime() - policy.bodyDays * DAY);

  const evidence = await expireEvidence(db, evidenceCutoff, dryRun);
  const bodies = await expireBodies(db, bodyCutoff, dryRun);
  return { dryRun, evidenceCutoff: evidenceCutoff.toISOString(), bodyCutoff: bodyCutoff.toISOString(), ...evidence, ...bodies };
}

async function expireEvidence(db: Db, cutoff: Date, dryRun: boolean) {
  const idle = await db.consentEvent.groupBy({
    by: ['subscriberId'],
    _max: { occurredAt: true },
    having: { occurredAt: { _max: { lt: cutoff } } },
  });
  const owners = new Set<string>();
  let rows = 0;
  for (let i = 0; i < idle.length; i += PAGE) {
    const ids = idle.slice(i, i + PAGE).map((g) => g.subscriberId);
    const expired = await db.subscriber.findMany({ where: { id: { in: ids }, consentState: { notIn: IN_FORCE } }, select: { id: true } });
    const events = await db.consentEvent.findMany({
      where: { subscriberId: { in: expired.map((s) => s.id) }, personalHash: { not: null } },
      select: { id: true, subscriberId: true },
    });
    const ownerOf = new Map(events.map((e) => [e.id, e.subscriberId]));
    const kept = await db.consentEvidence.findMany({ where: { eventId: { in: [...ownerOf.keys()] } }, select: { eventId: true } });
    for (const k of kept) {
      owners.add(ownerOf.get(k.eventId) ?? '');
    }
    const presented = { subscriberId: { in: expired.map((s) => s.id) }, personal: { not: '{}' } };
    if (dryRun) {
      rows += await db.optInEvidence.count({ where: presented });
    } else {
      await db.consentEvidence.deleteMany({ where: { eventId: { in: kept.map((k) => k.eventId) } } });
      rows += (await db.optInEvidence.updateMany({ where: presented, data: { personal: '{}' } })).count;
    }
    rows += kept.length;
  }
  return { subscribersWithEvidenceExpired: owners.size, evidenceRowsDeleted: rows };
}

async function expireBodies(db: Db, cutoff: Date, dryRun: boolean) {
  const outbound = { createdAt: { lt: cutoff }, body: { not: null } };
  const inbound = { receivedAt: { lt: cutoff }, body: { not: null } };
  const simulated = { createdAt: { lt: cutoff } };
  if (dryRun) {
    return {
      outboundBodiesCleared: await db.outboundMessage.count({ where: outbound }),
      inboundBodiesCleared: await db.inboundMessage.count({ where: inbound }),
      simulatedMessagesDeleted: await db.simulatedMessage.count({ where: simulated }),
    };
  }
  return {
    outboundBodiesCleared: (await db.outboundMessage.updateMany({ where: outbound, data: { body: null } })).count,
    inboundBodiesCleared: (await db.inboundMessage.updateMany({ where: inbound, data: { body: null } })).count,
    // The simulated carrier's copy holds the number and the body; it goes whole.
    simulatedMessagesDeleted: (await db.simulatedMessage.deleteMany({ where: simulated })).count,
  };
}
