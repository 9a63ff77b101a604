// Drip campaigns and broadcasts: what a marketer asks for, how it is stored,
// and how its run is controlled and measured. The campaign workflow does the
// fan-out; each subscriber's lifecycle decides whether and when a step is sent.
import type { Client } from '@temporalio/client';
import { DateTime, Duration } from 'luxon';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { stateQuery, type LifecycleState } from '../workflows/messages.js';
import {
  cancelCampaignSignal,
  campaignProgressQuery,
  campaignWorkflow,
  pauseCampaignSignal,
  resumeCampaignSignal,
  type CampaignRunState,
  type CampaignStepPlan,
} from '../workflows/campaign.js';
import { campaignWorkflowId } from '../temporal/shared.js';
import { lintMessage, renderBody, TemplateVariableError } from '../compliance/index.js';
import type { ProgramRules } from '../compliance/types.js';
import { ConflictError, NotFoundError, ProgramLintError } from './errors.js';
import { getProgramRow, toProgramRules } from './programs.js';
import { mapBounded } from './bounded.js';

const HOUR = 60 * 60 * 1000;

const isoDuration = z
  .string()
  .refine((v) => Duration.fromISO(v).isValid, { message: 'must be an ISO 8601 duration such as P1D or PT6H' });

export const campaignStepSchema = z
  .object({
    body: z.string().min(1).max(1600).meta({
      description: 'Message template; {{name}} placeholders are filled from `variables`, plus {{brand}} and {{program}} from the program',
    }),
    delay: z
      .union([z.number().min(0).max(24 * 366), isoDuration])
      .optional()
      .meta({ description: 'Wait after the previous step (the first step: after the start): hours, or an ISO 8601 duration' }),
    atLocalTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm')
      .optional()
      .meta({ description: "Send at this time of day in each subscriber's own time zone, at or after the delay" }),
    variables: z.record(z.string(), z.string().max(500)).default({}).meta({ description: 'Values for the {{placeholders}} in body' }),
  })
  .meta({ id: 'CampaignStep' });

export const campaignTargetSchema = z
  .union([
    z.object({ allActive: z.literal(true).meta({ description: 'Every active subscriber of the program when the step runs' }) }),
    z.object({ subscriberIds: z.array(z.string().min(1)).min(1).max(10_000) }),
  ])
  .meta({ id: 'CampaignTarget' });

export const createCampaignSchema = z
  .object({
    name: z.string().min(1).max(200),
    steps: z.array(campaignStepSchema).min(1).max(20),
    target: campaignTargetSchema.default({ allActive: true }),
    expireAfterHours: z
      .number()
      .positive()
      .max(24 * 14)
      .default(48)
      .meta({ description: 'A step text still unsent this long after its planned time (e.g. held by quiet hours) is skipped' }),
  })
  .meta({ id: 'CreateCampaign' });

export const createBroadcastSchema = z
  .object({
    name: z.string().min(1).max(200),
    body: campaignStepSchema.shape.body,
    variables: campaignStepSchema.shape.variables,
    atLocalTime: campaignStepSchema.shape.atLocalTime,
    target: campaignTargetSchema.default({ allActive: true }),
    expireAfterHours: createCampaignSchema.shape.expireAfterHours,
  })
  .meta({ id: 'CreateBroadcast' });

export type CreateCampaign = z.infer<typeof createCampaignSchema>;
export type CreateBroadcast = z.infer<typeof createBroadcastSchema>;
export type CampaignTarget = z.infer<typeof campaignTargetSchema>;

/** A step as stored: the template plus its schedule in milliseconds. */
export interface StoredStep extends CampaignStepPlan {
  body: string;
  variables: Record<string, string>;
}

const storedStepsSchema = z.array(
  z.object({
    body: z.string(),
    variables: z.record(z.string(), z.string()),
    delayMs: z.number(),
    atLocalTime: z.string().nullable(),
    expireAfterMs: z.number(),
  }),
);

export function parseStoredSteps(json: string): StoredStep[] {
  return storedStepsSchema.parse(JSON.parse(json));
}

export function parseStoredTarget(json: string): CampaignTarget {
  return campaignTargetSchema.parse(JSON.parse(json));
}

function delayMs(delay: number | string | undefined): number {
  if (delay === undefined) {
    return 0;
  }
  return typeof delay === 'number' ? Math.round(delay * HOUR) : Duration.fromISO(delay).toMillis();
}

export function toStoredSteps(input: CreateCampaign): StoredStep[] {
  return input.steps.map((s) => ({
    body: s.body,
    variables: s.variables,
    delayMs: delayMs(s.delay),
    atLocalTime: s.atLocalTime ?? null,
    expireAfterMs: Math.round(input.expireAfterHours * HOUR),
  }));
}

/**
 * The next `hhmm` at or after `from` in the subscriber's zone. A number whose
 * zone is uncertain gets the westernmost candidate's reading: at that instant
 * it is already `hhmm` or later in every other candidate zone, so "10:00
 * local" is never earlier than 10:00 wherever the person may be.
 */
