// The consent ledger: append-only events with a per-subscriber hash chain.
// Each event's hash covers the previous event's hash, its own non-personal
// fields and the hash of its personal evidence, so an edited, reordered or
// deleted row is detected, while erasing the personal evidence (a separate
// ConsentEvidence row) leaves the chain verifiable. The subscriber row keeps
// the chain's head (ledgerSeq, ledgerHead), so a deleted tail shows too.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * What happened to a subscriber's consent. Each event's `evidence` names what
 * an auditor needs and holds nothing personal: the disclosure's version and
 * text hash, the inbound or outbound message ID, the rule that refused.
 */
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

export const ledgerEventTypes: readonly LedgerEventType[] = [
  'opt_in_requested',
  'opt_in_refused',
  'confirmation_requested',
  'confirmed',
  'confirmation_expired',
  'disclosure_sent',
  'reminder_sent',
  'help_sent',
  'opted_out',
  'opt_out_confirmation_sent',
  'carrier_opt_out',
  'resubscribed',
  'reconsent_prompted',
  'reconsent_given',
  'reconsent_lapsed',
  'policy_notice_sent',
  'consent_expired',
  'erased',
];

/** A Prisma client or the client inside `$transaction(async (tx) => ...)`. */
export type DbTx = Pick<Db, 'consentEvent' | 'consentEvidence' | 'subscriber' | '$executeRawUnsafe'>;

/** Read access that verification needs. */
export type LedgerReader = Pick<Db, 'consentEvent' | 'consentEvidence' | 'subscriber'>;

/**
 * Evidence for a text that discloses terms (confirmation request, welcome,
 * reminder, policy notice): the exact text is kept only when it holds nothing
 * personal, its hash always, so the text sent can be proven either way.
 */
export function disclosureEvidence(d: {
  messageId: string;
  template: string;
  version: string;
  text: string;
  personal: boolean;
}): Record<string, unknown> {
  return {
    messageId: d.messageId,
    template: d.template,
    version: d.version,
    textSha256: sha256(d.text),
    ...(d.personal ? {} : { text: d.text }),
  };
}

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

const APPEND_ATTEMPTS = 5;

/**
 * Appends one event to the subscriber's chain. Call it inside the same
 * transaction as the consent change it records (or with the client, which
 * opens one). Idempotent on `eventKey`. Concurrent appends for one subscriber
 * queue on the subscriber row; where the database cannot hold that lock
 * (another SQLite process), a lost race on the sequence number is retried.
 */
export async function appendConsentEvent(db: DbTx, input: LedgerEventInput): Promise<AppendedEvent> {
  const client = db as Partial<Pick<Db, '$transaction'>>;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return typeof client.$transaction === 'function'
        ? await client.$transaction((tx) => appendOnce(tx, input))
        : await appendInSavepoint(db, input);
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= APPEND_ATTEMPTS) {
        throw err;
      }
    }
  }
}

// A failed statement inside the caller's transaction must not poison it
// (PostgreSQL aborts the whole transaction), so each attempt is a savepoint.
async function appendInSavepoint(tx: DbTx, input: LedgerEventInput): Promise<AppendedEvent> {
  await tx.$executeRawUnsafe('SAVEPOINT consent_ledger_append');
  try {
    const appended = await appendOnce(tx, input);
    await tx.$executeRawUnsafe('RELEASE SAVEPOINT consent_ledger_append');
    return appended;
  } catch (err) {
    await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT consent_ledger_append');
    throw err;
  }
}

async function appendOnce(tx: DbTx, input: LedgerEventInput): Promise<AppendedEvent> {
  const existing = await tx.consentEvent.findUnique({ where: { eventKey: input.eventKey } });
  if (existing) {
    return { id: existing.id, seq: existing.seq, hash: existing.hash, created: false };
  }

  // Takes the subscriber row's lock first: the next append for this
  // subscriber waits here and then reads this event as its predecessor.
  await tx.subscriber.update({ where: { id: input.subscriberId }, data: { ledgerSeq: { increment: 1 } } });
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
  await tx.subscriber.update({ where: { id: input.subscriberId }, data: { ledgerSeq: fields.seq, ledgerHead: hash } });
  return { id, seq: fields.seq, hash, created: true };
}

