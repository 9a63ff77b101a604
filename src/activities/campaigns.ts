// Fan-out activities for campaigns, policy changes and imports: page through the target
// subscribers in ID order and signal each lifecycle, a bounded number at a
// time. Each page's cursor is heartbeated, so a retried attempt resumes where
// the last one stopped; lifecycles drop a repeated request ID, so the page
// that was in flight when an attempt died is harmless to signal again.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { campaignTemplateRef, nextLocalTime, parseStoredTarget, targetWhere } from '../domain/campaigns.js';
import { mapBounded } from '../domain/bounded.js';
import { finishImport as closeImport, optInStagedRows } from '../domain/imports.js';
import { enqueueTextSignal, policyChangeSignal } from '../workflows/messages.js';
import type { ActivityDeps } from './deps.js';

export interface FanOutOptions {
  /** Signals in flight at once. */
  concurrency: number;
  /** Subscribers read per database page. */
  pageSize: number;
  /** Pages per activity call: the workflow checks pause and cancel between calls. */
  pagesPerCall: number;
}

export const defaultFanOutOptions: FanOutOptions = { concurrency: 16, pageSize: 200, pagesPerCall: 5 };

export interface FanOutBatch {
  /** Where the next call starts; null when every target subscriber was signalled. */
  cursor: string | null;
  signalled: number;
  /** Target subscribers with no running lifecycle (e.g. erased meanwhile). */
  missingLifecycle: number;
}

export interface CampaignStepFanOut {
  campaignId: string;
  stepIndex: number;
  dueAt: string;
  atLocalTime: string | null;
  expireAfterMs: number;
  cursor: string | null;
}

interface TargetRow {
  id: string;
  workflowId: string;
  timeZones: string;
}

type Page = (after: string | null, take: number) => Promise<TargetRow[]>;

async function signalOrMissing(send: () => Promise<void>): Promise<'signalled' | 'missing'> {
  try {
    await send();
    return 'signalled';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      return 'missing';
    }
    throw err;
  }
}

async function fanOut(options: FanOutOptions, start: string | null, page: Page, signal: (row: TargetRow) => Promise<void>): Promise<FanOutBatch> {
  const ctx = Context.current();
  const resumed = ctx.info.heartbeatDetails as FanOutBatch | undefined;
  const batch: FanOutBatch = resumed ?? { cursor: start, signalled: 0, missingLifecycle: 0 };
  if (resumed && resumed.cursor === null) {
    return resumed; // the last attempt finished; only its result was lost
  }
  for (let pages = 0; pages < options.pagesPerCall; pages++) {
    const rows = await page(batch.cursor, options.pageSize);
    const outcomes = await mapBounded(rows, options.concurrency, (row) => signalOrMissing(() => signal(row)));
    batch.signalled += outcomes.filter((o) => o === 'signalled').length;
    batch.missingLifecycle += outcomes.filter((o) => o === 'missing').length;
    batch.cursor = rows.length === options.pageSize ? (rows.at(-1)?.id ?? null) : null;
    ctx.heartbeat(batch);
    if (batch.cursor === null) {
      break;
    }
  }
  return batch;
}

export function createCampaignActivities(deps: ActivityDeps, options: FanOutOptions = defaultFanOutOptions) {
  const { db, client } = deps;
  const select = { id: true, workflowId: true, timeZones: true } as const;

  async function fanOutCampaignStep(input: CampaignStepFanOut): Promise<FanOutBatch> {
    const campaign = await db.campaign.findUniqueOrThrow({ where: { id: input.campaignId } });
    const where = targetWhere(campaign.programId, parseStoredTarget(campaign.target));
    const dueAt = new Date(input.dueAt);
    const page: Page = (after, take) =>
      db.subscriber.findMany({ where: { ...where, ...(after ? { id: { gt: after } } : {}) }, select, orderBy: { id: 'asc' }, take });
    return fanOut(options, input.cursor, page, async (row) => {
      const notBefore = input.atLocalTime ? nextLocalTime(dueAt, input.atLocalTime, JSON.parse(row.timeZones) as string[]) : dueAt;
      await client.workflow.getHandle(row.workflowId).signal(enqueueTextSignal, {
        requestId: `${input.campaignId}:${input.stepIndex}`,
        kind: 'marketing',
        campaignId: input.campaignId,
        stepIndex: input.stepIndex,
        templateRef: campaignTemplateRef(input.campaignId, input.stepIndex),
        notBefore: notBefore.toISOString(),
        deadline: new Date(notBefore.getTime() + input.expireAfterMs).toISOString(),
      });
    });
  }

  async function finishCampaign(input: { campaignId: string; status: 'completed' | 'cancelled' }): Promise<void> {
    // A cancel recorded by the API wins over a run that happened to finish.
    await db.campaign.updateMany({
      where: { id: input.campaignId, status: { not: 'cancelled' } },
      data: { status: input.status },
    });
  }

  async function fanOutPolicyChange(input: { changeId: string; cursor: string | null }): Promise<FanOutBatch> {
    const change = await db.policyChange.findUniqueOrThrow({ where: { id: input.changeId } });
    const where = { programId: change.programId, consentState: { in: ['active', 'paused'] } };
    const page: Page = (after, take) =>
      db.subscriber.findMany({ where: { ...where, ...(after ? { id: { gt: after } } : {}) }, select, orderBy: { id: 'asc' }, take });
    return fanOut(options, input.cursor, page, (row) =>
      client.workflow.getHandle(row.workflowId).signal(policyChangeSignal, {
        changeId: change.id,
        policy: change.kind === 'terms' ? 'terms' : 'privacy',
        version: change.version,
        material: change.material,
      }),
    );
  }

  /** The opt-in half of a bulk import: staged rows through the API's own opt-in. */
  async function optInImportRows(input: { jobId: string }): Promise<{ remaining: boolean }> {
    const subscriberDeps = { db, client, taskQueue: deps.taskQueue, phoneHashKey: deps.phoneHashKey, now: deps.now, lifecycleTimeoutMs: 60_000 };
    return optInStagedRows(subscriberDeps, input.jobId, () => Context.current().heartbeat());
  }

  async function finishImport(input: { jobId: string }): Promise<void> {
    await closeImport(db, input.jobId, deps.now());
  }

  return { fanOutCampaignStep, finishCampaign, fanOutPolicyChange, optInImportRows, finishImport };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
