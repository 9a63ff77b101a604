// Test data and a worker for the subscriber lifecycle: programs and subscribers
// built with overrides, a carrier that records what it was asked to send, and
// a worker running the real activities against a real Temporal server.
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../src/activities/index.js';
import { withConsentGuard } from '../../src/activities/lifecycle/consent-guard.js';
import { senderKey } from '../../src/carriers/sender.js';
import { CarrierError, type Carrier, type CarrierMessage, type OutboundRequest } from '../../src/carriers/types.js';
import type { Db } from '../../src/db/client.js';
import { phoneHash } from '../../src/identity.js';
import { sendTaskQueue } from '../../src/temporal/shared.js';
import { lifecycleStartOptions } from '../../src/workflows/start-options.js';
import {
  inboundSignal,
  optInUpdate,
  type InboundSignal,
  type OptInRequest,
  type OptInResult,
} from '../../src/workflows/messages.js';
import type { subscriberLifecycle } from '../../src/workflows/subscriber.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PHONE_HASH_KEY = 'lifecycle-test-phone-hash-key';
export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

type ProgramRow = Awaited<ReturnType<Db['program']['create']>>;
type SubscriberRow = Awaited<ReturnType<Db['subscriber']['create']>>;
type ProgramData = Parameters<Db['program']['create']>[0]['data'];
type SubscriberData = Parameters<Db['subscriber']['create']>[0]['data'];

export async function buildProgram(db: Db, overrides: Partial<ProgramData> = {}): Promise<ProgramRow> {
  return db.program.create({
    data: {
      id: `prg_${randomUUID().slice(0, 8)}`,
      brandName: 'Harbor Coffee',
      name: 'Harbor Coffee Deals',
      description: 'weekly coffee deals',
      frequencyText: 'Up to 4 msgs/month',
      helpContact: 'help@harbor.example',
      termsUrl: 'https://harbor.example/terms',
      termsVersion: '2026-01',
      privacyUrl: 'https://harbor.example/privacy',
      privacyVersion: '2026-01',
      senderType: 'simulated',
      allowedCountries: JSON.stringify(['US', 'CA']),
      languages: JSON.stringify(['en']),
      ...overrides,
    },
  });
}

const AREA_CODES = ['202', '312', '305', '415', '617', '713', '206', '404'];
let phoneCounter = 0;

/** A fictional 555-01XX number, unique within the test process (800 of them). */
export function nextPhone(): string {
  const n = phoneCounter++;
  return `+1${AREA_CODES[Math.floor(n / 100) % AREA_CODES.length]}55501${String(n % 100).padStart(2, '0')}`;
}

export async function buildSubscriber(
  db: Db,
  program: ProgramRow,
  overrides: Partial<SubscriberData> = {},
): Promise<SubscriberRow> {
  const phone = typeof overrides.phoneE164 === 'string' ? overrides.phoneE164 : nextPhone();
  const hash = phoneHash(phone, PHONE_HASH_KEY);
  const start = lifecycleStartOptions({ programId: program.id, subscriberId: 'x', phoneHash: hash, country: 'US', taskQueue: 'x' });
  return db.subscriber.create({
    data: {
      id: `sub_${randomUUID().slice(0, 8)}`,
      programId: program.id,
      phoneE164: phone,
      phoneHash: hash,
      workflowId: start.workflowId,
      country: 'US',
      region: 'US-NY',
      timeZones: JSON.stringify(['America/New_York']),
      zoneBasis: 'number',
      numberType: 'mobile',
      language: 'en',
      ...overrides,
    } as SubscriberData,
  });
}

/**
 * A fixed-offset zone where it is early afternoon right now: dev-server tests
 * run in real time, so their subscribers live where texts may go whenever CI runs.
 */
export function daytimeZone(now = new Date()): string {
  return zoneAtLocalHour(13, now);
}

/** A fixed-offset zone where it is 2 in the morning right now: texts there are held. */
export function nighttimeZone(now = new Date()): string {
  return zoneAtLocalHour(2, now);
}

function zoneAtLocalHour(hour: number, now: Date): string {
  let offset = hour - now.getUTCHours();
  if (offset > 14) {
    offset -= 24;
  }
  if (offset < -12) {
    offset += 24;
  }
  // POSIX-style names invert the sign: Etc/GMT-3 is UTC+3.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

export interface SentText {
  to: string;
  body: string;
  providerSid: string;
  /** Temporal time of the send (server time on the time-skipping server). */
  at: Date;
  /** Wall-clock time the carrier accepted it. */
  acceptedAt: Date;
}

/**
 * Records every text it accepts; can answer slowly (after accepting, as a
 * busy carrier API does), or refuse a number as the carrier does after a STOP.
 */
export class RecordingCarrier implements Carrier {
  readonly name = 'simulated' as const;
  readonly sent: SentText[] = [];
  answerDelayMs = 0;
  readonly optedOut = new Set<string>();

  async send(req: OutboundRequest): Promise<CarrierMessage> {
    if (this.optedOut.has(req.to)) {
      throw new CarrierError('recipient unsubscribed', '21610', 400, null);
    }
    const providerSid = `SM${randomUUID().replace(/-/g, '')}`;
    const acceptedAt = new Date();
    this.sent.push({ to: req.to, body: req.body, providerSid, at: temporalNow(), acceptedAt });
    if (this.answerDelayMs > 0) {
      await new Promise((r) => setTimeout(r, this.answerDelayMs));
    }
    return { providerSid, status: 'queued', errorCode: null, to: req.to, body: req.body, createdAt: acceptedAt };
  }

  async fetch(): Promise<CarrierMessage | null> {
    return null;
  }

  async findSent(): Promise<CarrierMessage | null> {
    return null;
  }

  to(phone: string): SentText[] {
    return this.sent.filter((t) => t.to === phone);
  }
}

/** Inside an activity: the server's time for this attempt (skipped time on the time-skipping server). */
export function temporalNow(): Date {
  try {
    return new Date(Context.current().info.currentAttemptScheduledTimestampMs);
  } catch {
    return new Date();
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;

function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: resolve(root, 'src/workflows/index.ts'), logger: silentBundlerLogger });
  return bundle;
}

const silentBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface LifecycleHarness {
  env: TestWorkflowEnvironment;
  db: Db;
  carrier: RecordingCarrier;
  taskQueue: string;
  stop(): Promise<void>;
}

/** A workflow worker and a send worker (the simulated sender's queue) with the real activities. */
export async function startLifecycleWorker(env: TestWorkflowEnvironment, db: Db): Promise<LifecycleHarness> {
  const carrier = new RecordingCarrier();
  const taskQueue = `lifecycle-${randomUUID().slice(0, 8)}`;
  const activities = createActivities({
    db,
    carrier: withConsentGuard(carrier, db),
    client: env.client,
    logger: pino({ level: 'silent' }),
    phoneHashKey: PHONE_HASH_KEY,
    publicBaseUrl: 'http://127.0.0.1:9',
    taskQueue,
    now: temporalNow,
  });
  const sendQueue = sendTaskQueue(taskQueue, senderKey({ senderType: 'simulated', senderValue: null, messagesPerSecond: null }));
  const workers = [
    await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities }),
    await Worker.create({ connection: env.nativeConnection, taskQueue: sendQueue, activities }),
  ];
  const running = workers.map((w) => w.run());
  return {
    env,
    db,
    carrier,
    taskQueue,
    async stop() {
      for (const w of workers) {
        w.shutdown();
      }
      await Promise.all(running);
    },
  };
}

export function startOptions(h: LifecycleHarness, subscriber: SubscriberRow) {
  return lifecycleStartOptions({
    programId: subscriber.programId,
    subscriberId: subscriber.id,
    phoneHash: subscriber.phoneHash,
    country: subscriber.country,
    taskQueue: h.taskQueue,
  });
}

export async function startLifecycle(
  h: LifecycleHarness,
  subscriber: SubscriberRow,
  extra: { maxHistoryLength?: number } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof subscriberLifecycle>> {
  const options = startOptions(h, subscriber);
  return h.env.client.workflow.start('subscriberLifecycle', {
    ...options,
    args: [{ ...options.args[0], ...extra }],
  }) as Promise<WorkflowHandleWithFirstExecutionRunId<typeof subscriberLifecycle>>;
}

/** Stores the opt-in's evidence as the API does, then sends the optIn update. */
export async function optIn(
  h: LifecycleHarness,
  handle: WorkflowHandle,
  subscriber: SubscriberRow,
  overrides: Partial<OptInRequest> & { inquiryAt?: Date; purchaseAt?: Date } = {},
): Promise<OptInResult> {
  const requestId = overrides.requestId ?? `req_${randomUUID().slice(0, 8)}`;
  const evidenceId = `ev_${randomUUID().slice(0, 8)}`;
  const occurredAt = overrides.occurredAt ?? new Date(await h.env.currentTimeMs()).toISOString();
  const source = overrides.source ?? 'web_form';
  const consentType = overrides.consentType ?? 'express_written';
  const earlier = await h.db.optInEvidence.findUnique({ where: { requestId } });
  if (earlier) {
    // A retried request: the API would find its own evidence row again.
    return handle.executeUpdate(optInUpdate, {
      args: [{ requestId, source, consentType, evidenceId: earlier.id, occurredAt: earlier.consentAt.toISOString() }],
      updateId: requestId,
    });
  }
  await h.db.optInEvidence.create({
    data: {
      id: evidenceId,
      requestId,
      subscriberId: subscriber.id,
      programId: subscriber.programId,
      source,
      consentType,
      consentAt: new Date(occurredAt),
      purchaseAt: overrides.purchaseAt ?? null,
      inquiryAt: overrides.inquiryAt ?? null,
      evidence: JSON.stringify({ disclosureVersion: '2026-01', formRef: 'signup-footer' }),
      personal: JSON.stringify({ ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)', pageUrl: 'https://harbor.example/join' }),
    },
  });
  return handle.executeUpdate(optInUpdate, {
    args: [{ requestId, source, consentType, evidenceId, occurredAt }],
    updateId: requestId,
  });
}

/** Stores an inbound text as the webhook does and signals its classification. */
export async function reply(
  h: LifecycleHarness,
  handle: WorkflowHandle,
  subscriber: SubscriberRow,
  body: string,
  signal: Partial<InboundSignal> & Pick<InboundSignal, 'keyword'>,
): Promise<string> {
  const id = `in_${randomUUID().slice(0, 8)}`;
  await h.db.inboundMessage.create({
    data: {
      id,
      providerSid: `SM${randomUUID().replace(/-/g, '')}`,
      programId: subscriber.programId,
      subscriberId: subscriber.id,
      fromHash: subscriber.phoneHash,
      body,
      keyword: signal.keyword,
    },
  });
  await handle.signal(inboundSignal, { inboundId: id, ambiguous: false, carrierOptOut: null, ...signal });
  return id;
}

/** Polls until the check passes (work finishing in real time after a signal or a time skip). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() - started > timeoutMs) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function ledgerTypes(db: Db, subscriberId: string): Promise<string[]> {
  const events = await db.consentEvent.findMany({ where: { subscriberId }, orderBy: { seq: 'asc' } });
  return events.map((e) => e.type);
}

export async function outbound(db: Db, subscriberId: string) {
  return db.outboundMessage.findMany({ where: { subscriberId }, orderBy: { createdAt: 'asc' } });
}
