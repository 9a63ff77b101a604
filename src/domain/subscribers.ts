// Subscribers: opt-in, reading consent, customer-service opt-out. The phone
// number lives only in the Subscriber row; Temporal sees the subscriber ID and
// the keyed hash in the workflow ID. The lifecycle workflow owns every consent
// change and writes the ledger; this module stores what it needs and asks it.
import { createHash } from 'node:crypto';
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { canSend, InvalidPhoneError, parsePhone, planSend, resolveJurisdiction } from '../compliance/index.js';
import type { ConsentSource, ConsentType, Jurisdiction, Language } from '../compliance/types.js';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { phoneHash } from '../identity.js';
import { optInsTotal, optOutsTotal } from '../metrics.js';
import { subscriberWorkflowId } from '../temporal/shared.js';
import { lifecycleStartOptions } from '../workflows/start-options.js';
import type { subscriberLifecycle } from '../workflows/subscriber.js';
import { type LifecycleState, type OptInResult, optInUpdate, optOutUpdate, type PendingText, stateQuery } from '../workflows/messages.js';
import { InvalidPhoneNumberError, LifecycleUnavailableError, NotFoundError, OptInRefusedError } from './errors.js';
import { newId } from './ids.js';
import { getProgramRow, toProgramRules } from './programs.js';

export interface SubscriberDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  phoneHashKey: string;
  now: () => Date;
  /** How long to wait for the lifecycle to answer an update before giving up (ms). */
  lifecycleTimeoutMs?: number;
}

export interface OptInInput {
  phone: string;
  country?: string | undefined;
  source: ConsentSource;
  /** For source `import`: how the marketer originally collected the consent (kept in the ledger evidence). */
  importedFrom?: ConsentSource | undefined;
  consentType: ConsentType;
  consentAt: string;
  disclosureVersion?: string | undefined;
  disclosureText?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  pageUrl?: string | undefined;
  formRef?: string | undefined;
  birthdate?: string | undefined;
  purchaseAt?: string | undefined;
  inquiryAt?: string | undefined;
  region?: string | undefined;
  zip?: string | undefined;
  language?: Language | undefined;
}

export interface OptInOutcome {
  subscriberId: string;
  programId: string;
  workflowId: string;
  phone: string;
  state: OptInResult['state'];
  created: boolean;
}

/** Words for each parse failure that never repeat the number itself. */
const phoneProblems: Record<string, string> = {
  empty: 'no phone number given',
  not_a_number: 'the phone number contains letters or is not a number',
  invalid_country: 'the country of the phone number is unknown; give it in E.164 (+1...) or set `country`',
  too_short: 'the phone number is too short',
  too_long: 'the phone number is too long',
  invalid_length: 'the phone number has the wrong length for its country',
  invalid_for_country: 'the phone number is not a valid number for its country',
};

function parseNumber(input: OptInInput): { e164: string; jurisdiction: Jurisdiction } {
  try {
    const parsed = parsePhone(input.phone, input.country);
    return { e164: parsed.e164, jurisdiction: resolveJurisdiction(parsed.e164, { region: input.region ?? null, zip: input.zip ?? null }) };
  } catch (err) {
    if (err instanceof InvalidPhoneError) {
      throw new InvalidPhoneNumberError(phoneProblems[err.reason] ?? 'the phone number is not valid');
    }
    throw err;
  }
}

function deadline(deps: SubscriberDeps): Date {
  return new Date(Date.now() + (deps.lifecycleTimeoutMs ?? 15_000));
}

function isTimeout(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return true;
  }
  const code = (err as { code?: unknown })?.code;
  // gRPC DEADLINE_EXCEEDED (4) / UNAVAILABLE (14) reach us as ServiceError causes.
  const causeCode = (err as { cause?: { code?: unknown } })?.cause?.code;
  return code === 4 || code === 14 || causeCode === 4 || causeCode === 14;
}

/**
 * A number that opted out (or is on the suppression list) needs fresh consent:
 * consent given after the opt-out. Older consent evidence is what the person
 * already withdrew, so presenting it again is refused.
 */
async function staleConsentReason(db: Db, programId: string, hash: string, consentAt: Date, optedOutAt: Date | null): Promise<string | null> {
  const suppressions = await db.suppression.findMany({ where: { phoneHash: hash, programId: { in: [programId, '*'] } }, orderBy: { createdAt: 'desc' } });
  const latest = [optedOutAt, ...suppressions.map((s) => s.createdAt)].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
  if (latest && consentAt.getTime() <= latest.getTime()) {
    return `suppressed: the number opted out or was suppressed at ${latest.toISOString()}; only consent given after that counts`;
  }
  return null;
}

