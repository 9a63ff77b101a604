// The retention job, run by a Temporal Schedule (src/audit/retention-schedule.ts):
// one activity that deletes expired personal evidence and clears old bodies.
import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../activities/retention.js';
import type { RetentionReport } from '../audit/retention.js';

const { applyRetention } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '1 hour',
  // A database outage delays the sweep; the next scheduled run retries anyway.
  retry: { initialInterval: '1 minute', maximumInterval: '30 minutes', maximumAttempts: 10 },
});

export async function retentionSweep(input: { dryRun: boolean }): Promise<RetentionReport> {
  return applyRetention(input);
}
