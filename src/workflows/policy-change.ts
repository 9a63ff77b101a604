// A terms or privacy policy change: tells every active or paused subscriber's
// lifecycle, in bounded batches, so each one sends a notice (non-material) or
// pauses and asks for re-consent (material). The lifecycle decides what that
// means for its subscriber; this workflow only delivers the news and counts.
import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CampaignActivities, FanOutBatch } from '../activities/campaigns.js';

export interface PolicyChangeInput {
  changeId: string;
}

export interface PolicyChangeProgress {
  status: 'running' | 'completed';
  signalled: number;
  missingLifecycle: number;
}

export const policyChangeProgressQuery = defineQuery<PolicyChangeProgress>('policyChangeProgress');

const { fanOutPolicyChange } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});

export async function policyChangeWorkflow(input: PolicyChangeInput): Promise<PolicyChangeProgress> {
  const progress: PolicyChangeProgress = { status: 'running', signalled: 0, missingLifecycle: 0 };
  setHandler(policyChangeProgressQuery, () => progress);

  let cursor: string | null = null;
  do {
    const batch: FanOutBatch = await fanOutPolicyChange({ changeId: input.changeId, cursor });
    progress.signalled += batch.signalled;
    progress.missingLifecycle += batch.missingLifecycle;
    cursor = batch.cursor;
  } while (cursor !== null);

  progress.status = 'completed';
  return progress;
}
