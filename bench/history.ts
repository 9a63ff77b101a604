// What one subscriber costs Temporal per month: a month with 4 drip texts and
// 1 opt-out reminder on the time-skipping server, then the history's event
// count and size as the server reports them.  Run: npm run bench:history
import proto from '@temporalio/proto';
import { DateTime } from 'luxon';
import { stateQuery } from '../src/workflows/messages.js';
import { createSqliteTestDb } from '../test/helpers/db.js';
import { buildProgram, buildSubscriber, optIn, outbound, startLifecycle, startLifecycleWorker } from '../test/helpers/lifecycle.js';
import { createTimeSkippingServer } from '../test/helpers/temporal.js';
import { enqueueMarketing } from '../test/lifecycle/texts.js';

const ZONE = 'America/New_York';
const DRIP_DAYS = [3, 10, 17, 24];

async function main(): Promise<void> {
  const env = await createTimeSkippingServer();
  const testDb = await createSqliteTestDb();
  const h = await startLifecycleWorker(env, testDb.db);
  try {
    const program = await buildProgram(h.db, { doubleOptIn: false, reminderEveryDays: 30 });
    const subscriber = await buildSubscriber(h.db, program, { timeZones: JSON.stringify([ZONE]) });
    const start = DateTime.fromMillis(await env.currentTimeMs(), { zone: ZONE });
    const noon = start.plus({ days: 1 }).set({ hour: 12, minute: 0, second: 0, millisecond: 0 });
    await env.sleep(noon.toMillis() - start.toMillis());

    const handle = await startLifecycle(h, subscriber);
    await optIn(h, handle, subscriber);
    for (const day of DRIP_DAYS) {
      await env.sleep(noon.plus({ days: day }).toMillis() - (await env.currentTimeMs()));
      await enqueueMarketing(h, handle, subscriber, `drip-${day}`);
    }
    await env.sleep(noon.plus({ days: 31 }).toMillis() - (await env.currentTimeMs()));

    const state = await handle.query(stateQuery);
    const rows = await outbound(h.db, subscriber.id);
    const sent = (kind: string) => rows.filter((r) => r.kind === kind && r.sentAt !== null).length;
    const history = await handle.fetchHistory();
    const events = history.events?.length ?? 0;
    // The time-skipping server does not report historySizeBytes: measure the history as the server stores it.
    const bytes = proto.temporal.api.history.v1.History.encode(history).finish().length;
    const jsonBytes = Buffer.byteLength(JSON.stringify(history));
    console.log(`subscriber month: ${sent('marketing')} drip texts, ${sent('reminder')} reminder, ${sent('welcome')} welcome; state ${state.consentState}`);
    console.log(`history events per month: ${events}`);
    console.log(`history size per month: ${bytes} bytes (protobuf), ${jsonBytes} bytes as JSON`);
    console.log(`continue-as-new after about ${Math.floor(4096 / events)} months at the server's default 4,096-event suggestion`);
    if (sent('marketing') !== DRIP_DAYS.length || sent('reminder') !== 1) {
      throw new Error('the month did not send what it should: the figures above are not the benchmark');
    }
  } finally {
    await h.stop();
    await env.teardown();
    await testDb.cleanup();
  }
}

await main();
