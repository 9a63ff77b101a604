// The API resources beyond the core (programs, subscribers, keys, webhooks,
// which createApp and buildApiApp mount themselves): imports, campaigns, policy
// changes, the auditor's routes, and the simulated carrier's handset side
// when no Twilio account is configured.
import { createSimulatorRouter } from '../api/webhooks.js';
import { auditPaths, auditRouter, auditRoutes } from '../api/routes/audit.js';
import { campaignRoutes } from '../api/routes/campaigns.js';
import { importRoutes } from '../api/routes/imports.js';
import { policyRoutes } from '../api/routes/policies.js';
import type { ApiExtras } from '../api/start.js';
import type { Runtime } from './context.js';

export function apiExtras(rt: Runtime): ApiExtras {
  const base = { db: rt.db, client: rt.client, taskQueue: rt.config.TEMPORAL_TASK_QUEUE };
  const now = () => new Date();
  const audit = { db: rt.db, client: rt.client, phoneHashKey: rt.phoneHashKey, now };
  const extras: ApiExtras = {
    routes: [
      importRoutes({ ...base, phoneHashKey: rt.phoneHashKey, now }),
      campaignRoutes(base),
      policyRoutes(base),
      auditRoutes(audit),
    ],
    // The timeline answers in JSON, CSV or HTML: a plain router, documented by auditPaths.
    routers: [auditRouter(audit)],
    paths: [auditPaths],
  };
  if (rt.simulatorSecret) {
    extras.routers?.push(
      createSimulatorRouter({
        db: rt.db,
        logger: rt.logger,
        config: { publicBaseUrl: rt.config.publicBaseUrl, simulatorSecret: rt.simulatorSecret },
      }),
    );
  }
  return extras;
}
