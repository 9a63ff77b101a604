// The retention job's one activity: enforce the configured retention policy
// on the database. It returns counts only, so the history holds nothing personal.
import { enforceRetention, retentionPolicyFromEnv, type RetentionPolicy, type RetentionReport } from '../audit/retention.js';
import type { ActivityDeps } from './deps.js';

export function createRetentionActivities(deps: ActivityDeps, policy: RetentionPolicy = retentionPolicyFromEnv()) {
  return {
    async applyRetention(input: { dryRun: boolean }): Promise<RetentionReport> {
      const report = await enforceRetention(deps.db, policy, deps.now(), input.dryRun);
      deps.logger.info({ retention: report }, 'retention enforced');
      return report;
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
