// Twilio's calls into consentline: inbound texts and delivery receipts. Every
// request passes the signature check first (the simulator signs its calls with
// its own secret, so the same check runs without a Twilio account); a request
// that fails it leaves no trace. Each effect is keyed on Twilio's IDs, so a
// webhook delivered twice acts once. Phone numbers and bodies stay in the
// database; the lifecycle gets IDs and the classified keyword.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { carrierReason } from '../carriers/send-policy.js';
import { senderConfig, SIMULATED_FROM } from '../carriers/sender.js';
import { newMessageSid, signedForm, SIMULATED_ACCOUNT_SID } from '../carriers/simulated.js';
import { rowStatusOf, statusesBefore } from '../carriers/status.js';
import { inboundWebhookUrl, WEBHOOK_PATHS } from '../carriers/webhook-paths.js';
import { InvalidPhoneError, parsePhone, resolveJurisdiction } from '../compliance/jurisdiction.js';
import { classifyInbound } from '../compliance/keywords.js';
import type { KeywordMatch, ProgramKeywords } from '../compliance/types.js';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { newId } from '../domain/ids.js';
import { phoneHash } from '../identity.js';
import type { Logger } from '../logger.js';
import { searchAttributes, subscriberWorkflowId } from '../temporal/shared.js';
import { carrierEventSignal, inboundSignal, type InboundSignal, type LifecycleInput } from '../workflows/messages.js';
import { ApiProblem, validationProblem } from './errors.js';
import { requireTwilioSignature, webhookBodyParsers } from './twilio-signature.js';

export interface WebhookConfig {
  /** Public base URL of the app, as Twilio reaches it (scheme, host, port, path prefix). */
  publicBaseUrl: string;
  twilioAuthToken: string | null;
  /** Secret the simulated carrier signs with; used when no Twilio auth token is set. */
  simulatorSecret?: string | null;
  phoneHashKey: string;
  taskQueue: string;
  /** The exact webhook URLs entered in Twilio, when a proxy maps them to other paths. */
  webhookUrls?: { inbound?: string; status?: string };
}

export interface WebhookRouterDeps {
  db: Db;
  client: Client;
  logger: Logger;
  config: WebhookConfig;
}

const LIFECYCLE_WORKFLOW = 'subscriberLifecycle';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
/** Carrier errors that mean the person no longer accepts texts from us. */
const OPT_OUT_ERRORS = new Set(['21610', '30004']);

const messageSid = z.string().regex(/^[A-Z]{2}[0-9a-fA-F]{32}$/, 'must be a Twilio message SID');

const inboundForm = z.object({
  MessageSid: messageSid,
  From: z.string().min(1),
  To: z.string().min(1),
  Body: z.string().default(''),
  MessagingServiceSid: z.string().optional(),
  OptOutType: z.string().optional(),
  NumMedia: z.coerce.number().int().min(0).default(0),
});
type InboundForm = z.infer<typeof inboundForm>;

const statusForm = z.object({
  MessageSid: messageSid,
  MessageStatus: z.string().min(1),
  ErrorCode: z.string().optional(),
});

export function webhookSecret(config: Pick<WebhookConfig, 'twilioAuthToken' | 'simulatorSecret'>): string {
  const secret = config.twilioAuthToken ?? config.simulatorSecret;
  if (!secret) {
    throw new Error('webhooks need TWILIO_AUTH_TOKEN or the simulator secret: they are never accepted unsigned');
  }
  return secret;
}

function parseForm<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const parsed = schema.safeParse(req.body);
  if (!parsed.success) {
    throw validationProblem(parsed.error, 'webhook form');
  }
  return parsed.data;
}

export function createWebhookRouter(deps: WebhookRouterDeps): Router {
  const { config } = deps;
  const secret = webhookSecret(config);
  const signedUrl = (kind: 'inbound' | 'status') => (req: Request) => config.webhookUrls?.[kind] ?? `${config.publicBaseUrl.replace(/\/$/, '')}${req.originalUrl}`;
  const router = Router();

  router.post(WEBHOOK_PATHS.inbound, ...webhookBodyParsers(), requireTwilioSignature({ secret, signedUrl: signedUrl('inbound') }), async (req, res) => {
    await receiveInbound(deps, parseForm(inboundForm, req));
    replyEmpty(res);
  });
  router.post(WEBHOOK_PATHS.status, ...webhookBodyParsers(), requireTwilioSignature({ secret, signedUrl: signedUrl('status') }), async (req, res) => {
    const form = parseForm(statusForm, req);
    await receiveStatus(deps, form.MessageSid, form.MessageStatus, form.ErrorCode || null);
    res.status(204).end();
  });
  return router;
}

