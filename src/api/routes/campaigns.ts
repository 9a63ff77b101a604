// /v1 drip campaigns and broadcasts: create, start, pause, resume, cancel, progress.
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import {
  campaignProgress,
  campaignStepSchema,
  campaignTargetSchema,
  controlCampaign,
  createBroadcast,
  createBroadcastSchema,
  createCampaign,
  createCampaignSchema,
  startCampaign,
  type CampaignServices,
  type CampaignView,
} from '../../domain/campaigns.js';
import { newId } from '../../domain/ids.js';
import { ApiRoutes } from '../routing.js';
import { programParams } from '../schemas/programs.js';

const campaignParams = z.object({ campaignId: z.string().min(1).max(64).meta({ description: 'Campaign ID' }) });

const storedStepSchema = campaignStepSchema
  .omit({ delay: true, atLocalTime: true })
  .extend({
    delayMs: z.number().meta({ description: 'Wait after the previous step, in milliseconds' }),
    atLocalTime: z.string().nullable(),
    expireAfterMs: z.number(),
  });

const campaignSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    name: z.string(),
    status: z.enum(['draft', 'running', 'paused', 'cancelled', 'completed']),
    workflowId: z.string().nullable().meta({ description: 'Look the run up in the Temporal UI under this ID' }),
    steps: z.array(storedStepSchema),
    target: campaignTargetSchema,
    createdAt: z.string(),
  })
  .meta({ id: 'Campaign' });

const counts = z.record(z.string(), z.number().int());

const campaignProgressSchema = campaignSchema
  .extend({
    run: z
      .object({
        status: z.string(),
        steps: z.array(z.object({ status: z.string(), dueAt: z.string().nullable(), signalled: z.number(), missingLifecycle: z.number() })),
      })
      .nullable()
      .meta({ description: 'Fan-out per step, from the campaign workflow; null before the start or while no worker answers' }),
    texts: z.object({ byStatus: counts, reasons: counts }).meta({ description: 'Outbound texts of the campaign by status, and skip or failure reasons' }),
    holds: z
      .object({ sampledLifecycles: z.number(), byRule: counts })
      .meta({ description: 'Texts still held in a sample of target lifecycles, by the rule holding them (quiet hours, caps, ...)' }),
  })
  .meta({ id: 'CampaignProgress' });

const present = (c: CampaignView) => c;

export function campaignRoutes(deps: { db: Db; client: Client; taskQueue: string }): ApiRoutes {
  const services: CampaignServices = { ...deps, newId: () => newId('cmp') };
  const control = (command: 'start' | 'pause' | 'resume' | 'cancel', summary: string) => ({
    method: 'post' as const,
    path: `/v1/campaigns/:campaignId/${command}`,
    operationId: `${command}Campaign`,
    summary,
    roles: ['marketer' as const],
    params: campaignParams,
    problems: ['not-found' as const, 'conflict' as const],
    responses: { 200: { description: 'The campaign after the change', schema: campaignSchema } },
    handle: async ({ params }: { params: z.output<typeof campaignParams> }) => ({
      status: 200,
      body: present(command === 'start' ? await startCampaign(services, params.campaignId) : await controlCampaign(services, params.campaignId, command)),
    }),
  });

  return new ApiRoutes('campaigns')
    .add({
      method: 'post',
      path: '/v1/programs/:programId/campaigns',
      operationId: 'createCampaign',
      summary: 'Create a drip campaign (draft)',
      description:
        "Each step is rendered and linted for every country of the program first; a step that would fail is refused with 422 and the reasons. Each step waits `delay` after the previous one and may name `atLocalTime` to go out at that time of day in each subscriber's own time zone. Every text still passes the subscriber's lifecycle: consent, quiet hours and caps decide whether and when it is sent.",
      roles: ['marketer'],
      params: programParams,
      body: createCampaignSchema,
      idempotent: true,
      problems: ['not-found', 'program-lint-failed'],
      responses: { 201: { description: 'Created as a draft', schema: campaignSchema } },
      handle: async ({ params, body }) => {
        const campaign = await createCampaign(services, params.programId, body);
        return { status: 201, body: present(campaign), headers: { Location: `/v1/campaigns/${campaign.id}` } };
      },
    })
    .add({
      method: 'post',
      path: '/v1/programs/:programId/broadcasts',
      operationId: 'createBroadcast',
      summary: 'Send one text to the target now (a one-step campaign, started at once)',
      roles: ['marketer'],
      params: programParams,
      body: createBroadcastSchema,
      idempotent: true,
      problems: ['not-found', 'program-lint-failed'],
      responses: { 201: { description: 'Created and started', schema: campaignSchema } },
      handle: async ({ params, body }) => {
        const campaign = await createBroadcast(services, params.programId, body);
        return { status: 201, body: present(campaign), headers: { Location: `/v1/campaigns/${campaign.id}` } };
      },
    })
    .add({
      method: 'get',
      path: '/v1/campaigns/:campaignId',
      operationId: 'getCampaign',
      summary: 'Read a campaign with its progress',
      roles: ['marketer', 'auditor'],
      params: campaignParams,
      problems: ['not-found'],
      responses: { 200: { description: 'The campaign and its progress', schema: campaignProgressSchema } },
      handle: async ({ params }) => {
        const { campaign, ...progress } = await campaignProgress(services, params.campaignId);
        return { status: 200, body: { ...present(campaign), ...progress } };
      },
    })
    .add(control('start', 'Start a draft campaign'))
    .add(control('pause', 'Pause: no further texts are queued until resumed'))
    .add(control('resume', 'Resume a paused campaign'))
    .add(control('cancel', 'Cancel: no further steps; queued texts of the campaign are skipped'));
}
