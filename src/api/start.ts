// Starts the HTTP API on a runtime (src/runtime/context.ts): ensures the
// bootstrap admin key, mounts the webhooks and any extra resources, listens on
// PORT. `npm run api` and the all-in-one `npm start` both call this.
import type { Server } from 'node:http';
import type { Express, Router } from 'express';
import { ensureBootstrapKey } from '../domain/keys.js';
import type { Runtime } from '../runtime/context.js';
import { createApp } from './app.js';
import type { ZodOpenApiPathsObject } from './openapi.js';
import type { ApiRoutes } from './routing.js';
import { createWebhookRouter } from './webhooks.js';

export interface ApiExtras {
  routes?: ApiRoutes[];
  routers?: Router[];
  paths?: ZodOpenApiPathsObject[];
}

export function buildApiApp(rt: Runtime, extras: ApiExtras = {}): Express {
  const { config } = rt;
  const webhooks = createWebhookRouter({
    db: rt.db,
    client: rt.client,
    logger: rt.logger,
    config: {
      publicBaseUrl: config.publicBaseUrl,
      twilioAuthToken: config.TWILIO_AUTH_TOKEN ?? null,
      simulatorSecret: rt.simulatorSecret,
      phoneHashKey: rt.phoneHashKey,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
    },
  });
  return createApp({
    db: rt.db,
    client: rt.client,
    config,
    logger: rt.logger,
    phoneHashKey: rt.phoneHashKey,
    routes: extras.routes ?? [],
    routers: [webhooks, ...(extras.routers ?? [])],
    paths: extras.paths ?? [],
  });
}

function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `PORT: ${port} is already in use` : `PORT: cannot listen on ${port} (${err.message})`)),
    );
  });
}

/** Listens and returns the function that stops accepting requests and drains the open ones. */
export async function startApi(rt: Runtime, extras: ApiExtras = {}): Promise<() => Promise<void>> {
  if (rt.config.BOOTSTRAP_ADMIN_KEY) {
    const key = await ensureBootstrapKey(rt.db, rt.config.BOOTSTRAP_ADMIN_KEY);
    rt.logger.info({ keyPrefix: key.prefix }, 'bootstrap admin key ensured');
  }
  const server = await listen(buildApiApp(rt, extras), rt.config.PORT);
  rt.logger.info({ port: rt.config.PORT, docs: `${rt.config.publicBaseUrl}/docs` }, 'API listening');
  return () =>
    new Promise<void>((resolve) => {
      // In-flight requests get 10 s to finish; idle keep-alive sockets close at once.
      const force = setTimeout(() => server.closeAllConnections(), 10_000);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
}
