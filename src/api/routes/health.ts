// Liveness, readiness and metrics: public, outside /v1, for load balancers and Prometheus.
import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { Db } from '../../db/client.js';
import { registry } from '../../metrics.js';

const checkSchema = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });

const readySchema = z
  .object({ ready: z.boolean(), checks: z.object({ database: checkSchema, temporal: checkSchema }) })
  .meta({ id: 'Readiness', description: 'Whether the API can serve requests: the database answers a query and Temporal answers GetSystemInfo' });

type Check = z.infer<typeof checkSchema>;

async function timed(probe: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), timeout]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    // Only the first line: driver messages can be long, and this is a public endpoint.
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message.split('\n')[0] ?? 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(deps: { db: Db; client: Client }): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const [database, temporal] = await Promise.all([
      timed(() => deps.db.$queryRawUnsafe('SELECT 1'), 2_000),
      timed(() => deps.client.connection.workflowService.getSystemInfo({}), 2_000),
    ]);
    const ready = database.ok && temporal.ok;
    res.status(ready ? 200 : 503).json({ ready, checks: { database, temporal } });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

export const healthPaths: ZodOpenApiPathsObject = {
  '/healthz': {
    get: {
      operationId: 'getHealth',
      summary: 'Liveness: the process is up',
      tags: ['operations'],
      responses: { '200': { description: 'Up', content: { 'application/json': { schema: z.object({ ok: z.literal(true) }) } } } },
    },
  },
  '/readyz': {
    get: {
      operationId: 'getReadiness',
      summary: 'Readiness: database and Temporal answer',
      tags: ['operations'],
      responses: {
        '200': { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
        '503': { description: 'Not ready; the failing check says why', content: { 'application/json': { schema: readySchema } } },
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (text exposition format)',
      tags: ['operations'],
      responses: { '200': { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } } },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'getOpenApi',
      summary: 'This OpenAPI 3.1 document',
      tags: ['operations'],
      responses: { '200': { description: 'The document', content: { 'application/json': { schema: z.object({ openapi: z.string() }).catchall(z.unknown()) } } } },
    },
  },
};
