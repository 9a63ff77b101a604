// Erasure of a person's personal data (GDPR Art. 17). What goes: the number,
// birth date and ZIP on the subscriber row, every piece of personal consent
// evidence, the bodies of texts in and out, the simulated carrier's copies.
// What stays: the ledger (its chain still verifies: it holds hashes, not the
// data), the keyed hash of the number, and a suppression entry, because the
// right to object to marketing is kept by remembering not to text the person
// (ICO direct-marketing guidance), never by forgetting them.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/client.js';
import { NotFoundError } from '../domain/errors.js';
import { appendConsentEvent, verifyChain, type ChainVerdict } from '../ledger/ledger.js';
import { fetchRunHistories, historiesMentioning } from './histories.js';
import { phoneSpellings, resolvePhone } from './lookup.js';

export type ErasureTarget =
  | { subscriberId: string }
  /** Every program's subscriber with this number, or only `programId`'s. */
  | { phone: string; programId?: string };

export interface ErasureRequest {
  target: ErasureTarget;
  /** Who asked and why, recorded in the ledger's `erased` event (no personal data). */
  requestedBy: string;
  reason: string;
  /** Idempotency key: the same request erases once and records one event. */
  requestId?: string;
}

export interface ErasureDeps {
  db: Db;
  client: Client;
  phoneHashKey: string;
  now: () => Date;
}

export interface SubscriberErasure {
  subscriberId: string;
  programId: string;
  workflowId: string;
  workflowTerminated: boolean;
  ledgerEventId: string | null;
  evidenceDeleted: number;
  outboundBodiesCleared: number;
  inboundBodiesCleared: number;
  simulatedMessagesDeleted: number;
  idempotencyRecordsDeleted: number;
  historyRuns: number;
  /** Runs whose history still spelled the number; they are deleted from Temporal. */
  historiesDeleted: Array<{ runId: string; label: string }>;
  chain: ChainVerdict;
}

export interface ErasureReport {
  requestId: string;
  erasedAt: Date;
  suppression: { programId: string; phoneHash: string };
  subscribers: SubscriberErasure[];
}

interface Resolved {
  subscribers: Array<{ id: string; programId: string; workflowId: string; phoneE164: string | null; phoneHash: string }>;
  suppressionProgram: string;
  phoneHash: string;
  e164: string | null;
}

export async function eraseSubscriberData(deps: ErasureDeps, request: ErasureRequest): Promise<ErasureReport> {
  const requestId = request.requestId ?? randomUUID();
  const target = await resolveTarget(deps, request.target);
  const erasedAt = deps.now();

  // The lifecycle stops first, so it cannot text or write again mid-erasure.
  const erased: SubscriberErasure[] = [];
  for (const s of target.subscribers) {
    erased.push(await eraseOne(deps, s, target.e164 ?? s.phoneE164, { ...request, requestId }, erasedAt));
  }

  await deps.db.suppression.upsert({
    where: { programId_phoneHash: { programId: target.suppressionProgram, phoneHash: target.phoneHash } },
    create: { id: randomUUID(), programId: target.suppressionProgram, phoneHash: target.phoneHash, reason: 'erasure' },
    update: {},
  });
  return { requestId, erasedAt, suppression: { programId: target.suppressionProgram, phoneHash: target.phoneHash }, subscribers: erased };
}

async function resolveTarget(deps: ErasureDeps, target: ErasureTarget): Promise<Resolved> {
  const select = { id: true, programId: true, workflowId: true, phoneE164: true, phoneHash: true } as const;
  if ('subscriberId' in target) {
    const s = await deps.db.subscriber.findUnique({ where: { id: target.subscriberId }, select });
    if (!s) {
      throw new NotFoundError('subscriber', target.subscriberId);
    }
    return { subscribers: [s], suppressionProgram: s.programId, phoneHash: s.phoneHash, e164: s.phoneE164 };
  }
  const phone = resolvePhone(target.phone, deps.phoneHashKey);
  const subscribers = await deps.db.subscriber.findMany({
    where: { phoneHash: phone.phoneHash, ...(target.programId ? { programId: target.programId } : {}) },
    select,
  });
  if (target.programId && subscribers.length === 0) {
    throw new NotFoundError('subscriber', `in program ${target.programId} with phone hash ${phone.phoneHash}`);
  }
  // With no subscriber anywhere the suppression is still written: the person asked not to be kept.
  return { subscribers, suppressionProgram: target.programId ?? '*', phoneHash: phone.phoneHash, e164: phone.e164 };
}

