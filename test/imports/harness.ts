// The API with the import, campaign and policy routes over real HTTP, on a
// real database and dev server, with the real lifecycle worker behind it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createApp } from '../../src/api/app.js';
import { campaignRoutes } from '../../src/api/routes/campaigns.js';
import { importRoutes } from '../../src/api/routes/imports.js';
import { policyRoutes } from '../../src/api/routes/policies.js';
import type { ImportJobView } from '../../src/domain/imports.js';
import { createApiKey } from '../../src/domain/keys.js';
import type { TestDb } from '../helpers/db.js';
import { installNetworkGuard } from '../helpers/api.js';
import { PHONE_HASH_KEY, startLifecycleWorker, type LifecycleHarness } from '../helpers/lifecycle.js';

export interface BulkHarness {
  baseUrl: string;
  key: string;
  worker: LifecycleHarness;
  post(path: string, body: string | object, contentType?: string): Promise<{ status: number; body: Record<string, unknown>; contentType: string | null }>;
  get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startBulkApi(env: TestWorkflowEnvironment, testDb: TestDb, now: () => Date = () => new Date()): Promise<BulkHarness> {
  installNetworkGuard();
  const { db } = testDb;
  const worker = await startLifecycleWorker(env, db);
  const deps = { db, client: env.client, taskQueue: worker.taskQueue, phoneHashKey: PHONE_HASH_KEY, now };
  const app = createApp({
    db,
    client: env.client,
    config: { publicBaseUrl: 'http://127.0.0.1', TEMPORAL_TASK_QUEUE: worker.taskQueue },
    logger: pino({ level: 'silent' }),
    phoneHashKey: PHONE_HASH_KEY,
    routes: [importRoutes(deps), campaignRoutes(deps), policyRoutes(deps)],
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = (await createApiKey(db, { name: 'bulk marketer', role: 'marketer' })).token;
  const auth = { authorization: `Bearer ${key}` };

  return {
    baseUrl,
    key,
    worker,
    async post(path, body, contentType = 'application/json') {
      const res = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { ...auth, 'content-type': contentType },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, contentType: res.headers.get('content-type') };
    },
    async get<T>(path: string) {
      const res = await fetch(`${baseUrl}${path}`, { headers: auth });
      return { status: res.status, body: (await res.json()) as T };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
    },
  };
}

/** Polls an import until it is no longer running. */
export async function finishedImport(api: BulkHarness, id: string, timeoutMs = 1_100_000): Promise<ImportJobView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = (await api.get<ImportJobView>(`/v1/imports/${id}`)).body;
    if (job.status !== 'running' || Date.now() > until) {
      return job;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
