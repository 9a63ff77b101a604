// The embedded carrier: nothing leaves the machine. What it "sends" is kept in
// the SimulatedMessage table (its stand-in for a carrier's records), and it
// reports delivery the way Twilio does, by POSTing signed status callbacks to
// the app's status webhook, so receipts take the same path as real ones.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import twilio from 'twilio';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { CarrierError, type Carrier, type CarrierMessage, type MessageStatus, type OutboundRequest, type SenderConfig } from './types.js';

/** The AccountSid the simulator puts on its callbacks. */
export const SIMULATED_ACCOUNT_SID = 'AC00000000000000000000000000000000';

/**
 * Twilio's documented magic To numbers for test credentials, answered the same
 * way here so failure handling can be tried without a real account.
 */
export const MAGIC_RECIPIENTS: Readonly<Record<string, { code: string; message: string }>> = {
  '+15005550001': { code: '21211', message: "The 'To' number is not a valid phone number" },
  '+15005550002': { code: '21612', message: 'The carrier cannot route to this number' },
  '+15005550003': { code: '21408', message: 'No permission to send to this region' },
  '+15005550004': { code: '21610', message: 'The recipient has unsubscribed (replied STOP)' },
  '+15005550009': { code: '21614', message: "The 'To' number is not a mobile number" },
};

export interface SimulatedCarrierOptions {
  db: Db;
  /** Key the status callbacks are signed with; the webhook validates with the same key. */
  signingSecret: string;
  logger: Logger;
  /** Delay before each status callback (sent, then delivered). */
  callbackDelayMs?: number;
}

export function newMessageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

/** Form headers Twilio would send: the body and its X-Twilio-Signature for `url`. */
export function signedForm(secret: string, url: string, params: Record<string, string>): { body: string; headers: Record<string, string> } {
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(secret, url, params),
    },
  };
}

/** The simulator's signing secret: configured, or generated once and kept in the data folder. */
export function loadSimulatorSecret(configured: string | undefined, file: string): string {
  if (configured) {
    return configured;
  }
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(24).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function fromValue(sender: SenderConfig): string {
  return sender.type === 'messaging_service' ? sender.messagingServiceSid : sender.from;
}

export class SimulatedCarrier implements Carrier {
  readonly name = 'simulated' as const;
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: SimulatedCarrierOptions) {}

  async send(req: OutboundRequest): Promise<CarrierMessage> {
    const magic = MAGIC_RECIPIENTS[req.to];
    if (magic) {
      throw new CarrierError(magic.message, magic.code, 400, null);
    }
    const row = await this.options.db.simulatedMessage.create({
      data: { sid: newMessageSid(), toNumber: req.to, fromValue: fromValue(req.sender), body: req.body, status: 'queued' },
    });
    this.track(this.deliver(row.sid, req));
    return { providerSid: row.sid, status: 'queued', errorCode: null, to: row.toNumber, body: row.body, createdAt: row.createdAt };
  }

  async fetch(providerSid: string): Promise<CarrierMessage | null> {
    const row = await this.options.db.simulatedMessage.findUnique({ where: { sid: providerSid } });
    return row ? toCarrierMessage(row) : null;
  }

  async findSent(q: { to: string; sender: SenderConfig; body: string; since: Date }): Promise<CarrierMessage | null> {
    const row = await this.options.db.simulatedMessage.findFirst({
      where: { toNumber: q.to, fromValue: fromValue(q.sender), body: q.body, createdAt: { gte: q.since } },
      orderBy: { createdAt: 'asc' },
    });
    return row ? toCarrierMessage(row) : null;
  }

  /** Stops further callbacks and waits for the ones in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(sid: string, req: OutboundRequest): Promise<void> {
    for (const status of ['sent', 'delivered'] as const) {
      await new Promise((r) => setTimeout(r, this.options.callbackDelayMs ?? 300));
      if (this.closed) {
        return;
      }
      await this.options.db.simulatedMessage.update({ where: { sid }, data: { status } });
      await this.callback(sid, status, req);
    }
  }

  private async callback(sid: string, status: MessageStatus, req: OutboundRequest): Promise<void> {
    const params: Record<string, string> = {
      MessageSid: sid,
      SmsSid: sid,
      AccountSid: SIMULATED_ACCOUNT_SID,
      To: req.to,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: '2010-04-01',
      ...(req.sender.type === 'messaging_service' ? { MessagingServiceSid: req.sender.messagingServiceSid } : { From: req.sender.from }),
    };
    const { body, headers } = signedForm(this.options.signingSecret, req.statusCallbackUrl, params);
    try {
      const res = await fetch(req.statusCallbackUrl, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
      if (!res.ok) {
        this.options.logger.warn({ providerSid: sid, status, httpStatus: res.status }, 'simulated status callback refused');
      }
    } catch (err) {
      this.options.logger.warn({ providerSid: sid, status, err: (err as Error).message }, 'simulated status callback failed');
    }
  }
}

function toCarrierMessage(row: { sid: string; toNumber: string; body: string; status: string; createdAt: Date }): CarrierMessage {
  return { providerSid: row.sid, status: row.status as MessageStatus, errorCode: null, to: row.toNumber, body: row.body, createdAt: row.createdAt };
}
