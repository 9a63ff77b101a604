// The API's error catalogue and its one renderer: RFC 9457 problem details
// (application/problem+json) with a stable `type` URI per kind. Domain
// refusals, validation failures, body-parser failures and database errors are
// all mapped here; anything else is hidden from the client and logged with
// the request ID.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { databaseMessage, isUniqueViolation } from '../db/errors.js';
import {
  ConflictError,
  InvalidPhoneNumberError,
  LifecycleUnavailableError,
  NotFoundError,
  OptInRefusedError,
  ProgramLintError,
} from '../domain/errors.js';
import type { Logger } from '../logger.js';

export const PROBLEM_BASE = 'https://consentline.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const problemCatalogue = {
  validation: { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: "The API key's role does not allow this" },
  'invalid-signature': { status: 403, title: 'The webhook signature is missing or does not match' },
  'not-found': { status: 404, title: 'No such resource' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'program-lint-failed': { status: 422, title: "The program's texts fail the content lint" },
  'invalid-phone': { status: 422, title: 'The phone number is not a valid textable number' },
  'opt-in-refused': { status: 422, title: 'The opt-in was refused' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  'lifecycle-unavailable': { status: 503, title: 'The subscriber lifecycle did not answer in time' },
} as const;

export type ProblemKind = keyof typeof problemCatalogue;

export interface FieldError {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** An error the API raises on purpose; `extensions` become extra members of the body. */
export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  get status(): number {
    return problemCatalogue[this.kind].status;
  }
}

export function problemType(kind: ProblemKind): string {
  return `${PROBLEM_BASE}${kind}`;
}

export function fieldErrors(err: ZodError): FieldError[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

export function validationProblem(err: ZodError, where: string): ApiProblem {
  const errors = fieldErrors(err);
  return new ApiProblem('validation', `${errors.length} invalid field(s) in the ${where}`, { errors });
}

/** Errors that body-parser raises carry a `type` and a 4xx `status`. */
function bodyParserProblem(err: unknown): ApiProblem | null {
  if (typeof err !== 'object' || err === null) {
    return null;
  }
  const { type, status } = err as { type?: unknown; status?: unknown };
  if (typeof type !== 'string' || typeof status !== 'number' || status < 400 || status >= 500) {
    return null;
  }
  switch (type) {
    case 'entity.parse.failed':
      return new ApiProblem('malformed-json', 'the body could not be parsed as JSON');
    case 'entity.too.large':
      return new ApiProblem('payload-too-large', `the body exceeds the limit of ${(err as { limit?: number }).limit ?? '?'} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiProblem('unsupported-media-type', 'the body must be UTF-8 JSON');
    default:
      return new ApiProblem('validation', 'the request body could not be read');
  }
}

function isPrismaKnownError(err: unknown): err is { code: string } {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && /^P\d{4}$/.test((err as { code: string }).code);
}

/** Maps any thrown value to a problem; `null` means "unknown: hide and log". */
export function toProblem(err: unknown): ApiProblem | null {
  if (err instanceof ApiProblem) {
    return err;
  }
  if (err instanceof ZodError) {
    return validationProblem(err, 'request');
  }
  if (err instanceof NotFoundError) {
    return new ApiProblem('not-found', err.message, { entity: err.entity });
  }
  if (err instanceof ConflictError) {
    return new ApiProblem('conflict', err.message);
  }
  if (err instanceof ProgramLintError) {
    return new ApiProblem('program-lint-failed', err.message, { reasons: err.reasons });
  }
  if (err instanceof InvalidPhoneNumberError) {
    return new ApiProblem('invalid-phone', err.reason, { errors: [{ path: 'phone', message: err.reason }] });
  }
  if (err instanceof OptInRefusedError) {
    return new ApiProblem('opt-in-refused', err.message, {
      reasons: err.reasons,
      subscriberId: err.subscriberId,
      state: err.state,
    });
  }
  if (err instanceof LifecycleUnavailableError) {
    return new ApiProblem('lifecycle-unavailable', err.message);
  }
  if (isUniqueViolation(err)) {
    return new ApiProblem('conflict', 'a resource with the same unique key already exists');
  }
  if (isPrismaKnownError(err) && err.code === 'P2025') {
    return new ApiProblem('not-found', 'the record does not exist');
  }
  return bodyParserProblem(err);
}

export function renderProblem(problem: ApiProblem, req: Request): ProblemBody {
  const entry = problemCatalogue[problem.kind];
  return {
    type: problemType(problem.kind),
    title: entry.title,
    status: entry.status,
    detail: problem.detail,
    instance: req.originalUrl.split('?')[0],
    requestId: String(req.id ?? ''),
    ...problem.extensions,
  };
}

export function sendProblem(res: Response, req: Request, problem: ApiProblem): void {
  if (problem.kind === 'unauthorized') {
    res.setHeader('WWW-Authenticate', 'Bearer realm="consentline"');
  }
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(renderProblem(problem, req)));
}

/** Masks digit runs long enough to be phone numbers, for text that may quote input. */
export function scrubNumbers(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]');
}

/** Last middleware: every error leaves here as problem+json. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = toProblem(err);
    if (known) {
      sendProblem(res, req, known);
      return;
    }
    // The database's own text may quote values: it goes to the log (numbers
    // scrubbed), never to the client.
    const stack = err instanceof Error ? scrubNumbers(err.stack ?? '') : '';
    logger.error({ requestId: req.id, err: { message: scrubNumbers(databaseMessage(err)), stack } }, 'unhandled error');
    sendProblem(res, req, new ApiProblem('internal', `an internal error occurred; quote request ID ${String(req.id)} when reporting it`));
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, req, new ApiProblem('not-found', `no route for ${req.method} ${req.path}`));
};
