// One Prisma client per process, on the driver adapter that the database URL
// selects: better-sqlite3 for file: URLs, pg for postgresql:// URLs. Both
// generated clients share one model set, so callers see a single type.
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as PostgresClient } from '../generated/postgres/index.js';
import { PrismaClient as SqliteClient } from '../generated/sqlite/index.js';

export type Db = SqliteClient;
export type { Prisma } from '../generated/sqlite/index.js';

export function providerOf(url: string): 'sqlite' | 'postgres' {
  return url.startsWith('file:') ? 'sqlite' : 'postgres';
}

export function createDb(url: string): Db {
  if (providerOf(url) === 'sqlite') {
    const adapter = new PrismaBetterSQLite3({ url, timeout: 10_000 });
    return new SqliteClient({ adapter });
  }
  const adapter = new PrismaPg({ connectionString: url, max: 10 });
  // The two generated clients are built from the same models and differ only
  // in provider-specific typing that consentline does not use.
  return new PostgresClient({ adapter }) as unknown as Db;
}
