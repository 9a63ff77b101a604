// The subscriber lifecycle's activities: every database read and write the
// workflow needs. Arguments and results carry IDs, states and rule names only;
// numbers and bodies are read and written here and never handed back.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { canSend, consentExpiresAt, evaluateOptIn, planSend } from '../compliance/index.js';
import { consentCategoryOf, isHeldByWindows } from '../compliance/kinds.js';
import type { ConsentType, MessageKind } from '../compliance/types.js';
import type { Db } from '../db/client.js';
import { senderKey } from '../carriers/sender.js';
import { appendConsentEvent, disclosureEvidence, type LedgerEventType } from '../ledger/ledger.js';
import { sendTaskQueue } from '../temporal/shared.js';
import { mayTextGo, type LifecycleSettings } from '../workflows/lifecycle/state.js';
import type { ConsentState, OptInRequest } from '../workflows/messages.js';
import type { ActivityDeps } from './deps.js';
import {
  consentRecordOf,
  consentStateOf,
  consentTypeOf,
  jurisdictionOf,
  languageOf,
  LifecycleDataError,
  programRules,
  settingsOf,
  type ProgramRow,
  type SubscriberRow,
} from './lifecycle/records.js';
import { CONSENT_WITHDRAWN } from './lifecycle/consent-guard.js';
import { disclosureVersion, lintText, renderText } from './lifecycle/texts.js';

export interface SubscriberRef {
  subscriberId: string;
  programId: string;
  workflowId: string;
}

export interface LifecycleProfile {
  consentState: ConsentState;
  consentType: ConsentType | null;
  country: string;
  consentExpiresAt: string | null;
  settings: LifecycleSettings;
}

export interface OptInCommand {
  ref: SubscriberRef;
  request: OptInRequest;
  at: string;
  /** A START after an opt-out: recorded as `resubscribed`. */
  resubscribe: boolean;
}

export interface OptInOutcome {
  state: ConsentState;
  refusedReasons: string[];
  consentType: ConsentType | null;
  consentExpiresAt: string | null;
  settings: LifecycleSettings;
}

export type LedgerEvidence = Record<string, string | number | boolean | null>;

export interface ConsentChange {
  ref: SubscriberRef;
  type: LedgerEventType;
  to: ConsentState;
  /** Unique within the workflow: a retried change is written once. */
  key: string;
  source: string;
  at: string;
  evidence: LedgerEvidence;
}

export interface ConsentChangeOutcome {
  eventId: string;
  consentExpiresAt: string | null;
}

export interface TextRequest {
  ref: SubscriberRef;
  requestId: string;
  kind: MessageKind;
  templateRef: string | null;
  campaignId: string | null;
  deadline: string | null;
  /** Workflow time: the instant the plan is made for. */
  at: string;
  cappedSentAt: string[];
  appendReminder: boolean;
}

export type PreparedText =
  | { status: 'held'; until: string; untilLocal: string; rule: string; reason: string }
  | { status: 'ready'; messageId: string; sendQueue: string }
  | { status: 'skipped'; messageId: string; reason: string };

export interface SkippedText {
  requestId: string;
  kind: MessageKind;
  campaignId: string | null;
}

export type { SendActivities, SendOutcome } from './send.js';

/** Ledger events recorded when a lifecycle text has gone out. */
const SENT_EVENTS: Partial<Record<MessageKind, LedgerEventType>> = {
  confirmation_request: 'confirmation_requested',
  welcome: 'disclosure_sent',
  help: 'help_sent',
  stop_confirmation: 'opt_out_confirmation_sent',
  reminder: 'reminder_sent',
  policy_notice: 'policy_notice_sent',
};

/**
 * Error code on rows the lifecycle decided not to send. The send activity
 * answers a 'skipped' row that has a code with a rejection, never a send.
 */
const SKIPPED = 'skipped';

const CLOSED_STATES: readonly ConsentState[] = ['opted_out', 'expired', 'lapsed', 'refused'];

