/**
 * The carrier contract: what the send activity, the webhooks and the simulator agree on.
 * Numbers and bodies appear here because a carrier needs them; they never leave the
 * activity boundary (see src/activities/send.ts).
 */

export type MessageStatus =
  | 'accepted'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'failed'
  | 'received'
  | 'canceled';

export type SenderConfig =
  | { type: 'messaging_service'; messagingServiceSid: string }
  | { type: 'number'; from: string; numberKind: 'long_code' | 'toll_free' | 'short_code' }
  | { type: 'simulated'; from: string };

export interface OutboundRequest {
  messageKey: string;
  to: string;
  body: string;
  sender: SenderConfig;
  statusCallbackUrl: string;
}

export interface CarrierMessage {
  providerSid: string;
  status: MessageStatus;
  errorCode: string | null;
  to: string;
  body: string;
  createdAt: Date;
}

export interface Carrier {
  readonly name: 'twilio' | 'simulated';
  /** Throws CarrierError when the carrier refuses or cannot be reached. */
  send(req: OutboundRequest): Promise<CarrierMessage>;
  fetch(providerSid: string): Promise<CarrierMessage | null>;
  /** Reconciliation after an unknown outcome: a message to `to` from `sender` with this body created at or after `since`. */
  findSent(q: { to: string; sender: SenderConfig; body: string; since: Date }): Promise<CarrierMessage | null>;
}

export class CarrierError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly httpStatus: number | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = 'CarrierError';
  }
}
