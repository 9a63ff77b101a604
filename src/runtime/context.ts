// The composition root: everything a consentline process needs, built once
// from the configuration. `npm start`, `npm run worker` and `npm run api` all
// start here, so the worker and the API agree on keys, database and carrier.
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import { loadSimulatorSecret, SimulatedCarrier } from '../carriers/simulated.js';
import { TwilioCarrier } from '../carriers/twilio.js';
import type { Carrier } from '../carriers/types.js';
import { withConsentGuard } from '../activities/lifecycle/consent-guard.js';
import { createDb, type Db } from '../db/client.js';
import { databaseMessage } from '../db/errors.js';
import { loadPhoneHashKey } from '../identity.js';
import { logger, type Logger } from '../logger.js';
import { connectClient } from '../temporal/connection.js';

export interface Runtime {
  config: Config;
  db: Db;
  client: Client;
  carrier: Carrier;
  logger: Logger;
  phoneHashKey: string;
  /** Signs and checks the simulated carrier's webhooks; null with Twilio. */
  simulatorSecret: string | null;
  close(): Promise<void>;
}

/** Opens the database and proves it answers; a failure names DATABASE_URL. */
async function openDb(config: Config): Promise<Db> {
  const db = createDb(config.databaseUrl);
  try {
    await db.$queryRawUnsafe('SELECT 1');
    return db;
  } catch (err) {
    await db.$disconnect().catch(() => undefined);
    throw new Error(`DATABASE_URL: cannot use the ${config.databaseProvider} database (${databaseMessage(err).split('\n').pop()})`);
  }
}

export async function createRuntime(config: Config): Promise<Runtime> {
  const db = await openDb(config);
  const phoneHashKey = loadPhoneHashKey(config.PHONE_HASH_KEY, join(config.DATA_DIR, 'phone-hash.key'));
  const simulatorSecret =
    config.carrier === 'simulated' ? loadSimulatorSecret(undefined, join(config.DATA_DIR, 'simulator-secret')) : null;
  const rawCarrier: Carrier & { close?: () => Promise<void> } =
    config.carrier === 'twilio'
      ? new TwilioCarrier({
          accountSid: config.TWILIO_ACCOUNT_SID ?? '',
          authToken: config.TWILIO_AUTH_TOKEN ?? '',
          ...(config.TWILIO_API_BASE_URL ? { apiBaseUrl: config.TWILIO_API_BASE_URL } : {}),
        })
      : new SimulatedCarrier({ db, signingSecret: simulatorSecret ?? '', logger });
  // Every send re-reads the subscriber's consent right before the carrier call,
  // so a STOP recorded while a text waits in a paced queue still stops it.
  const carrier = withConsentGuard(rawCarrier, db);
  let client: Client;
  try {
    client = await connectClient(config);
  } catch (err) {
    await db.$disconnect();
    throw err;
  }
  return {
    config,
    db,
    client,
    carrier,
    logger,
    phoneHashKey,
    simulatorSecret,
    async close() {
      await rawCarrier.close?.();
      await client.connection.close();
      await db.$disconnect();
    },
  };
}