function evidenceOf(input: OptInInput, callerKeyId: string) {
  const disclosureVersion =
    input.disclosureVersion ?? `text-sha256:${createHash('sha256').update(input.disclosureText ?? '').digest('hex').slice(0, 16)}`;
  const evidence = {
    disclosureVersion,
    ...(input.disclosureText ? { disclosureText: input.disclosureText } : {}),
    ...(input.formRef ? { formRef: input.formRef } : {}),
    ...(input.language ? { language: input.language } : {}),
    ...(input.importedFrom ? { importedFrom: input.importedFrom } : {}),
    apiKeyId: callerKeyId,
  };
  const personal = {
    ...(input.ip ? { ip: input.ip } : {}),
    ...(input.userAgent ? { userAgent: input.userAgent } : {}),
    ...(input.pageUrl ? { pageUrl: input.pageUrl } : {}),
    ...(input.birthdate ? { birthdate: input.birthdate } : {}),
  };
  return { evidence, personal };
}

async function upsertSubscriber(
  db: Db,
  programId: string,
  hash: string,
  e164: string,
  jurisdiction: Jurisdiction,
  input: OptInInput,
): Promise<{ id: string; created: boolean; optedOutAt: Date | null; state: string }> {
  const existing = await db.subscriber.findUnique({ where: { programId_phoneHash: { programId, phoneHash: hash } } });
  if (existing) {
    // The number is the one the hash names; it comes back after an erasure only with new consent.
    await db.subscriber.update({ where: { id: existing.id }, data: { phoneE164: e164, ...(input.language ? { language: input.language } : {}) } });
    return { id: existing.id, created: false, optedOutAt: existing.optedOutAt, state: existing.consentState };
  }
  try {
    const row = await db.subscriber.create({
      data: {
        id: newId('sub'),
        programId,
        phoneHash: hash,
        phoneE164: e164,
        workflowId: subscriberWorkflowId(programId, hash),
        country: jurisdiction.country,
        region: jurisdiction.region,
        zip: input.zip ?? null,
        timeZones: JSON.stringify(jurisdiction.timeZones),
        zoneBasis: jurisdiction.zoneBasis,
        numberType: jurisdiction.numberType,
        language: input.language ?? 'en',
        birthdate: input.birthdate ?? null,
      },
    });
    return { id: row.id, created: true, optedOutAt: null, state: row.consentState };
  } catch (err) {
    if (!isUniqueViolation(err)) {
      throw err;
    }
    // A concurrent opt-in for the same number created it first: join that one.
    return upsertSubscriber(db, programId, hash, e164, jurisdiction, input);
  }
}

/**
 * Opt-in: validate the number, check fresh consent against opt-outs, store the
 * subscriber and the evidence, then ask the subscriber's lifecycle (started
 * here if it is not running) to evaluate and record it.
 */
export async function optIn(
  deps: SubscriberDeps,
  programId: string,
  input: OptInInput,
  request: { requestId: string; callerKeyId: string },
): Promise<OptInOutcome> {
  await getProgramRow(deps.db, programId);
  const { e164, jurisdiction } = parseNumber(input);
  const hash = phoneHash(e164, deps.phoneHashKey);
  const workflowId = subscriberWorkflowId(programId, hash);
  const consentAt = new Date(input.consentAt);

  const existing = await deps.db.subscriber.findUnique({ where: { programId_phoneHash: { programId, phoneHash: hash } } });
  const stale = await staleConsentReason(deps.db, programId, hash, consentAt, existing?.optedOutAt ?? null);
  if (stale) {
    optInsTotal.inc({ source: input.source, outcome: 'refused' });
    throw new OptInRefusedError([stale], existing?.id ?? null, existing?.consentState ?? null);
  }

  const subscriber = await upsertSubscriber(deps.db, programId, hash, e164, jurisdiction, input);
  const evidenceId = await storeEvidence(deps.db, subscriber.id, programId, input, request);
  const result = await askLifecycle(deps, { subscriberId: subscriber.id, programId, phoneHash: hash, country: jurisdiction.country }, {
    requestId: request.requestId,
    source: input.source,
    consentType: input.consentType,
    evidenceId,
    occurredAt: consentAt.toISOString(),
  });

  optInsTotal.inc({ source: input.source, outcome: result.state });
  if (result.state === 'refused') {
    throw new OptInRefusedError(result.refusedReasons, subscriber.id, result.state);
  }
  return { subscriberId: subscriber.id, programId, workflowId, phone: e164, state: result.state, created: subscriber.created };
}