async function eraseOne(
  deps: ErasureDeps,
  s: Resolved['subscribers'][number],
  e164: string | null,
  request: ErasureRequest & { requestId: string },
  erasedAt: Date,
): Promise<SubscriberErasure> {
  const workflowTerminated = await terminateLifecycle(deps.client, s.workflowId, request.requestId);
  const db = await eraseRows(deps.db, s, e164, request, erasedAt);
  const runs = await fetchRunHistories(deps.client, s.workflowId);
  const leaks = e164 ? historiesMentioning(runs, phoneSpellings(e164)) : [];
  for (const runId of new Set(leaks.map((l) => l.runId))) {
    await deps.client.workflowService.deleteWorkflowExecution({
      namespace: deps.client.options.namespace,
      workflowExecution: { workflowId: s.workflowId, runId },
    });
  }
  return {
    subscriberId: s.id,
    programId: s.programId,
    workflowId: s.workflowId,
    workflowTerminated,
    ...db,
    historyRuns: runs.length,
    historiesDeleted: leaks,
    chain: await verifyChain(deps.db, s.id),
  };
}

async function terminateLifecycle(client: Client, workflowId: string, requestId: string): Promise<boolean> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') {
      return false;
    }
    await handle.terminate(`personal data erased (request ${requestId})`);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      return false;
    }
    throw err;
  }
}

type RowCounts = Pick<
  SubscriberErasure,
  'ledgerEventId' | 'evidenceDeleted' | 'outboundBodiesCleared' | 'inboundBodiesCleared' | 'simulatedMessagesDeleted' | 'idempotencyRecordsDeleted'
>;

async function eraseRows(
  db: Db,
  s: Resolved['subscribers'][number],
  e164: string | null,
  request: ErasureRequest & { requestId: string },
  erasedAt: Date,
): Promise<RowCounts> {
  return db.$transaction(async (tx) => {
    const eventIds = (await tx.consentEvent.findMany({ where: { subscriberId: s.id }, select: { id: true } })).map((e) => e.id);
    const evidence = await tx.consentEvidence.deleteMany({ where: { eventId: { in: eventIds } } });
    // What an opt-in presented: the personal half goes, the versions and form reference stay.
    const presented = await tx.optInEvidence.updateMany({ where: { subscriberId: s.id, personal: { not: '{}' } }, data: { personal: '{}' } });
    const outbound = await tx.outboundMessage.updateMany({ where: { subscriberId: s.id, body: { not: null } }, data: { body: null } });
    // Replies from the number before it became this subscriber carry only the sender's hash.
    const inbound = await tx.inboundMessage.updateMany({
      where: { OR: [{ subscriberId: s.id }, { fromHash: s.phoneHash }], body: { not: null } },
      data: { body: null },
    });
    const simulated = e164 ? await tx.simulatedMessage.deleteMany({ where: { toNumber: e164 } }) : { count: 0 };
    // A stored API response may echo the number; losing it only means a retried request runs again.
    const idempotency = e164 ? await tx.idempotencyRecord.deleteMany({ where: { responseBody: { contains: e164 } } }) : { count: 0 };

    const event = await appendConsentEvent(tx, {
      subscriberId: s.id,
      programId: s.programId,
      eventKey: `erased:${s.id}:${request.requestId}`,
      type: 'erased',
      occurredAt: erasedAt,
      source: 'erasure_request',
      evidence: { requestId: request.requestId, requestedBy: request.requestedBy, reason: request.reason },
    });
    await tx.subscriber.update({
      where: { id: s.id },
      data: { phoneE164: null, birthdate: null, zip: null, consentState: 'erased', erasedAt },
    });
    return {
      ledgerEventId: event.id,
      evidenceDeleted: evidence.count + presented.count,
      outboundBodiesCleared: outbound.count,
      inboundBodiesCleared: inbound.count,
      simulatedMessagesDeleted: simulated.count,
      idempotencyRecordsDeleted: idempotency.count,
    };
  });
}
