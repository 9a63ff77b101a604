// Webhooks end to end: an express app on a random port with the real router,
// a real database (SQLite and PostgreSQL) and a real Temporal dev server whose
// worker runs a recorder under the lifecycle's workflow name.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import express from 'express';
import pino from 'pino';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../src/api/errors.js';
import { createWebhookRouter } from '../../src/api/webhooks.js';
import { signedForm } from '../../src/carriers/simulated.js';
import { phoneHash } from '../../src/identity.js';
import { subscriberWorkflowId } from '../../src/temporal/shared.js';
import { testDbFactories, type TestDb } from '../helpers/db.js';
import { createDevServer } from '../helpers/temporal.js';
import { createOutbound, createProgram, createSubscriber, PHONE_HASH_KEY } from './fixtures/data.js';
import { receivedQuery, type Received } from './fixtures/lifecycle-recorder.js';

const data = (name: string) => fileURLToPath(new URL(`../../../shared/data/${name}`, import.meta.url));
const vectors = JSON.parse(readFileSync(data('twilio-signatures.json'), 'utf8')) as {
  authToken: string;
  defaultParams: Record<string, string>;
  valid: { id: string; url: string; params?: unknown; signature: string }[];
  invalid: { id: string; url: string; params: unknown; signature: string | null }[];
};
const samples = readFileSync(data('twilio-inbound.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { kind: string; note: string; form: Record<string, string> });
const smsVector = vectors.valid.find((v) => v.id === 'sms-inbound')!;
const smsParams = smsVector.params as Record<string, string>;

const TASK_QUEUE = 'carrier-webhooks';
const PUBLIC = 'https://consentline.example';
const logger = pino({ level: 'silent' });

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await createDevServer();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('./fixtures/lifecycle-recorder.ts', import.meta.url)),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

async function received(workflowId: string): Promise<Received> {
  return env.client.workflow.getHandle(workflowId).query(receivedQuery);
}

describe.each(Object.entries(testDbFactories))('Twilio webhooks on %s', (_name, factory) => {
  let t: TestDb;
  let server: Server;
  let base: string;
  let programId: string;

  beforeAll(async () => {
    t = await factory();
    // The program is reached through the vector's Messaging Service and number.
    programId = (await createProgram(t.db, { senderType: 'messaging_service', senderValue: 'MG00000000000000000000000000000001', keywords: '{"join":["JOIN"]}' })).id;
    const app = express();
    app.use(
      createWebhookRouter({
        db: t.db,
        client: env.client,
        logger,
        config: {
          publicBaseUrl: PUBLIC,
          twilioAuthToken: vectors.authToken,
          phoneHashKey: PHONE_HASH_KEY,
          taskQueue: TASK_QUEUE,
          // As if a proxy maps Twilio's configured URL for inbound texts onto our path.
          webhookUrls: { inbound: smsVector.url },
        },
      }),
    );
    app.use(errorHandler(logger));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await t?.cleanup();
  });

  const post = (path: string, params: Record<string, string>, signature: string | null) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      body: new URLSearchParams(params).toString(),
    });
  const postSigned = (path: string, params: Record<string, string>) => {
    const { body, headers } = signedForm(vectors.authToken, `${PUBLIC}${path}`, params);
    return fetch(`${base}${path}`, { method: 'POST', headers, body });
  };

  it('refuses forged, unsigned and wrong-URL inbound webhooks with 403 and records nothing', async () => {
    const forged = { ...smsParams, Body: 'START' };
    const cases: [Record<string, string>, string | null][] = [
      [forged, smsVector.signature], // body changed after signing
      [smsParams, 'WRONG_SIGNATURE'],
      [smsParams, null],
      [smsParams, twilio.getExpectedTwilioSignature(vectors.authToken, 'https://example.com/twilio/status', smsParams)],
      [smsParams, twilio.getExpectedTwilioSignature('another-token', smsVector.url, smsParams)],
    ];
    for (const [params, signature] of cases) {
      const res = await post('/webhooks/twilio/inbound', params, signature);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((await res.json()) as { type: string }).toMatchObject({ type: 'https://consentline.dev/problems/invalid-signature', status: 403 });
    }
    expect(await t.db.inboundMessage.count()).toBe(0);
    expect(await t.db.subscriber.count()).toBe(0);
  });

  it('accepts the signed sms-inbound vector, stores it once, and signals the lifecycle once', async () => {
    const first = await post('/webhooks/twilio/inbound', smsParams, smsVector.signature);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await first.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const again = await post('/webhooks/twilio/inbound', smsParams, smsVector.signature);
    expect(again.status).toBe(200);

    const rows = await t.db.inboundMessage.findMany({ where: { providerSid: smsParams.MessageSid } });
    expect(rows).toHaveLength(1);
    const hash = phoneHash('+14155550100', PHONE_HASH_KEY);
    expect(rows[0]).toMatchObject({ programId, body: 'STOP', keyword: 'stop', optOutType: 'STOP', fromHash: hash, toNumber: '+14155550199' });
    expect(rows[0]!.processedAt).not.toBeNull();
    const subscriber = await t.db.subscriber.findUniqueOrThrow({ where: { programId_phoneHash: { programId, phoneHash: hash } } });
    expect(subscriber.workflowId).toBe(subscriberWorkflowId(programId, hash));

    const got = await received(subscriber.workflowId);
    expect(got.input).toEqual({ subscriberId: subscriber.id, programId });
    expect(got.inbound).toEqual([{ inboundId: rows[0]!.id, keyword: 'stop', ambiguous: false, carrierOptOut: 'STOP' }]);
    // Nothing personal in the history: not the number, not the body.
    const history = JSON.stringify(await env.client.workflow.getHandle(subscriber.workflowId).fetchHistory());
    expect(history).not.toContain('4155550100');
  });

  it('starts a lifecycle for a keyword opt-in from an unknown number (signal-with-start)', async () => {
    const join = samples.find((s) => s.form.Body === 'JOIN')!.form;
    const res = await postSigned('/webhooks/twilio/inbound', join);
    // Inbound is signed for the URL configured in Twilio, which is the mapped one here: our own URL must fail.
    expect(res.status).toBe(403);
    expect(await t.db.inboundMessage.count({ where: { providerSid: join.MessageSid } })).toBe(0);

    const signature = twilio.getExpectedTwilioSignature(vectors.authToken, smsVector.url, join);
    expect((await post('/webhooks/twilio/inbound', join, signature)).status).toBe(200);
    const hash = phoneHash('+13055550142', PHONE_HASH_KEY);
    const subscriber = await t.db.subscriber.findUniqueOrThrow({ where: { programId_phoneHash: { programId, phoneHash: hash } } });
    const inbound = await t.db.inboundMessage.findUniqueOrThrow({ where: { providerSid: join.MessageSid } });
    expect(subscriber).toMatchObject({ country: 'US', phoneE164: '+13055550142', consentState: 'new' });
    expect((await received(subscriber.workflowId)).inbound).toEqual([{ inboundId: inbound.id, keyword: 'start', ambiguous: false, carrierOptOut: null }]);
  });

  it('records a delivery receipt once per status, never moves a message backwards, and signals a carrier opt-out once', async () => {
    const subscriber = await createSubscriber(t.db, programId, '+12125550123');
    await env.client.workflow.start('subscriberLifecycle', { workflowId: subscriber.workflowId, taskQueue: TASK_QUEUE, args: [{ subscriberId: subscriber.id, programId }] });
    const delivered = await createOutbound(t.db, subscriber);
    const blocked = await createOutbound(t.db, subscriber, 'Acme: another deal');
    const deliveredSid = samples.find((s) => s.note === 'delivered')!.form.MessageSid!;
    const optOut = samples.find((s) => s.form.ErrorCode === '21610')!.form;
    await t.db.outboundMessage.update({ where: { id: delivered.id }, data: { providerSid: deliveredSid, status: 'queued' } });
    await t.db.outboundMessage.update({ where: { id: blocked.id }, data: { providerSid: optOut.MessageSid, status: 'queued' } });

    const status = (sid: string, s: string, extra: Record<string, string> = {}) => ({ MessageSid: sid, MessageStatus: s, SmsStatus: s, AccountSid: 'AC00000000000000000000000000000001', ...extra });
    for (const form of [status(deliveredSid, 'delivered'), status(deliveredSid, 'delivered'), status(deliveredSid, 'sent')]) {
      expect((await postSigned('/webhooks/twilio/status', form)).status).toBe(204);
    }
    expect(await t.db.deliveryReceipt.count({ where: { providerSid: deliveredSid } })).toBe(2);
    expect((await t.db.outboundMessage.findUniqueOrThrow({ where: { id: delivered.id } })).status).toBe('delivered');

    expect((await postSigned('/webhooks/twilio/status', optOut)).status).toBe(204);
    expect((await postSigned('/webhooks/twilio/status', optOut)).status).toBe(204);
    expect(await t.db.deliveryReceipt.count({ where: { providerSid: optOut.MessageSid } })).toBe(1);
    expect(await t.db.outboundMessage.findUniqueOrThrow({ where: { id: blocked.id } })).toMatchObject({ status: 'failed', errorCode: '21610' });
    expect((await received(subscriber.workflowId)).carrierEvents).toEqual([{ messageId: blocked.id, errorCode: '21610' }]);
  });

  it('refuses an unsigned status callback and records nothing', async () => {
    const before = await t.db.deliveryReceipt.count();
    const res = await post('/webhooks/twilio/status', { MessageSid: 'SM' + 'a'.repeat(32), MessageStatus: 'delivered' }, null);
    expect(res.status).toBe(403);
    expect(await t.db.deliveryReceipt.count()).toBe(before);
  });
});
