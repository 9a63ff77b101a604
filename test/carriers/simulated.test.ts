// The embedded setup end to end: the simulated carrier sending through a paced
// sender worker, its signed status callbacks arriving at the real status
// webhook, and a reply typed into the simulator reaching the lifecycle.
import { SIMULATED_FROM } from '../../src/carriers/sender.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendActivities } from '../../src/activities/send.js';
import { errorHandler } from '../../src/api/errors.js';
import { createSimulatorRouter, createWebhookRouter } from '../../src/api/webhooks.js';
import { SenderWorkerPool, senderKey } from '../../src/carriers/pacing.js';
import { SimulatedCarrier } from '../../src/carriers/simulated.js';
import { sendTaskQueue } from '../../src/temporal/shared.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { createDevServer } from '../helpers/temporal.js';
import { createOutbound, createProgram, createSubscriber, PHONE_HASH_KEY } from './fixtures/data.js';
import { receivedQuery } from './fixtures/lifecycle-recorder.js';
import type { SendResult } from './fixtures/send-workflows.js';

const BASE_QUEUE = 'carrier-sim';
const SECRET = 'simulator-test-secret';
const logger = pino({ level: 'silent' });

let env: TestWorkflowEnvironment;
let t: TestDb;
let server: Server;
let publicBaseUrl: string;
let carrier: SimulatedCarrier;
let pool: SenderWorkerPool;
let workflowWorker: Worker;
let running: Promise<void>;
let program: Awaited<ReturnType<typeof createProgram>>;

async function until<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  [env, t] = await Promise.all([createDevServer(), createSqliteTestDb()]);
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  publicBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = express();
  app.use(createWebhookRouter({ db: t.db, client: env.client, logger, config: { publicBaseUrl, twilioAuthToken: null, simulatorSecret: SECRET, phoneHashKey: PHONE_HASH_KEY, taskQueue: BASE_QUEUE } }));
  app.use(createSimulatorRouter({ db: t.db, logger, config: { publicBaseUrl, simulatorSecret: SECRET } }));
  app.use(errorHandler(logger));
  server.on('request', app);

  carrier = new SimulatedCarrier({ db: t.db, signingSecret: SECRET, logger, callbackDelayMs: 100 });
  const activities = createSendActivities({ db: t.db, carrier, client: env.client, logger, phoneHashKey: PHONE_HASH_KEY, publicBaseUrl, taskQueue: BASE_QUEUE, now: () => new Date() });
  program = await createProgram(t.db, { senderType: 'simulated', senderValue: '+15550100001', messagesPerSecond: 5 });
  pool = new SenderWorkerPool({ connection: env.nativeConnection, db: t.db, baseTaskQueue: BASE_QUEUE, activities, logger, refreshEveryMs: 60_000 });
  await pool.start();
  workflowWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: BASE_QUEUE,
    workflowsPath: fileURLToPath(new URL('./fixtures/all-workflows.ts', import.meta.url)),
  });
  running = workflowWorker.run();
});
afterAll(async () => {
  await pool?.stop();
  await carrier?.close();
  workflowWorker?.shutdown();
  await running;
  await new Promise((r) => server?.close(r));
  await Promise.all([env?.teardown(), t?.cleanup()]);
});

async function sendVia(messageId: string): Promise<SendResult> {
  return (await env.client.workflow.execute('sendOnce', {
    taskQueue: BASE_QUEUE,
    workflowId: `sim-send-${messageId}`,
    args: [messageId, { initialInterval: '200ms', taskQueue: sendTaskQueue(BASE_QUEUE, senderKey(program)) }],
  })) as SendResult;
}