export interface BrokenLink {
  seq: number;
  eventId: string | null;
  reason: string;
}

export type ChainVerdict =
  | { ok: true; events: number; erasedEvidence: number }
  | { ok: false; events: number; brokenAt: BrokenLink };

type StoredEvent = HashedFields & { id: string; hash: string };

/** Recomputes the subscriber's chain and names the first event that does not hold. */
export async function verifyChain(db: LedgerReader, subscriberId: string): Promise<ChainVerdict> {
  const verdicts = await verifySubscribers(db, [subscriberId]);
  return verdicts.get(subscriberId) ?? { ok: true, events: 0, erasedEvidence: 0 };
}

export interface ProgramVerdict {
  ok: boolean;
  programId: string;
  subscribers: number;
  events: number;
  erasedEvidence: number;
  broken: Array<{ subscriberId: string } & BrokenLink>;
}

const VERIFY_PAGE = 200;

/** Verifies every subscriber chain of a program, a page of subscribers at a time. */
export async function verifyProgram(db: LedgerReader, programId: string): Promise<ProgramVerdict> {
  const verdict: ProgramVerdict = { ok: true, programId, subscribers: 0, events: 0, erasedEvidence: 0, broken: [] };
  let cursor: string | undefined;
  for (;;) {
    const page = await db.subscriber.findMany({
      where: { programId },
      orderBy: { id: 'asc' },
      take: VERIFY_PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: { id: true },
    });
    if (page.length === 0) {
      return verdict;
    }
    const ids = page.map((p) => p.id);
    for (const [subscriberId, v] of await verifySubscribers(db, ids)) {
      verdict.subscribers += 1;
      verdict.events += v.events;
      if (v.ok) {
        verdict.erasedEvidence += v.erasedEvidence;
      } else {
        verdict.ok = false;
        verdict.broken.push({ subscriberId, ...v.brokenAt });
      }
    }
    cursor = ids[ids.length - 1];
  }
}

async function verifySubscribers(db: LedgerReader, ids: string[]): Promise<Map<string, ChainVerdict>> {
  const [subscribers, events] = await Promise.all([
    db.subscriber.findMany({ where: { id: { in: ids } }, select: { id: true, ledgerSeq: true, ledgerHead: true } }),
    db.consentEvent.findMany({ where: { subscriberId: { in: ids } }, orderBy: [{ subscriberId: 'asc' }, { seq: 'asc' }] }),
  ]);
  const evidence = await db.consentEvidence.findMany({ where: { eventId: { in: events.map((e) => e.id) } } });
  const personalById = new Map(evidence.map((e) => [e.eventId, e.personal]));
  const bySubscriber = new Map<string, StoredEvent[]>(ids.map((id) => [id, []]));
  for (const e of events) {
    bySubscriber.get(e.subscriberId)?.push(e);
  }
  const verdicts = new Map<string, ChainVerdict>();
  for (const s of subscribers) {
    verdicts.set(s.id, verifyEvents(bySubscriber.get(s.id) ?? [], personalById, { seq: s.ledgerSeq, hash: s.ledgerHead }));
  }
  return verdicts;
}

/** The chain check itself, on events already loaded in seq order. */
export function verifyEvents(
  events: StoredEvent[],
  personalById: Map<string, string>,
  head: { seq: number; hash: string | null },
): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let erased = 0;
  for (const [index, e] of events.entries()) {
    const broken = (reason: string): ChainVerdict => ({
      ok: false,
      events: events.length,
      brokenAt: { seq: e.seq, eventId: e.id, reason },
    });
    if (e.seq !== index + 1) {
      return broken(`expected event #${index + 1} here, found #${e.seq}: an event before it is missing`);
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
  const last = events[events.length - 1];
  if (head.seq !== events.length || (head.hash ?? GENESIS_HASH) !== (last?.hash ?? GENESIS_HASH)) {
    return {
      ok: false,
      events: events.length,
      brokenAt: {
        seq: events.length + 1,
        eventId: null,
        reason: `the subscriber's chain head is event #${head.seq} but the ledger ends at #${events.length}: events were removed from the end`,
      },
    };
  }
  return { ok: true, events: events.length, erasedEvidence: erased };
}