/** The lifecycle sends any reply through the normal send path, so Twilio gets an empty answer. */
function replyEmpty(res: Response): void {
  res.status(200).type('text/xml').send(EMPTY_TWIML);
}

// ---------------------------------------------------------------- inbound

async function receiveInbound(deps: WebhookRouterDeps, form: InboundForm): Promise<void> {
  const { db, logger } = deps;
  const existing = await db.inboundMessage.findUnique({ where: { providerSid: form.MessageSid } });
  if (existing?.processedAt) {
    logger.info({ inboundId: existing.id }, 'duplicate inbound webhook ignored');
    return;
  }
  const e164 = numberOf(form.From);
  const hash = e164 ? phoneHash(e164, deps.config.phoneHashKey) : null;
  const program = await programFor(db, form, hash);
  const match = classifyInbound(form.Body, program ? programKeywords(program.keywords) : undefined);
  const subscriber = program && e164 && hash ? await findOrCreateSubscriber(db, program.id, e164, hash, match) : null;
  // A sender that is no phone number (short code, channel address) is still kept only as a keyed hash.
  const fromHash = hash ?? phoneHash(form.From, deps.config.phoneHashKey);
  const inbound = existing ?? (await storeInbound(db, form, { programId: program?.id ?? null, subscriberId: subscriber?.id ?? null, fromHash, match }));

  if (subscriber && program) {
    await deliverInbound(deps, subscriber, program.id, {
      inboundId: inbound.id,
      keyword: match.kind,
      ambiguous: match.ambiguous,
      carrierOptOut: carrierOptOut(form.OptOutType),
    });
  } else {
    logger.warn({ inboundId: inbound.id, programFound: program !== null, numberValid: e164 !== null }, 'inbound text matches no subscriber of a program');
  }
  await db.inboundMessage.update({ where: { id: inbound.id }, data: { processedAt: new Date() } });
}

/** The sender as E.164, or null for what cannot be a subscriber (short codes, channel addresses). */
function numberOf(from: string): string | null {
  try {
    return parsePhone(from).e164;
  } catch (err) {
    if (err instanceof InvalidPhoneError) {
      return null;
    }
    throw err;
  }
}

function carrierOptOut(value: string | undefined): InboundSignal['carrierOptOut'] {
  const upper = value?.toUpperCase();
  return upper === 'STOP' || upper === 'START' || upper === 'HELP' ? upper : null;
}

function programKeywords(json: string): ProgramKeywords | undefined {
  try {
    return JSON.parse(json) as ProgramKeywords;
  } catch {
    return undefined;
  }
}

type ProgramRow = { id: string; keywords: string };

/**
 * The program the text was sent to, by its number or Messaging Service. When
 * programs share a sender, the one this person already belongs to wins, then
 * the oldest.
 */
async function programFor(db: Db, form: InboundForm, hash: string | null): Promise<ProgramRow | null> {
  const senders = [form.To, form.MessagingServiceSid].filter((v): v is string => Boolean(v));
  // A simulated program without a number of its own sends from SIMULATED_FROM.
  const simulatedDefault = senders.includes(SIMULATED_FROM) ? [{ senderType: 'simulated', senderValue: null }] : [];
  const programs = await db.program.findMany({
    where: { OR: [{ senderValue: { in: senders } }, ...simulatedDefault] },
    orderBy: { createdAt: 'asc' },
    select: { id: true, keywords: true },
  });
  if (programs.length <= 1 || !hash) {
    return programs[0] ?? null;
  }
  const member = await db.subscriber.findFirst({
    where: { phoneHash: hash, programId: { in: programs.map((p) => p.id) } },
    orderBy: { updatedAt: 'desc' },
    select: { programId: true },
  });
  return programs.find((p) => p.id === member?.programId) ?? programs[0] ?? null;
}

type SubscriberRow = { id: string; workflowId: string; country: string };

