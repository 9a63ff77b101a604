// A worker process for the exactly-once crash test: it runs only the send
// activity, with the Twilio carrier pointed at the test's fake, so the test
// can kill -9 it in the middle of a send.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createSendActivities } from '../../src/activities/send.js';
import { TwilioCarrier } from '../../src/carriers/twilio.js';
import { createDb } from '../../src/db/client.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

const address = env('TEMPORAL_ADDRESS');
const taskQueue = env('TASK_QUEUE');
const db = createDb(env('DATABASE_URL'));
const carrier = new TwilioCarrier({ accountSid: env('TWILIO_ACCOUNT_SID'), authToken: env('TWILIO_AUTH_TOKEN'), apiBaseUrl: env('TWILIO_API_BASE_URL') });
const client = new Client({ connection: await Connection.connect({ address }) });
const activities = createSendActivities({
  db,
  carrier,
  client,
  logger: pino({ level: 'silent' }),
  phoneHashKey: 'unused-by-send',
  publicBaseUrl: 'https://consentline.example',
  taskQueue,
  now: () => new Date(),
});
const worker = await Worker.create({ connection: await NativeConnection.connect({ address }), taskQueue, activities });
process.stdout.write('ready\n');
await worker.run();
