// API keys, for admins. The CLI (npm run keys) does the same against the database.
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { type ApiKeyView, createApiKey, listApiKeys, revokeApiKey } from '../../domain/keys.js';
import { ApiRoutes } from '../routing.js';
import { apiKeySchema, createdKeySchema, createKeyBody, keyPrefixParams } from '../schemas/keys.js';

function present(k: ApiKeyView): z.infer<typeof apiKeySchema> {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}

export function keyRoutes(deps: { db: Db; now: () => Date }): ApiRoutes {
  return new ApiRoutes('keys')
    .add({
      method: 'post',
      path: '/v1/keys',
      operationId: 'createApiKey',
      summary: 'Create an API key (the key is shown once)',
      roles: ['admin'],
      body: createKeyBody,
      responses: { 201: { description: 'Created', schema: createdKeySchema } },
      handle: async ({ body }) => {
        const { key, token } = await createApiKey(deps.db, body);
        return { status: 201, body: { ...present(key), key: token } };
      },
    })
    .add({
      method: 'get',
      path: '/v1/keys',
      operationId: 'listApiKeys',
      summary: 'List API keys',
      roles: ['admin'],
      responses: { 200: { description: 'Keys, oldest first', schema: z.object({ items: z.array(apiKeySchema) }) } },
      handle: async () => ({ status: 200, body: { items: (await listApiKeys(deps.db)).map(present) } }),
    })
    .add({
      method: 'post',
      path: '/v1/keys/:prefix/revoke',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key; it stops working at once',
      roles: ['admin'],
      params: keyPrefixParams,
      problems: ['not-found', 'conflict'],
      responses: { 200: { description: 'Revoked', schema: apiKeySchema } },
      handle: async ({ params }) => ({ status: 200, body: present(await revokeApiKey(deps.db, params.prefix, deps.now())) }),
    });
}
