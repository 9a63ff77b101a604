// Process configuration, parsed once at start with zod. A bad or missing
// setting ends the process with one line naming the variable.
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  DATABASE_URL: z
    .string()
    .refine((v) => /^(file:.+|postgres(ql)?:\/\/[^/]+\/.+)$/.test(v), {
      message: 'must be file:<path> (SQLite) or postgresql://user:pass@host:port/db',
    })
    .optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.\-_[\]:]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('consentline'),
  PORT: port.default(3000),
  PUBLIC_BASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('data'),
  PHONE_HASH_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC + 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_API_BASE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BOOTSTRAP_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
});

export type Config = z.infer<typeof schema> & {
  databaseUrl: string;
  databaseProvider: 'sqlite' | 'postgres';
  publicBaseUrl: string;
  carrier: 'twilio' | 'simulated';
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  if ((c.TWILIO_ACCOUNT_SID === undefined) !== (c.TWILIO_AUTH_TOKEN === undefined)) {
    throw new ConfigError('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both or neither');
  }
  if ((c.TEMPORAL_TLS_CERT === undefined) !== (c.TEMPORAL_TLS_KEY === undefined)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both or neither');
  }
  const databaseUrl = c.DATABASE_URL ?? `file:${c.DATA_DIR}/consentline.db`;
  return {
    ...c,
    databaseUrl,
    databaseProvider: databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres',
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, ''),
    carrier: c.TWILIO_ACCOUNT_SID ? 'twilio' : 'simulated',
  };
}