describe('simulated carrier, paced sender workers and the simulator', () => {
  it('runs one paced worker per sender discovered from the programs', () => {
    expect(pool.senders()).toEqual([{ key: senderKey(program), taskQueue: `${BASE_QUEUE}-send-${senderKey(program)}`, messagesPerSecond: 5 }]);
    expect(senderKey(program)).toMatch(/^simulated-[0-9a-f]{8}$/);
  });

  it('sends through the sender queue and delivers signed receipts through the status webhook', async () => {
    const subscriber = await createSubscriber(t.db, program.id, '+13055550142');
    const message = await createOutbound(t.db, subscriber);
    const result = await sendVia(message.id);
    expect(result).toMatchObject({ outcome: 'sent', status: 'queued' });
    const sid = (result as { providerSid: string }).providerSid;
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(await t.db.simulatedMessage.findUniqueOrThrow({ where: { sid } })).toMatchObject({ toNumber: '+13055550142', fromValue: '+15550100001', body: message.body });

    const delivered = await until(() => t.db.outboundMessage.findFirst({ where: { id: message.id, status: 'delivered' } }));
    expect(delivered.providerSid).toBe(sid);
    const receipts = await t.db.deliveryReceipt.findMany({ where: { providerSid: sid }, orderBy: { receivedAt: 'asc' } });
    expect(receipts.map((r) => r.status)).toEqual(['sent', 'delivered']);
  });

  it("answers Twilio's magic test number for an opted-out recipient with 21610", async () => {
    const subscriber = await createSubscriber(t.db, program.id, '+15005550004');
    const message = await createOutbound(t.db, subscriber);
    expect(await sendVia(message.id)).toMatchObject({ outcome: 'rejected', errorCode: '21610', optedOut: true });
    expect(await t.db.simulatedMessage.count({ where: { toNumber: '+15005550004' } })).toBe(0);
  });

  it('lets a person reply as the subscriber; the reply reaches the lifecycle through the signed inbound webhook', async () => {
    const res = await fetch(`${publicBaseUrl}/sim/reply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '+13055550142', body: 'STOP' }) });
    expect(res.status).toBe(202);
    const { messageSid } = (await res.json()) as { messageSid: string };
    const inbound = await t.db.inboundMessage.findUniqueOrThrow({ where: { providerSid: messageSid } });
    expect(inbound).toMatchObject({ programId: program.id, keyword: 'stop', toNumber: '+15550100001', body: 'STOP' });
    const subscriber = await t.db.subscriber.findFirstOrThrow({ where: { programId: program.id, phoneE164: '+13055550142' } });
    const got = await env.client.workflow.getHandle(subscriber.workflowId).query(receivedQuery);
    expect(got.inbound).toEqual([{ inboundId: inbound.id, keyword: 'stop', ambiguous: false, carrierOptOut: null }]);
  });

  it('lists the outbox, filtered by recipient', async () => {
    const res = await fetch(`${publicBaseUrl}/sim/outbox?to=${encodeURIComponent('+13055550142')}`);
    const { messages } = (await res.json()) as { messages: { to: string; from: string; body: string; status: string }[] };
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: '+13055550142', from: '+15550100001', status: 'delivered' });
  });

  it('picks up a new program sender and a changed rate on refresh', async () => {
    const tollFree = await createProgram(t.db, { senderType: 'toll_free', senderValue: '+18885550100' });
    let senders = await pool.refresh();
    expect(senders.find((s) => s.key === senderKey(tollFree))?.messagesPerSecond).toBe(3);
    await t.db.program.update({ where: { id: tollFree.id }, data: { messagesPerSecond: 2 } });
    senders = await pool.refresh();
    expect(senders.find((s) => s.key === senderKey(tollFree))?.messagesPerSecond).toBe(2);
    expect(senders).toHaveLength(2);
  });

  it('routes a reply to a simulated program that has no number of its own (it sends from the simulator default)', async () => {
    const plain = await createProgram(t.db, { senderType: 'simulated', senderValue: null });
    const res = await fetch(`${publicBaseUrl}/sim/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+13125550143', body: 'HELP', to: SIMULATED_FROM }),
    });
    expect(res.status).toBe(202);
    const { messageSid } = (await res.json()) as { messageSid: string };
    const inbound = await t.db.inboundMessage.findUniqueOrThrow({ where: { providerSid: messageSid } });
    expect(inbound).toMatchObject({ programId: plain.id, keyword: 'help' });
  });
});
