// /v1/programs: create, read, update, list.
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { createProgram, getProgram, listPrograms, type ProgramView, updateProgram } from '../../domain/programs.js';
import { ApiRoutes } from '../routing.js';
import { cursorQuery, pageInfo } from '../schemas/common.js';
import { createProgramBody, programParams, programSchema, updateProgramBody } from '../schemas/programs.js';

export function presentProgram(p: ProgramView): Record<string, unknown> {
  return { ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
}

const programList = z.object({ items: z.array(programSchema), ...pageInfo }).meta({ id: 'ProgramList' });

export function programRoutes(deps: { db: Db }): ApiRoutes {
  const { db } = deps;
  return new ApiRoutes('programs')
    .add({
      method: 'post',
      path: '/v1/programs',
      operationId: 'createProgram',
      summary: 'Create a program',
      description: 'Every text the program will send (each template in each language) is linted first; a program whose texts would fail is refused with 422 and the reasons.',
      roles: ['marketer'],
      body: createProgramBody,
      problems: ['program-lint-failed', 'conflict'],
      responses: { 201: { description: 'Created', schema: programSchema } },
      handle: async ({ body }) => {
        const program = await createProgram(db, body);
        return { status: 201, body: presentProgram(program), headers: { Location: `/v1/programs/${program.id}` } };
      },
    })
    .add({
      method: 'get',
      path: '/v1/programs',
      operationId: 'listPrograms',
      summary: 'List programs',
      roles: ['marketer', 'auditor'],
      query: cursorQuery,
      responses: { 200: { description: 'A page of programs', schema: programList } },
      handle: async ({ query }) => {
        const page = await listPrograms(db, query);
        return { status: 200, body: { items: page.items.map(presentProgram), nextCursor: page.nextCursor } };
      },
    })
    .add({
      method: 'get',
      path: '/v1/programs/:programId',
      operationId: 'getProgram',
      summary: 'Read a program',
      roles: ['marketer', 'auditor'],
      params: programParams,
      problems: ['not-found'],
      responses: { 200: { description: 'The program', schema: programSchema } },
      handle: async ({ params }) => ({ status: 200, body: presentProgram(await getProgram(db, params.programId)) }),
    })
    .add({
      method: 'patch',
      path: '/v1/programs/:programId',
      operationId: 'updateProgram',
      summary: 'Change a program',
      description: 'Changes apply to the next text each subscriber receives. The changed program is linted as a whole.',
      roles: ['marketer'],
      params: programParams,
      body: updateProgramBody,
      problems: ['not-found', 'program-lint-failed'],
      responses: { 200: { description: 'The changed program', schema: programSchema } },
      handle: async ({ params, body }) => ({ status: 200, body: presentProgram(await updateProgram(db, params.programId, body)) }),
    });
}
