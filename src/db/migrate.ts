// Applies the committed migrations to the configured database.
// SQLite: `prisma migrate deploy` on Prisma's JS schema engine.
// PostgreSQL: the JS schema engine cannot apply migrations there (Prisma bug
// 27403), so the same committed SQL is applied here with pg, recorded in
// Prisma's own `_prisma_migrations` table so that `prisma migrate deploy` on
// the classic engine later sees the same history.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { providerOf } from './client.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

export async function migrate(url: string): Promise<string[]> {
  return providerOf(url) === 'sqlite' ? migrateSqlite(url) : migratePostgres(url);
}

async function migrateSqlite(url: string): Promise<string[]> {
  const file = url.slice('file:'.length);
  mkdirSync(dirname(resolve(root, file)), { recursive: true });
  const prisma = join(root, 'node_modules', '.bin', 'prisma');
  const { stdout } = await run(prisma, ['migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, CONSENTLINE_PRISMA_PROVIDER: 'sqlite', CONSENTLINE_PRISMA_URL: url },
  });
  return [...stdout.matchAll(/^\s+└─ (\S+)\/$/gm)].map((m) => m[1] ?? '');
}

const ledgerTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

async function migratePostgres(url: string): Promise<string[]> {
  const dir = join(root, 'prisma', 'postgres', 'migrations');
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    // One migrator at a time, even with several workers starting together.
    await client.query('SELECT pg_advisory_lock(72707369)');
    await client.query(ledgerTable);
    const done = await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const seen = new Set(done.rows.map((r) => r.migration_name));
    for (const name of names.filter((n) => !seen.has(n))) {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(err as Error).message}`);
      }
      applied.push(name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(72707369)').catch(() => undefined);
    await client.end();
  }
  return applied;
}
