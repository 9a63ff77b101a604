// API keys as the API shows them: never the secret, except once at creation.
import { z } from 'zod';
import { roles } from '../../domain/keys.js';

export const roleSchema = z.enum(roles).meta({
  id: 'Role',
  description: 'marketer: programs and subscribers; auditor: read-only consent records; admin: everything, including keys and full phone numbers',
});

export const createKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100).meta({ description: 'Who or what uses the key', example: 'crm-sync' }),
    role: roleSchema,
  })
  .strict()
  .meta({ id: 'CreateApiKey' });

export const apiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().meta({ description: 'Public part of the key, used to revoke it', example: '3f9a1c2b7d4e' }),
    role: roleSchema,
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().meta({ description: 'Last use, to the minute' }),
  })
  .meta({ id: 'ApiKey' });

export const createdKeySchema = apiKeySchema
  .extend({ key: z.string().meta({ description: 'The full key. Shown only in this response: store it now.', example: 'cl_3f9a1c2b7d4e_…' }) })
  .meta({ id: 'CreatedApiKey' });

export const keyPrefixParams = z.object({ prefix: z.string().regex(/^[a-z0-9]{8,32}$/).meta({ description: 'Key prefix' }) });
