// A route is declared once: its zod schemas validate the request AND describe
// it in the OpenAPI document, so the two cannot drift. Each resource module
// builds an `ApiRoutes` (routes/programs.ts ...); createApp mounts them behind
// authentication and collects their paths for /openapi.json.
//
// Route pipeline: (app: failed-auth limit → JSON body → authenticate →
// per-key limit) → role check → zod parse → idempotency → handler → present.
import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { canonicalJson } from '../ledger/ledger.js';
import { type ApiCaller, callerOf, requireRole, type Role } from './auth.js';
import { ApiProblem, PROBLEM_CONTENT_TYPE, problemCatalogue, type ProblemKind, toProblem, validationProblem } from './errors.js';
import { problemSchema } from './schemas/common.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: ApiCaller;
  /** Stable per logical request: derived from Idempotency-Key when sent, random otherwise. Safe for Temporal. */
  requestId: string;
  req: Request;
  res: Response;
}

type AnyObject = z.ZodType<Record<string, unknown>>;

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: HttpMethod;
  /** Express-style path with `:name` parameters, e.g. `/v1/programs/:programId`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  roles: Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** Honour an `Idempotency-Key` header: same key + same body replays the first response. */
  idempotent?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** Problem kinds this route can answer with, beyond those every /v1 route can. */
  problems?: ProblemKind[];
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply>;
}

export interface RouteContext {
  db: Db;
}

const commonProblems: ProblemKind[] = ['validation', 'unauthorized', 'forbidden', 'rate-limited', 'internal'];

const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .meta({ description: 'Client-chosen key: a retry with the same key and body replays the first response; a different body is refused with 409.' });

export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

interface StoredRoute {
  spec: RouteSpec<AnyObject, AnyObject, z.ZodType>;
}

export class ApiRoutes {
  private readonly routes: StoredRoute[] = [];

  constructor(readonly tag: string) {}

  add<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): this {
    this.routes.push({ spec: spec as unknown as RouteSpec<AnyObject, AnyObject, z.ZodType> });
    return this;
  }

  /** Express method + path of every route, for checks that the document is complete. */
  list(): Array<{ method: HttpMethod; path: string }> {
    return this.routes.map(({ spec }) => ({ method: spec.method, path: spec.path }));
  }

  paths(): ZodOpenApiPathsObject {
    const paths: ZodOpenApiPathsObject = {};
    for (const { spec } of this.routes) {
      const key = toOpenApiPath(spec.path);
      paths[key] = { ...paths[key], [spec.method]: operationOf(spec, this.tag) };
    }
    return paths;
  }

  router(ctx: RouteContext): Router {
    const router = express.Router();
    for (const { spec } of this.routes) {
      router[spec.method](spec.path, requireRole(...spec.roles), async (req, res) => {
        await runRoute(spec, ctx, req, res);
      });
    }
    return router;
  }
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> | undefined {
  if (!schema) {
    return undefined;
  }
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw validationProblem(parsed.error, where);
  }
  return parsed.data;
}

async function runRoute(spec: RouteSpec<AnyObject, AnyObject, z.ZodType>, ctx: RouteContext, req: Request, res: Response): Promise<void> {
  const caller = callerOf(res);
  if (spec.body && hasBody(req) && !req.is('application/json')) {
    throw new ApiProblem('unsupported-media-type', `send the body as application/json, not ${req.get('content-type') ?? 'without a content type'}`);
  }
  const params = parsePart(spec.params, req.params, 'path') ?? {};
  const query = parsePart(spec.query, req.query, 'query string') ?? {};
  const body: unknown = spec.body ? parsePart(spec.body, req.body, 'body') : undefined;
  const rawKey = spec.idempotent ? req.get('idempotency-key') : undefined;
  const key = rawKey === undefined ? undefined : parsePart(idempotencyKeySchema, rawKey, 'Idempotency-Key header');
  const input = { params, query, body, caller, req, res, requestId: randomUUID() };

  const reply = key === undefined ? await spec.handle(input) : await withIdempotency(ctx.db, caller, key, req, body, (requestId) => spec.handle({ ...input, requestId }));
  present(res, reply);
}

function hasBody(req: Request): boolean {
  return req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
}

