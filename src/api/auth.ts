// Access control for /v1: bearer API keys, roles, and rate limits keyed on the
// API key (falling back to the client address before a key is known).
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Db } from '../db/client.js';
import { type ApiCaller, type Role, verifyApiKey } from '../domain/keys.js';
import { ApiProblem, sendProblem } from './errors.js';

export type { ApiCaller, Role } from '../domain/keys.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      caller?: ApiCaller;
    }
  }
}

/** The authenticated caller; only valid behind `authenticate`. */
export function callerOf(res: Response): ApiCaller {
  const caller = res.locals.caller;
  if (!caller) {
    throw new ApiProblem('unauthorized', 'this route needs an API key');
  }
  return caller;
}

function bearerToken(req: Request): string | null {
  const header = req.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1] ?? null;
}

/** Resolves `Authorization: Bearer cl_<prefix>_<secret>` to a caller, or answers 401. */
export function authenticate(db: Db, now: () => Date = () => new Date()): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req);
    if (!token) {
      sendProblem(res, req, new ApiProblem('unauthorized', 'send an API key as "Authorization: Bearer cl_<prefix>_<secret>"'));
      return;
    }
    const caller = await verifyApiKey(db, token, now());
    if (!caller) {
      sendProblem(res, req, new ApiProblem('unauthorized', 'the API key is unknown, wrong or revoked'));
      return;
    }
    res.locals.caller = caller;
    req.log?.setBindings({ apiKeyId: caller.keyId });
    next();
  };
}

/** Lets the listed roles through; admin may do everything. */
export function requireRole(...allowed: Role[]): RequestHandler {
  return (req, res, next) => {
    const caller = callerOf(res);
    if (caller.role === 'admin' || allowed.includes(caller.role)) {
      next();
      return;
    }
    sendProblem(res, req, new ApiProblem('forbidden', `role ${caller.role} may not do this; it needs ${allowed.join(' or ')}`));
  };
}

export interface RateLimits {
  /** Requests per minute per API key. */
  perKeyPerMinute: number;
  /** Requests refused with 401 per minute per client address: slows key guessing. */
  failedPerIpPerMinute: number;
}

export const defaultRateLimits: RateLimits = { perKeyPerMinute: 600, failedPerIpPerMinute: 60 };

function limitExceeded(req: Request, res: Response): void {
  sendProblem(res, req, new ApiProblem('rate-limited', 'slow down: the rate limit for this API key or address was reached; see the RateLimit headers'));
}

/** Before authentication: counts only requests refused with 401, per client address. */
export function failedRequestLimiter(limits: RateLimits): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: limits.failedPerIpPerMinute,
    skipSuccessfulRequests: true,
    // Only a refused key counts: a 422 opt-in refusal is an answer, not an attack.
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    handler: limitExceeded,
  });
}

/** After authentication: per API key ID, falling back to the client address. */
export function perKeyLimiter(limits: RateLimits): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: limits.perKeyPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const caller = res.locals.caller;
      return caller ? `key:${caller.keyId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: limitExceeded,
  });
}