async function storeEvidence(
  db: Db,
  subscriberId: string,
  programId: string,
  input: OptInInput,
  request: { requestId: string; callerKeyId: string },
): Promise<string> {
  const { evidence, personal } = evidenceOf(input, request.callerKeyId);
  // A retry of the same request (same Idempotency-Key) reuses its evidence row.
  const row = await db.optInEvidence.upsert({
    where: { requestId: request.requestId },
    update: {},
    create: {
      id: newId('evd'),
      requestId: request.requestId,
      subscriberId,
      programId,
      source: input.source,
      consentType: input.consentType,
      consentAt: new Date(input.consentAt),
      purchaseAt: input.purchaseAt ? new Date(input.purchaseAt) : null,
      inquiryAt: input.inquiryAt ? new Date(input.inquiryAt) : null,
      language: input.language ?? null,
      evidence: JSON.stringify(evidence),
      personal: JSON.stringify(personal),
    },
  });
  return row.id;
}

async function askLifecycle(
  deps: SubscriberDeps,
  target: { subscriberId: string; programId: string; phoneHash: string; country: string },
  request: { requestId: string; source: ConsentSource; consentType: ConsentType; evidenceId: string; occurredAt: string },
): Promise<OptInResult> {
  const start = new WithStartWorkflowOperation<typeof subscriberLifecycle>('subscriberLifecycle', {
    ...lifecycleStartOptions({ ...target, taskQueue: deps.taskQueue }),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    return await deps.client.withDeadline(deadline(deps), () =>
      deps.client.workflow.executeUpdateWithStart(optInUpdate, { args: [request], updateId: `opt-in-${request.requestId}`, startWorkflowOperation: start }),
    );
  } catch (err) {
    if (isTimeout(err)) {
      throw new LifecycleUnavailableError(
        'the subscriber lifecycle did not answer in time; the opt-in is stored and will be processed when a worker is available — retry with the same Idempotency-Key to get its result',
      );
    }
    throw err;
  }
}

export interface SubscriberView {
  id: string;
  programId: string;
  workflowId: string;
  phone: string | null;
  state: string;
  consentType: string | null;
  consentSource: string | null;
  consentAt: Date | null;
  confirmedAt: Date | null;
  optedOutAt: Date | null;
  consentExpiresAt: string | null;
  language: string;
  jurisdiction: Jurisdiction;
  nextMarketingSendAt: Date | null;
  nextMarketingSendRule: string | null;
  pending: PendingText[];
  live: boolean;
  createdAt: Date;
  updatedAt: Date;
}

type SubscriberRow = NonNullable<Awaited<ReturnType<Db['subscriber']['findUnique']>>>;

function jurisdictionOf(row: SubscriberRow): Jurisdiction {
  let zones: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.timeZones);
    zones = Array.isArray(parsed) ? parsed.filter((z): z is string => typeof z === 'string') : [];
  } catch {
    zones = [];
  }
  const basis = row.zoneBasis;
  return {
    country: row.country,
    region: row.region,
    numberType: row.numberType,
    timeZones: zones,
    zoneBasis: basis === 'number' || basis === 'zip' || basis === 'region' || basis === 'country' ? basis : 'strictest',
  };
}

async function subscriberRow(db: Db, programId: string, subscriberId: string): Promise<SubscriberRow> {
  const row = await db.subscriber.findUnique({ where: { id: subscriberId } });
  if (!row || row.programId !== programId) {
    throw new NotFoundError('subscriber', subscriberId);
  }
  return row;
}

async function liveState(deps: SubscriberDeps, workflowId: string): Promise<LifecycleState | null> {
  try {
    const handle = deps.client.workflow.getHandle(workflowId);
    return await deps.client.withDeadline(new Date(Date.now() + 3_000), () => handle.query(stateQuery));
  } catch {
    // Not running, or not answering: the database row is the record.
    return null;
  }
}

