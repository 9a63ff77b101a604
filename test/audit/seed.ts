// A subscriber's whole story written straight to the database, as the
// lifecycle would: opt-in → confirmation text → YES → welcome → a marketing
// text → STOP → opt-out confirmation, with carrier SIDs and delivery receipts.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client.js';
import { appendConsentEvent, disclosureEvidence, type LedgerEventType } from '../../src/ledger/ledger.js';

export const PHONE = '+12125550142';

const t = (minute: number) => new Date(Date.UTC(2026, 10, 2, 15, minute));

export async function seedStory(db: Db, programId: string, subscriberId: string, start = 0): Promise<void> {
  const event = (type: LedgerEventType, minute: number, source: string, evidence: Record<string, unknown> = {}, personal: Record<string, unknown> | null = null) =>
    appendConsentEvent(db, { subscriberId, programId, eventKey: `${subscriberId}:${type}:${minute}`, type, occurredAt: t(start + minute), source, evidence, personal });
  const outbound = async (kind: string, minute: number, body: string, statuses: string[]) => {
    const id = randomUUID();
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    await db.outboundMessage.create({
      data: { id, messageKey: `${subscriberId}:${kind}:${minute}`, subscriberId, programId, kind, body, status: statuses.at(-1) ?? 'pending', carrier: 'simulated', providerSid: sid, segments: 1, createdAt: t(start + minute), sentAt: t(start + minute) },
    });
    for (const [i, status] of statuses.entries()) {
      await db.deliveryReceipt.create({ data: { id: randomUUID(), providerSid: sid, status, receivedAt: new Date(t(start + minute).getTime() + (i + 1) * 1000) } });
    }
    await db.simulatedMessage.create({ data: { sid, toNumber: PHONE, fromValue: '+15005550006', body, status: statuses.at(-1) ?? 'queued', createdAt: t(start + minute) } });
    return id;
  };
  const inbound = async (minute: number, body: string, keyword: string, optOutType: string | null = null) => {
    const id = randomUUID();
    await db.inboundMessage.create({
      data: { id, providerSid: `SM${randomUUID().replace(/-/g, '')}`, programId, subscriberId, fromHash: 'fromhash', toNumber: '+15005550006', body, keyword, optOutType, receivedAt: t(start + minute) },
    });
    return id;
  };

  await event('opt_in_requested', 0, 'web_form', { consentType: 'express_written', termsVersion: '1' }, { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', phone: PHONE });
  const confirmationBody = 'Acme Deals: reply YES to confirm. Up to 4 msgs/mo. Msg&data rates may apply. Reply HELP for help, STOP to cancel.';
  const confirmation = await outbound('confirmation_request', 0, confirmationBody, ['queued', 'sent', 'delivered']);
  await event('confirmation_requested', 0, 'system', disclosureEvidence({ messageId: confirmation, template: 'confirmation_request', version: '1', text: confirmationBody, personal: false }));
  const yes = await inbound(3, 'Yes', 'confirm');
  await event('confirmed', 3, 'keyword', { inboundId: yes });
  const welcomeBody = 'Welcome to Acme Deals! Up to 4 msgs/mo. Reply HELP for help, STOP to cancel.';
  const welcome = await outbound('welcome', 3, welcomeBody, ['queued', 'delivered']);
  await event('disclosure_sent', 3, 'system', disclosureEvidence({ messageId: welcome, template: 'welcome', version: '1', text: welcomeBody, personal: false }));
  await outbound('marketing', 60, '=HYPERLINK("x") 20% off today only. Reply STOP to opt out', ['queued', 'undelivered']);
  const stop = await inbound(90, 'STOP <script>alert(1)</script>', 'stop', 'STOP');
  await event('opted_out', 90, 'keyword', { inboundId: stop, keyword: 'STOP' });
  const confirmationOut = await outbound('stop_confirmation', 90, 'Acme Deals: you are unsubscribed. No more messages will be sent.', ['queued', 'delivered']);
  await event('opt_out_confirmation_sent', 90, 'system', { messageId: confirmationOut });
}
