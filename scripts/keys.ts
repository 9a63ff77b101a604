// npm run keys -- create --name crm --role marketer | list | revoke <prefix>
// Manages API keys directly in the configured database (DATABASE_URL).
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../src/config.js';
import { createDb, type Db } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { createApiKey, listApiKeys, revokeApiKey, type Role, roles } from '../src/domain/keys.js';

function role(value: string): Role {
  const found = roles.find((r) => r === value);
  if (!found) {
    throw new InvalidArgumentError(`must be one of ${roles.join(', ')}`);
  }
  return found;
}

async function withDb(fn: (db: Db) => Promise<void>): Promise<void> {
  const config = loadConfig();
  await migrate(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  try {
    await fn(db);
  } finally {
    await db.$disconnect();
  }
}

const program = new Command('keys').description('Manage consentline API keys');

program
  .command('create')
  .description('Create a key and print it once')
  .requiredOption('--name <name>', 'who or what uses the key')
  .requiredOption('--role <role>', `one of ${roles.join(', ')}`, role)
  .action((opts: { name: string; role: Role }) =>
    withDb(async (db) => {
      const { key, token } = await createApiKey(db, { name: opts.name, role: opts.role });
      process.stdout.write(`${token}\n`);
      process.stderr.write(`created ${key.role} key "${key.name}" (prefix ${key.prefix}); it is shown only this once\n`);
    }),
  );

program
  .command('list')
  .description('List keys (never their secrets)')
  .action(() =>
    withDb(async (db) => {
      for (const k of await listApiKeys(db)) {
        const status = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
        const used = k.lastUsedAt ? `last used ${k.lastUsedAt.toISOString()}` : 'never used';
        process.stdout.write(`${k.prefix}\t${k.role}\t${status}\t${used}\t${k.name}\n`);
      }
    }),
  );

program
  .command('revoke')
  .description('Revoke a key by its prefix; it stops working at once')
  .argument('<prefix>', 'the key prefix (cl_<prefix>_...)')
  .action((prefix: string) =>
    withDb(async (db) => {
      const k = await revokeApiKey(db, prefix, new Date());
      process.stderr.write(`revoked ${k.role} key "${k.name}" (prefix ${k.prefix})\n`);
    }),
  );

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`keys: ${(err as Error).message.split('\n')[0]}\n`);
  process.exit(1);
});
