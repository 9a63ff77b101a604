// npm run bench:pacing -- [--sends 60] [--rate 3] [--sender toll_free]
// Schedules N sends at once for one sender capped at R texts per second and
// prints the rate the paced sender queue actually achieved. Runs on a Temporal
// dev server, a scratch SQLite database and the simulated carrier; nothing
// leaves the machine.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { createSendActivities } from '../src/activities/send.js';
import { SenderWorkerPool, senderKey } from '../src/carriers/pacing.js';
import { SimulatedCarrier } from '../src/carriers/simulated.js';
import type { Carrier } from '../src/carriers/types.js';
import { sendTaskQueue } from '../src/temporal/shared.js';
import { createOutbound, createProgram, createSubscriber } from '../test/carriers/fixtures/data.js';
import { createSqliteTestDb } from '../test/helpers/db.js';
import { createDevServer } from '../test/helpers/temporal.js';

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) {
    throw new InvalidArgumentError('must be a positive number');
  }
  return n;
}

const opts = new Command('bench:pacing')
  .option('--sends <n>', 'texts to schedule at once', positive, 60)
  .option('--rate <r>', "the sender's cap, texts per second", positive, 3)
  .option('--sender <type>', 'twilio_number | toll_free | short_code | messaging_service | simulated', 'toll_free')
  .parse()
  .opts<{ sends: number; rate: number; sender: string }>();

const BASE = 'bench-pacing';
const logger = pino({ level: 'silent' });
const say = (line: string) => process.stdout.write(`${line}\n`);

say(`starting a Temporal dev server and a scratch database…`);
const [env, t] = await Promise.all([createDevServer(), createSqliteTestDb()]);
// Status callbacks from the simulator land here and are dropped.
const sink = createServer((_req, res) => res.writeHead(204).end());
await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
const publicBaseUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const simulated = new SimulatedCarrier({ db: t.db, signingSecret: 'bench', logger, callbackDelayMs: 50 });
const sentAt: number[] = [];
const timed: Carrier = {
  name: simulated.name,
  fetch: (sid) => simulated.fetch(sid),
  findSent: (q) => simulated.findSent(q),
  async send(req) {
    sentAt.push(Date.now());
    return simulated.send(req);
  },
};

const program = await createProgram(t.db, { senderType: opts.sender, senderValue: opts.sender === 'messaging_service' ? 'MG00000000000000000000000000000099' : '+18885550123', messagesPerSecond: opts.rate });
const ids: string[] = [];
for (let i = 0; i < opts.sends; i++) {
  const subscriber = await createSubscriber(t.db, program.id, `+1212555${String(1000 + i).padStart(4, '0')}`);
  ids.push((await createOutbound(t.db, subscriber, `Bench text ${i}`)).id);
}

const activities = createSendActivities({ db: t.db, carrier: timed, client: env.client, logger, phoneHashKey: 'bench', publicBaseUrl, taskQueue: BASE, now: () => new Date() });
const pool = new SenderWorkerPool({ connection: env.nativeConnection, db: t.db, baseTaskQueue: BASE, activities, logger });
const [sender] = await pool.start();
const workflows = await Worker.create({ connection: env.nativeConnection, taskQueue: BASE, workflowsPath: fileURLToPath(new URL('../test/carriers/fixtures/send-workflows.ts', import.meta.url)) });
const running = workflows.run();

say(`sender ${sender?.key} on ${sender?.taskQueue}: cap ${sender?.messagesPerSecond}/s; scheduling ${opts.sends} sends at once…`);
const queue = sendTaskQueue(BASE, senderKey(program));
const scheduledAt = Date.now();
await Promise.all(
  ids.map((id) => env.client.workflow.execute('sendOnce', { taskQueue: BASE, workflowId: `bench-${id}`, args: [id, { initialInterval: '1s', taskQueue: queue }] })),
);

sentAt.sort((a, b) => a - b);
const first = sentAt[0]!;
const last = sentAt.at(-1)!;
const steady = sentAt.length > 1 ? (sentAt.length - 1) / ((last - first) / 1000) : NaN;
let busiest = 0;
for (let i = 0; i < sentAt.length; i++) {
  busiest = Math.max(busiest, sentAt.filter((s) => s >= sentAt[i]! && s < sentAt[i]! + 1000).length);
}
const gaps = sentAt.slice(1).map((s, i) => s - sentAt[i]!).sort((a, b) => a - b);
say('');
say(`sends completed        ${sentAt.length} of ${opts.sends} (texts in the simulated carrier: ${await t.db.simulatedMessage.count()})`);
say(`cap                    ${opts.rate.toFixed(2)} texts/s`);
say(`achieved (first→last)  ${steady.toFixed(2)} texts/s over ${((last - first) / 1000).toFixed(1)} s`);
say(`end to end             ${((last - scheduledAt) / 1000).toFixed(1)} s from scheduling to the last send`);
say(`busiest 1-second window ${busiest} texts`);
say(`gap between sends      median ${gaps[Math.floor(gaps.length / 2)] ?? 0} ms, min ${gaps[0] ?? 0} ms`);

await pool.stop();
workflows.shutdown();
await running;
await simulated.close();
sink.close();
await Promise.all([env.teardown(), t.cleanup()]);
