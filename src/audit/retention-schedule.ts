// The Temporal Schedule that runs the retention job daily. Created or brought
// up to date when the worker starts, so every deployment has exactly one.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';

export const RETENTION_SCHEDULE_ID = 'consentline-retention';

export interface RetentionScheduleOptions {
  taskQueue: string;
  /** Cron in UTC; daily at 03:30 by default, when texting is quiet. */
  cron?: string;
}

export async function ensureRetentionSchedule(client: Client, options: RetentionScheduleOptions): Promise<void> {
  const spec = { cronExpressions: [options.cron ?? '30 3 * * *'] };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: 'retentionSweep',
    workflowId: 'retention-sweep',
    taskQueue: options.taskQueue,
    args: [{ dryRun: false }],
  };
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec,
      action,
      // A sweep still running when the next is due makes the next one pointless.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) {
      throw err;
    }
    await client.schedule.getHandle(RETENTION_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  }
}
