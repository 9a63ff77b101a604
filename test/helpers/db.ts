// Real databases for tests: a fresh migrated SQLite file, or a fresh database
// on the test PostgreSQL cluster (scripts/postgres.sh, started by .ci/run or on demand).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface TestDb {
  db: Db;
  url: string;
  cleanup(): Promise<void>;
}

export async function createSqliteTestDb(): Promise<TestDb> {
  const dir = join(tmpdir(), 'consentline-test');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${randomUUID()}.db`);
  const url = `file:${file}`;
  await migrate(url);
  const db = createDb(url);
  return {
    db,
    url,
    async cleanup() {
      await db.$disconnect();
      rmSync(file, { force: true });
    },
  };
}

export function postgresAdminUrl(): string {
  return execFileSync('bash', [resolve(root, 'scripts/postgres.sh'), 'start'], { encoding: 'utf8' }).trim();
}

export async function createPostgresTestDb(): Promise<TestDb> {
  const admin = postgresAdminUrl();
  const name = `test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = admin.replace(/\/[^/]+$/, `/${name}`);
  await migrate(url);
  const db = createDb(url);
  return {
    db,
    url,
    async cleanup() {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const testDbFactories = { sqlite: createSqliteTestDb, postgres: createPostgresTestDb } as const;
