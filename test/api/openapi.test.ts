// The OpenAPI document lists every route the app serves, as OpenAPI 3.1.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Express } from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.js';
import { toOpenApiPath } from '../../src/api/routing.js';
import { buildApiApp } from '../../src/api/start.js';
import { loadConfig } from '../../src/config.js';
import { apiExtras } from '../../src/runtime/api.js';
import { createRuntime } from '../../src/runtime/context.js';
import { createSqliteTestDb, type TestDb } from '../helpers/db.js';
import { PHONE_HASH_KEY } from '../helpers/api.js';
import { createDevServer } from '../helpers/temporal.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method + path the express app routes, read from its router stack. */
function servedRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          found.push(`${method} ${toOpenApiPath(layer.route.path)}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

let env: TestWorkflowEnvironment;
let testDb: TestDb;
let app: Express;
let doc: Doc;

beforeAll(async () => {
  env = await createDevServer();
  testDb = await createSqliteTestDb();
  app = createApp({
    db: testDb.db,
    client: env.client,
    config: { publicBaseUrl: 'http://127.0.0.1:3000', TEMPORAL_TASK_QUEUE: 'openapi-test' },
    logger: pino({ level: 'silent' }),
    phoneHashKey: PHONE_HASH_KEY,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as Doc;
  const docs = await fetch(`http://127.0.0.1:${port}/docs/`);
  expect(docs.status).toBe(200);
  expect(await docs.text()).toContain('swagger-ui');
  server.close();
});

afterAll(async () => {
  await testDb?.cleanup();
  await env?.teardown();
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with info, paths and components', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('consentline marketer API');
    expect(doc.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    for (const id of ['Problem', 'Program', 'CreateProgram', 'UpdateProgram', 'OptIn', 'OptInResult', 'Subscriber', 'ApiKey']) {
      expect(Object.keys(doc.components.schemas)).toContain(id);
    }
  });

  it('documents every route the app serves, and nothing it does not', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`))
      .filter((r) => !r.endsWith(' /openapi.json'))
      .sort();
    const served = servedRoutes(app).filter((r) => !r.endsWith(' /openapi.json'));
    expect(served.length).toBeGreaterThanOrEqual(14);
    expect(documented).toEqual(served);
  });

  it('gives each operation a unique ID, success and problem responses, and security under /v1', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
        if (path.startsWith('/v1/')) {
          expect(op.security).toEqual([{ apiKey: [] }]);
          for (const status of ['400', '401', '403', '429', '500']) {
            expect(op.responses[status]).toEqual(
              expect.objectContaining({ content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }),
            );
          }
        }
      }
    }
  });

  it('describes the opt-in with its Idempotency-Key header and refusal', () => {
    const optIn = doc.paths['/v1/programs/{programId}/subscribers']?.post as unknown as {
      parameters: Array<{ in: string; name: string }>;
      responses: Record<string, unknown>;
    };
    expect(optIn.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'programId' }), expect.objectContaining({ in: 'header', name: 'Idempotency-Key' })]),
    );
    expect(Object.keys(optIn.responses)).toEqual(expect.arrayContaining(['200', '201', '404', '409', '422', '503']));
  });
});

describe('the whole API as npm run api builds it', () => {
  it('documents every marketer and auditor route of every module; only carrier-facing routes stay out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'consentline-openapi-'));
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: testDb.url, TEMPORAL_ADDRESS: env.address, LOG_LEVEL: 'silent' });
    const rt = await createRuntime(config);
    try {
      const full = buildApiApp(rt, apiExtras(rt));
      const server = full.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as { port: number };
      const fullDoc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as Doc;
      server.close();

      const documented = new Set(Object.entries(fullDoc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)));
      const undocumented = servedRoutes(full).filter((r) => !documented.has(r) && !r.endsWith(' /openapi.json'));
      // Twilio webhooks and the simulator's handset are not part of the marketer API.
      expect(undocumented.filter((r) => !/ \/(webhooks|sim)\//.test(r))).toEqual([]);
      expect(Object.keys(fullDoc.paths).some((p) => p.startsWith('/v1/programs/{programId}/campaigns') || p.includes('campaign'))).toBe(true);
    } finally {
      await rt.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