export function nextLocalTime(from: Date, hhmm: string, zones: string[]): Date {
  const [hour = 0, minute = 0] = hhmm.split(':').map(Number);
  const readings = (zones.length > 0 ? zones : ['UTC']).map((zone) => DateTime.fromJSDate(from, { zone }));
  const west = readings.reduce((a, b) => (b.offset < a.offset ? b : a));
  let at = west.set({ hour, minute, second: 0, millisecond: 0 });
  if (at < west) {
    at = at.plus({ days: 1 }).set({ hour, minute });
  }
  return at.toJSDate();
}

export interface CampaignView {
  id: string;
  programId: string;
  name: string;
  status: string;
  workflowId: string | null;
  steps: StoredStep[];
  target: CampaignTarget;
  createdAt: string;
}

type CampaignRow = NonNullable<Awaited<ReturnType<Db['campaign']['findUnique']>>>;

function view(row: CampaignRow): CampaignView {
  return {
    id: row.id,
    programId: row.programId,
    name: row.name,
    status: row.status,
    workflowId: row.workflowId,
    steps: parseStoredSteps(row.steps),
    target: parseStoredTarget(row.target),
    createdAt: row.createdAt.toISOString(),
  };
}

export interface CampaignServices {
  db: Db;
  client: Client;
  taskQueue: string;
  newId: () => string;
}

async function findCampaign(db: Db, id: string): Promise<CampaignRow> {
  const row = await db.campaign.findUnique({ where: { id } });
  if (!row) {
    throw new NotFoundError('campaign', id);
  }
  return row;
}

/**
 * Every step rendered as the lifecycle will render it and linted for each of
 * the program's countries: a step that would be skipped for every subscriber
 * is refused now, with the reasons, instead of failing quietly later.
 */
export function stepProblems(rules: ProgramRules, steps: readonly { body: string; variables: Record<string, string> }[]): string[] {
  return steps.flatMap((step, i) => {
    let text: string;
    try {
      text = renderBody(step.body, { brand: rules.brandName, program: rules.programName, ...step.variables });
    } catch (err) {
      if (err instanceof TemplateVariableError) {
        return [`step ${i + 1}: ${err.message}`];
      }
      throw err;
    }
    const language = rules.languages[0] ?? 'en';
    return rules.allowedCountries.flatMap((country) =>
      lintMessage(text, { kind: 'marketing', program: rules, country, language }).errors.map((e) => `step ${i + 1} (${country}): ${e.code}: ${e.message}`),
    );
  });
}

export async function createCampaign(s: CampaignServices, programId: string, input: CreateCampaign): Promise<CampaignView> {
  const problems = stepProblems(toProgramRules(await getProgramRow(s.db, programId)), input.steps);
  if (problems.length > 0) {
    throw new ProgramLintError(problems);
  }
  const row = await s.db.campaign.create({
    data: {
      id: s.newId(),
      programId,
      name: input.name,
      steps: JSON.stringify(toStoredSteps(input)),
      target: JSON.stringify(input.target),
      status: 'draft',
    },
  });
  return view(row);
}

/** A broadcast is a one-step campaign that starts at once. */
export async function createBroadcast(s: CampaignServices, programId: string, input: CreateBroadcast): Promise<CampaignView> {
  const campaign = await createCampaign(s, programId, {
    name: input.name,
    steps: [{ body: input.body, variables: input.variables, atLocalTime: input.atLocalTime }],
    target: input.target,
    expireAfterHours: input.expireAfterHours,
  });
  return startCampaign(s, campaign.id);
}

export async function getCampaign(db: Db, id: string): Promise<CampaignView> {
  return view(await findCampaign(db, id));
}