function present(res: Response, reply: Reply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    res.setHeader(name, value);
  }
  if (reply.body === undefined) {
    res.status(reply.status).end();
    return;
  }
  res.status(reply.status).json(reply.body);
}

/**
 * Runs `handle` at most once per (API key, Idempotency-Key). A placeholder row
 * claims the key first, so a concurrent retry is refused instead of running twice.
 */
async function withIdempotency(
  db: Db,
  caller: ApiCaller,
  key: string,
  req: Request,
  body: unknown,
  handle: (requestId: string) => Promise<Reply>,
): Promise<Reply> {
  const recordKey = `${caller.keyId}:${key}`;
  const requestHash = createHash('sha256').update(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(body ?? null)}`).digest('hex');
  try {
    await db.idempotencyRecord.create({ data: { key: recordKey, requestHash, statusCode: 0, responseBody: '' } });
  } catch (err) {
    if (!isUniqueViolation(err)) {
      throw err;
    }
    return replay(db, recordKey, requestHash);
  }
  // The key is client text: Temporal only ever sees a hash of it.
  const requestId = `idem-${createHash('sha256').update(recordKey).digest('hex').slice(0, 32)}`;
  let reply: Reply;
  try {
    reply = await handle(requestId);
  } catch (err) {
    const problem = toProblem(err);
    if (problem && problem.status < 500) {
      // A refusal is an answer: a retry with the same key gets the same one.
      const stored: StoredResponse = { problem: { kind: problem.kind, detail: problem.detail, extensions: problem.extensions } };
      await db.idempotencyRecord.update({ where: { key: recordKey }, data: { statusCode: problem.status, responseBody: JSON.stringify(stored) } });
    } else {
      await db.idempotencyRecord.delete({ where: { key: recordKey } });
    }
    throw err;
  }
  const stored: StoredResponse = { body: reply.body ?? null, headers: reply.headers ?? {} };
  await db.idempotencyRecord.update({ where: { key: recordKey }, data: { statusCode: reply.status, responseBody: JSON.stringify(stored) } });
  return reply;
}

interface StoredResponse {
  body?: unknown;
  headers?: Record<string, string>;
  problem?: { kind: ProblemKind; detail: string; extensions: Record<string, unknown> };
}

async function replay(db: Db, recordKey: string, requestHash: string): Promise<Reply> {
  const record = await db.idempotencyRecord.findUnique({ where: { key: recordKey } });
  if (!record) {
    throw new ApiProblem('conflict', 'the Idempotency-Key was released by a failed attempt at the same moment; retry');
  }
  if (record.requestHash !== requestHash) {
    throw new ApiProblem('conflict', 'this Idempotency-Key was already used with a different request');
  }
  if (record.statusCode === 0) {
    throw new ApiProblem('conflict', 'a request with this Idempotency-Key is still in progress; retry shortly');
  }
  const stored = JSON.parse(record.responseBody) as StoredResponse;
  if (stored.problem) {
    throw new ApiProblem(stored.problem.kind, stored.problem.detail, { ...stored.problem.extensions, replayed: true });
  }
  return { status: record.statusCode, body: stored.body ?? undefined, headers: { ...stored.headers, 'Idempotent-Replayed': 'true' } };
}

function problemResponse(kinds: ProblemKind[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ProblemKind[]>();
  for (const kind of kinds) {
    const status = problemCatalogue[kind].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), kind]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, list] of byStatus) {
    responses[String(status) as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: list.map((k) => problemCatalogue[k].title).join('; '),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
    };
  }
  return responses;
}

function operationOf(spec: RouteSpec<AnyObject, AnyObject, z.ZodType>, tag: string): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = problemResponse([...commonProblems, ...(spec.problems ?? [])]);
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description: r.description,
      ...(r.schema ? { content: { 'application/json': { schema: r.schema } } } : {}),
    };
  }
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [tag],
    security: [{ apiKey: [] }],
    'x-roles': spec.roles.includes('admin') ? spec.roles : [...spec.roles, 'admin'],
    requestParams: {
      ...(spec.params ? { path: spec.params as z.ZodObject } : {}),
      ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
      ...(spec.idempotent ? { header: z.object({ 'Idempotency-Key': idempotencyKeySchema.optional() }) } : {}),
    },
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    responses,
  };
}
