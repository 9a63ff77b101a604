// The one place a text leaves consentline, exactly once per outbound message.
// The row was prepared by the lifecycle (status 'pending'); this activity marks
// it 'sending' before calling the carrier, so an attempt that finds it
// 'sending' knows a predecessor may have reached the carrier and asks the
// carrier before sending again. Results and failures carry IDs and codes only:
// the number and the body never enter Temporal.
import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { carrierReason as reasonFor, classifyCarrierError, outcomeUnknown, SEND_FAILURE, TRANSIENT_SEND_ATTEMPTS } from '../carriers/send-policy.js';
import { senderConfig } from '../carriers/sender.js';
import { furthest, rowStatusOf } from '../carriers/status.js';
import { CarrierError, type CarrierMessage, type MessageStatus, type OutboundRequest } from '../carriers/types.js';
import { statusCallbackUrl } from '../carriers/webhook-paths.js';
import type { ActivityDeps } from './deps.js';

export type SendOutcome =
  | { outcome: 'sent'; providerSid: string; status: MessageStatus }
  | { outcome: 'rejected'; errorCode: string; reason: string; optedOut: boolean };

export interface SendMessageInput {
  messageId: string;
}

/** How far before the row's creation reconciliation looks, for clock skew with the carrier. */
const RECONCILE_SKEW_MS = 60_000;

type LoadedMessage = NonNullable<Awaited<ReturnType<typeof loadMessage>>>;

function loadMessage(deps: ActivityDeps, messageId: string) {
  return deps.db.outboundMessage.findUnique({
    where: { id: messageId },
    include: { subscriber: { select: { phoneE164: true, program: { select: { senderType: true, senderValue: true, messagesPerSecond: true } } } } },
  });
}

export function createSendActivities(deps: ActivityDeps) {
  const { db, carrier, logger } = deps;

  async function recordSent(msg: LoadedMessage, sent: CarrierMessage, via: 'send' | 'reconcile'): Promise<SendOutcome> {
    // Status callbacks can beat us here (always so after a crash): fold in what they said.
    const receipts = await db.deliveryReceipt.findMany({ where: { providerSid: sent.providerSid } });
    const status = receipts.reduce((s, r) => furthest(s, rowStatusOf(r.status) ?? s), rowStatusOf(sent.status) ?? 'queued');
    const errorCode = receipts.find((r) => r.errorCode)?.errorCode ?? null;
    await db.outboundMessage.update({
      where: { id: msg.id },
      data: { providerSid: sent.providerSid, status, carrier: carrier.name, sentAt: deps.now(), errorCode, errorReason: errorCode ? reasonFor(errorCode) : null },
    });
    logger.info({ messageId: msg.id, providerSid: sent.providerSid, via, attempt: activityInfo().attempt }, 'text handed to the carrier');
    return { outcome: 'sent', providerSid: sent.providerSid, status: sent.status };
  }

  async function reject(msg: LoadedMessage, errorCode: string, reason: string): Promise<SendOutcome> {
    await db.outboundMessage.update({ where: { id: msg.id }, data: { status: 'failed', errorCode, errorReason: reason, carrier: carrier.name } });
    logger.warn({ messageId: msg.id, errorCode }, 'text rejected');
    return { outcome: 'rejected', errorCode, reason, optedOut: errorCode === '21610' };
  }

  /** A SID the carrier holds for this text that no other row has claimed. */
  async function reconcile(msg: LoadedMessage, req: OutboundRequest): Promise<CarrierMessage | null> {
    const found = await carrier.findSent({ to: req.to, sender: req.sender, body: req.body, since: new Date(msg.createdAt.getTime() - RECONCILE_SKEW_MS) });
    if (!found) {
      return null;
    }
    const claimed = await db.outboundMessage.findUnique({ where: { providerSid: found.providerSid }, select: { id: true } });
    return claimed && claimed.id !== msg.id ? null : found;
  }

  async function failed(msg: LoadedMessage, err: CarrierError): Promise<SendOutcome> {
    const kind = classifyCarrierError(err.code, err.httpStatus);
    const reason = reasonFor(err.code, err.httpStatus);
    if (kind === 'opted_out' || kind === 'rejected') {
      return reject(msg, err.code, reason);
    }
    // An answered refusal means nothing was created: the next attempt may send without asking first.
    const unknown = outcomeUnknown(err.httpStatus);
    const attempt = activityInfo().attempt;
    if (kind === 'transient' && attempt >= TRANSIENT_SEND_ATTEMPTS) {
      await db.outboundMessage.update({ where: { id: msg.id }, data: { status: unknown ? 'unknown' : 'failed', errorCode: err.code, errorReason: reason } });
      logger.error({ messageId: msg.id, errorCode: err.code, attempt }, 'text not sent: carrier kept failing');
      throw ApplicationFailure.create({ type: SEND_FAILURE.unavailable, message: `${reason} after ${attempt} attempts`, nonRetryable: true, details: [{ errorCode: err.code }] });
    }
    await db.outboundMessage.update({ where: { id: msg.id }, data: { status: unknown ? 'sending' : 'pending', errorCode: err.code, errorReason: reason } });
    logger.warn({ messageId: msg.id, errorCode: err.code, attempt, retryAfterMs: err.retryAfterMs }, 'carrier send failed; will retry');
    throw ApplicationFailure.create({
      type: kind === 'rate_limited' ? SEND_FAILURE.rateLimited : SEND_FAILURE.transient,
      message: reason,
      details: [{ errorCode: err.code }],
      ...(err.retryAfterMs !== null ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }

  async function sendMessage({ messageId }: SendMessageInput): Promise<SendOutcome> {
    const msg = await loadMessage(deps, messageId);
    if (!msg) {
      throw ApplicationFailure.nonRetryable(`outbound message ${messageId} does not exist`, SEND_FAILURE.missingMessage);
    }
    if (msg.providerSid) {
      return { outcome: 'sent', providerSid: msg.providerSid, status: msg.status as MessageStatus };
    }
    if (msg.status === 'failed' || msg.status === 'skipped') {
      // Refused or withdrawn before: a replayed activity answers the same, and sends nothing.
      const errorCode = msg.errorCode ?? msg.status;
      return { outcome: 'rejected', errorCode, reason: msg.errorReason ?? reasonFor(errorCode), optedOut: errorCode === '21610' };
    }
    if (msg.body === null || msg.subscriber.phoneE164 === null) {
      return reject(msg, 'erased', reasonFor('erased'));
    }
    const req: OutboundRequest = {
      messageKey: msg.messageKey,
      to: msg.subscriber.phoneE164,
      body: msg.body,
      sender: senderConfig(msg.subscriber.program),
      statusCallbackUrl: statusCallbackUrl(deps.publicBaseUrl),
    };

    if (msg.status === 'sending' || msg.status === 'unknown') {
      const found = await reconcile(msg, req);
      if (found) {
        return recordSent(msg, found, 'reconcile');
      }
    }

    await db.outboundMessage.update({ where: { id: msg.id }, data: { status: 'sending', attempts: { increment: 1 }, carrier: carrier.name } });
    let sent: CarrierMessage;
    try {
      sent = await carrier.send(req);
    } catch (err) {
      if (err instanceof CarrierError) {
        return failed(msg, err);
      }
      throw err;
    }
    return recordSent(msg, sent, 'send');
  }

  return { sendMessage };
}

export type SendActivities = ReturnType<typeof createSendActivities>;
