// Exactly once across a crash: the worker process is killed (SIGKILL) after
// the carrier accepted the text and before the activity could record it. The
// retry on a fresh worker must find the text at the carrier instead of
// sending it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { startFakeTwilio, type FakeTwilio } from '../helpers/fake-twilio.js';
import { createDevServer } from '../helpers/temporal.js';
import { createOutbound, createProgram, createSubscriber } from './fixtures/data.js';
import type { SendResult } from './fixtures/send-workflows.js';

const TASK_QUEUE = 'carrier-crash';
const root = fileURLToPath(new URL('../..', import.meta.url));
let env: TestWorkflowEnvironment;
let t: TestDb;
let fake: FakeTwilio;
let workflowWorker: Worker;
let running: Promise<void>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [env, t, fake] = await Promise.all([createDevServer(), createSqliteTestDb(), startFakeTwilio()]);
  // Workflows only: every activity task goes to the child process.
  workflowWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('./fixtures/send-workflows.ts', import.meta.url)),
  });
  running = workflowWorker.run();
});
afterAll(async () => {
  for (const child of children) {
    child.kill('SIGKILL');
  }
  workflowWorker?.shutdown();
  await running;
  await Promise.all([env?.teardown(), t?.cleanup(), fake?.close()]);
});

/** Starts the activity worker in its own process; resolves once it polls. */
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/carriers/crash-worker.ts'], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE,
      DATABASE_URL: t.url,
      TWILIO_ACCOUNT_SID: fake.accountSid,
      TWILIO_AUTH_TOKEN: fake.authToken,
      TWILIO_API_BASE_URL: fake.url,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
  return child;
}

describe('exactly-once send across a worker crash', () => {
  it('kills the worker after the carrier accepted the text; the retry finds it and sends nothing more', async () => {
    const programId = (await createProgram(t.db)).id;
    const to = '+13125550177';
    const subscriber = await createSubscriber(t.db, programId, to);
    const message = await createOutbound(t.db, subscriber);

    const first = await startWorkerProcess();
    const accepted = fake.holdNext(to);
    const handle = await env.client.workflow.start('sendOnce', {
      taskQueue: TASK_QUEUE,
      workflowId: `crash-${message.id}`,
      args: [message.id, { initialInterval: '500ms', startToCloseTimeout: '4s' }],
    });

    const atCarrier = await accepted;
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(await t.db.outboundMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'sending', providerSid: null, attempts: 1 });

    // While no worker runs, the carrier's delivery receipt arrives (as the status webhook records it).
    await t.db.deliveryReceipt.create({ data: { id: 'dlr_crash', providerSid: atCarrier.sid, status: 'delivered' } });

    await startWorkerProcess();
    const result = (await handle.result()) as SendResult;

    expect(result).toEqual({ outcome: 'sent', providerSid: atCarrier.sid, status: 'queued' });
    expect(fake.creates(to)).toHaveLength(1);
    expect(fake.messages.filter((m) => m.to === to)).toHaveLength(1);
    expect(await t.db.outboundMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ providerSid: atCarrier.sid, status: 'delivered' });
    // The second attempt reconciled (listed the carrier's messages) rather than sending.
    expect(fake.requests.filter((r) => r.method === 'GET' && r.query.get('To') === to)).toHaveLength(1);
  });
});
