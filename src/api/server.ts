// npm run api: the HTTP API alone (webhooks included), for deployments that
// scale the API and workers separately. Migrations are applied by `npm start`
// or `npm run db:migrate`, not here.
import { apiExtras } from '../runtime/api.js';
import { createRuntime } from '../runtime/context.js';
import { runMain } from '../runtime/main-helpers.js';
import { startApi } from './start.js';

await runMain(async (config) => {
  const rt = await createRuntime(config);
  try {
    const stopApi = await startApi(rt, apiExtras(rt));
    return async () => {
      await stopApi();
      await rt.close();
    };
  } catch (err) {
    await rt.close();
    throw err;
  }
});
