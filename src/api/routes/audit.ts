// /v1/audit: what an auditor reads and what an admin erases. The timeline
// answers in JSON, CSV or printable HTML, so it is a plain router (declared to
// OpenAPI by `auditPaths`); verification and erasure are documented routes.
// A phone number reaches only these routes, in the query or body: the request
// log keeps paths alone.
import type { Client } from '@temporalio/client';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { eraseSubscriberData } from '../../audit/erasure.js';
import { resolvePhone, subscriberIdByPhone } from '../../audit/lookup.js';
import { chainSummary, renderTimeline, timelineContentTypes } from '../../audit/render.js';
import { buildTimeline } from '../../audit/timeline.js';
import type { Db } from '../../db/client.js';
import { verifyProgram } from '../../ledger/ledger.js';
import { requireRole } from '../auth.js';
import { validationProblem } from '../errors.js';
import { ApiRoutes } from '../routing.js';
import { problemSchema } from '../schemas/common.js';

export interface AuditDeps {
  db: Db;
  client: Client;
  phoneHashKey: string;
  now: () => Date;
}

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
const programId = z.string().regex(idPattern, 'not a program ID').meta({ description: 'Program ID' });
const subscriberId = z.string().regex(idPattern, 'not a subscriber ID').meta({ description: 'Subscriber ID' });
const format = z.enum(['json', 'csv', 'html']).default('json').meta({ description: 'json (default), csv (one row per entry) or html (a printable page)' });

const subscriberTimelineParams = z.object({ subscriberId });
const programTimelineParams = z.object({ programId });
const timelineQuery = z.object({ format });
const phoneTimelineQuery = z.object({
  phone: z.string().min(1).max(32).meta({ description: "The subscriber's number (E.164 preferred); it is hashed to find the subscriber" }),
  country: z.string().regex(/^[A-Z]{2}$/).optional().meta({ description: 'Country of a national-format number (ISO 3166-1 alpha-2)' }),
  format,
});

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw validationProblem(parsed.error, where);
  }
  return parsed.data;
}