export async function startCampaign(s: CampaignServices, id: string): Promise<CampaignView> {
  const row = await findCampaign(s.db, id);
  if (row.status !== 'draft') {
    throw new ConflictError(`campaign ${id} is ${row.status}; only a draft can be started`);
  }
  const workflowId = campaignWorkflowId(id);
  const steps = parseStoredSteps(row.steps).map(({ delayMs, atLocalTime, expireAfterMs }) => ({ delayMs, atLocalTime, expireAfterMs }));
  // The status moves first, guarded by its old value, so two concurrent starts cannot both win.
  const moved = await s.db.campaign.updateMany({ where: { id, status: 'draft' }, data: { status: 'running', workflowId } });
  if (moved.count === 0) {
    throw new ConflictError(`campaign ${id} was started by another request`);
  }
  await s.client.workflow.start(campaignWorkflow, {
    workflowId,
    taskQueue: s.taskQueue,
    args: [{ campaignId: id, steps }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return getCampaign(s.db, id);
}

const transitions = {
  pause: { from: ['running'], to: 'paused', signal: pauseCampaignSignal },
  resume: { from: ['paused'], to: 'running', signal: resumeCampaignSignal },
  cancel: { from: ['draft', 'running', 'paused'], to: 'cancelled', signal: cancelCampaignSignal },
} as const;

export type CampaignCommand = keyof typeof transitions;

export async function controlCampaign(s: CampaignServices, id: string, command: CampaignCommand): Promise<CampaignView> {
  const row = await findCampaign(s.db, id);
  const t = transitions[command];
  if (!(t.from as readonly string[]).includes(row.status)) {
    throw new ConflictError(`campaign ${id} is ${row.status}; cannot ${command} it`);
  }
  await s.db.campaign.update({ where: { id }, data: { status: t.to } });
  if (row.workflowId) {
    await s.client.workflow.getHandle(row.workflowId).signal(t.signal);
  }
  return getCampaign(s.db, id);
}

/** What the lifecycle's prepare activity needs to render one queued step. */
export interface CampaignStepTemplate {
  campaignId: string;
  stepIndex: number;
  body: string;
  variables: Record<string, string>;
  /** Null when the step may be sent; otherwise why it must be skipped. */
  skipReason: 'campaign_cancelled' | null;
}

const templateRefPattern = /^campaign:([^:]+):(\d+)$/;

export function campaignTemplateRef(campaignId: string, stepIndex: number): string {
  return `campaign:${campaignId}:${stepIndex}`;
}

/** Resolves a `campaign:<id>:<step>` template reference; null when it names no campaign step. */
export async function loadCampaignStepTemplate(db: Db, templateRef: string): Promise<CampaignStepTemplate | null> {
  const match = templateRefPattern.exec(templateRef);
  if (!match) {
    return null;
  }
  const [, campaignId = '', index = '0'] = match;
  const row = await db.campaign.findUnique({ where: { id: campaignId } });
  const step = row ? parseStoredSteps(row.steps)[Number(index)] : undefined;
  if (!row || !step) {
    return null;
  }
  return {
    campaignId,
    stepIndex: Number(index),
    body: step.body,
    variables: step.variables,
    skipReason: row.status === 'cancelled' ? 'campaign_cancelled' : null,
  };
}

export interface CampaignProgress {
  campaign: CampaignView;
  run: CampaignRunState | null;
  /** Outbound texts of this campaign by status, and the reasons behind skips and failures. */
  texts: { byStatus: Record<string, number>; reasons: Record<string, number> };
  /** Texts queued in lifecycles and not yet sent, by the rule holding them (from a sample of lifecycles). */
  holds: { sampledLifecycles: number; byRule: Record<string, number> };
}

const HOLD_SAMPLE = 100;

export async function campaignProgress(s: CampaignServices, id: string): Promise<CampaignProgress> {
  const campaign = await getCampaign(s.db, id);
  const [run, texts, holds] = await Promise.all([runState(s.client, campaign), textCounts(s.db, id), heldTexts(s, campaign)]);
  return { campaign, run, texts, holds };
}

async function runState(client: Client, campaign: CampaignView): Promise<CampaignRunState | null> {
  if (!campaign.workflowId) {
    return null;
  }
  try {
    return await client.workflow.getHandle(campaign.workflowId).query(campaignProgressQuery);
  } catch {
    // No worker answering (or the run is gone): the database counts still stand.
    return null;
  }
}

async function textCounts(db: Db, campaignId: string): Promise<CampaignProgress['texts']> {
  const groups = await db.outboundMessage.groupBy({
    by: ['status', 'errorReason'],
    where: { campaignId },
    _count: { _all: true },
  });
  const byStatus: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  for (const g of groups) {
    byStatus[g.status] = (byStatus[g.status] ?? 0) + g._count._all;
    if (g.errorReason) {
      reasons[g.errorReason] = (reasons[g.errorReason] ?? 0) + g._count._all;
    }
  }
  return { byStatus, reasons };
}

/** Asks a bounded sample of target lifecycles what they still hold for this campaign, and why. */
async function heldTexts(s: CampaignServices, campaign: CampaignView): Promise<CampaignProgress['holds']> {
  if (campaign.status === 'draft') {
    return { sampledLifecycles: 0, byRule: {} };
  }
  const subscribers = await s.db.subscriber.findMany({
    where: targetWhere(campaign.programId, campaign.target),
    select: { workflowId: true },
    orderBy: { id: 'asc' },
    take: HOLD_SAMPLE,
  });
  const states = await mapBounded(subscribers, 10, async ({ workflowId }) => {
    try {
      return await s.client.workflow.getHandle(workflowId).query(stateQuery);
    } catch {
      return null;
    }
  });
  const byRule: Record<string, number> = {};
  for (const pending of states.flatMap((st: LifecycleState | null) => st?.pending ?? [])) {
    if (pending.requestId.startsWith(`${campaign.id}:`)) {
      const rule = pending.holdRule ?? 'scheduled';
      byRule[rule] = (byRule[rule] ?? 0) + 1;
    }
  }
  return { sampledLifecycles: subscribers.length, byRule };
}

/** Which subscribers a step goes to: explicit IDs are taken as given (their lifecycles refuse what consent forbids). */
export function targetWhere(programId: string, target: CampaignTarget) {
  return 'subscriberIds' in target
    ? { programId, id: { in: target.subscriberIds }, erasedAt: null }
    : { programId, consentState: 'active' };
}