export function createLifecycleActivities(deps: ActivityDeps) {
  const { db } = deps;

  async function loadProfile({ ref }: { ref: SubscriberRef }): Promise<LifecycleProfile> {
    const { subscriber, program } = await load(db, ref);
    return {
      consentState: consentStateOf(subscriber),
      consentType: consentTypeOf(subscriber.consentType),
      country: subscriber.country,
      consentExpiresAt: expiryOf(subscriber),
      settings: settingsOf(program),
    };
  }

  async function recordOptIn(command: OptInCommand): Promise<OptInOutcome> {
    const { ref, request } = command;
    const { program } = await load(db, ref);
    const settings = settingsOf(program);
    const keys = optInKeys(ref, request.requestId);
    const earlier = await db.consentEvent.findFirst({ where: { eventKey: { in: [keys.accepted, keys.refused] } } });
    if (earlier) {
      return replayedOptIn(ref, earlier.eventKey === keys.refused ? earlier.evidence : null, settings);
    }
    return db.$transaction(async (tx) => {
      const subscriber = await lockSubscriber(tx as Db, ref.subscriberId);
      const stored = await tx.optInEvidence.findUnique({ where: { id: request.evidenceId } });
      const personal = stored ? parseObject(stored.personal) : null;
      const presented = stored ? parseObject(stored.evidence) : {};
      const at = new Date(command.at);
      const verdict = evaluateOptIn(
        {
          source: request.source,
          consentType: request.consentType,
          consentAt: new Date(request.occurredAt),
          ip: stringOr(personal?.ip),
          userAgent: stringOr(personal?.userAgent),
          pageUrl: stringOr(personal?.pageUrl),
          formRef: stringOr(presented.formRef) ?? stringOr(personal?.formRef),
          birthdate: stringOr(personal?.birthdate) ?? subscriber.birthdate,
          purchaseAt: stored?.purchaseAt ?? subscriber.purchaseAt,
          inquiryAt: stored?.inquiryAt ?? subscriber.inquiryAt,
          disclosureVersion: stringOr(presented.disclosureVersion) ?? keywordDisclosure(request, program),
        },
        programRules(program),
        jurisdictionOf(subscriber),
        at,
      );
      const evidence = {
        ...presented,
        requestId: request.requestId,
        evidenceId: request.evidenceId,
        consentSource: request.source,
        consentType: request.consentType,
        doubleOptIn: settings.doubleOptIn,
      };
      const base = { subscriberId: ref.subscriberId, programId: ref.programId, occurredAt: at, source: request.source };
      if (!verdict.ok) {
        await appendConsentEvent(tx as Db, { ...base, eventKey: keys.refused, type: 'opt_in_refused', evidence: { ...evidence, reasons: verdict.reasons } });
        await tx.subscriber.update({ where: { id: ref.subscriberId }, data: { consentState: 'refused' } });
        return { state: 'refused', refusedReasons: verdict.reasons, consentType: null, consentExpiresAt: null, settings };
      }
      const type: LedgerEventType = command.resubscribe ? 'resubscribed' : 'opt_in_requested';
      const hasPersonal = personal !== null && Object.keys(personal).length > 0;
      await appendConsentEvent(tx as Db, { ...base, eventKey: keys.accepted, type, evidence, personal: hasPersonal ? personal : null });
      // An import carries consent the marketer already holds, checked against its original source: no second confirmation.
      const state: ConsentState = settings.doubleOptIn && request.source !== 'import' ? 'pending' : 'active';
      if (state === 'active') {
        await appendConsentEvent(tx as Db, { ...base, eventKey: keys.confirmed, type: 'confirmed', source: 'single_opt_in', evidence: { requestId: request.requestId } });
      }
      const updated = await tx.subscriber.update({
        where: { id: ref.subscriberId },
        data: {
          consentState: state,
          consentType: request.consentType,
          consentSource: request.source,
          consentAt: new Date(request.occurredAt),
          purchaseAt: stored?.purchaseAt ?? subscriber.purchaseAt,
          inquiryAt: stored?.inquiryAt ?? subscriber.inquiryAt,
          confirmedAt: state === 'active' ? at : null,
          optedOutAt: null,
          termsVersion: program.termsVersion,
          privacyVersion: program.privacyVersion,
        },
      });
      return { state, refusedReasons: [], consentType: request.consentType, consentExpiresAt: expiryOf(updated), settings };
    });
  }

  async function replayedOptIn(ref: SubscriberRef, refusedEvidence: string | null, settings: LifecycleSettings): Promise<OptInOutcome> {
    const { subscriber } = await load(db, ref);
    const reasons = refusedEvidence ? ((JSON.parse(refusedEvidence) as { reasons?: string[] }).reasons ?? []) : [];
    return {
      state: consentStateOf(subscriber),
      refusedReasons: reasons,
      consentType: consentTypeOf(subscriber.consentType),
      consentExpiresAt: expiryOf(subscriber),
      settings,
    };
  }

  async function changeConsent(change: ConsentChange): Promise<ConsentChangeOutcome> {
    const { ref } = change;
    const at = new Date(change.at);
    return db.$transaction(async (tx) => {
      await lockSubscriber(tx as Db, ref.subscriberId);
      const event = await appendConsentEvent(tx as Db, {
        subscriberId: ref.subscriberId,
        programId: ref.programId,
        eventKey: `${ref.workflowId}:${change.key}`,
        type: change.type,
        occurredAt: at,
        source: change.source,
        evidence: change.evidence,
      });
      const updated = await tx.subscriber.update({
        where: { id: ref.subscriberId },
        data: { consentState: change.to, ...timestampsFor(change.type, at) },
      });
      if (CLOSED_STATES.includes(change.to)) {
        // Rows prepared but not yet handed to the carrier must not go out now.
        await tx.outboundMessage.updateMany({
          where: { subscriberId: ref.subscriberId, status: 'pending', kind: { notIn: ['stop_confirmation', 'help'] } },
          data: { status: 'skipped', errorCode: CONSENT_WITHDRAWN, errorReason: `consent ${change.to}` },
        });
      }
      return { eventId: event.id, consentExpiresAt: change.to === 'active' ? expiryOf(updated) : null };
    });
  }

  async function prepareText(req: TextRequest): Promise<PreparedText> {
    const messageKey = `${req.ref.workflowId}:${req.requestId}`;
    const existing = await db.outboundMessage.findUnique({ where: { messageKey } });
    if (existing) {
      return existing.status === 'skipped'
        ? { status: 'skipped', messageId: existing.id, reason: existing.errorReason ?? 'skipped' }
        : { status: 'ready', messageId: existing.id, sendQueue: await sendQueueOf(req.ref) };
    }
    const { subscriber, program } = await load(db, req.ref);
    const blocked = blockedReason(req, subscriber);
    if (blocked) {
      return skip(req, messageKey, blocked);
    }
    if (isHeldByWindows(req.kind)) {
      const hold = holdFor(req, subscriber, program);
      if (hold) {
        return hold.status === 'held' ? hold : skip(req, messageKey, hold.reason);
      }
    }
    return createText(req, messageKey, subscriber, program);
  }

  function holdFor(
    req: TextRequest,
    subscriber: SubscriberRow,
    program: ProgramRow,
  ): Extract<PreparedText, { status: 'held' }> | { status: 'skip'; reason: string } | null {
    const jurisdiction = jurisdictionOf(subscriber);
    const plan = planSend(new Date(req.at), {
      recipient: jurisdiction,
      program: programRules(program),
      kind: req.kind,
      sentMarketingAt: req.cappedSentAt.map((iso) => new Date(iso)),
    });
    if (plan.allowedNow) {
      return null;
    }
    if (req.deadline && plan.at.getTime() > Date.parse(req.deadline)) {
      return { status: 'skip', reason: `deadline passed: held by ${plan.rule} until ${plan.at.toISOString()}` };
    }
    const zone = jurisdiction.timeZones[0] ?? 'UTC';
    const local = DateTime.fromJSDate(plan.at, { zone }).toFormat('HH:mm');
    return { status: 'held', until: plan.at.toISOString(), untilLocal: `${local} ${zone}`, rule: plan.rule, reason: plan.reason };
  }

  async function createText(req: TextRequest, messageKey: string, subscriber: SubscriberRow, program: ProgramRow): Promise<PreparedText> {
    const rules = programRules(program);
    const language = languageOf(subscriber, rules);
    const rendered = await renderText(db, { kind: req.kind, templateRef: req.templateRef, program, rules, language, appendReminder: req.appendReminder });
    if (!rendered.ok) {
      return skip(req, messageKey, rendered.reason);
    }
    const lint = lintText(rendered.text.body, req.kind, rules, subscriber.country, language);
    if (lint.errors.length > 0) {
      return skip(req, messageKey, `lint: ${lint.errors.join(', ')}`);
    }
    const row = await db.$transaction(async (tx) => {
      // Under the subscriber's lock: an opt-out either commits first (and this
      // text is skipped) or sees this row and skips it itself.
      const current = await lockSubscriber(tx as Db, req.ref.subscriberId);
      const allowed = mayTextGo(req.kind, consentStateOf(current));
      return tx.outboundMessage.create({
        data: {
          id: randomUUID(),
          messageKey,
          subscriberId: req.ref.subscriberId,
          programId: req.ref.programId,
          kind: req.kind,
          body: allowed ? rendered.text.body : null,
          status: allowed ? 'pending' : 'skipped',
          errorCode: allowed ? null : CONSENT_WITHDRAWN,
          errorReason: allowed ? null : `consent ${current.consentState}`,
          encoding: lint.encoding,
          segments: lint.segments,
          lintWarnings: JSON.stringify(lint.warnings),
          campaignId: req.campaignId,
        },
      });
    });
    if (row.status === 'skipped') {
      return { status: 'skipped', messageId: row.id, reason: row.errorReason ?? 'skipped' };
    }
    return { status: 'ready', messageId: row.id, sendQueue: sendTaskQueue(deps.taskQueue, senderKey(program)) };
  }

  async function skip(req: TextRequest, messageKey: string, reason: string): Promise<PreparedText> {
    const row = await db.outboundMessage.upsert({
      where: { messageKey },
      create: {
        id: randomUUID(),
        messageKey,
        subscriberId: req.ref.subscriberId,
        programId: req.ref.programId,
        kind: req.kind,
        status: 'skipped',
        errorCode: SKIPPED,
        errorReason: reason,
        campaignId: req.campaignId,
      },
      update: {},
    });
    deps.logger.info({ messageId: row.id, subscriberId: req.ref.subscriberId, reason }, 'text skipped');
    return { status: 'skipped', messageId: row.id, reason: row.errorReason ?? reason };
  }

  async function sendQueueOf(ref: SubscriberRef): Promise<string> {
    const { program } = await load(db, ref);
    return sendTaskQueue(deps.taskQueue, senderKey(program));
  }

  async function skipTexts(input: { ref: SubscriberRef; texts: SkippedText[]; reason: string; at: string }): Promise<void> {
    for (const text of input.texts) {
      const messageKey = `${input.ref.workflowId}:${text.requestId}`;
      await db.outboundMessage.upsert({
        where: { messageKey },
        create: {
          id: randomUUID(),
          messageKey,
          subscriberId: input.ref.subscriberId,
          programId: input.ref.programId,
          kind: text.kind,
          status: 'skipped',
          errorCode: SKIPPED,
          errorReason: input.reason,
          campaignId: text.campaignId,
        },
        update: {},
      });
      await db.outboundMessage.updateMany({
        where: { messageKey, status: 'pending' },
        data: { status: 'skipped', errorCode: SKIPPED, errorReason: input.reason },
      });
    }
  }

  async function recordTextSent(input: {
    ref: SubscriberRef;
    messageId: string;
    kind: MessageKind;
    requestId: string;
    at: string;
    appendedReminder: boolean;
  }): Promise<void> {
    const type = input.appendedReminder ? 'reminder_sent' : SENT_EVENTS[input.kind];
    if (!type) {
      return;
    }
    const { program } = await load(db, input.ref);
    const row = await db.outboundMessage.findUnique({ where: { id: input.messageId } });
    const evidence = disclosureEvidence({
      messageId: input.messageId,
      template: `${input.kind}${input.appendedReminder ? '+reminder' : ''}`,
      version: disclosureVersion(program),
      text: row?.body ?? '',
      // Lifecycle templates hold program details only; a campaign step with an appended reminder may hold more.
      personal: input.appendedReminder,
    });
    await appendConsentEvent(db, {
      subscriberId: input.ref.subscriberId,
      programId: input.ref.programId,
      eventKey: `${input.ref.workflowId}:sent:${input.requestId}`,
      type,
      occurredAt: new Date(input.at),
      source: 'lifecycle',
      evidence,
    });
  }

  async function recordSendFailure(input: { ref: SubscriberRef; messageId: string; reason: string }): Promise<void> {
    await db.outboundMessage.updateMany({
      where: { id: input.messageId, status: { in: ['pending', 'sending'] }, providerSid: null },
      data: { status: 'failed', errorReason: input.reason.slice(0, 500) },
    });
  }

  return { loadProfile, recordOptIn, changeConsent, prepareText, skipTexts, recordTextSent, recordSendFailure };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;

function optInKeys(ref: SubscriberRef, requestId: string) {
  const prefix = `${ref.workflowId}:opt-in:${requestId}`;
  return { accepted: prefix, refused: `${prefix}:refused`, confirmed: `${prefix}:confirmed` };
}

async function load(db: Db, ref: SubscriberRef): Promise<{ subscriber: SubscriberRow; program: ProgramRow }> {
  const subscriber = await db.subscriber.findUnique({ where: { id: ref.subscriberId }, include: { program: true } });
  if (!subscriber || subscriber.programId !== ref.programId) {
    throw new LifecycleDataError(`subscriber ${ref.subscriberId} of program ${ref.programId} not found`);
  }
  return { subscriber, program: subscriber.program };
}

/** Takes the subscriber row's lock for the rest of the transaction and returns the row. */
async function lockSubscriber(tx: Db, subscriberId: string): Promise<SubscriberRow> {
  return tx.subscriber.update({ where: { id: subscriberId }, data: { updatedAt: new Date() } });
}

function expiryOf(subscriber: SubscriberRow): string | null {
  const consent = consentRecordOf(subscriber);
  if (!consent || consentStateOf(subscriber) !== 'active') {
    return null;
  }
  return consentExpiresAt(consent, jurisdictionOf(subscriber))?.toISOString() ?? null;
}

function blockedReason(req: TextRequest, subscriber: SubscriberRow): string | null {
  const state = consentStateOf(subscriber);
  if (!mayTextGo(req.kind, state)) {
    return `consent ${state}`;
  }
  if (req.deadline && Date.parse(req.deadline) <= Date.parse(req.at)) {
    return 'deadline passed';
  }
  if (consentCategoryOf(req.kind) === null) {
    return null;
  }
  const consent = consentRecordOf(subscriber);
  if (!consent) {
    return 'no consent on record';
  }
  const decision = canSend(req.kind, consent, jurisdictionOf(subscriber), new Date(req.at));
  return decision.ok ? null : `${decision.rule}: ${decision.reason}`;
}

/**
 * A keyword opt-in answers a call to action that points at the program's
 * published terms; that version is the disclosure the subscriber saw.
 */
function keywordDisclosure(request: OptInRequest, program: ProgramRow): string | null {
  return request.source === 'keyword' ? disclosureVersion(program) : null;
}

function parseObject(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function timestampsFor(type: LedgerEventType, at: Date): { confirmedAt?: Date; optedOutAt?: Date } {
  switch (type) {
    case 'confirmed':
    case 'reconsent_given':
      return { confirmedAt: at };
    case 'opted_out':
    case 'carrier_opt_out':
      return { optedOutAt: at };
    default:
      return {};
  }
}
