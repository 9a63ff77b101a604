// Schemas shared by every resource: problem details, pagination, IDs.
import { z } from 'zod';
import 'zod-openapi';

export const problemSchema = z
  .object({
    type: z.string().meta({ description: 'Stable URI naming the kind of problem', example: 'https://consentline.dev/problems/validation' }),
    title: z.string().meta({ description: 'Short summary of the kind of problem' }),
    status: z.number().int().meta({ description: 'HTTP status code', example: 400 }),
    detail: z.string().meta({ description: 'What went wrong with this request' }),
    instance: z.string().optional().meta({ description: 'Path of the request' }),
    requestId: z.string().optional().meta({ description: 'X-Request-Id of the request, to quote when reporting a problem' }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Field-level problems, for validation' }),
    reasons: z.array(z.string()).optional().meta({ description: 'Rule-level reasons, for lint failures and refused opt-ins' }),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export const cursorQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Page size (1–200)' }),
  cursor: z.string().max(64).optional().meta({ description: 'The `nextCursor` of the previous page' }),
});

export const pageInfo = {
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` to get the next page; null on the last page' }),
};
