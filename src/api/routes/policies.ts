// /v1 policy changes: publish a new terms or privacy version and follow its fan-out.
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { newId } from '../../domain/ids.js';
import { createPolicyChange, createPolicyChangeSchema, policyChangeStatus, type PolicyServices } from '../../domain/policies.js';
import { ApiRoutes } from '../routing.js';
import { programParams } from '../schemas/programs.js';

const changeParams = z.object({ changeId: z.string().min(1).max(64).meta({ description: 'Policy change ID' }) });

const policyChangeSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    policy: z.enum(['terms', 'privacy']),
    version: z.string(),
    url: z.string(),
    material: z.boolean(),
    workflowId: z.string().nullable().meta({ description: 'The fan-out workflow, to look up in the Temporal UI' }),
    createdAt: z.string(),
  })
  .meta({ id: 'PolicyChange' });

const policyChangeStatusSchema = policyChangeSchema
  .extend({
    progress: z
      .object({ status: z.enum(['running', 'completed']), signalled: z.number(), missingLifecycle: z.number() })
      .nullable()
      .meta({ description: 'Lifecycles told so far; null while no worker answers' }),
    subscribers: z.record(z.string(), z.number()).meta({ description: "The program's subscribers by consent state now (paused: awaiting re-consent)" }),
  })
  .meta({ id: 'PolicyChangeStatus' });

export function policyRoutes(deps: { db: Db; client: Client; taskQueue: string }): ApiRoutes {
  const services: PolicyServices = { ...deps, newId: () => newId('pol') };
  return new ApiRoutes('policies')
    .add({
      method: 'post',
      path: '/v1/programs/:programId/policy-changes',
      operationId: 'createPolicyChange',
      summary: 'Publish a new terms or privacy version',
      description:
        'Every active or paused subscriber is told. A material change pauses marketing to each of them and asks for re-consent; a non-material change sends a notice. Repeating the same request returns the same change (200).',
      roles: ['marketer'],
      params: programParams,
      body: createPolicyChangeSchema,
      problems: ['not-found', 'conflict'],
      responses: {
        201: { description: 'Published; the fan-out has started', schema: policyChangeSchema },
        200: { description: 'The same change was already published', schema: policyChangeSchema },
      },
      handle: async ({ params, body }) => {
        const { change, created } = await createPolicyChange(services, params.programId, body);
        return { status: created ? 201 : 200, body: change, headers: { Location: `/v1/policy-changes/${change.id}` } };
      },
    })
    .add({
      method: 'get',
      path: '/v1/policy-changes/:changeId',
      operationId: 'getPolicyChange',
      summary: 'Read a policy change with its fan-out progress',
      roles: ['marketer', 'auditor'],
      params: changeParams,
      problems: ['not-found'],
      responses: { 200: { description: 'The change and its progress', schema: policyChangeStatusSchema } },
      handle: async ({ params }) => {
        const { change, ...rest } = await policyChangeStatus(services, params.changeId);
        return { status: 200, body: { ...change, ...rest } };
      },
    });
}
