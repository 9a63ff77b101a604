// The worker role: lifecycle, campaign and policy-change workflows with their
// activities on the base task queue, plus one paced activity worker per
// carrier sender (see src/carriers/pacing.ts).
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { createSendActivities } from '../activities/send.js';
import { SenderWorkerPool } from '../carriers/pacing.js';
import type { ActivityDeps } from '../activities/deps.js';
import { connectWorker } from '../temporal/connection.js';
import type { Runtime } from './context.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface RunningWorker {
  /** Resolves when the worker has stopped (after shutdown or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export function activityDeps(rt: Runtime): ActivityDeps {
  return {
    db: rt.db,
    carrier: rt.carrier,
    client: rt.client,
    logger: rt.logger,
    phoneHashKey: rt.phoneHashKey,
    publicBaseUrl: rt.config.publicBaseUrl,
    taskQueue: rt.config.TEMPORAL_TASK_QUEUE,
    now: () => new Date(),
  };
}

export async function startWorker(rt: Runtime): Promise<RunningWorker> {
  const connection = await connectWorker(rt.config);
  const deps = activityDeps(rt);
  const activities = createActivities(deps);
  const worker = await Worker.create({
    connection,
    namespace: rt.config.TEMPORAL_NAMESPACE,
    taskQueue: rt.config.TEMPORAL_TASK_QUEUE,
    workflowsPath,
    activities,
    shutdownGraceTime: '10s',
  });
  const senders = new SenderWorkerPool({
    connection,
    namespace: rt.config.TEMPORAL_NAMESPACE,
    db: rt.db,
    baseTaskQueue: rt.config.TEMPORAL_TASK_QUEUE,
    activities: createSendActivities(deps),
    logger: rt.logger,
  });
  await senders.start();
  const done = worker.run().finally(async () => {
    await senders.stop();
    await connection.close();
  });
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') {
        worker.shutdown();
      }
      await done;
    },
  };
}
