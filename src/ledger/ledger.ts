// The consent ledger: append-only events with a per-subscriber hash chain.
// Each event's hash covers the previous event's hash, its own non-personal
// fields and the hash of its personal evidence, so an edited, reordered or
// deleted row is detected, while erasing the personal evidence (a separate
// ConsentEvidence row) leaves the chain verifiable.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';

export const GENESIS_HASH = '0'.repeat(64);

export type LedgerEventType =
  | 'opt_in_requested'
  | 'opt_in_refused'
  | 'confirmation_requested'
  | 'confirmed'
  | 'confirmation_expired'
  | 'disclosure_sent'
  | 'reminder_sent'
  | 'help_sent'
  | 'opted_out'
  | 'opt_out_confirmation_sent'
  | 'carrier_opt_out'
  | 'resubscribed'
  | 'reconsent_prompted'
  | 'reconsent_given'
  | 'reconsent_lapsed'
  | 'policy_notice_sent'
  | 'consent_expired'
  | 'erased';

/** A Prisma client or the client inside `$transaction(async (tx) => ...)`. */
export type DbTx = Pick<Db, 'consentEvent' | 'consentEvidence'>;

export interface LedgerEventInput {
  subscriberId: string;
  programId: string;
  eventKey: string; // unique: a repeated write with the same key is a no-op
  type: LedgerEventType;
  occurredAt: Date;
  source: string;
  evidence?: Record<string, unknown>; // non-personal: versions, IDs, rule names
  personal?: Record<string, unknown> | null; // IP, user agent, page URL, birth date
}

export interface AppendedEvent {
  id: string;
  seq: number;
  hash: string;
  created: boolean;
}

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface HashedFields {
  subscriberId: string;
  programId: string;
  seq: number;
  eventKey: string;
  type: string;
  occurredAt: Date;
  recordedAt: Date;
  source: string;
  evidence: string;
  personalHash: string | null;
  prevHash: string;
}

export function eventHash(f: HashedFields): string {
  return sha256(
    canonicalJson({
      v: 1,
      subscriberId: f.subscriberId,
      programId: f.programId,
      seq: f.seq,
      eventKey: f.eventKey,
      type: f.type,
      occurredAt: f.occurredAt.toISOString(),
      recordedAt: f.recordedAt.toISOString(),
      source: f.source,
      evidence: f.evidence,
      personalHash: f.personalHash,
      prevHash: f.prevHash,
    }),
  );
}

/**
 * Appends one event to the subscriber's chain. Call it inside the same
 * transaction as the consent change it records. Idempotent on `eventKey`.
 */
export async function appendConsentEvent(tx: DbTx, input: LedgerEventInput): Promise<AppendedEvent> {
  const existing = await tx.consentEvent.findUnique({ where: { eventKey: input.eventKey } });
  if (existing) {
    return { id: existing.id, seq: existing.seq, hash: existing.hash, created: false };
  }
  const last = await tx.consentEvent.findFirst({
    where: { subscriberId: input.subscriberId },
    orderBy: { seq: 'desc' },
    select: { seq: true, hash: true },
  });
  const id = randomUUID();
  const personalJson = input.personal ? canonicalJson(input.personal) : null;
  const fields: HashedFields = {
    subscriberId: input.subscriberId,
    programId: input.programId,
    seq: (last?.seq ?? 0) + 1,
    eventKey: input.eventKey,
    type: input.type,
    occurredAt: input.occurredAt,
    recordedAt: new Date(),
    source: input.source,
    evidence: canonicalJson(input.evidence ?? {}),
    personalHash: personalJson === null ? null : sha256(personalJson),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = eventHash(fields);
  await tx.consentEvent.create({ data: { id, ...fields, hash } });
  if (personalJson !== null) {
    await tx.consentEvidence.create({ data: { eventId: id, personal: personalJson } });
  }
  return { id, seq: fields.seq, hash, created: true };
}

export type ChainVerdict =
  | { ok: true; events: number; erasedEvidence: number }
  | { ok: false; events: number; brokenAt: { seq: number; eventId: string | null; reason: string } };

/** Recomputes the subscriber's chain and names the first event that does not hold. */
export async function verifyChain(db: DbTx, subscriberId: string): Promise<ChainVerdict> {
  const events = await db.consentEvent.findMany({ where: { subscriberId }, orderBy: { seq: 'asc' } });
  const evidence = await db.consentEvidence.findMany({ where: { eventId: { in: events.map((e) => e.id) } } });
  const personalById = new Map(evidence.map((e) => [e.eventId, e.personal]));
  let prevHash = GENESIS_HASH;
  let erased = 0;
  for (const [index, e] of events.entries()) {
    const broken = (reason: string): ChainVerdict => ({
      ok: false,
      events: events.length,
      brokenAt: { seq: index + 1, eventId: e.id, reason },
    });
    if (e.seq !== index + 1) {
      return broken(`expected event #${index + 1}, found #${e.seq}: an event is missing`);
    }
    if (e.prevHash !== prevHash) {
      return broken('previous-hash link does not match the event before it');
    }
    if (eventHash(e) !== e.hash) {
      return broken('event content does not match its hash');
    }
    const personal = personalById.get(e.id);
    if (personal === undefined && e.personalHash !== null) {
      erased += 1;
    } else if (personal !== undefined && sha256(personal) !== e.personalHash) {
      return broken('personal evidence does not match its hash');
    }
    prevHash = e.hash;
  }
  return { ok: true, events: events.length, erasedEvidence: erased };
}
