// A drip campaign: each step waits for its time, then fans out to the target
// subscribers' lifecycles one bounded page batch at a time. The lifecycle owns
// the send (consent, quiet hours, caps); this workflow only says "queue step k".
// Pause and cancel take effect between batches, so a paused campaign stops
// within one batch and resumes from the cursor it kept.
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CampaignActivities, FanOutBatch } from '../activities/campaigns.js';

export interface CampaignStepPlan {
  /** Wait after the previous step (the first step: after the start), in ms. */
  delayMs: number;
  /** 'HH:mm': each subscriber gets the step at this time in their own zone. */
  atLocalTime: string | null;
  /** A text still unsent this long after its planned time is skipped. */
  expireAfterMs: number;
}

export interface CampaignInput {
  campaignId: string;
  steps: CampaignStepPlan[];
}

export type CampaignRunStatus = 'running' | 'paused' | 'cancelled' | 'completed';

export interface StepRunProgress {
  status: 'waiting' | 'fanning_out' | 'done' | 'not_run';
  dueAt: string | null;
  signalled: number;
  missingLifecycle: number;
}

export interface CampaignRunState {
  status: CampaignRunStatus;
  steps: StepRunProgress[];
}

export const pauseCampaignSignal = defineSignal('pauseCampaign');
export const resumeCampaignSignal = defineSignal('resumeCampaign');
export const cancelCampaignSignal = defineSignal('cancelCampaign');
export const campaignProgressQuery = defineQuery<CampaignRunState>('campaignProgress');

const { fanOutCampaignStep, finishCampaign } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignRunState> {
  const state: CampaignRunState = {
    status: 'running',
    steps: input.steps.map(() => ({ status: 'waiting', dueAt: null, signalled: 0, missingLifecycle: 0 })),
  };
  setHandler(campaignProgressQuery, () => state);
  setHandler(pauseCampaignSignal, () => {
    if (state.status === 'running') {
      state.status = 'paused';
    }
  });
  setHandler(resumeCampaignSignal, () => {
    if (state.status === 'paused') {
      state.status = 'running';
    }
  });
  setHandler(cancelCampaignSignal, () => {
    if (state.status !== 'completed') {
      state.status = 'cancelled';
    }
  });

  let dueAt = Date.now();
  for (const [stepIndex, step] of input.steps.entries()) {
    dueAt += step.delayMs;
    const progress = state.steps[stepIndex];
    if (!progress || !(await waitUntilDue(state, dueAt))) {
      break;
    }
    progress.dueAt = new Date(dueAt).toISOString();
    await fanOutStep(state, progress, { campaignId: input.campaignId, stepIndex, step, dueAt });
  }

  for (const step of state.steps) {
    if (step.status === 'waiting') {
      step.status = 'not_run';
    }
  }
  state.status = state.status === 'cancelled' ? 'cancelled' : 'completed';
  await finishCampaign({ campaignId: input.campaignId, status: state.status });
  return state;
}

/** Sleeps until `dueAt`, holding while paused; false once the campaign is cancelled. */
async function waitUntilDue(state: CampaignRunState, dueAt: number): Promise<boolean> {
  const remaining = dueAt - Date.now();
  if (remaining > 0) {
    await condition(() => state.status === 'cancelled', remaining);
  }
  await condition(() => state.status !== 'paused');
  return state.status !== 'cancelled';
}

async function fanOutStep(
  state: CampaignRunState,
  progress: StepRunProgress,
  args: { campaignId: string; stepIndex: number; step: CampaignStepPlan; dueAt: number },
): Promise<void> {
  progress.status = 'fanning_out';
  let cursor: string | null = null;
  do {
    await condition(() => state.status !== 'paused');
    if (state.status === 'cancelled') {
      return;
    }
    const batch: FanOutBatch = await fanOutCampaignStep({
      campaignId: args.campaignId,
      stepIndex: args.stepIndex,
      dueAt: new Date(args.dueAt).toISOString(),
      atLocalTime: args.step.atLocalTime,
      expireAfterMs: args.step.expireAfterMs,
      cursor,
    });
    progress.signalled += batch.signalled;
    progress.missingLifecycle += batch.missingLifecycle;
    cursor = batch.cursor;
  } while (cursor !== null);
  progress.status = 'done';
}