async function sendTimeline(deps: AuditDeps, res: Response, id: string, fmt: 'json' | 'csv' | 'html'): Promise<void> {
  const timeline = await buildTimeline(deps.db, id, deps.now());
  res.setHeader('Consentline-Chain', chainSummary(timeline.chain));
  res.setHeader('Cache-Control', 'no-store');
  if (fmt === 'csv') {
    res.setHeader('Content-Disposition', `attachment; filename="timeline-${id}.csv"`);
  }
  if (fmt === 'html') {
    // The page is static: no script runs, styles are inline.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  }
  res.status(200).type(timelineContentTypes[fmt]).send(renderTimeline(timeline, fmt));
}

/** The timeline in three formats; mount under the app's authenticated /v1. */
export function auditRouter(deps: AuditDeps): Router {
  const router = express.Router();
  router.get('/v1/audit/subscribers/:subscriberId/timeline', requireRole('auditor'), async (req: Request, res: Response) => {
    const params = parse(subscriberTimelineParams, req.params, 'path');
    const query = parse(timelineQuery, req.query, 'query string');
    await sendTimeline(deps, res, params.subscriberId, query.format);
  });
  router.get('/v1/audit/programs/:programId/timeline', requireRole('auditor'), async (req: Request, res: Response) => {
    const params = parse(programTimelineParams, req.params, 'path');
    const query = parse(phoneTimelineQuery, req.query, 'query string');
    const id = await subscriberIdByPhone(deps.db, params.programId, resolvePhone(query.phone, deps.phoneHashKey, query.country));
    await sendTimeline(deps, res, id, query.format);
  });
  return router;
}

const timelineResponses = {
  '200': {
    description: 'Every consent event and every text in and out, in order; the `Consentline-Chain` header and the JSON `chain` give the hash-chain verdict',
    content: {
      'application/json': { schema: z.object({}).catchall(z.unknown()).meta({ id: 'Timeline' }) },
      'text/csv': { schema: z.string() },
      'text/html': { schema: z.string() },
    },
  },
  '400': { description: 'The request is not valid', content: { 'application/problem+json': { schema: problemSchema } } },
  '401': { description: 'A valid API key is required', content: { 'application/problem+json': { schema: problemSchema } } },
  '403': { description: "The API key's role does not allow this", content: { 'application/problem+json': { schema: problemSchema } } },
  '404': { description: 'No such subscriber', content: { 'application/problem+json': { schema: problemSchema } } },
};

/** OpenAPI paths of `auditRouter`. */
export const auditPaths: ZodOpenApiPathsObject = {
  '/v1/audit/subscribers/{subscriberId}/timeline': {
    get: {
      operationId: 'subscriberTimeline',
      summary: "A subscriber's consent timeline with the ledger's chain verified",
      tags: ['audit'],
      security: [{ apiKey: [] }],
      'x-roles': ['auditor', 'admin'],
      requestParams: { path: subscriberTimelineParams, query: timelineQuery },
      responses: timelineResponses,
    },
  },
  '/v1/audit/programs/{programId}/timeline': {
    get: {
      operationId: 'subscriberTimelineByPhone',
      summary: "The consent timeline of a program's subscriber, found by phone number",
      tags: ['audit'],
      security: [{ apiKey: [] }],
      'x-roles': ['auditor', 'admin'],
      requestParams: { path: programTimelineParams, query: phoneTimelineQuery },
      responses: { ...timelineResponses, '422': { description: 'The phone number is not valid', content: { 'application/problem+json': { schema: problemSchema } } } },
    },
  },
};

const brokenLink = z.object({ subscriberId: z.string(), seq: z.number().int(), eventId: z.string().nullable(), reason: z.string() });
const programVerdictSchema = z
  .object({
    ok: z.boolean().meta({ description: 'Every subscriber chain verifies' }),
    programId: z.string(),
    subscribers: z.number().int(),
    events: z.number().int(),
    erasedEvidence: z.number().int().meta({ description: 'Events whose personal evidence was erased (erasure or retention); their hashes still verify' }),
    broken: z.array(brokenLink).meta({ description: 'The first broken event of each chain that does not verify' }),
  })
  .meta({ id: 'ProgramLedgerVerdict' });

const erasureBody = z
  .object({
    reason: z.string().min(1).max(500).meta({ description: 'Why, recorded in the ledger (no personal data)' }),
    requestedBy: z.string().min(1).max(200).default('admin').meta({ description: 'Who asked, recorded in the ledger' }),
  })
  .meta({ id: 'ErasureRequest' });

const phoneErasureBody = erasureBody
  .extend({
    phone: z.string().min(1).max(32).meta({ description: "The person's number" }),
    programId: programId.optional().meta({ description: 'Only this program; every program when absent' }),
  })
  .meta({ id: 'PhoneErasureRequest' });

const erasureReportSchema = z
  .object({
    requestId: z.string(),
    erasedAt: z.string(),
    suppression: z.object({ programId: z.string().meta({ description: "'*' for every program" }), phoneHash: z.string() }),
    subscribers: z.array(
      z.object({
        subscriberId: z.string(),
        programId: z.string(),
        workflowId: z.string(),
        workflowTerminated: z.boolean(),
        ledgerEventId: z.string().nullable(),
        evidenceDeleted: z.number().int(),
        outboundBodiesCleared: z.number().int(),
        inboundBodiesCleared: z.number().int(),
        simulatedMessagesDeleted: z.number().int(),
        idempotencyRecordsDeleted: z.number().int(),
        historyRuns: z.number().int().meta({ description: 'Workflow history runs searched for the number' }),
        historiesDeleted: z.array(z.object({ runId: z.string(), label: z.string() })),
        chain: z.object({ ok: z.boolean() }).catchall(z.unknown()),
      }),
    ),
  })
  .meta({ id: 'ErasureReport' });

/** Verification and erasure: documented JSON routes. */
export function auditRoutes(deps: AuditDeps): ApiRoutes {
  const erasure = { db: deps.db, client: deps.client, phoneHashKey: deps.phoneHashKey, now: deps.now };
  return new ApiRoutes('audit')
    .add({
      method: 'get',
      path: '/v1/audit/programs/:programId/verify',
      operationId: 'verifyProgramLedger',
      summary: "Recompute the hash chain of every subscriber's consent ledger in a program",
      roles: ['auditor'],
      params: programTimelineParams,
      responses: { 200: { description: 'The verdict; `ok: false` names the first broken event of each chain', schema: programVerdictSchema } },
      handle: async ({ params }) => ({ status: 200, body: await verifyProgram(deps.db, params.programId) }),
    })
    .add({
      method: 'post',
      path: '/v1/audit/subscribers/:subscriberId/erase',
      operationId: 'eraseSubscriber',
      summary: "Erase a subscriber's personal data (GDPR Art. 17)",
      description:
        'Stops the lifecycle, deletes personal consent evidence, clears text bodies and the number, searches the workflow histories for it, ' +
        'suppresses the number for the program and records an `erased` event in the ledger, whose chain still verifies.',
      roles: ['admin'],
      params: subscriberTimelineParams,
      body: erasureBody,
      idempotent: true,
      problems: ['not-found'],
      responses: { 200: { description: 'What was erased', schema: erasureReportSchema } },
      handle: async ({ params, body, requestId }) => ({
        status: 200,
        body: await eraseSubscriberData(erasure, { target: { subscriberId: params.subscriberId }, ...body, requestId }),
      }),
    })
    .add({
      method: 'post',
      path: '/v1/audit/erasures',
      operationId: 'erasePhone',
      summary: "Erase a person's personal data by phone number, in every program or one",
      roles: ['admin'],
      body: phoneErasureBody,
      idempotent: true,
      problems: ['not-found', 'invalid-phone'],
      responses: { 200: { description: 'What was erased', schema: erasureReportSchema } },
      handle: async ({ body, requestId }) => ({
        status: 200,
        body: await eraseSubscriberData(erasure, {
          target: { phone: body.phone, ...(body.programId ? { programId: body.programId } : {}) },
          reason: body.reason,
          requestedBy: body.requestedBy,
          requestId,
        }),
      }),
    });
}
