// The marketer API as an express app. Order matters: security headers and
// request logging first, public operational routes, then everything under /v1
// behind the failed-auth limit, authentication, the per-key limit and a JSON
// body limit; problem+json 404 and the error handler last.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { httpRequestDuration } from '../metrics.js';
import { authenticate, defaultRateLimits, failedRequestLimiter, perKeyLimiter, type RateLimits } from './auth.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { buildDocument, type ZodOpenApiPathsObject } from './openapi.js';
import { healthPaths, healthRouter } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { programRoutes } from './routes/programs.js';
import { subscriberRoutes } from './routes/subscribers.js';
import type { ApiRoutes } from './routing.js';

export const JSON_BODY_LIMIT = '256kb';

export interface AppDeps {
  db: Db;
  client: Client;
  config: Pick<Config, 'publicBaseUrl' | 'TEMPORAL_TASK_QUEUE'>;
  logger: Logger;
  /** Key for phone-number hashing (src/identity.ts `loadPhoneHashKey`); the worker must use the same. */
  phoneHashKey: string;
  /** Documented /v1 resources from other modules (campaigns, imports, ...): mounted behind authentication. */
  routes?: ApiRoutes[];
  /** Plain routers mounted as they are (webhooks carry their own body parsing and signature checks). */
  routers?: Router[];
  /** OpenAPI paths for routes in `routers` that should appear in the document. */
  paths?: ZodOpenApiPathsObject[];
  limits?: Partial<RateLimits>;
  now?: () => Date;
  /** How long an opt-in or opt-out waits for the lifecycle before answering 503 (ms). */
  lifecycleTimeoutMs?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: requestId,
    // IDs and route shapes only: a query string or body could carry a phone number.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}

function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched';
}

const measure: RequestHandler = (req, res, next) => {
  const end = httpRequestDuration.startTimer();
  res.on('finish', () => end({ method: req.method, route: routeLabel(req), status: String(res.statusCode) }));
  next();
};

export function createApp(deps: AppDeps): Express {
  const now = deps.now ?? (() => new Date());
  const limits = { ...defaultRateLimits, ...deps.limits };
  const subscriberDeps = {
    db: deps.db,
    client: deps.client,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    phoneHashKey: deps.phoneHashKey,
    now,
    ...(deps.lifecycleTimeoutMs ? { lifecycleTimeoutMs: deps.lifecycleTimeoutMs } : {}),
  };
  const routes = [
    programRoutes({ db: deps.db }),
    subscriberRoutes(subscriberDeps),
    keyRoutes({ db: deps.db, now }),
    ...(deps.routes ?? []),
  ];
  const document = buildDocument({ routes, paths: [healthPaths, ...(deps.paths ?? [])], serverUrl: deps.config.publicBaseUrl });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // No upgrade-insecure-requests: on a plain-http deployment (the local
  // default) it would send the docs page's own scripts to https and break it.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(requestLogger(deps.logger));
  app.use(measure);

  app.use(healthRouter(deps));
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // Swagger UI loads only its own scripts from /docs, so the default policy holds.
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document));

  app.use(
    '/v1',
    failedRequestLimiter(limits),
    authenticate(deps.db, now),
    perKeyLimiter(limits),
    // Parsed only for a known caller: a stranger's body is never read.
    express.json({ limit: JSON_BODY_LIMIT, strict: false }),
  );
  for (const r of routes) {
    app.use(r.router({ db: deps.db }));
  }
  for (const router of deps.routers ?? []) {
    app.use(router);
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
