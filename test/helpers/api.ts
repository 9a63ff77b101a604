// The marketer API over real HTTP for tests: a real database, a real Temporal
// dev server and, when asked, a worker running the real lifecycle. Keys for
// each role, a program factory with overrides, and a fetch that refuses any
// host but loopback, so an unexpected outbound call fails the test.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createApp } from '../../src/api/app.js';
import type { RateLimits } from '../../src/api/auth.js';
import { createApiKey, type Role } from '../../src/domain/keys.js';
import type { Db } from '../../src/db/client.js';
import type { TestDb } from './db.js';
import { type LifecycleHarness, PHONE_HASH_KEY, startLifecycleWorker } from './lifecycle.js';

export { PHONE_HASH_KEY } from './lifecycle.js';

const realFetch = globalThis.fetch;

/** Only loopback addresses may be reached from a test process. */
export function installNetworkGuard(): void {
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
      return Promise.reject(new Error(`unexpected outbound HTTP to ${url.hostname} in a test`));
    }
    return realFetch(input, init);
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is, e.g. malformed JSON. */
  raw?: string;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  db: Db;
  env: TestWorkflowEnvironment;
  baseUrl: string;
  keys: Record<Role, string>;
  worker: LifecycleHarness | null;
  request<T = Record<string, unknown>>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export interface ApiHarnessOptions {
  testDb: TestDb;
  env: TestWorkflowEnvironment;
  /** Start a worker with the real lifecycle workflow and activities. */
  worker?: boolean;
  limits?: Partial<RateLimits>;
  lifecycleTimeoutMs?: number;
}

export async function startApi(options: ApiHarnessOptions): Promise<ApiHarness> {
  installNetworkGuard();
  const { db } = options.testDb;
  const worker = options.worker ? await startLifecycleWorker(options.env, db) : null;
  const app = createApp({
    db,
    client: options.env.client,
    config: { publicBaseUrl: 'http://127.0.0.1', TEMPORAL_TASK_QUEUE: worker?.taskQueue ?? 'api-test-no-worker' },
    logger: pino({ level: 'silent' }),
    phoneHashKey: PHONE_HASH_KEY,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.lifecycleTimeoutMs ? { lifecycleTimeoutMs: options.lifecycleTimeoutMs } : {}),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const keys = {
    admin: (await createApiKey(db, { name: 'test admin', role: 'admin' })).token,
    marketer: (await createApiKey(db, { name: 'test marketer', role: 'marketer' })).token,
    auditor: (await createApiKey(db, { name: 'test auditor', role: 'auditor' })).token,
  };

  async function request<T>(method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse<T>> {
    const key = o.key === undefined ? keys.marketer : o.key;
    const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}), ...o.headers };
    let body: string | undefined;
    if (o.raw !== undefined || o.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = o.raw ?? JSON.stringify(o.body);
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  return {
    db,
    env: options.env,
    baseUrl,
    keys,
    worker,
    request,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker?.stop();
    },
  };
}

/** A valid program body; override any field. */
export function programBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    brandName: 'Harbor Coffee',
    name: 'Harbor Coffee Deals',
    description: 'weekly coffee deals',
    frequencyText: 'Up to 4 msgs/month',
    helpContact: 'help@harbor.example',
    termsUrl: 'https://harbor.example/terms',
    termsVersion: '2026-01',
    privacyUrl: 'https://harbor.example/privacy',
    privacyVersion: '2026-01',
    sender: { type: 'simulated' },
    allowedCountries: ['US', 'CA'],
    languages: ['en'],
    ...overrides,
  };
}

/** A valid opt-in body for `phone`; override any field. */
export function optInBody(phone: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    phone,
    source: 'web_form',
    consentType: 'express_written',
    consentAt: new Date(Date.now() - 60_000).toISOString(),
    disclosureVersion: 'web-2026-01',
    ip: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (test)',
    pageUrl: 'https://harbor.example/join',
    ...overrides,
  };
}

/** Row counts of every table an API request could write. */
export interface TableCounts {
  programs: number;
  subscribers: number;
  evidence: number;
  events: number;
  idempotency: number;
}

export async function tableCounts(db: Db): Promise<TableCounts> {
  const [programs, subscribers, evidence, events, idempotency] = await Promise.all([
    db.program.count(),
    db.subscriber.count(),
    db.optInEvidence.count(),
    db.consentEvent.count(),
    db.idempotencyRecord.count(),
  ]);
  return { programs, subscribers, evidence, events, idempotency };
}
