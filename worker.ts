// npm run worker: the worker role alone, for production deployments that scale
// workers and API separately. Connects to TEMPORAL_ADDRESS and DATABASE_URL.
import { runMain } from './src/runtime/main-helpers.js';
import { createRuntime } from './src/runtime/context.js';
import { startWorker } from './src/runtime/worker.js';

await runMain(async (config) => {
  const rt = await createRuntime(config);
  const worker = await startWorker(rt);
  rt.logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, namespace: config.TEMPORAL_NAMESPACE }, 'worker running');
  return async () => {
    await worker.shutdown();
    await rt.close();
  };
});
