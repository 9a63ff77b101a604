// npm start: the whole engine on one machine. Without TEMPORAL_ADDRESS it
// starts the Temporal dev server persisting under DATA_DIR (Web UI included);
// then migrates the database, and runs the worker and the HTTP API in this
// process. Ctrl-C stops everything; the next start resumes every workflow.
import { mkdirSync } from 'node:fs';
import { startApi } from './api/start.js';
import { migrate } from './db/migrate.js';
import { createRuntime } from './runtime/context.js';
import { apiExtras } from './runtime/api.js';
import { runMain } from './runtime/main-helpers.js';
import { startWorker } from './runtime/worker.js';
import { startDevServer, type DevServer } from './temporal/dev-server.js';

await runMain(async (config) => {
  mkdirSync(config.DATA_DIR, { recursive: true });
  let devServer: DevServer | null = null;
  if (!config.TEMPORAL_ADDRESS) {
    devServer = await startDevServer({ dataDir: config.DATA_DIR, port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT });
  }
  const stopDevServer = async () => devServer?.stop();
  try {
    await migrate(config.databaseUrl).catch((err: unknown) => {
      throw new Error(`DATABASE_URL: cannot migrate the ${config.databaseProvider} database (${(err as Error).message.split('\n')[0]})`);
    });
    const rt = await createRuntime(config);
    const worker = await startWorker(rt);
    const stopApi = await startApi(rt, apiExtras(rt));
    const ui = devServer?.uiUrl ?? 'your Temporal cluster’s UI';
    process.stdout.write(
      [
        '',
        `consentline is running (${config.carrier} carrier, ${config.databaseProvider} database)`,
        `  API            ${config.publicBaseUrl}  (docs ${config.publicBaseUrl}/docs, health ${config.publicBaseUrl}/healthz)`,
        `  Temporal UI    ${ui}`,
        `  Temporal gRPC  ${devServer?.address ?? config.TEMPORAL_ADDRESS}`,
        '  Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    return async () => {
      await stopApi();
      await worker.shutdown();
      await rt.close();
      await stopDevServer();
    };
  } catch (err) {
    await stopDevServer();
    throw err;
  }
});
