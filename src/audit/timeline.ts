// One subscriber's consent timeline, as an auditor reads it: every ledger
// event and every text in and out (with provider SIDs and each delivery status
// the carrier reported), in the order they happened, and whether the ledger's
// hash chain holds.
import type { Db } from '../db/client.js';
import { NotFoundError } from '../domain/errors.js';
import { verifyChain, type ChainVerdict } from '../ledger/ledger.js';
import { foldConsentState, type LedgerState } from './consent-state.js';

export interface TimelineSubscriber {
  id: string;
  programId: string;
  workflowId: string;
  phoneHash: string;
  /** Null once erased. */
  phoneE164: string | null;
  country: string;
  region: string | null;
  consentState: string;
  consentType: string | null;
  createdAt: Date;
  erasedAt: Date | null;
}

export interface ConsentEventEntry {
  entry: 'consent_event';
  at: Date;
  recordedAt: Date;
  seq: number;
  id: string;
  type: string;
  source: string;
  evidence: Record<string, unknown>;
  /** The personal evidence, while it is kept; `personalErased` says it existed. */
  personal: Record<string, unknown> | null;
  personalErased: boolean;
  hash: string;
}

export interface DeliveryStatus {
  status: string;
  errorCode: string | null;
  at: Date;
}

export interface OutboundEntry {
  entry: 'outbound';
  at: Date;
  id: string;
  kind: string;
  status: string;
  providerSid: string | null;
  carrier: string | null;
  campaignId: string | null;
  segments: number | null;
  errorCode: string | null;
  errorReason: string | null;
  /** Null after retention or erasure. */
  body: string | null;
  createdAt: Date;
  sentAt: Date | null;
  deliveries: DeliveryStatus[];
}

export interface InboundEntry {
  entry: 'inbound';
  at: Date;
  id: string;
  providerSid: string;
  keyword: string | null;
  optOutType: string | null;
  numMedia: number;
  body: string | null;
  processedAt: Date | null;
}

export type TimelineEntry = ConsentEventEntry | OutboundEntry | InboundEntry;

export interface SuppressionEntry {
  /** '*' for every program. */
  programId: string;
  reason: string;
  createdAt: Date;
}

export interface Timeline {
  generatedAt: Date;
  subscriber: TimelineSubscriber;
  /** Suppression-list entries that keep this number from being texted without new consent. */
  suppressions: SuppressionEntry[];
  chain: ChainVerdict;
  /** The state the ledger's events prove, next to the state the subscriber row says. */
  ledgerState: LedgerState;
  entries: TimelineEntry[];
}

// At the same instant a reply comes before the consent event it caused, and
// the event before the text it caused (STOP → opted_out → confirmation).
const tieOrder: Record<TimelineEntry['entry'], number> = { inbound: 0, consent_event: 1, outbound: 2 };

export async function buildTimeline(db: Db, subscriberId: string, now: Date = new Date()): Promise<Timeline> {
  const subscriber = await db.subscriber.findUnique({ where: { id: subscriberId } });
  if (!subscriber) {
    throw new NotFoundError('subscriber', subscriberId);
  }

  const [events, outbound, inbound, chain] = await Promise.all([
    db.consentEvent.findMany({ where: { subscriberId }, orderBy: { seq: 'asc' } }),
    db.outboundMessage.findMany({ where: { subscriberId }, orderBy: { createdAt: 'asc' } }),
    db.inboundMessage.findMany({ where: { subscriberId }, orderBy: { receivedAt: 'asc' } }),
    verifyChain(db, subscriberId),
  ]);
  const [evidence, receipts, suppressions] = await Promise.all([
    db.consentEvidence.findMany({ where: { eventId: { in: events.map((e) => e.id) } } }),
    db.deliveryReceipt.findMany({
      where: { providerSid: { in: outbound.flatMap((o) => (o.providerSid ? [o.providerSid] : [])) } },
      orderBy: { receivedAt: 'asc' },
    }),
    db.suppression.findMany({
      where: { phoneHash: subscriber.phoneHash, programId: { in: [subscriber.programId, '*'] } },
      orderBy: { createdAt: 'asc' },
      select: { programId: true, reason: true, createdAt: true },
    }),
  ]);

  const personalById = new Map(evidence.map((e) => [e.eventId, e.personal]));
  const receiptsBySid = new Map<string, DeliveryStatus[]>();
  for (const r of receipts) {
    const list = receiptsBySid.get(r.providerSid) ?? [];
    list.push({ status: r.status, errorCode: r.errorCode, at: r.receivedAt });
    receiptsBySid.set(r.providerSid, list);
  }

  const entries: TimelineEntry[] = [
    ...events.map((e): ConsentEventEntry => {
      const personal = personalById.get(e.id);
      return {
        entry: 'consent_event',
        at: e.occurredAt,
        recordedAt: e.recordedAt,
        seq: e.seq,
        id: e.id,
        type: e.type,
        source: e.source,
        evidence: parseObject(e.evidence),
        personal: personal === undefined ? null : parseObject(personal),
        personalErased: personal === undefined && e.personalHash !== null,
        hash: e.hash,
      };
    }),
    ...outbound.map((o): OutboundEntry => ({
      entry: 'outbound',
      at: o.sentAt ?? o.createdAt,
      id: o.id,
      kind: o.kind,
      status: o.status,
      providerSid: o.providerSid,
      carrier: o.carrier,
      campaignId: o.campaignId,
      segments: o.segments,
      errorCode: o.errorCode,
      errorReason: o.errorReason,
      body: o.body,
      createdAt: o.createdAt,
      sentAt: o.sentAt,
      deliveries: o.providerSid ? (receiptsBySid.get(o.providerSid) ?? []) : [],
    })),
    ...inbound.map((i): InboundEntry => ({
      entry: 'inbound',
      at: i.receivedAt,
      id: i.id,
      providerSid: i.providerSid,
      keyword: i.keyword,
      optOutType: i.optOutType,
      numMedia: i.numMedia,
      body: i.body,
      processedAt: i.processedAt,
    })),
  ];
  // Array.prototype.sort is stable: within one kind the database order stays.
  entries.sort((a, b) => a.at.getTime() - b.at.getTime() || tieOrder[a.entry] - tieOrder[b.entry]);

  return {
    generatedAt: now,
    subscriber: {
      id: subscriber.id,
      programId: subscriber.programId,
      workflowId: subscriber.workflowId,
      phoneHash: subscriber.phoneHash,
      phoneE164: subscriber.phoneE164,
      country: subscriber.country,
      region: subscriber.region,
      consentState: subscriber.consentState,
      consentType: subscriber.consentType,
      createdAt: subscriber.createdAt,
      erasedAt: subscriber.erasedAt,
    },
    suppressions,
    chain,
    ledgerState: foldConsentState(events),
    entries,
  };
}

function parseObject(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
}