async function findOrCreateSubscriber(db: Db, programId: string, e164: string, hash: string, match: KeywordMatch): Promise<SubscriberRow> {
  const select = { id: true, workflowId: true, country: true } as const;
  const existing = await db.subscriber.findUnique({ where: { programId_phoneHash: { programId, phoneHash: hash } }, select });
  if (existing) {
    return existing;
  }
  const jurisdiction = resolveJurisdiction(e164);
  try {
    return await db.subscriber.create({
      data: {
        id: newId('sub'),
        programId,
        phoneHash: hash,
        phoneE164: e164,
        workflowId: subscriberWorkflowId(programId, hash),
        country: jurisdiction.country,
        region: jurisdiction.region,
        timeZones: JSON.stringify(jurisdiction.timeZones),
        zoneBasis: jurisdiction.zoneBasis,
        numberType: jurisdiction.numberType,
        // A keyword in Spanish or French is the best hint of the language to answer in.
        language: match.language ?? 'en',
      },
      select,
    });
  } catch (err) {
    if (!isUniqueViolation(err)) {
      throw err;
    }
    // The same person's other text (or an API opt-in) created it first.
    return db.subscriber.findUniqueOrThrow({ where: { programId_phoneHash: { programId, phoneHash: hash } }, select });
  }
}

async function storeInbound(
  db: Db,
  form: InboundForm,
  refs: { programId: string | null; subscriberId: string | null; fromHash: string; match: KeywordMatch },
): Promise<{ id: string }> {
  try {
    return await db.inboundMessage.create({
      data: {
        id: newId('in'),
        providerSid: form.MessageSid,
        programId: refs.programId,
        subscriberId: refs.subscriberId,
        fromHash: refs.fromHash,
        toNumber: form.To,
        body: form.Body,
        keyword: refs.match.kind,
        optOutType: form.OptOutType ?? null,
        numMedia: form.NumMedia,
      },
      select: { id: true },
    });
  } catch (err) {
    if (!isUniqueViolation(err)) {
      throw err;
    }
    // The same webhook arriving twice at once: the other request stored it.
    return db.inboundMessage.findUniqueOrThrow({ where: { providerSid: form.MessageSid }, select: { id: true } });
  }
}

/** Signal-with-start: a keyword opt-in from a new number starts its lifecycle. */
async function deliverInbound(deps: WebhookRouterDeps, subscriber: SubscriberRow, programId: string, signal: InboundSignal): Promise<void> {
  const input: LifecycleInput = { subscriberId: subscriber.id, programId };
  await deps.client.workflow.signalWithStart(LIFECYCLE_WORKFLOW, {
    workflowId: subscriber.workflowId,
    taskQueue: deps.config.taskQueue,
    args: [input],
    signal: inboundSignal,
    signalArgs: [signal],
    typedSearchAttributes: [
      { key: searchAttributes.program, value: programId },
      { key: searchAttributes.consentState, value: 'new' },
      { key: searchAttributes.country, value: subscriber.country },
    ],
  });
  deps.logger.info({ inboundId: signal.inboundId, subscriberId: subscriber.id, keyword: signal.keyword }, 'inbound text delivered to the lifecycle');
}

// ---------------------------------------------------------------- status

export async function receiveStatus(deps: WebhookRouterDeps, providerSid: string, messageStatus: string, errorCode: string | null): Promise<void> {
  const { db, logger } = deps;
  const seen = await db.deliveryReceipt.findUnique({ where: { providerSid_status: { providerSid, status: messageStatus } } });
  if (seen) {
    logger.info({ providerSid, status: messageStatus }, 'duplicate status callback ignored');
    return;
  }
  const message = await db.outboundMessage.findUnique({
    where: { providerSid },
    select: { id: true, subscriber: { select: { workflowId: true } } },
  });
  if (message) {
    await advance(db, message.id, messageStatus, errorCode);
    if (errorCode && OPT_OUT_ERRORS.has(errorCode)) {
      await signalCarrierEvent(deps, message.subscriber.workflowId, message.id, errorCode);
    }
  } else {
    logger.warn({ providerSid, status: messageStatus }, 'status callback for a message consentline did not send');
  }
  // Recorded last: if the signal above failed, Twilio's retry finds no receipt and tries again.
  try {
    await db.deliveryReceipt.create({ data: { id: newId('dlr'), providerSid, status: messageStatus, errorCode } });
  } catch (err) {
    if (!isUniqueViolation(err)) {
      throw err;
    }
  }
}

async function advance(db: Db, messageId: string, messageStatus: string, errorCode: string | null): Promise<void> {
  const next = rowStatusOf(messageStatus);
  if (!next) {
    return;
  }
  await db.outboundMessage.updateMany({
    where: { id: messageId, status: { in: statusesBefore(next) } },
    data: { status: next, ...(errorCode ? { errorCode, errorReason: carrierReason(errorCode) } : {}) },
  });
}

