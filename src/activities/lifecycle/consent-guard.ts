// The last check before a text reaches the carrier: the subscriber's consent,
// read right before the call. A STOP recorded while a send waited in the
// queue (or was being prepared) therefore stops it; what was already handed
// to the carrier went out before the STOP was recorded.
import { CarrierError, type Carrier, type CarrierMessage, type OutboundRequest } from '../../carriers/types.js';
import type { MessageKind } from '../../compliance/types.js';
import type { Db } from '../../db/client.js';
import { mayTextGo } from '../../workflows/lifecycle/state.js';
import { consentStateOf } from './records.js';

/** The carrier error code for a text stopped by this guard (a 4xx: the send path does not retry it). */
export const CONSENT_WITHDRAWN = 'consent_withdrawn';

export function withConsentGuard(carrier: Carrier, db: Db): Carrier {
  return {
    name: carrier.name,
    fetch: (sid) => carrier.fetch(sid),
    findSent: (q) => carrier.findSent(q),
    async send(req: OutboundRequest): Promise<CarrierMessage> {
      await assertConsent(db, req.messageKey);
      return carrier.send(req);
    },
  };
}

async function assertConsent(db: Db, messageKey: string): Promise<void> {
  const message = await db.outboundMessage.findUnique({ where: { messageKey }, include: { subscriber: true } });
  if (!message) {
    return;
  }
  const state = consentStateOf(message.subscriber);
  if (!mayTextGo(message.kind as MessageKind, state)) {
    throw new CarrierError(`consent ${state}: text ${message.id} not sent`, CONSENT_WITHDRAWN, 409, null);
  }
}
