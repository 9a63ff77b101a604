// Every activity the consentline worker runs, built once from the process's dependencies.
import type { ActivityDeps } from './deps.js';
import { createCampaignActivities } from './campaigns.js';
import { createLifecycleActivities } from './lifecycle.js';
import { createRetentionActivities } from './retention.js';
import { createSendActivities } from './send.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createLifecycleActivities(deps),
    ...createCampaignActivities(deps),
    ...createSendActivities(deps),
    ...createRetentionActivities(deps),
  };
}
