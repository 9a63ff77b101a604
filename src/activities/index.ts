// Every activity the consentline worker runs, built once from the process's dependencies.
import type { ActivityDeps } from './deps.js';
import { createLifecycleActivities } from './lifecycle.js';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createLifecycleActivities(deps),
  };
}
