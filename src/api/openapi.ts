// The OpenAPI 3.1 document, generated from the same zod schemas that validate
// requests. Resource modules contribute `ApiRoutes` (see routing.ts); routes
// outside /v1 (health, metrics) contribute plain path objects.
import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import type { ApiRoutes } from './routing.js';

export type { ZodOpenApiPathsObject } from 'zod-openapi';

export interface DocumentSource {
  routes: ApiRoutes[];
  paths: ZodOpenApiPathsObject[];
  serverUrl: string;
}

function mergePaths(all: ZodOpenApiPathsObject[]): ZodOpenApiPathsObject {
  const merged: ZodOpenApiPathsObject = {};
  for (const paths of all) {
    for (const [path, item] of Object.entries(paths)) {
      merged[path] = { ...merged[path], ...item };
    }
  }
  return merged;
}

export function buildDocument(source: DocumentSource): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'consentline marketer API',
      version: '1.0.0',
      description:
        'SMS programs, subscribers and their consent. Every subscriber of every program is one durable workflow that owns ' +
        "that person's consent. Errors are RFC 9457 problem details (application/problem+json) with stable `type` URIs.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: source.serverUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer cl_<prefix>_<secret>`' },
      },
    },
    tags: source.routes.map((r) => ({ name: r.tag })),
    paths: mergePaths([...source.routes.map((r) => r.paths()), ...source.paths]),
  });
}