async function signalCarrierEvent(deps: WebhookRouterDeps, workflowId: string, messageId: string, errorCode: string): Promise<void> {
  try {
    await deps.client.workflow.getHandle(workflowId).signal(carrierEventSignal, { messageId, errorCode });
    deps.logger.info({ messageId, errorCode }, 'carrier opt-out signal delivered to the lifecycle');
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) {
      throw err;
    }
    // No running lifecycle (erased or ended): the message row keeps the code for the record.
    deps.logger.warn({ messageId, errorCode }, 'carrier opt-out for a subscriber with no running lifecycle');
  }
}

// ---------------------------------------------------------------- simulator

export interface SimulatorRouterDeps {
  db: Db;
  logger: Logger;
  config: { publicBaseUrl: string; simulatorSecret: string };
}

const simReply = z.object({
  /** The subscriber's number, as they would text from it. */
  from: z.string().min(3).max(32),
  body: z.string().max(1600),
  /** The program's number or Messaging Service SID; defaults to whoever last texted `from`. */
  to: z.string().min(3).max(64).optional(),
});

const simOutbox = z.object({
  to: z.string().min(3).max(32).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * The simulated carrier's handset side, mounted only when no Twilio account is
 * configured: a person replies as a subscriber (POST /sim/reply), and the
 * outbox shows what the carrier "delivered" (GET /sim/outbox). A reply is sent
 * to the inbound webhook exactly as Twilio would send it, signed.
 */
export function createSimulatorRouter(deps: SimulatorRouterDeps): Router {
  const router = Router();
  // The handset side can fake a subscriber's reply and shows whole numbers and
  // bodies: it answers only callers on this machine.
  router.use('/sim', (req, _res, next) => {
    const from = req.socket.remoteAddress ?? '';
    if (!/^(127\.|::1$|::ffff:127\.)/.test(from)) {
      throw new ApiProblem('forbidden', 'the simulated carrier answers only on this machine (loopback)');
    }
    next();
  });
  router.post('/sim/reply', express.json({ limit: '16kb' }), async (req, res) => {
    const input = simReply.safeParse(req.body);
    if (!input.success) {
      throw validationProblem(input.error, 'request body');
    }
    const result = await simulateReply(deps, input.data);
    res.status(result.httpStatus < 300 ? 202 : 502).json(result);
  });
  router.get('/sim/outbox', async (req, res) => {
    const query = simOutbox.safeParse(req.query);
    if (!query.success) {
      throw validationProblem(query.error, 'query');
    }
    const to = query.data.to ? (numberOf(query.data.to) ?? query.data.to) : undefined;
    const rows = await deps.db.simulatedMessage.findMany({ where: to ? { toNumber: to } : {}, orderBy: { createdAt: 'desc' }, take: query.data.limit });
    res.json({ messages: rows.map((r) => ({ sid: r.sid, to: r.toNumber, from: r.fromValue, body: r.body, status: r.status, createdAt: r.createdAt.toISOString() })) });
  });
  return router;
}

async function simulateReply(deps: SimulatorRouterDeps, input: z.infer<typeof simReply>): Promise<{ messageSid: string; httpStatus: number }> {
  const from = numberOf(input.from) ?? input.from;
  const to = input.to ?? (await lastSenderTo(deps.db, from));
  const params: Record<string, string> = {
    MessageSid: newMessageSid(),
    AccountSid: SIMULATED_ACCOUNT_SID,
    From: from,
    Body: input.body,
    NumMedia: '0',
    NumSegments: '1',
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
    ...(to.startsWith('MG') ? { MessagingServiceSid: to, To: SIMULATED_FROM } : { To: to }),
  };
  params.SmsSid = params.MessageSid!;
  const url = inboundWebhookUrl(deps.config.publicBaseUrl);
  const { body, headers } = signedForm(deps.config.simulatorSecret, url, params);
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(15_000) });
  deps.logger.info({ providerSid: params.MessageSid, httpStatus: res.status }, 'simulated reply delivered to the inbound webhook');
  return { messageSid: params.MessageSid!, httpStatus: res.status };
}

/** Who the person would be answering: the sender of their latest text, else the oldest program's sender. */
async function lastSenderTo(db: Db, to: string): Promise<string> {
  const last = await db.simulatedMessage.findFirst({ where: { toNumber: to }, orderBy: { createdAt: 'desc' }, select: { fromValue: true } });
  if (last) {
    return last.fromValue;
  }
  const program = await db.program.findFirst({ orderBy: { createdAt: 'asc' }, select: { senderType: true, senderValue: true, messagesPerSecond: true } });
  if (!program) {
    throw new ApiProblem('not-found', 'no program exists to reply to');
  }
  const sender = senderConfig(program);
  return sender.type === 'messaging_service' ? sender.messagingServiceSid : sender.from;
}
