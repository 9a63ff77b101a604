// The worker role: lifecycle, campaign and policy-change workflows with their
// activities on the base task queue, plus one paced activity worker per
// carrier sender (see src/carriers/pacing.ts).
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger.js';
import { createActivities } from '../activities/index.js';
import { createSendActivities } from '../activities/send.js';
import { SenderWorkerPool } from '../carriers/pacing.js';
import { ensureRetentionSchedule } from '../audit/retention-schedule.js';
import type { ActivityDeps } from '../activities/deps.js';
import { connectWorker } from '../temporal/connection.js';
import type { Runtime as ConsentlineRuntime } from './context.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface RunningWorker {
  /** Resolves when the worker has stopped (after shutdown or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export function activityDeps(rt: ConsentlineRuntime): ActivityDeps {
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

let temporalLoggingInstalled = false;

/**
 * Routes the SDK's own log lines (bundler output, worker state changes) into
 * our logger at warn and above, so a running engine's output stays readable.
 * The SDK runtime can be installed once per process.
 */
function installTemporalLogging(logger: Logger): void {
  if (temporalLoggingInstalled) {
    return;
  }
  temporalLoggingInstalled = true;
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    // runMain owns Ctrl-C and SIGTERM: it stops the API, the workers and the
    // dev server in order. The SDK's own handlers would race it.
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', (entry) => {
      logger[levels[entry.level]]({ temporal: entry.meta }, entry.message);
    }),
  });
}

export async function startWorker(rt: ConsentlineRuntime): Promise<RunningWorker> {
  installTemporalLogging(rt.logger);
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
    // A new program's sender starts draining within seconds; the query is cheap.
    refreshEveryMs: 5_000,
  });
  await senders.start();
  // Retention runs daily as a Temporal Schedule: one per deployment, kept up to date by every worker start.
  await ensureRetentionSchedule(rt.client, { taskQueue: rt.config.TEMPORAL_TASK_QUEUE });
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
