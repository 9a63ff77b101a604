// What activities need from the process: built once by the worker (or a test)
// and passed to each activity factory. Tests inject a fake clock or carrier here,
// never through a test-only branch in production code.
import type { Client } from '@temporalio/client';
import type { Carrier } from '../carriers/types.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

export interface ActivityDeps {
  db: Db;
  carrier: Carrier;
  /** Temporal client, for activities that signal other workflows. */
  client: Client;
  logger: Logger;
  /** Key for phone-number hashing (src/identity.ts). */
  phoneHashKey: string;
  /** Public base URL of the API, for Twilio status callbacks. */
  publicBaseUrl: string;
  /** Base task queue; carrier sends go to sendTaskQueue(base, sender). */
  taskQueue: string;
  now: () => Date;
}
