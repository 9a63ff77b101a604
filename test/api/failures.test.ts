// Failures: an unexpected error is hidden from the client and logged with the
// request ID (never a phone number); a lifecycle that does not answer gives 503
// and leaves the Idempotency-Key free for a retry.
import { Writable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { ApiRoutes } from '../../src/api/routing.js';
import { createApiKey } from '../../src/domain/keys.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { installNetworkGuard, optInBody, PHONE_HASH_KEY, programBody, tableCounts } from '../helpers/api.js';
import { nextPhone } from '../helpers/lifecycle.js';
import { createDevServer } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let base: string;
let key: string;
let close: () => void;
const logLines: string[] = [];

const failing = new ApiRoutes('failing').add({
  method: 'get',
  path: '/v1/failing',
  operationId: 'fail',
  summary: 'Throws an unexpected error quoting a number',
  roles: ['marketer'],
  responses: { 200: { description: 'never' } },
  handle: async () => {
    throw new Error('driver exploded on +1 312 555 0199 (secret internals)');
  },
});

beforeAll(async () => {
  installNetworkGuard();
  env = await createDevServer();
  testDb = await createSqliteTestDb();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = createApp({
    db: testDb.db,
    client: env.client,
    // No worker polls this queue: the lifecycle never answers.
    config: { publicBaseUrl: 'http://127.0.0.1', TEMPORAL_TASK_QUEUE: 'nobody-listens' },
    logger: pino({ level: 'info' }, sink),
    phoneHashKey: PHONE_HASH_KEY,
    routes: [failing],
    lifecycleTimeoutMs: 1_500,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  close = () => {
    server.closeAllConnections();
    server.close();
  };
  key = (await createApiKey(testDb.db, { name: 'failures', role: 'marketer' })).token;
  const created = await fetch(`${base}/v1/programs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(programBody({ id: 'no-worker' })),
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  close?.();
  await testDb?.cleanup();
  await env?.teardown();
});

describe('unexpected errors', () => {
  it('answer 500 internal without internals, and log the request ID without the number', async () => {
    const res = await fetch(`${base}/v1/failing`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'boom-1' } });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(500);
    expect(body.type).toBe('https://consentline.dev/problems/internal');
    expect(body.requestId).toBe('boom-1');
    expect(JSON.stringify(body)).not.toMatch(/exploded|secret|555/);

    const logged = logLines.map((l) => JSON.parse(l) as { msg: string; requestId?: string; err?: { message: string } });
    const entry = logged.find((l) => l.msg === 'unhandled error');
    expect(entry?.requestId).toBe('boom-1');
    expect(entry?.err?.message).toContain('driver exploded');
    expect(logLines.join('\n')).not.toMatch(/555.?0199/);
  });
});

describe('a lifecycle that does not answer', () => {
  it('gives 503, keeps the opt-in stored, and frees the Idempotency-Key for a retry', async () => {
    const phone = nextPhone();
    const before = await tableCounts(testDb.db);
    const send = () =>
      fetch(`${base}/v1/programs/no-worker/subscribers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'retry-me' },
        body: JSON.stringify(body),
      });
    const body = optInBody(phone);
    const started = Date.now();
    const res = await send();
    expect(res.status).toBe(503);
    expect(((await res.json()) as { type: string }).type).toBe('https://consentline.dev/problems/lifecycle-unavailable');
    expect(Date.now() - started).toBeLessThan(10_000);
    const after = await tableCounts(testDb.db);
    expect(after.subscribers).toBe(before.subscribers + 1);
    expect(after.evidence).toBe(before.evidence + 1);
    expect(after.idempotency).toBe(before.idempotency);

    const retry = await send();
    expect(retry.status).toBe(503);
    // The retry reuses the stored evidence instead of adding another row.
    expect((await tableCounts(testDb.db)).evidence).toBe(before.evidence + 1);
    expect(logLines.join('\n')).not.toContain(phone.slice(2));
  });
});