/** When a marketing text could go now, and the rule that says so. */
async function nextMarketingSend(deps: SubscriberDeps, row: SubscriberRow, state: string): Promise<{ at: Date | null; rule: string | null }> {
  const type = row.consentType as ConsentType | null;
  const givenAt = row.confirmedAt ?? row.consentAt;
  if (state !== 'active' || !type || !givenAt) {
    return { at: null, rule: `consent-${state}` };
  }
  const now = deps.now();
  const jurisdiction = jurisdictionOf(row);
  const consent = { type, givenAt, purchaseAt: row.purchaseAt, inquiryAt: row.inquiryAt };
  const decision = canSend('marketing', consent, jurisdiction, now);
  if (!decision.ok) {
    return { at: null, rule: decision.rule };
  }
  const program = toProgramRules(await getProgramRow(deps.db, row.programId));
  const capHours = program.frequencyCap?.perHours ?? 24 * 7;
  const sent = await deps.db.outboundMessage.findMany({
    where: { subscriberId: row.id, kind: 'marketing', sentAt: { gte: new Date(now.getTime() - capHours * 3_600_000) } },
    select: { sentAt: true },
  });
  const plan = planSend(now, { recipient: jurisdiction, program, kind: 'marketing', sentMarketingAt: sent.flatMap((s) => (s.sentAt ? [s.sentAt] : [])) });
  return { at: plan.at, rule: plan.rule };
}

export async function getSubscriber(deps: SubscriberDeps, programId: string, subscriberId: string): Promise<SubscriberView> {
  const row = await subscriberRow(deps.db, programId, subscriberId);
  const live = await liveState(deps, row.workflowId);
  const state = live?.consentState ?? row.consentState;
  const next = await nextMarketingSend(deps, row, state);
  return {
    id: row.id,
    programId: row.programId,
    workflowId: row.workflowId,
    phone: row.phoneE164,
    state,
    consentType: live?.consentType ?? row.consentType,
    consentSource: row.consentSource,
    consentAt: row.consentAt,
    confirmedAt: row.confirmedAt,
    optedOutAt: row.optedOutAt,
    consentExpiresAt: live?.consentExpiresAt ?? null,
    language: row.language,
    jurisdiction: jurisdictionOf(row),
    nextMarketingSendAt: next.at,
    nextMarketingSendRule: next.rule,
    pending: live?.pending ?? [],
    live: live !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export interface SubscriberFilter {
  state?: string | undefined;
  country?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export async function listSubscribers(db: Db, programId: string, filter: SubscriberFilter) {
  await getProgramRow(db, programId);
  const rows = await db.subscriber.findMany({
    where: {
      programId,
      ...(filter.state ? { consentState: filter.state } : {}),
      ...(filter.country ? { country: filter.country } : {}),
      ...(filter.cursor ? { id: { gt: filter.cursor } } : {}),
    },
    orderBy: { id: 'asc' },
    take: filter.limit + 1,
  });
  const items = rows.slice(0, filter.limit);
  return { items, nextCursor: rows.length > filter.limit ? (items.at(-1)?.id ?? null) : null };
}

/** Customer-service opt-out: returns once the lifecycle has written the ledger event. */
export async function optOut(
  deps: SubscriberDeps,
  programId: string,
  subscriberId: string,
  request: { requestId: string; reason: string },
): Promise<{ subscriberId: string; state: string; ledgerEventId: string | null }> {
  const row = await subscriberRow(deps.db, programId, subscriberId);
  const handle = deps.client.workflow.getHandle(row.workflowId);
  try {
    const result = await deps.client.withDeadline(deadline(deps), () =>
      handle.executeUpdate(optOutUpdate, { args: [{ requestId: request.requestId, source: 'api', reason: request.reason }], updateId: `opt-out-${request.requestId}` }),
    );
    if (result.ledgerEventId) {
      optOutsTotal.inc({ source: 'api' });
    }
    return { subscriberId, state: result.state, ledgerEventId: result.ledgerEventId };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new LifecycleUnavailableError(`subscriber ${subscriberId} has no running lifecycle to record the opt-out`);
    }
    if (err instanceof WorkflowUpdateFailedError) {
      throw new LifecycleUnavailableError(`the lifecycle refused the opt-out: ${err.cause?.message ?? err.message}`);
    }
    if (isTimeout(err)) {
      throw new LifecycleUnavailableError('the subscriber lifecycle did not answer in time; retry with the same Idempotency-Key');
    }
    throw err;
  }
}
