// The send activity on a real Temporal dev server, against the fake Twilio:
// what each carrier answer does to the activity's retries, the outcome the
// workflow sees and the OutboundMessage row.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSendActivities } from '../../src/activities/send.js';
import { SEND_FAILURE, TRANSIENT_SEND_ATTEMPTS } from '../../src/carriers/send-policy.js';
import { TwilioCarrier } from '../../src/carriers/twilio.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.js';
import { createDevServer } from '../helpers/temporal.js';
import { createOutbound, createProgram, createSubscriber } from './fixtures/data.js';
import type { SendResult } from './fixtures/send-workflows.js';

const TASK_QUEUE = 'carrier-send';
let env: TestWorkflowEnvironment;
let t: TestDb;
let fake: FakeTwilio;
let worker: Worker;
let running: Promise<void>;
let programId: string;

beforeAll(async () => {
  [env, t, fake] = await Promise.all([createDevServer(), createSqliteTestDb(), startFakeTwilio()]);
  programId = (await createProgram(t.db)).id;
  const carrier = new TwilioCarrier({ accountSid: fake.accountSid, authToken: fake.authToken, apiBaseUrl: fake.url });
  const activities = createSendActivities({
    db: t.db,
    carrier,
    client: env.client as unknown as Client,
    logger: pino({ level: 'silent' }),
    phoneHashKey: 'unused-by-send',
    publicBaseUrl: 'https://consentline.example',
    taskQueue: TASK_QUEUE,
    now: () => new Date(),
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('./fixtures/send-workflows.ts', import.meta.url)),
    activities,
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), t?.cleanup(), fake?.close()]);
});

let n = 0;
async function message(): Promise<{ id: string; to: string; body: string }> {
  const to = `+1212555${String(1000 + n++).padStart(4, '0')}`;
  const subscriber = await createSubscriber(t.db, programId, to);
  const row = await createOutbound(t.db, subscriber, `Acme deal #${n}: 20% off. Reply STOP to opt out.`);
  return { id: row.id, to, body: row.body! };
}

async function send(messageId: string, initialInterval = '200ms'): Promise<{ result: SendResult; workflowId: string }> {
  const workflowId = `send-${randomBytes(4).toString('hex')}`;
  const result = await env.client.workflow.execute('sendOnce', { taskQueue: TASK_QUEUE, workflowId, args: [messageId, { initialInterval }] });
  return { result: result as SendResult, workflowId };
}

const row = (id: string) => t.db.outboundMessage.findUniqueOrThrow({ where: { id } });

describe('sendMessage on a Temporal dev server against a fake Twilio', () => {
  it('sends once with the status callback, stores the SID, and never sends the same message again', async () => {
    const m = await message();
    const { result, workflowId } = await send(m.id);
    const sid = fake.messages.find((x) => x.to === m.to)!.sid;
    expect(result).toEqual({ outcome: 'sent', providerSid: sid, status: 'queued' });
    expect(fake.creates(m.to)[0]!.form.get('StatusCallback')).toBe('https://consentline.example/webhooks/twilio/status');
    expect(await row(m.id)).toMatchObject({ providerSid: sid, status: 'queued', attempts: 1, carrier: 'twilio' });

    expect((await send(m.id)).result).toEqual({ outcome: 'sent', providerSid: sid, status: 'queued' });
    expect(fake.creates(m.to)).toHaveLength(1);
    // IDs and codes only: neither the number nor the body is in the history.
    const history = JSON.stringify(await env.client.workflow.getHandle(workflowId).fetchHistory());
    expect(history).not.toContain(m.to.slice(2));
    expect(history).not.toContain('20% off');
  });

  it('retries 20429 after the Retry-After the carrier asked for, not the shorter backoff', async () => {
    const m = await message();
    fake.failNext(m.to, { status: 429, code: 20429, message: 'Too Many Requests', retryAfterSeconds: 2 });
    const { result } = await send(m.id);
    expect(result).toMatchObject({ outcome: 'sent' });
    const [first, second] = fake.creates(m.to);
    expect(fake.creates(m.to)).toHaveLength(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2000);
    expect(second!.at - first!.at).toBeLessThan(6000);
    expect((await row(m.id)).attempts).toBe(2);
  });

  it(`gives up on 30003 after ${TRANSIENT_SEND_ATTEMPTS} attempts and marks the message failed`, async () => {
    const m = await message();
    fake.failNext(m.to, ...Array.from({ length: 10 }, () => ({ status: 400, code: 30003, message: `Unreachable destination handset ${m.to}` })));
    const { result, workflowId } = await send(m.id);
    expect(result).toEqual({ outcome: 'failed', failureType: SEND_FAILURE.unavailable, nonRetryable: true });
    expect(fake.creates(m.to)).toHaveLength(TRANSIENT_SEND_ATTEMPTS);
    expect(await row(m.id)).toMatchObject({ status: 'failed', errorCode: '30003', providerSid: null, errorReason: 'handset unreachable' });
    // Twilio's own message quoted the number; the failure in the history does not.
    expect(JSON.stringify(await env.client.workflow.getHandle(workflowId).fetchHistory())).not.toContain(m.to.slice(2));
  });

  it('returns 21610 as a carrier opt-out without retrying', async () => {
    const m = await message();
    fake.failNext(m.to, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const { result } = await send(m.id);
    expect(result).toEqual({ outcome: 'rejected', errorCode: '21610', reason: 'the recipient opted out at the carrier (replied STOP)', optedOut: true });
    expect(fake.creates(m.to)).toHaveLength(1);
    expect(await row(m.id)).toMatchObject({ status: 'failed', errorCode: '21610', attempts: 1 });
  });

  it.each(['21211', '21614', '21408', '30004', '30005', '30006', '30007'])('rejects %s without retrying and records the reason', async (code) => {
    const m = await message();
    fake.failNext(m.to, { status: 400, code: Number(code) });
    const { result } = await send(m.id);
    expect(result).toMatchObject({ outcome: 'rejected', errorCode: code, optedOut: false });
    expect(fake.creates(m.to)).toHaveLength(1);
    expect(await row(m.id)).toMatchObject({ status: 'failed', errorCode: code });
    expect((await row(m.id)).errorReason).toBeTruthy();
  });

  it('after a 5xx (outcome unknown) asks the carrier before sending again', async () => {
    const m = await message();
    fake.failNext(m.to, { status: 503, code: 20503, message: 'Service Unavailable' });
    const lists = () => fake.requests.filter((r) => r.method === 'GET' && r.query.get('To') === m.to).length;
    const { result } = await send(m.id);
    expect(result).toMatchObject({ outcome: 'sent' });
    expect(lists()).toBe(1);
    expect(fake.creates(m.to)).toHaveLength(2);
    expect(fake.messages.filter((x) => x.to === m.to)).toHaveLength(1);
  });

  it('30008 then success: retried with backoff and sent once', async () => {
    const m = await message();
    fake.failNext(m.to, { status: 400, code: 30008 }, { status: 400, code: 30008 });
    const { result } = await send(m.id);
    expect(result).toMatchObject({ outcome: 'sent' });
    expect(fake.messages.filter((x) => x.to === m.to)).toHaveLength(1);
    expect((await row(m.id)).attempts).toBe(3);
  });
});
