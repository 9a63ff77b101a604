// /v1 bulk imports: upload a CSV (streamed, never buffered whole), then read the
// job's counts and its rejected rows.
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { newId } from '../../domain/ids.js';
import { getImportJob, IMPORT_COLUMNS, ImportFileError, importSubscribers, listImportErrors, listImportJobs, REQUIRED_COLUMNS } from '../../domain/imports.js';
import { ApiProblem } from '../errors.js';
import { ApiRoutes } from '../routing.js';
import { cursorQuery, pageInfo } from '../schemas/common.js';
import { programParams } from '../schemas/programs.js';

const importParams = z.object({ importId: z.string().min(1).max(64).meta({ description: 'Import job ID' }) });

const importJobSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    counts: z
      .object({ total: z.number().int(), imported: z.number().int(), rejected: z.number().int(), duplicates: z.number().int() })
      .meta({ description: 'Rows read; rows that became subscribers; rows refused (see /errors); repeated numbers within the file' }),
    progress: z.number().min(0).max(1).meta({ description: 'Share of the rows read so far that are decided; 1 when finished' }),
    error: z.string().nullable().meta({ description: 'Why a failed import stopped' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ImportJob' });

const importErrorList = z
  .object({ items: z.array(z.object({ row: z.number().int().meta({ description: 'Row in the file; the header is row 1' }), reason: z.string() })), ...pageInfo })
  .meta({ id: 'ImportErrorList' });

const importJobList = z.object({ items: z.array(importJobSchema), ...pageInfo }).meta({ id: 'ImportJobList' });

export interface ImportRouteDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  phoneHashKey: string;
  now: () => Date;
}

export function importRoutes(deps: ImportRouteDeps): ApiRoutes {
  return new ApiRoutes('imports')
    .add({
      method: 'post',
      path: '/v1/programs/:programId/imports',
      operationId: 'importSubscribers',
      summary: 'Import subscribers from a CSV file (Content-Type: text/csv)',
      description: [
        `Columns: ${IMPORT_COLUMNS.join(',')} (required: ${REQUIRED_COLUMNS.join(', ')}).`,
        "Each row is checked with its original consent source and evidence; a row that fails is refused with its row number and reason and leaves no trace.",
        'Rows that pass become subscribers with source `import`: their consent counts as given, so they get the welcome and disclosure, not a confirmation request.',
        'The upload is read as a stream and answered with 202 once read: refused rows are already counted; the import then opts the staged rows in, and GET /v1/imports/{importId} shows the progress until `completed`.',
        'A file that cannot be read at all (not CSV, required columns missing) is refused with 400 and nothing is imported.',
      ].join(' '),
      roles: ['marketer'],
      params: programParams,
      problems: ['not-found', 'unsupported-media-type'],
      responses: { 202: { description: 'Read and checked; the opt-ins are under way', schema: importJobSchema } },
      handle: async ({ params, caller, req }) => {
        if (!req.is('text/csv')) {
          throw new ApiProblem('unsupported-media-type', 'send the file as Content-Type: text/csv');
        }
        try {
          const job = await importSubscribers({ ...deps, newId }, params.programId, req, { callerKeyId: caller.keyId });
          return { status: 202, body: job, headers: { Location: `/v1/imports/${job.id}` } };
        } catch (err) {
          if (err instanceof ImportFileError) {
            throw new ApiProblem('validation', err.message, { importId: err.importId });
          }
          throw err;
        }
      },
    })
    .add({
      method: 'get',
      path: '/v1/programs/:programId/imports',
      operationId: 'listImports',
      summary: "List a program's imports, newest first",
      roles: ['marketer', 'auditor'],
      params: programParams,
      query: cursorQuery,
      problems: ['not-found'],
      responses: { 200: { description: 'A page of imports', schema: importJobList } },
      handle: async ({ params, query }) => ({ status: 200, body: await listImportJobs(deps.db, params.programId, query) }),
    })
    .add({
      method: 'get',
      path: '/v1/imports/:importId',
      operationId: 'getImport',
      summary: 'Read an import: status, counts and progress',
      roles: ['marketer', 'auditor'],
      params: importParams,
      problems: ['not-found'],
      responses: { 200: { description: 'The import', schema: importJobSchema } },
      handle: async ({ params }) => ({ status: 200, body: await getImportJob(deps.db, params.importId) }),
    })
    .add({
      method: 'get',
      path: '/v1/imports/:importId/errors',
      operationId: 'listImportErrors',
      summary: 'The refused rows of an import, by row number',
      roles: ['marketer', 'auditor'],
      params: importParams,
      query: cursorQuery,
      problems: ['not-found'],
      responses: { 200: { description: 'A page of refused rows', schema: importErrorList } },
      handle: async ({ params, query }) => ({ status: 200, body: await listImportErrors(deps.db, params.importId, query) }),
    });
}
